import type { Lead, Session } from '../api/client';
import { href } from '../router';
import { BehaviourCounts } from './lead-activity';
import { LeadFollowers } from './lead-followers';

/** Why the lead is here: how it was assigned, how it scored and why, its activity, duplicates and followers. */
export const LeadWhy = ({
  lead,
  session,
  onChange,
}: {
  lead: Lead;
  session: Session;
  onChange: () => Promise<void>;
}) => (
  <section aria-labelledby="why-title">
    <h2 id="why-title">Why it is here</h2>
    <p>
      <strong>Assignment:</strong>{' '}
      {lead.assignment
        ? `${lead.assignment.explanation} (routing rules v${lead.assignment.ruleVersion})`
        : 'not assigned yet'}
    </p>
    <p>
      <strong>Score:</strong>{' '}
      {lead.score !== undefined ? `${lead.score} (band ${lead.scoreBand ?? '?'})` : 'not scored yet'}
      {lead.scoreModel ? ` · model ${lead.scoreModel}` : ''}
    </p>
    {lead.scoreFactors && lead.scoreFactors.length > 0 && (
      <ul aria-label="Top score factors">
        {[...lead.scoreFactors]
          .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
          .slice(0, 5)
          .map((f) => (
            <li key={f.reason}>
              {f.points > 0 ? '+' : '−'}
              {Math.abs(f.points)} {f.reason}
            </li>
          ))}
      </ul>
    )}
    <BehaviourCounts lead={lead} />
    <p>
      <strong>Duplicates</strong> (policy: {lead.duplicatePolicy}): {lead.duplicates.length === 0 ? 'none found' : ''}
    </p>
    {lead.duplicates.length > 0 && (
      <ul>
        {lead.duplicates.map((d) => (
          <li key={`${d.kind}-${d.id}-${d.matchedOn}`}>
            {d.kind} {d.kind === 'lead' ? <a href={href(`/leads/${d.id}`)}>{d.id}</a> : d.id} —{' '}
            {d.matchedOn === 'similarity'
              ? `similar (${Math.round((d.score ?? 0) * 100)} %: ${(d.fields ?? []).join(', ')})`
              : `same ${d.matchedOn} (${d.value})`}
          </li>
        ))}
      </ul>
    )}
    <LeadFollowers lead={lead} session={session} onChange={onChange} />
  </section>
);
