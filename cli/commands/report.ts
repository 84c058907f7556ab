import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { columnsOf, reportRows, toCsv } from '../../functions/core/reports/report-rows';
import type { Report } from '../../functions/core/reports/reports';
import { apiOption, isLocalApi } from '../api-option';

/** No rule between rows: a report reads like a spreadsheet. */
const COMPACT = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [], border: [] } };
const show = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** A report as a terminal table; wide ones (the funnel) turned on their side, one column per group. */
export const renderTable = (report: Report): string => {
  const rows = reportRows(report);
  const columns = columnsOf(rows);
  if (columns.length > 12 && rows.length <= 8) {
    const first = columns[0] ?? '';
    const table = new Table({ head: [first, ...rows.map((r) => show(r[first]))], ...COMPACT });
    for (const c of columns.slice(1)) table.push([c, ...rows.map((r) => show(r[c]))]);
    return table.toString();
  }
  const table = new Table({ head: columns, ...COMPACT });
  for (const r of rows) table.push(columns.map((c) => show(r[c])));
  return table.toString();
};

/** What `leadflow report` prints for each `--format`. */
export const renderReport = (name: string, report: Report, format: string): string => {
  if (format === 'csv') return toCsv(report);
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const span = 'from' in report ? `${report.from} … ${report.to}` : `as of ${report.asOf}`;
  return `${name} ${span}\n${renderTable(report)}\n`;
};

/** `leadflow report funnel --from 2026-01-01`: the same figures as GET /reports/funnel, as a table. */
export const command = new Command('report')
  .description('print a report (funnel, sources, aging, reps) as a table, CSV or JSON')
  .addArgument(
    new Command()
      .createArgument('<name>', 'funnel | sources | aging | reps')
      .choices(['funnel', 'sources', 'aging', 'reps']),
  )
  .option('--from <date>', 'first day (YYYY-MM-DD); default 30 days back')
  .option('--to <date>', 'last day (YYYY-MM-DD); default today')
  .addOption(new Option('--group-by <dim>', 'funnel groups').choices(['source', 'campaign', 'owner', 'country']))
  .addOption(new Option('--period <p>', 'sources per day or week').choices(['day', 'week']))
  .addOption(new Option('--format <f>', 'output').choices(['table', 'csv', 'json']).default('table'))
  .addOption(apiOption())
  .option('--token <jwt>', 'bearer token of a manager or sales ops (minted automatically for the local runtime)')
  .action(
    async (
      name: string,
      options: {
        from?: string;
        to?: string;
        groupBy?: string;
        period?: string;
        format: string;
        api: string;
        token?: string;
      },
    ) => {
      const { signDevToken } = await import('../../local/dev-jwt');
      const token =
        options.token ??
        (isLocalApi(options.api) ? await signDevToken({ user: 'cli', groups: ['manager'] }) : undefined);
      if (!token) throw new Error(`${options.api} is not the local runtime: give --token <jwt>`);
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries({
        from: options.from,
        to: options.to,
        groupBy: options.groupBy,
        period: options.period,
      }))
        if (v) query.set(k, v);
      // Always JSON from the API: the CLI writes its CSV with the product's own formula-safe writer, whatever server answers.
      const res = await fetch(`${options.api}/reports/${name}?${query}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET /reports/${name} answered ${res.status}: ${text}`);
      process.stdout.write(renderReport(name, JSON.parse(text) as Report, options.format));
    },
  );
