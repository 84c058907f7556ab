import {
  type AgingReport,
  api,
  type FunnelReport,
  must,
  type RepsReport,
  type Session,
  type SourcesReport,
} from '../api/client';
import { useResource } from '../api/use-resource';
import { ChartPanel, PALETTE } from '../components/chart';
import { ProblemBanner } from '../components/problem';
import { RecordLink } from '../components/record-links';
import { useDirectory } from '../directory';
import { isManager, STAGE_LABEL } from '../format';
import { href, type Route, setQuery } from '../router';

const FUNNEL: (keyof typeof STAGE_LABEL)[] = ['Creation', 'Assigned', 'MarketQualified', 'SalesQualified', 'Converted'];
const BUCKETS = ['within-sla', 'over-sla', 'escalated-1', 'escalated-2', 'escalated-3+'] as const;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);

type Reports = { funnel: FunnelReport; sources: SourcesReport; aging: AgingReport; reps: RepsReport };

/** A rep's own figures (`owner=me`): their funnel, ageing and response times; sources are for managers. */
const loadReports = async (from: string, to: string, mine: boolean): Promise<Reports> => {
  const range = mine ? { from, to, owner: 'me' } : { from, to };
  const noSources = { report: 'sources', from, to, period: 'day', rows: [], channels: [] } as unknown as SourcesReport;
  const [funnel, sources, aging, reps] = await Promise.all([
    must(api.GET('/reports/funnel', { params: { query: range } })),
    mine ? noSources : must(api.GET('/reports/sources', { params: { query: { from, to, period: 'day' } } })),
    must(api.GET('/reports/aging', { params: { query: mine ? { owner: 'me' } : {} } })),
    must(api.GET('/reports/reps', { params: { query: range } })),
  ]);
  // The reports also speak text/csv; asked for JSON (the default), they answer JSON.
  return {
    funnel: funnel as FunnelReport,
    sources: sources as SourcesReport,
    aging: aging as AgingReport,
    reps: reps as RepsReport,
  };
};

/** Managers' dashboard from the reports API; the date range lives in the URL so a view can be shared. */
export const DashboardPage = ({ route, session }: { route: Route; session: Session }) => {
  const to = route.query.get('to') ?? isoDay(new Date());
  const from = route.query.get('from') ?? isoDay(new Date(Date.now() - 29 * 86_400_000));
  const mine = !isManager(session);
  const { data: reports, error } = useResource(() => loadReports(from, to, mine), [from, to, mine]);

  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">{mine ? 'My dashboard' : 'Dashboard'}</h1>
      {mine && <p class="muted">Your leads: how far they got, how old the open ones are, and how fast you answered.</p>}
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          setQuery('/dashboard', { from: String(data.get('from')), to: String(data.get('to')) });
        }}
      >
        <label>
          From
          <input type="date" name="from" defaultValue={from} key={`f${from}`} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={to} key={`t${to}`} />
        </label>
        <button type="submit">Show</button>
        <a href={href('/dashboard', { from, to })} class="muted" style={{ marginLeft: '1rem', alignSelf: 'center' }}>
          Link to this view
        </a>
      </form>
      <ProblemBanner error={error} />
      {!reports && !error && <p class="loading">Loading…</p>}
      {reports && <Charts reports={reports} mine={mine} />}
    </section>
  );
};

const Charts = ({ reports, mine }: { reports: Reports; mine: boolean }) => {
  const { funnel, sources, aging, reps } = reports;
  const people = useDirectory();
  const reached = (stage: string) => funnel.groups.reduce((n, g) => n + (g.reached[stage] ?? 0), 0);
  const funnelRows = [
    ...FUNNEL.map((s) => ({ label: STAGE_LABEL[s], n: reached(s) })),
    { label: 'Disqualified', n: funnel.groups.reduce((n, g) => n + g.disqualified, 0) },
  ];

  const periods = [...new Set(sources.rows.map((r) => r.period))].sort();
  const sourceNames = [...new Set(sources.rows.map((r) => r.source))].sort();
  const createdBy = (source: string, period: string) =>
    sources.rows.filter((r) => r.source === source && r.period === period).reduce((n, r) => n + r.created, 0);
  const bySource = sourceNames.map((source) => {
    const rows = sources.rows.filter((r) => r.source === source);
    const created = rows.reduce((n, r) => n + r.created, 0);
    const converted = rows.reduce((n, r) => n + r.converted, 0);
    return { source, created, converted, rate: created ? converted / created : null };
  });

  return (
    <div class="charts">
      <ChartPanel
        title="Funnel"
        testId="chart-funnel"
        config={{
          type: 'bar',
          data: {
            labels: funnelRows.map((r) => r.label),
            datasets: [{ label: 'Leads', data: funnelRows.map((r) => r.n), backgroundColor: PALETTE[0] }],
          },
        }}
        table={
          <table>
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col" class="num">
                  Leads
                </th>
              </tr>
            </thead>
            <tbody>
              {funnelRows.map((r) => (
                <tr key={r.label}>
                  <td>{r.label}</td>
                  <td class="num">{r.n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      {!mine && (
        <>
          <ChartPanel
            title="Leads by source over time"
            testId="chart-sources"
            config={{
              type: 'bar',
              data: {
                labels: periods,
                datasets: sourceNames.map((s, i) => ({
                  label: s,
                  data: periods.map((p) => createdBy(s, p)),
                  backgroundColor: PALETTE[i % PALETTE.length],
                })),
              },
              options: {
                scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
              },
            }}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Source</th>
                    <th scope="col">Campaign</th>
                    <th scope="col" class="num">
                      Created
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sources.rows.map((r) => (
                    <tr key={`${r.period}-${r.source}-${r.campaign}`}>
                      <td>{r.period}</td>
                      <td>{r.source}</td>
                      <td>{r.campaign}</td>
                      <td class="num">{r.created}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
          <ChartPanel
            title="Conversion by source"
            testId="chart-conversion"
            config={{
              type: 'bar',
              data: {
                labels: bySource.map((r) => r.source),
                datasets: [
                  {
                    label: 'Conversion rate (%)',
                    data: bySource.map((r) => (r.rate ?? 0) * 100),
                    backgroundColor: PALETTE[2],
                  },
                ],
              },
            }}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    <th scope="col" class="num">
                      Created
                    </th>
                    <th scope="col" class="num">
                      Converted
                    </th>
                    <th scope="col" class="num">
                      Rate
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {bySource.map((r) => (
                    <tr key={r.source}>
                      <td>{r.source}</td>
                      <td class="num">{r.created}</td>
                      <td class="num">{r.converted}</td>
                      <td class="num">{pct(r.rate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
          <ChartPanel
            title="Duplicates and rejects by channel"
            testId="chart-quality"
            config={{
              type: 'bar',
              data: {
                labels: sources.channels.map((c) => c.channel),
                datasets: [
                  { label: 'Created', data: sources.channels.map((c) => c.created), backgroundColor: PALETTE[0] },
                  { label: 'Rejected', data: sources.channels.map((c) => c.rejected), backgroundColor: PALETTE[3] },
                ],
              },
              options: {
                scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
              },
            }}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col" class="num">
                      Received
                    </th>
                    <th scope="col" class="num">
                      Duplicates
                    </th>
                    <th scope="col" class="num">
                      Rejected
                    </th>
                    <th scope="col">Why rejected</th>
                  </tr>
                </thead>
                <tbody>
                  {sources.channels.map((c) => (
                    <tr key={c.channel}>
                      <td>{c.channel}</td>
                      <td class="num">{c.received}</td>
                      <td class="num">
                        {c.duplicates} ({pct(c.duplicateShare)})
                      </td>
                      <td class="num">
                        {c.rejected} ({pct(c.rejectShare)})
                      </td>
                      <td>
                        {Object.entries(c.rejectedByReason)
                          .sort(([, a], [, b]) => b - a)
                          .map(([reason, n]) => `${reason}: ${n}`)
                          .join(', ') || '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
        </>
      )}
      <ChartPanel
        title="Ageing by stage"
        testId="chart-aging"
        config={{
          type: 'bar',
          data: {
            labels: aging.byStage.map((r) => STAGE_LABEL[r.stage as keyof typeof STAGE_LABEL] ?? r.stage),
            datasets: BUCKETS.map((b, i) => ({
              label: b,
              data: aging.byStage.map((r) => r[b]),
              backgroundColor: PALETTE[i % PALETTE.length],
            })),
          },
          options: {
            scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
          },
        }}
        table={
          <BucketTable
            rows={aging.byStage.map((r) => ({
              ...r,
              key: STAGE_LABEL[r.stage as keyof typeof STAGE_LABEL] ?? r.stage,
            }))}
            label="Stage"
          />
        }
      />
      <ChartPanel
        title="Ageing by team"
        testId="chart-aging-team"
        config={{
          type: 'bar',
          data: {
            labels: aging.byTeam.map((r) => people.team(r.team)),
            datasets: BUCKETS.map((b, i) => ({
              label: b,
              data: aging.byTeam.map((r) => r[b]),
              backgroundColor: PALETTE[i % PALETTE.length],
            })),
          },
          options: {
            scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
          },
        }}
        table={<BucketTable rows={aging.byTeam.map((r) => ({ ...r, key: people.team(r.team) }))} label="Team" />}
      />
      <ChartPanel
        title="Rep load"
        testId="chart-reps"
        config={{
          type: 'bar',
          data: {
            labels: reps.reps.map((r) => people.name(r.owner)),
            datasets: [
              { label: 'Open', data: reps.reps.map((r) => r.open), backgroundColor: PALETTE[0] },
              { label: 'Converted', data: reps.reps.map((r) => r.converted), backgroundColor: PALETTE[2] },
              { label: 'Escalations', data: reps.reps.map((r) => r.escalations), backgroundColor: PALETTE[1] },
            ],
          },
        }}
        table={
          <table>
            <thead>
              <tr>
                <th scope="col">Rep</th>
                <th scope="col" class="num">
                  Open
                </th>
                <th scope="col" class="num">
                  Assigned
                </th>
                <th scope="col" class="num">
                  First response (median h)
                </th>
                <th scope="col" class="num">
                  Converted
                </th>
                <th scope="col" class="num">
                  Escalations
                </th>
                <th scope="col">Available</th>
              </tr>
            </thead>
            <tbody>
              {reps.reps.map((r) => (
                <tr key={r.owner}>
                  <td>{people.name(r.owner)}</td>
                  <td class="num">{r.open}</td>
                  <td class="num">{r.assigned}</td>
                  <td class="num">{r.firstResponse.medianHours ?? '—'}</td>
                  <td class="num">{r.converted}</td>
                  <td class="num">{r.escalations}</td>
                  <td>{r.available === null ? '—' : r.available ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      {aging.oldest.length > 0 && (
        <section>
          <h2>Oldest open leads</h2>
          <ol>
            {aging.oldest.map((l) => (
              <li key={l.id}>
                <RecordLink kind="lead" id={l.id} /> — {STAGE_LABEL[l.stage as keyof typeof STAGE_LABEL] ?? l.stage},{' '}
                {l.ageDays} days, owner {people.name(l.owner)}
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
};

const BucketTable = ({
  rows,
  label,
}: {
  rows: ({ key: string } & Record<(typeof BUCKETS)[number] | 'total', number>)[];
  label: string;
}) => (
  <table>
    <thead>
      <tr>
        <th scope="col">{label}</th>
        {BUCKETS.map((b) => (
          <th scope="col" class="num" key={b}>
            {b}
          </th>
        ))}
        <th scope="col" class="num">
          total
        </th>
      </tr>
    </thead>
    <tbody>
      {rows.map((r) => (
        <tr key={r.key}>
          <td>{r.key}</td>
          {BUCKETS.map((b) => (
            <td class="num" key={b}>
              {r[b]}
            </td>
          ))}
          <td class="num">{r.total}</td>
        </tr>
      ))}
    </tbody>
  </table>
);
