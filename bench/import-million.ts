import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../functions/adapters/table-definition';
import { STAGES } from '../functions/core/lead';
import { PROJECT_ROOT } from '../local/config';
import type { LocalRuntime } from '../local/runtime';
import { childJavaPids, cpuMeter } from './cpu';
import { writeCsv } from './import';
import { round } from './stats';

const MB = 2 ** 20;

/** Resident and peak resident set of a process, from /proc (Linux). */
const procMemory = (pid: number | undefined) => {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined; // the process has just exited
  }
};

const du = (dir: string | undefined): number => {
  if (!dir) return 0;
  let total = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, name.name);
      if (name.isDirectory()) walk(p);
      else total += statSync(p).size;
    }
  };
  try {
    walk(dir);
  } catch {
    return 0;
  }
  return total;
};

/** Leads stored, counted per stage on the byStage index (Select COUNT: no item leaves DynamoDB Local). */
const countLeads = async (db: DynamoDBDocumentClient, table: string) => {
  const byStage: Record<string, number> = {};
  for (const stage of STAGES) {
    let count = 0;
    const pages = paginateQuery(
      { client: db },
      {
        TableName: table,
        IndexName: TABLE.indexes.byStage.name,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': `STAGE#${stage}` },
        Select: 'COUNT',
      },
    );
    for await (const page of pages) count += page.Count ?? 0;
    if (count > 0) byStage[stage] = count;
  }
  return { total: Object.values(byStage).reduce((a, b) => a + b, 0), byStage };
};

const SUMMARY = /(\d+) rows → (\d+) created.*?, (\d+) duplicates refused[^,]*, (\d+) rejected/;

/**
 * A million-row import on the local runtime with the real lifecycle (issue 18): the CLI's time and
 * peak RSS, the runtime's and DynamoDB Local's memory over the run, the exact counts (the CLI's
 * summary from the job, and the leads in the table counted per stage), then the routing that follows
 * for `BENCH_MILLION_DRAIN_SECONDS`: leads routed and announced in that window, the drain rate and the
 * time the rest would take at it. Progress is written to `BENCH_MILLION_PROGRESS` every 30 s, so a run
 * cut short still leaves its figures. Run alone: `BENCH_SECTIONS=importMillion npm run bench`.
 */
export const measureImportMillion = async (rt: LocalRuntime, db: DynamoDBDocumentClient) => {
  const rows = Number(process.env.BENCH_MILLION_ROWS ?? 1_000_000);
  const drainSeconds = Number(process.env.BENCH_MILLION_DRAIN_SECONDS ?? 600);
  // The local runtime does not pace starts: four requests in flight kept DynamoDB Local busier (130 vs 120 rows/s on 30,000).
  const inFlight = process.env.BENCH_MILLION_IN_FLIGHT ?? '4';
  const progressFile = process.env.BENCH_MILLION_PROGRESS ?? join(tmpdir(), 'leadflow-bench-million.json');
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-bench-million-'));
  const jvm = childJavaPids()[0];
  const timeline: Record<string, number | string>[] = [];
  const peaks = { cliMb: 0, runtimeMb: 0, runtimeHeapMb: 0, dynamodbLocalMb: 0 };
  const started = performance.now();
  let phase = 'csv';
  let cliPid: number | undefined;
  const sample = () => {
    const cli = procMemory(cliPid);
    const own = process.memoryUsage();
    const java = procMemory(jvm);
    peaks.cliMb = Math.max(peaks.cliMb, (cli?.hwm ?? 0) / MB);
    peaks.runtimeMb = Math.max(peaks.runtimeMb, own.rss / MB);
    peaks.runtimeHeapMb = Math.max(peaks.runtimeHeapMb, own.heapUsed / MB);
    peaks.dynamodbLocalMb = Math.max(peaks.dynamodbLocalMb, (java?.rss ?? 0) / MB);
    return { cli, own, java };
  };
  const snapshot = () => {
    const { cli, own, java } = sample();
    const s = rt.engine.stats();
    return {
      phase,
      seconds: round((performance.now() - started) / 1000, 0),
      cliRssMb: round((cli?.rss ?? 0) / MB, 0),
      runtimeRssMb: round(own.rss / MB, 0),
      runtimeHeapMb: round(own.heapUsed / MB, 0),
      dynamodbLocalRssMb: round((java?.rss ?? 0) / MB, 0),
      queued: s.queued,
      running: s.running,
      waitingOnTask: s.waitingOnTask,
      settled: s.settled,
      load: round(loadavg()[0] ?? 0, 1),
    };
  };
  const progress: Record<string, unknown> = { rows, drainSeconds, inFlight: Number(inFlight), timeline };
  const save = () => writeFileSync(progressFile, JSON.stringify({ ...progress, peaks }, null, 2));
  const fast = setInterval(sample, 500);
  const slow = setInterval(() => {
    timeline.push(snapshot());
    save();
  }, 30_000);
  try {
    const run = `m${Date.now().toString(36)}`;
    const file = join(dir, 'leads.csv');
    writeCsv(file, run, rows);
    progress.csvMb = round(statSync(file).size / MB, 1);
    phase = 'import';
    const settledBefore = rt.engine.stats().settled;
    const createdBefore = rt.bus.log.filter((e) => e['detail-type'] === 'LeadCreated').length;
    const cpu = cpuMeter();

    const importCpu = await cpu.measure(
      () =>
        new Promise<{ code: number | null; ms: number; out: string; err: string }>((resolve) => {
          const t = performance.now();
          const child = spawn(
            process.execPath,
            [join(PROJECT_ROOT, 'bin', 'leadflow.js'), 'import', file, '--api', rt.url, '--in-flight', inFlight],
            { cwd: PROJECT_ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          cliPid = child.pid;
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => {
            out = (out + d.toString()).slice(-4000);
          });
          child.stderr.on('data', (d: Buffer) => {
            err = (err + d.toString()).slice(-4000);
          });
          child.on('exit', (code) => {
            sample();
            cliPid = undefined;
            resolve({ code, ms: performance.now() - t, out, err });
          });
        }),
    );
    const cliRun = importCpu.result;
    if (cliRun.code !== 0) throw new Error(`leadflow import exited with ${cliRun.code}: ${cliRun.err.slice(-400)}`);
    const summary = SUMMARY.exec(cliRun.out);
    progress.import = {
      seconds: round(cliRun.ms / 1000, 0),
      rowsPerSecond: round((rows / cliRun.ms) * 1000, 1),
      cliPeakRssMb: round(peaks.cliMb, 0),
      cpuPerRowMs: { node: round(importCpu.nodeMs / rows, 2), dynamodbLocal: round(importCpu.javaMs / rows, 2) },
      summary: cliRun.out.split('\n').find((l) => SUMMARY.test(l)),
      counts: summary
        ? {
            rows: Number(summary[1]),
            created: Number(summary[2]),
            duplicates: Number(summary[3]),
            rejected: Number(summary[4]),
          }
        : undefined,
    };
    progress.afterImport = snapshot();
    save();

    // The routing the import left queued, followed for a window: a local million is hours of lifecycles.
    phase = 'drain';
    const drainStart = performance.now();
    const settledAtCli = rt.engine.stats().settled;
    const drainCpu = await cpu.measure(async () => {
      while (performance.now() - drainStart < drainSeconds * 1000) {
        const s = rt.engine.stats();
        if (s.queued === 0 && s.running === 0 && rt.bus.pending === 0) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
    const drainMs = performance.now() - drainStart;
    const stats = rt.engine.stats();
    const routedInWindow = stats.settled - settledAtCli;
    const routed = stats.settled - settledBefore;
    const rate = (routedInWindow / drainMs) * 1000;
    const left = stats.queued + stats.running;
    progress.routing = {
      windowSeconds: round(drainMs / 1000, 0),
      routedDuringImport: settledAtCli - settledBefore,
      routedInWindow,
      routedTotal: routed,
      leadCreatedEvents: rt.bus.log.filter((e) => e['detail-type'] === 'LeadCreated').length - createdBefore,
      leadsPerSecond: round(rate, 1),
      cpuPerLeadMs: {
        node: round(drainCpu.nodeMs / Math.max(routedInWindow, 1), 1),
        dynamodbLocal: round(drainCpu.javaMs / Math.max(routedInWindow, 1), 1),
      },
      stillQueued: left,
      hoursLeftAtThisRate: rate > 0 ? round(left / rate / 3600, 1) : undefined,
    };
    phase = 'count';
    progress.stored = await countLeads(db, rt.tableName);
    progress.dynamodbLocalDataMb = round(du(process.env.LEADFLOW_DATA_DIR) / MB, 0);
    progress.final = snapshot();
    progress.peaks = {
      cliRssMb: round(peaks.cliMb, 0),
      runtimeRssMb: round(peaks.runtimeMb, 0),
      runtimeHeapMb: round(peaks.runtimeHeapMb, 0),
      dynamodbLocalRssMb: round(peaks.dynamodbLocalMb, 0),
    };
    progress.seconds = round((performance.now() - started) / 1000, 0);
    progress.note =
      'real lifecycle; the engine holds lifecycles back while the import is served (local/engine-admission.ts) and queues them in memory; routing is followed for the drain window only';
    save();
    const imp = progress.import as { seconds: number; rowsPerSecond: number; cliPeakRssMb: number };
    console.log(
      `  ${rows} rows: CLI ${imp.seconds} s (${imp.rowsPerSecond} rows/s, peak RSS ${imp.cliPeakRssMb} MB); runtime peak ${round(peaks.runtimeMb, 0)} MB; routed ${routedInWindow} in ${round(drainMs / 1000, 0)} s (${round(rate, 1)}/s)`,
    );
    return progress;
  } finally {
    clearInterval(fast);
    clearInterval(slow);
    rmSync(dir, { recursive: true, force: true });
  }
};
