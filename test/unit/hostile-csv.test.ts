import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { afterEach, describe, expect, it } from '@jest/globals';
import { renderReport } from '../../cli/commands/report';
import { runImport } from '../../cli/import/run-import';
import { foldEvents } from '../../functions/core/reports/counters';
import { columnsOf, reportRows, toCsv } from '../../functions/core/reports/report-rows';
import {
  agingReport,
  funnelReport,
  GROUP_BYS,
  type Report,
  repsReport,
  sourcesReport,
} from '../../functions/core/reports/reports';
import { scenarioOpenLeads } from '../support/counter-scenario';
import {
  escapedHostile,
  expectFormulaSafe,
  HOSTILE,
  hostileCounterEvents,
  poisoned,
  unescapeCell,
} from '../support/hostile-csv';
import { writeCsv } from './import-fixtures';

/**
 * The standing "Hostile CSV" suite, pure writers: every text a lead, a source, a campaign, a rep, a
 * team or a disqualify reason carries is a formula; every CSV must show it as text and keep it.
 */
const range = { from: '2026-11-02', to: '2026-11-04' };
const asOf = new Date('2026-11-05T08:00:00Z');

const hostileReports = (): Report[] => {
  const { counters } = foldEvents(hostileCounterEvents());
  return [
    funnelReport(counters, range),
    ...GROUP_BYS.map((groupBy) => funnelReport(counters, range, groupBy)),
    sourcesReport(counters, range, 'day'),
    sourcesReport(counters, range, 'week'),
    agingReport(counters, poisoned(scenarioOpenLeads), asOf),
    repsReport(counters, range, poisoned({ alice: true, bob: false })),
  ];
};

/** The CSV, read back and un-escaped, is exactly the report's rows: nothing lost, nothing live. */
const expectSafeRoundTrip = (report: Report, csv: string) => {
  const [header, ...lines] = expectFormulaSafe(csv);
  const rows = reportRows(report);
  expect(header?.map(unescapeCell)).toEqual(columnsOf(rows));
  expect(lines.map((l) => l.map(unescapeCell))).toEqual(
    rows.map((r) => columnsOf(rows).map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c])))),
  );
  return [header ?? [], ...lines];
};

describe('Hostile CSV: reports', () => {
  it('writes every report (core toCsv, behind GET /reports/* as CSV) with every formula shown as text', () => {
    const seen = new Set<string>();
    for (const report of hostileReports())
      for (const h of escapedHostile(expectSafeRoundTrip(report, toCsv(report)))) seen.add(h);
    expect([...seen].sort()).toEqual([...HOSTILE].sort());
  });

  it('shows a rep named like a formula as text and keeps a computed negative number numeric', () => {
    const csv = toCsv({
      report: 'reps',
      from: range.from,
      to: range.to,
      reps: [
        {
          owner: '-1',
          open: -1,
          assigned: 0,
          firstResponse: { count: 0, medianHours: null, p90Hours: null },
          converted: 0,
          disqualified: 0,
          escalations: 0,
          available: null,
        },
      ],
    });
    const [, line] = expectFormulaSafe(csv);
    expect(line?.slice(0, 2)).toEqual(["'-1", '-1']);
  });

  it('prints `leadflow report --format csv` through the same writer', () => {
    for (const report of hostileReports()) expectSafeRoundTrip(report, renderReport(report.report, report, 'csv'));
  });
});

let server: Server | undefined;
afterEach(() => {
  server?.close();
});

/** A stub API that says the job was imported before and serves `rejected` as its report, as an older server might. */
const finishedJobApi = async (rejected: string, total: number) => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/imports/imp-1/rejected')
        return res.writeHead(200, { 'content-type': 'text/csv' }).end(rejected);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          jobId: 'imp-1',
          status: 'completed',
          counts: { created: 0, duplicates: 0, rejected: total, possibleDuplicates: 0 },
          processed: total,
          totalRows: total,
          rejectedReport: '/imports/imp-1/rejected',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const io = () => ({ out: new PassThrough() as never, err: new PassThrough() as never });
const hostileFile = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leadflow-hostile-'));
  const file = join(dir, 'leads.csv');
  // A hostile header too: the report repeats the file's own header line.
  const headers = ['E-mail', 'Company Name', 'First Name', '=HYPERLINK("https://evil.example")'];
  const rows = HOSTILE.map((h) => ['not-an-email', h, h, h]);
  await writeCsv(file, headers, rows);
  return { file, headers, rows, report: join(dir, 'leads.rejected.csv') };
};

describe('Hostile CSV: the import CLI rejected-rows file', () => {
  it('writes its own report (dry run and send alike) with every formula shown as text', async () => {
    const { file, headers, rows, report } = await hostileFile();

    expect(await runImport({ file, source: 'import', dryRun: true, api: 'http://127.0.0.1:9', token: 't' }, io())).toBe(
      0,
    );

    const lines = expectFormulaSafe(await readFile(report, 'utf8'));
    expect(lines[0]?.slice(3).map(unescapeCell)).toEqual(headers);
    expect(lines.slice(1).map((l) => l.slice(3).map(unescapeCell))).toEqual(rows);
    expect(escapedHostile(lines).sort()).toEqual([...HOSTILE].sort());
  });

  it("re-writes the server's report through the safe writer, whatever the server sent", async () => {
    const { file, headers, rows, report } = await hostileFile();
    const raw = stringify([
      ['row', 'status', 'reasons', ...headers],
      ...rows.map((r, i) => [String(i + 2), 'rejected', 'email: not a valid email address', ...r]),
    ]);
    const api = await finishedJobApi(raw, rows.length);

    expect(await runImport({ file, source: 'import', dryRun: false, api, token: 't' }, io())).toBe(0);

    const lines = expectFormulaSafe(await readFile(report, 'utf8'));
    expect(lines.slice(1).map((l) => l.slice(3).map(unescapeCell))).toEqual(rows);
    expect(escapedHostile(lines).sort()).toEqual([...HOSTILE].sort());
  });
});
