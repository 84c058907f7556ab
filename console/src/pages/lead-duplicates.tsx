import type { Lead, Schemas } from '../api/client';
import { STAGE_LABEL } from '../format';
import { href } from '../router';

type DuplicateEntry = Schemas['DuplicateEntry'];

const percent = (score: number) => `${Math.round(score * 100)} %`;

/** How a duplicate matched, in words: "same email", "similar: name, company". */
export const matchedHow = (d: Pick<DuplicateEntry, 'matchedOn' | 'fields'>) =>
  d.matchedOn === 'similarity' ? `similar: ${d.fields.join(', ')}` : `same ${d.matchedOn}`;

/** One duplicate: the person's name (when visible) linking to the lead, owner, stage, score and how it matched. */
export const DuplicateRow = ({ d }: { d: DuplicateEntry }) => (
  <li data-duplicate-id={d.leadId}>
    <a href={href(`/leads/${d.leadId}`)}>{d.name ?? 'A lead you cannot open'}</a>
    {d.company ? ` · ${d.company}` : ''} <span class="muted">— {d.owner ?? 'unassigned'}</span>, {STAGE_LABEL[d.stage]},{' '}
    <strong>{percent(d.score)}</strong> <span class="muted">({matchedHow(d)})</span>
  </li>
);

/** The lead page's duplicates panel: every lead this one duplicates, in both directions. */
export const LeadDuplicates = ({ lead }: { lead: Lead }) => {
  const duplicates = lead.duplicateLeads ?? [];
  if (duplicates.length === 0) return null;
  return (
    <section class="duplicates" aria-labelledby="duplicates-title">
      <h2 id="duplicates-title">
        Possible duplicates <em class="badge duplicate">{duplicates.length}</em>
      </h2>
      <ul>
        {duplicates.map((d) => (
          <DuplicateRow key={d.leadId} d={d} />
        ))}
      </ul>
    </section>
  );
};
