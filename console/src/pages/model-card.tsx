import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { api, must } from '../api/client';
import { useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';

/** The scoring model card: which model scores leads, how it was trained and how well it ranks. */
export const ModelCard = ({ pointsVersion }: { pointsVersion?: number }) => {
  const { data: card, error, reload } = useResource(() => must(api.GET('/scoring/model')), [pointsVersion]);
  // Right after a save the scoring API may still hold the previous points model for a moment
  // (configuration reads are cached briefly per function): ask again until it names the saved version.
  const attempts = useRef({ version: pointsVersion, count: 1 });
  useEffect(() => {
    if (!card || pointsVersion === undefined || card.points.model === `points@${pointsVersion}`) return;
    if (attempts.current.version !== pointsVersion) attempts.current = { version: pointsVersion, count: 1 };
    if (attempts.current.count >= 5) return;
    attempts.current.count += 1;
    const timer = setTimeout(() => void reload(), 1000);
    return () => clearTimeout(timer);
  }, [card, pointsVersion, reload]);
  if (error) return <ProblemBanner error={error} />;
  if (!card) return <p class="loading">Loading…</p>;
  const scalar = Object.entries(card).filter(([, v]) => v === null || typeof v !== 'object');
  const nested = Object.entries(card).filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <div>
      <h2>Model card</h2>
      <dl class="fields">
        {scalar.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </Fragment>
        ))}
      </dl>
      {nested.map(([k, v]) => (
        <section key={k}>
          <h2>{k}</h2>
          {Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' ? (
            <ObjectTable rows={v as Record<string, unknown>[]} caption={k} />
          ) : (
            <pre>{JSON.stringify(v, null, 2)}</pre>
          )}
        </section>
      ))}
    </div>
  );
};

export const ObjectTable = ({ rows, caption }: { rows: Record<string, unknown>[]; caption: string }) => {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <table>
      <caption class="muted">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {columns.map((c) => (
              <td key={c} class={typeof r[c] === 'number' ? 'num' : undefined}>
                {typeof r[c] === 'object' && r[c] !== null ? JSON.stringify(r[c]) : String(r[c] ?? '')}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
};
