import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ROUTES } from '../functions/routes';
import { PROJECT_ROOT } from '../local/config';
import { ensureTable } from '../local/dynamodb-local';
import type { BenchScale } from './config';
import { batchWriteAll } from './dynamo';
import { benchPayload, seededLead } from './lead-factory';
import { ratio, round } from './stats';

const csvCell = (value: unknown) => {
  const text = value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** A lead list as a sales team exports it: one header row, one lead per row. */
export const writeCsv = (file: string, run: string, rows: number) => {
  const header = ['First Name', 'Last Name', 'Email', 'Phone', 'Company', 'Job Title', 'Country'];
  writeFileSync(file, `${header.join(',')}\n`);
  // Appended 10,000 lines at a time: a 1,000,000-row file (BENCH_IMPORT_ROWS) is never one string.
  for (let start = 0; start < rows; start += 10_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(rows, start + 10_000); i++) {
      const p = benchPayload(run, i);
      lines.push([p.firstName, p.lastName, p.email, p.phone, p.company, p.jobTitle, p.country].map(csvCell).join(','));
    }
    appendFileSync(file, `${lines.join('\n')}\n`);
  }
};

/** Peak resident set of a child process, sampled from /proc while it runs (Linux). */
export const runWithPeakRss = (args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; ms: number; peakRssMb: number; serverPeakRssMb: number; stderr: string }>(
    (resolve) => {
      const started = performance.now();
      const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000);
      });
      let peak = 0;
      let serverPeak = process.memoryUsage().rss;
      const sample = setInterval(() => {
        serverPeak = Math.max(serverPeak, process.memoryUsage().rss);
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
          if (hwm?.[1]) peak = Math.max(peak, Number(hwm[1]) * 1024);
        } catch {
          // the process has just exited
        }
      }, 100);
      child.on('exit', (code) => {
        clearInterval(sample);
        resolve({
          code,
          ms: performance.now() - started,
          peakRssMb: round(peak / 2 ** 20, 0),
          serverPeakRssMb: round(serverPeak / 2 ** 20, 0),
          stderr,
        });
      });
    },
  );

/**
 * `npx leadflow import` of a generated CSV against the local runtime, beside raw BatchWriteItem of
 * the same number of lead items on the same DynamoDB Local. The size is 100,000 rows
 * (BENCH_IMPORT_ROWS=100000); the default keeps the whole bench within ten minutes on two cores.
 */
export const measureImport = async (
  rt: { url: string; dynamodbEndpoint: string },
  db: DynamoDBDocumentClient,
  scale: BenchScale,
  quiesce: () => Promise<void>,
) => {
  const cli = join(PROJECT_ROOT, 'cli', 'commands', 'import.ts');
  if (!existsSync(cli) || !ROUTES.some((r) => r.path === '/imports/{id}/rows')) {
    return {
      measured: false,
      reason: 'the import command (cli/commands/import.ts) or the /imports routes are not there yet',
    };
  }
  const rows = Number(process.env.BENCH_IMPORT_ROWS ?? scale.importRows);
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-bench-import-'));
  try {
    const run = `i${Date.now().toString(36)}`;
    const file = join(dir, 'leads.csv');
    writeCsv(file, run, rows);

    // The floor: the same number of lead items written with BatchWriteItem, nothing else.
    const table = `bench-import-${run}`;
    await ensureTable(rt.dynamodbEndpoint, table);
    const raw = await batchWriteAll(
      db,
      table,
      Array.from({ length: rows }, (_, i) => seededLead(`${run}r`, i).items[0] as Record<string, unknown>),
      8,
    );
    await quiesce();

    const out = await runWithPeakRss([join(PROJECT_ROOT, 'bin', 'leadflow.js'), 'import', file, '--api', rt.url], {
      ...process.env,
      NODE_OPTIONS: '',
    });
    if (out.code !== 0)
      throw new Error(
        `leadflow import exited with ${out.code}: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    const importRate = (rows / out.ms) * 1000;
    const result = {
      measured: true,
      rows,
      import: {
        seconds: round(out.ms / 1000, 1),
        rowsPerSecond: round(importRate, 0),
        peakRssMb: out.peakRssMb,
        runtimePeakRssMb: out.serverPeakRssMb,
      },
      rawBatchWrite: { seconds: round(raw.ms / 1000, 1), rowsPerSecond: raw.itemsPerSecond },
      ratio: ratio(importRate, raw.itemsPerSecond),
      note: 'import = CLI → HTTP batches → imports function → capture core (duplicate check, transaction, workflow start) per row; raw = one lead item per row with BatchWriteItem',
    };
    console.log(
      `  ${rows} rows: import ${result.import.rowsPerSecond} rows/s (peak RSS ${out.peakRssMb} MB) vs raw BatchWriteItem ${raw.itemsPerSecond} rows/s`,
    );
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
