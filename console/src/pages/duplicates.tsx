import { api, must } from '../api/client';
import { useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { STAGE_LABEL, when } from '../format';
import { href, type Route } from '../router';
import { DuplicateRow } from './lead-duplicates';

/** Sales ops' duplicates queue: open duplicate sets, newest first, a page at a time. */
export const DuplicatesPage = ({ route }: { route: Route }) => {
  const cursor = route.query.get('cursor') ?? undefined;
  const { data, error } = useResource(
    async () => must(api.GET('/duplicates', { params: { query: { limit: 25, cursor } } })),
    [cursor],
  );
  return (
    <section aria-labelledby="duplicates-page-title">
      <h1 id="duplicates-page-title">Duplicates</h1>
      <p class="muted">Leads that match earlier ones, newest first. Open a lead to work it.</p>
      <ProblemBanner error={error} />
      {data && data.items.length === 0 && <p class="empty">No open duplicate sets.</p>}
      <ul class="rules" aria-label="Duplicate sets">
        {(data?.items ?? []).map((set) => (
          <li key={set.leadId} data-set-id={set.leadId}>
            <h2>
              <a href={href(`/leads/${set.leadId}`)}>{set.name ?? 'Unnamed lead'}</a>
              {set.company ? ` · ${set.company}` : ''}
            </h2>
            <p class="muted">
              {set.owner ?? 'unassigned'}, {STAGE_LABEL[set.stage]}, captured {when(set.createdAt)}
            </p>
            <ul aria-label={`Duplicates of ${set.name ?? 'this lead'}`}>
              {set.duplicates.map((d) => (
                <DuplicateRow key={d.leadId} d={d} />
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {data?.cursor && <a href={href('/duplicates', { cursor: data.cursor })}>Older sets</a>}
    </section>
  );
};
