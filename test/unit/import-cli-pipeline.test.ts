import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from '@jest/globals';
import { PIPELINE, runImport } from '../../cli/import/run-import';
import { writeCsv } from './import-fixtures';

/**
 * The CLI keeps PIPELINE batches in flight, except that a batch holding an email or phone of a batch
 * in flight waits for it. A stub API (answers after a short delay) records what was in flight when.
 */
type Seen = { first: number; inFlightAtStart: number[] };
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const stubApi = async (answerAfterMs: number) => {
  const seen: Seen[] = [];
  const inFlight = new Set<number>();
  let processed = 0;
  let totalRows = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      const job = () => ({
        jobId: 'imp-1',
        status: 'running',
        counts: { created: processed, duplicates: 0, rejected: 0, possibleDuplicates: 0 },
        processed,
        totalRows,
        rejectedReport: '/imports/imp-1/rejected',
      });
      if (req.method === 'POST' && req.url === '/imports') return res.end(JSON.stringify({ ...job(), processed: 0 }));
      if (req.method === 'GET') return res.end(JSON.stringify(job()));
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        rows: { rowNumber: number }[];
        totalRows?: number;
      };
      const first = body.rows[0]?.rowNumber ?? 0;
      seen.push({ first, inFlightAtStart: [...inFlight] });
      inFlight.add(first);
      setTimeout(
        () => {
          inFlight.delete(first);
          processed += body.rows.length;
          totalRows = body.totalRows ?? totalRows;
          // Every batch's first row is "rejected", so the report shows the order answers were taken in.
          res.end(
            JSON.stringify({
              ...job(),
              results: body.rows.map((r, i) =>
                i === 0
                  ? { rowNumber: r.rowNumber, status: 'rejected', issues: [{ field: 'email', reason: 'x' }] }
                  : { rowNumber: r.rowNumber, status: 'created', leadId: 'L' },
              ),
            }),
          );
          // The first batch answers last: a later batch overtaking it must not reorder the report.
        },
        first === 2 ? answerAfterMs * 3 : answerAfterMs,
      );
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
};

const importFile = async (rows: string[][], inFlight?: number) => {
  const dir = await mkdtemp(join(tmpdir(), 'leadflow-pipeline-'));
  const file = join(dir, 'leads.csv');
  await writeCsv(file, ['Email', 'Name'], rows);
  const api = await stubApi(50);
  const out = new PassThrough();
  const code = await runImport(
    { file, source: 'import', dryRun: false, api: api.url, token: 't', batchSize: 10, inFlight },
    { out: out as never, err: new PassThrough() as never },
  );
  return { code, seen: api.seen, report: await readFile(join(dir, 'leads.rejected.csv'), 'utf8') };
};

describe('leadflow import in flight', () => {
  it(`keeps ${PIPELINE} batches in flight when they share no email or phone, and reports rows in file order`, async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [`p${i}@acme.io`, `P${i}`]);

    const { code, seen, report } = await importFile(rows);

    expect(code).toBe(0);
    expect(seen.map((s) => s.first)).toEqual([2, 12, 22, 32]);
    expect(Math.max(...seen.map((s) => s.inFlightAtStart.length))).toBe(PIPELINE - 1);
    expect(
      report
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(',')[0])),
    ).toEqual([2, 12, 22, 32]);
  });

  it('keeps as many batches in flight as --in-flight asks, within its bound', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => [`p${i}@acme.io`, `P${i}`]);

    const four = await importFile(rows, 4);
    const many = await importFile(rows, 50);

    expect(four.code).toBe(0);
    expect(Math.max(...four.seen.map((s) => s.inFlightAtStart.length))).toBe(3);
    expect(Math.max(...many.seen.map((s) => s.inFlightAtStart.length))).toBe(7);
    expect(many.seen).toHaveLength(12);
  });

  it('holds a batch back until the batch in flight with one of its emails has answered', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`p${i}@acme.io`, `P${i}`]);
    // Row 17 (second batch) repeats row 3's email (first batch), in another case.
    rows[15] = ['P1@ACME.IO', 'again'];

    const { seen } = await importFile(rows);

    expect(seen.map((s) => s.first)).toEqual([2, 12]);
    expect(seen[1]?.inFlightAtStart).toEqual([]);
  });
});
