import './env';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { makeDocumentClient, makeDynamoClient } from '../functions/adapters/aws-clients';
import { PROJECT_ROOT } from '../local/config';
import { LIFECYCLE_STATE_MACHINE, startLocalRuntime } from '../local/runtime';
import { countRoundTrips, measureCapture } from './capture';
import { benchScale } from './config';
import { printReport } from './report';
import { measureFunctions } from './functions';
import { measureImport } from './import';
import { measureImportMemory } from './import-memory';
import { measureImportMillion } from './import-million';
import { countDynamoRequests, measureImportRouting, routingRows } from './import-routing';
import { measureCaptureVsRaw } from './capture-raw';
import { measureScale } from './scale';
import { measureSearch, SEARCH_BENCH_FULL, SEARCH_BENCH_TINY } from './search';
import { measureSynth } from './synth';
import { measureWorkflowCost } from './workflow-cost';
import { round } from './stats';
import { cpuMeter } from './cpu';

/**
 * `npm run bench`: capture speed, round trips, scale, workflow cost, function size and cold start,
 * import — measured side by side in one run. Writes bench/results.json (or BENCH_OUT) and prints a table.
 */
const scale = benchScale();
const started = Date.now();
const results: Record<string, unknown> = {
  takenAt: new Date().toISOString(),
  benchScale: scale.name,
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    os: `${process.platform} ${release()}`,
    // The machine may be shared: 1-, 5- and 15-minute load averages when the run starts (and ends, below).
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
  },
};

/** BENCH_SECTIONS=search,importRouting runs only those; their figures replace the same keys of the results file. */
const only = process.env.BENCH_SECTIONS?.split(',')
  .map((name) => name.trim())
  .filter(Boolean);

const section = async (name: string, fn: () => Promise<unknown>) => {
  if (only && !only.includes(name)) return;
  const t = Date.now();
  console.log(`\n▶ ${name}`);
  try {
    results[name] = await fn();
  } catch (error) {
    console.error(`  ${name} failed: ${(error as Error).stack ?? error}`);
    results[name] = { error: (error as Error).message };
  }
  console.log(`  (${round((Date.now() - t) / 1000, 1)} s)`);
};

// BENCH_DYNAMODB_ENDPOINT reuses a running DynamoDB Local (the smoke test's); the bench then works in its own table.
const sharedEndpoint = process.env.BENCH_DYNAMODB_ENDPOINT;
const rt = await startLocalRuntime({
  port: 0,
  dynamodbEndpoint: sharedEndpoint,
  tableName: sharedEndpoint ? `bench-${Date.now().toString(36)}` : undefined,
});
const lifecycleFile = join(PROJECT_ROOT, 'statemachines', 'lead-lifecycle.asl.json');
const placeholderFile = join(mkdtempSync(join(tmpdir(), 'leadflow-bench-')), 'placeholder.asl.json');
writeFileSync(placeholderFile, JSON.stringify({ StartAt: 'Started', States: { Started: { Type: 'Succeed' } } }));
// The engine keeps its registered machines in a private map; the bench swaps the lifecycle out while it
// times capture (StartExecution stays real, the execution is one state) and puts it back afterwards.
const machines = (rt.engine as unknown as { machines?: Map<string, unknown> }).machines;
const lifecycle = existsSync(lifecycleFile) ? machines?.get(rt.stateMachineArn) : undefined;
const withPlaceholderWorkflow = async <T>(fn: () => Promise<T>): Promise<T> => {
  rt.engine.register(LIFECYCLE_STATE_MACHINE, placeholderFile, {});
  try {
    return await fn();
  } finally {
    if (lifecycle) machines?.set(rt.stateMachineArn, lifecycle);
  }
};
results.runtime = {
  lifecycle: lifecycle ? 'statemachines/lead-lifecycle.asl.json' : 'absent: a one-state placeholder is used throughout',
  capturePath:
    'HTTP → local runtime → real webhook handler → DynamoDB Local, StartExecution included; while capture is timed the execution is a one-state placeholder, because locally every execution runs in the same process and on AWS it does not (capture.withLifecycle shows the local figure with the lifecycle running)',
};
const db = makeDocumentClient(makeDynamoClient(rt.dynamodbEndpoint));

/** Waits until no execution has moved for 300 ms and every bus delivery has landed. */
const quiesce = async (timeoutMs = 120_000) => {
  const progress = () => [...rt.engine.executions.values()].reduce((sum, e) => sum + e.history.length, 0);
  const until = Date.now() + timeoutMs;
  for (let last = -1; Date.now() < until; ) {
    await rt.bus.drain();
    const now = progress();
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 300));
  }
};

try {
  const secret = rt.webhookSecrets['campaign-demo'];
  if (!secret) throw new Error('the local runtime has no secret for source campaign-demo (leadflow.config.json)');
  const target = { url: rt.url, sourceId: 'campaign-demo', secret, tableName: rt.tableName };
  await section('capture', () => withPlaceholderWorkflow(() => measureCapture(target, db, scale, quiesce)));
  await section('captureVsRaw', () =>
    withPlaceholderWorkflow(() =>
      measureCaptureVsRaw(
        { ...target, dynamodbEndpoint: rt.dynamodbEndpoint },
        makeDynamoClient(rt.dynamodbEndpoint),
        scale,
        quiesce,
      ),
    ),
  );
  if (lifecycle)
    await section('captureWithLifecycle', async () => {
      const withLifecycle = {
        ...scale,
        warmup: 0,
        concurrency: [8],
        requestsPerLevel: (c: number) => scale.requestsPerLevel(c) / 4,
      };
      // Every DynamoDB request the captures cause until all is quiet: capture, lifecycle steps, bus consumers.
      const counter = countDynamoRequests({ invocationsOnly: true });
      try {
        // CPU from the first capture until every lifecycle it started is parked and every event delivered: the
        // all-in cost of a capture with its lifecycle, whatever the engine defers past the timed window.
        const allIn = await cpuMeter().measure(async () => {
          const measured = await measureCapture(target, db, withLifecycle, quiesce);
          if (!only || only.includes('captureWithLifecycle')) await quiesce();
          return measured;
        });
        const levels = allIn.result;
        const captures = withLifecycle.requestsPerLevel(8);
        results.captureWithLifecycleCpuUntilRouted = {
          perCaptureMs: {
            node: round(allIn.nodeMs / captures, 2),
            dynamodbLocal: round(allIn.javaMs / captures, 2),
            total: round((allIn.nodeMs + allIn.javaMs) / captures, 2),
          },
          note: 'CPU of this process and DynamoDB Local from the first capture until the lifecycles it started are parked and their events delivered, per capture (the level’s PutItem comparison included, ≈ 2 ms)',
        };
        // Beside the levels (whose shape the report reads): requests per capture, the lifecycle's included.
        results.captureWithLifecycleRequests = counter.per(withLifecycle.requestsPerLevel(8));
        return levels;
      } finally {
        counter.stop();
      }
    });
  if (!only || only.includes('captureWithLifecycle')) await quiesce();
  await section('roundTrips', () => countRoundTrips(rt.dynamodbEndpoint, rt.tableName, scale.roundTripSamples));
  await section('scale', () => measureScale(rt.dynamodbEndpoint, db, scale));
  await section('search', () =>
    measureSearch(rt.dynamodbEndpoint, scale.name === 'tiny' ? SEARCH_BENCH_TINY : SEARCH_BENCH_FULL),
  );
  await section('workflowCost', () => measureWorkflowCost(rt, scale));
  await section('functions', () => measureFunctions(scale, rt.webhookSecrets));
  // Like capture: StartExecution real, the lifecycle itself (measured in workflowCost) swapped out.
  await section('import', () => withPlaceholderWorkflow(() => measureImport(rt, db, scale, quiesce)));
  // CLI peak RSS of a dry run on CSV and XLSX, and of the import itself (issue 18: ≤ 200 MB at 100,000 rows;
  // BENCH_IMPORT_MEMORY_ROWS, BENCH_IMPORT_MEMORY_SEND_ROWS, BENCH_IMPORT_MEMORY_BASE_CLI). Like import: the lifecycle swapped out.
  await section('importMemory', () => {
    const rows = Number(process.env.BENCH_IMPORT_MEMORY_ROWS ?? (scale.name === 'tiny' ? 2_000 : 100_000));
    return withPlaceholderWorkflow(() =>
      measureImportMemory(rt, rows, {
        // The send goes through the runtime's capture path (~100 rows/s here): 100,000 rows would take half an
        // hour per file, so by default it sends 20,000 (the CLI streams: its peak is reached within that).
        sendRows: Number(
          process.env.BENCH_IMPORT_MEMORY_SEND_ROWS ?? (scale.name === 'tiny' ? 200 : Math.min(rows, 20_000)),
        ),
        baseCli: process.env.BENCH_IMPORT_MEMORY_BASE_CLI,
      }),
    );
  });
  // The real lifecycle: an import's leads routed and announced after the CLI ends (issue 18's 2,000 rows).
  if (lifecycle) await section('importRouting', () => measureImportRouting(rt, routingRows(scale.name === 'tiny')));
  // A million rows with the real lifecycle (issue 18): hours, so only when named in BENCH_SECTIONS.
  if (lifecycle && only?.includes('importMillion')) await section('importMillion', () => measureImportMillion(rt, db));
  if (scale.synth || only?.includes('synth')) await section('synth', measureSynth);
} finally {
  await rt.stop();
}

results.totalSeconds = round((Date.now() - started) / 1000, 1);
(results.machine as Record<string, unknown>).loadAverageAtEnd = loadavg().map((l) => round(l, 2));
// BENCH_BASELINE=<results file written by the base commit's bench just before this run, same sections and sizes>:
// the base figures are kept beside these, with after/before ratios, so one file holds the comparison.
const baselineFile = process.env.BENCH_BASELINE;
if (baselineFile) {
  const base = JSON.parse(readFileSync(baselineFile, 'utf8')) as Record<string, Record<string, unknown>>;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const pick = (r: Record<string, unknown> | undefined) => {
    const routing = (r?.importRouting ?? {}) as Record<string, Record<string, unknown>>;
    const after = (routing.afterCli ?? {}) as Record<string, Record<string, unknown>>;
    const capture = (r?.captureWithLifecycleRequests ?? {}) as Record<string, unknown>;
    const levels = (Array.isArray(r?.captureWithLifecycle) ? r.captureWithLifecycle : []) as {
      capture?: { perSecond?: number; cpuPerOp?: { totalMs?: number } };
    }[];
    return {
      routingRequestsPerLead: num(routing.dynamodbRequestsPerLeadTotal),
      routingSeconds: num(after.seconds),
      routingCpuPerLeadMs: round(
        (num(after.cpuPerLeadMs?.node) ?? 0) + (num(after.cpuPerLeadMs?.dynamodbLocal) ?? 0),
        1,
      ),
      captureRequestsPerCapture: num(capture.dynamodbRequestsPerLeadTotal),
      capturesPerSecond: num(levels[0]?.capture?.perSecond),
      captureCpuPerOpMs: num(levels[0]?.capture?.cpuPerOp?.totalMs),
    };
  };
  const before = pick(base);
  const now = pick(results as Record<string, Record<string, unknown>>);
  results.baseline = {
    file: baselineFile,
    takenAt: base.takenAt,
    before,
    after: now,
    afterOverBefore: Object.fromEntries(
      Object.entries(now).map(([k, v]) => {
        const b = before[k as keyof typeof before];
        return [k, v !== undefined && b ? round(v / b, 2) : undefined];
      }),
    ),
  };
}
const out = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results.json');
// A partial run (BENCH_SECTIONS) updates its sections in the existing file and keeps the others.
const merged =
  only && existsSync(out)
    ? { ...(JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>), ...results, sections: only }
    : results;
writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
printReport(merged);
console.log(`\nwrote ${out} in ${results.totalSeconds} s`);
process.exit(0);
