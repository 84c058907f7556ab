import { api, type Lead, must } from '../api/client';
import { useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { when } from '../format';

/** The person's consent per purpose now, and its history with what they were shown, where and when. */
export const LeadConsents = ({ lead }: { lead: Lead }) => {
  const consents = useResource(
    async () => must(api.GET('/leads/{id}/consents', { params: { path: { id: lead.id } } })),
    [lead.id, lead.version],
  );
  const data = consents.data;
  return (
    <section aria-label="Consent">
      <h2>Consent</h2>
      <ProblemBanner error={consents.error} />
      {data && (
        <>
          <p>
            {Object.entries(data.current).map(([purpose, yes]) => (
              <span key={purpose} class={`badge ${yes ? '' : 'overdue'}`}>
                {purpose}: {yes ? 'yes' : 'no'}
              </span>
            ))}
          </p>
          {data.history.length === 0 ? (
            <p class="empty">No consent recorded.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Shown</th>
                  <th scope="col">Channel · source</th>
                </tr>
              </thead>
              <tbody>
                {data.history.map((r) => (
                  <tr key={r.id}>
                    <td>{when(r.at)}</td>
                    <td>{r.purpose}</td>
                    <td>{r.granted ? 'given' : 'withdrawn'}</td>
                    <td>{r.textVersion ?? r.text ?? '—'}</td>
                    <td>
                      {r.channel} · {r.source}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
};
