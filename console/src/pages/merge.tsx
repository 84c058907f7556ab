import { useState } from 'preact/hooks';
import { api, type Lead, must } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { leadName, STAGE_LABEL } from '../format';
import { href, type Route } from '../router';

/** The fields the merge lets you pick per lead (the API's mergeable fields). */
const FIELDS = [
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['company', 'Company'],
  ['jobTitle', 'Job title'],
  ['website', 'Website'],
  ['country', 'Country'],
  ['productInterest', 'Product interest'],
  ['leadType', 'Lead type'],
  ['expectedValue', 'Expected value'],
  ['notes', 'Notes'],
] as const;
type Field = (typeof FIELDS)[number][0];

const show = (value: unknown) => (value === undefined || value === null || value === '' ? '—' : String(value));

/**
 * Merge selected leads: one column per lead, side by side; a radio group per row picks the survivor
 * and, per field, whose value wins (the survivor's by default). Arrow keys move inside each group.
 */
export const MergePage = ({ route }: { route: Route }) => {
  const ids = (route.query.get('ids') ?? '').split(',').filter(Boolean);
  const { data: leads, error } = useResource(
    () => Promise.all(ids.map((id) => must(api.GET('/leads/{id}', { params: { path: { id } } })))),
    [ids.join(',')],
  );
  const [survivor, setSurvivor] = useState<string>();
  const [picks, setPicks] = useState<Partial<Record<Field, string>>>({});
  const keep = survivor ?? leads?.find((l) => l.stage === 'Converted')?.id ?? leads?.[0]?.id;
  const merge = useAction(async () => {
    if (!leads || !keep) return;
    const fields = Object.fromEntries(Object.entries(picks).filter(([, from]) => from && from !== keep));
    await must(
      api.POST('/merges', {
        body: { survivor: keep, leads: leads.map((l) => l.id).filter((id) => id !== keep), fields },
        headers: { 'idempotency-key': `${keep}-${ids.join('.')}-${JSON.stringify(fields)}`.slice(0, 200) },
      }),
    );
    location.hash = href(`/leads/${keep}`);
  });

  if (ids.length < 2) return <p>Select at least two leads in the inbox to merge them.</p>;
  if (error && !leads) return <ProblemBanner error={error} />;
  if (!leads) return <p class="loading">Loading…</p>;
  const differing = FIELDS.filter(([f]) => new Set(leads.map((l) => show(l[f as keyof Lead]))).size > 1);
  const same = FIELDS.filter(([f]) => !differing.some(([d]) => d === f) && leads[0]?.[f as keyof Lead] !== undefined);
  const winner = (f: Field) => picks[f] ?? keep;

  return (
    <section aria-labelledby="merge-title">
      <h1 id="merge-title">Merge {leads.length} leads</h1>
      <p class="muted">
        The survivor keeps its stage, owner and history; the others become links to it and leave the inbox. Notes,
        feeds, followers and duplicate links stay reachable from the survivor. The merge can be undone from its feed.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void merge.run();
        }}
      >
        <table class="merge-picker">
          <thead>
            <tr>
              <th scope="col">Field</th>
              {leads.map((l) => (
                <th scope="col" key={l.id}>
                  <a href={href(`/leads/${l.id}`)}>{leadName(l)}</a>
                  <small>
                    {' '}
                    {STAGE_LABEL[l.stage]} · {l.owner ?? 'unassigned'}
                  </small>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Survivor</th>
              {leads.map((l) => (
                <td key={l.id}>
                  <label>
                    <input
                      type="radio"
                      name="survivor"
                      value={l.id}
                      checked={keep === l.id}
                      onChange={() => setSurvivor(l.id)}
                    />{' '}
                    Keep this lead
                  </label>
                </td>
              ))}
            </tr>
            {differing.map(([f, label]) => (
              <tr key={f}>
                <th scope="row">{label}</th>
                {leads.map((l) => (
                  <td key={l.id}>
                    <label>
                      <input
                        type="radio"
                        name={`field-${f}`}
                        value={l.id}
                        checked={winner(f) === l.id}
                        onChange={() => setPicks((p) => ({ ...p, [f]: l.id }))}
                        aria-label={`${label}: ${show(l[f as keyof Lead])} (from ${leadName(l)})`}
                      />{' '}
                      {show(l[f as keyof Lead])}
                    </label>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {same.length > 0 && (
          <p class="muted">Same on every lead: {same.map(([, label]) => label.toLowerCase()).join(', ')}.</p>
        )}
        <ProblemBanner error={merge.error} />
        <button type="submit" disabled={merge.busy}>
          Merge into {leadName((leads.find((l) => l.id === keep) ?? leads[0]) as Lead)}
        </button>
      </form>
    </section>
  );
};
