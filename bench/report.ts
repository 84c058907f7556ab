import Table from 'cli-table3';
import type { CaptureLevel } from './capture';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const show = (v: unknown) => (v === undefined || v === null ? '–' : String(v));

const table = (head: string[]) => new Table({ head, style: { head: [], border: [] } });

/** One line per target in the issue: the figure, the target and whether this run met it. */
export const targetsOf = (results: Json) => {
  const rt = obj(results.roundTrips);
  const scale = obj(obj(results.scale).ratios);
  const wf = obj(results.workflowCost);
  const fns = obj(results.functions);
  const rows: { figure: string; value: unknown; target: string; met: boolean | undefined }[] = [
    {
      figure: 'DynamoDB requests per capture (max)',
      value: rt.maxPerCapture,
      target: '≤ 2',
      met: num(rt.maxPerCapture) !== undefined ? Number(rt.maxPerCapture) <= 2 : undefined,
    },
    {
      figure: 'duplicate-check p50, large/small table',
      value: scale.duplicateCheckP50,
      target: '≤ 1.2',
      met: num(scale.duplicateCheckP50) !== undefined ? Number(scale.duplicateCheckP50) <= 1.2 : undefined,
    },
    {
      figure: 'capture p50, large/small table',
      value: scale.captureP50,
      target: '≤ 1.2',
      met: num(scale.captureP50) !== undefined ? Number(scale.captureP50) <= 1.2 : undefined,
    },
    {
      figure: 'search p50, large/small table',
      value: obj(results.search).searchP50Ratio,
      target: '≤ 1.2',
      met:
        num(obj(results.search).searchP50Ratio) !== undefined
          ? Number(obj(results.search).searchP50Ratio) <= 1.2
          : undefined,
    },
    { figure: 'reports p50, large/small table (no target)', value: scale.reportsP50, target: '–', met: undefined },
    {
      figure: 'state transitions, happy path',
      value: wf.happyPathTransitions,
      target: '≤ 12',
      met: num(wf.happyPathTransitions) !== undefined ? Number(wf.happyPathTransitions) <= 12 : undefined,
    },
    {
      figure: 'cold init CPU / floor (worst function, SDK bundled)',
      value: fns.worstInitRatio,
      target: '≤ 1.3',
      met: num(fns.worstInitRatio) !== undefined ? Number(fns.worstInitRatio) <= 1.3 : undefined,
    },
  ];
  const memory = obj(results.importMemory);
  if (num(memory.rows) !== undefined) {
    const peaks = ['csv', 'xlsxSharedStrings', 'xlsxInlineStrings'].map((k) => num(obj(memory[k]).peakRssMb));
    const worst = peaks.every((p) => p !== undefined) ? Math.max(...(peaks as number[])) : undefined;
    rows.push({
      figure: `import --dry-run CLI peak RSS MB, ${show(memory.rows)} rows (worst of CSV, XLSX)`,
      value: worst,
      target: '≤ 200',
      met: worst !== undefined ? worst <= 200 : undefined,
    });
    const send = obj(memory.send);
    const sent = ['csv', 'xlsxSharedStrings'].map((k) => num(obj(send[k]).peakRssMb));
    if (sent.every((p) => p !== undefined)) {
      const worstSent = Math.max(...(sent as number[]));
      rows.push({
        figure: `import CLI peak RSS MB, ${show(send.rows)} rows into the local runtime (worst of CSV, XLSX)`,
        value: worstSent,
        target: '≤ 200',
        met: worstSent <= 200,
      });
    }
  }
  return rows;
};

/** Prints the headline figures of a results object as tables. */
export const printReport = (results: Json) => {
  const machine = obj(results.machine);
  console.log(
    `\n=== leadflow bench (${show(results.benchScale)}) — ${show(machine.cores)} × ${show(machine.cpu)}, Node ${show(machine.node)}, ${show(results.takenAt)} ===`,
  );

  const capture = results.capture;
  if (Array.isArray(capture)) {
    const t = table([
      'concurrency',
      'capture leads/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/lead',
      'PutItem/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/item',
      'throughput capture/put',
      'p50 capture/put',
      'CPU capture/put',
    ]);
    for (const l of capture as CaptureLevel[]) {
      t.push([
        l.concurrency,
        l.capture.perSecond,
        l.capture.p50,
        l.capture.p99,
        l.capture.cpuPerOp.totalMs,
        l.putItem.perSecond,
        l.putItem.p50,
        l.putItem.p99,
        l.putItem.cpuPerOp.totalMs,
        l.throughputRatio,
        l.p50Ratio,
        l.cpuRatio,
      ]);
    }
    console.log('\nCapture: signed webhooks over HTTP vs raw PutItem (same DynamoDB Local, same run)');
    console.log(t.toString());
  }
  const withLifecycle = results.captureWithLifecycle;
  if (Array.isArray(withLifecycle)) {
    for (const l of withLifecycle as CaptureLevel[]) {
      console.log(
        `with the lifecycle running in the same process (npm start): concurrency ${l.concurrency}: ${l.capture.perSecond} leads/s, p50 ${l.capture.p50} ms, p99 ${l.capture.p99} ms (PutItem ${l.putItem.perSecond}/s)`,
      );
    }
  }

  const raw = obj(results.captureVsRaw);
  if (raw.throughputRatio !== undefined) {
    const c = obj(raw.captures);
    const r = obj(raw.rawBatchGetPlusTransact);
    const cpu = obj(raw.cpuPerOpMs);
    const load = obj(raw.loadAverage);
    console.log(
      `\nCapture vs its own BatchGetItem + TransactWriteItems replayed raw (concurrency 8): ${show(c.perSecond)}/s vs ${show(r.perSecond)}/s = ${show(raw.throughputRatio)} (target ≥ 0.8); CPU/op ${show(cpu.capture)} vs ${show(cpu.raw)} ms; load ${show(load.start)}→${show(load.end)}`,
    );
  }
  const routing = obj(results.importRouting);
  if (routing.rows !== undefined) {
    const after = obj(routing.afterCli);
    const cpu = obj(after.cpuPerLeadMs);
    const load = obj(routing.loadAverage);
    console.log(
      `Import routing, ${show(routing.rows)} rows with the real lifecycle: CLI ${show(obj(routing.cli).seconds)} s, then every lead routed in ${show(after.seconds)} s (${show(after.leadsPerSecond)}/s; target ≤ 30 s); CPU/lead node ${show(cpu.node)} ms, DynamoDB Local ${show(cpu.dynamodbLocal)} ms; load ${show(load.start)}→${show(load.end)}`,
    );
  }

  const rt = obj(results.roundTrips);
  if (rt.maxPerCapture !== undefined) {
    console.log(
      `\nRound trips per capture: max ${show(rt.maxPerCapture)}, mean ${show(rt.meanPerCapture)} (${(rt.shapes as string[]).join(' | ')}); redelivery: ${(rt.redelivery as string[]).join(' + ')}`,
    );
    const c = obj(rt.underContention);
    console.log(
      `under contention (8 at once, shared company domains): ${show(c.meanPerCapture)} requests per capture, ${show(c.failed)} of ${show(c.captures)} failed`,
    );
  }

  const scale = obj(results.scale);
  if (scale.small) {
    const t = table(['table', 'leads', 'dup-check p50', 'p99', 'capture p50', 'p99', 'reports p50', 'p99']);
    for (const side of [obj(scale.small), obj(scale.large)]) {
      t.push([
        show(side.table),
        show(side.leads),
        show(obj(side.duplicateCheck).p50),
        show(obj(side.duplicateCheck).p99),
        show(obj(side.capture).p50),
        show(obj(side.capture).p99),
        show(obj(side.reports).p50),
        show(obj(side.reports).p99),
      ]);
    }
    const r = obj(scale.ratios);
    console.log('\nScale: latency (ms) with a small and a large table');
    console.log(t.toString());
    console.log(
      `ratios large/small: dup-check p50 ${show(r.duplicateCheckP50)} p99 ${show(r.duplicateCheckP99)}, capture p50 ${show(r.captureP50)} p99 ${show(r.captureP99)}, reports p50 ${show(r.reportsP50)} p99 ${show(r.reportsP99)}`,
    );
  }

  const wf = obj(results.workflowCost);
  if (wf.measured) {
    const t = table([
      'scenario',
      'transitions',
      'Lambda inv.',
      'HTTP req.',
      'RRU',
      'WRU',
      'events',
      'USD / 1,000 leads',
    ]);
    for (const [name, v] of Object.entries(obj(wf.scenarios))) {
      const u = obj(obj(v).usage);
      t.push([
        name,
        show(u.stateTransitions),
        show(u.lambdaInvocations),
        show(u.httpRequests),
        show(u.readUnits),
        show(u.writeUnits),
        show(u.events),
        show(obj(obj(v).cost).usdPer1000Leads ?? obj(v).error),
      ]);
    }
    console.log('\nWorkflow cost per lead (executed locally) and AWS list price per 1,000 leads');
    console.log(t.toString());
  } else if (wf.reason) console.log(`\nWorkflow cost: not measured — ${show(wf.reason)}`);

  const fns = obj(results.functions);
  if (Array.isArray(fns.functions)) {
    const t = table([
      'function',
      'bundle KiB',
      'init CPU ms',
      'floor CPU ms',
      'CPU init/floor',
      'wall init ms',
      'wall floor ms',
      'wall init/floor',
      'CPU with --enable-source-maps',
      'SDK external CPU ms',
    ]);
    for (const f of fns.functions as Json[]) {
      const b = obj(f.bundled);
      const e = obj(f.external);
      t.push([
        show(f.name),
        show(b.bundleKb),
        show(obj(b.init).initCpuMs),
        show(obj(b.floor).initCpuMs),
        show(b.initCpuRatio),
        show(obj(b.init).initMs),
        show(obj(b.floor).initMs),
        show(b.initRatio),
        show(b.initCpuWithSourceMapsFlagMs),
        show(obj(e.init).initCpuMs),
      ]);
    }
    console.log('\nFunctions: bundle size and cold init (fresh process, median) vs an SDK-only floor');
    console.log(t.toString());
    console.log(
      `SDK: ${show(obj(fns.sdk).choice)} (bundled faster in ${show(obj(fns.sdk).bundledFasterIn)} of ${show(obj(fns.sdk).of)})`,
    );
  }

  const imp = obj(results.import);
  if (imp.measured) {
    console.log(
      `\nImport: ${show(imp.rows)} rows at ${show(obj(imp.import).rowsPerSecond)} rows/s vs raw BatchWriteItem ${show(obj(imp.rawBatchWrite).rowsPerSecond)} rows/s (ratio ${show(imp.ratio)}), peak RSS ${show(obj(imp.import).peakRssMb)} MB`,
    );
  } else if (imp.reason) console.log(`\nImport: not measured — ${show(imp.reason)}`);
  const memory = obj(results.importMemory);
  if (num(memory.rows) !== undefined)
    console.log(
      `Import dry run, ${show(memory.rows)} rows, CLI peak RSS: CSV ${show(obj(memory.csv).peakRssMb)} MB, XLSX ${show(obj(memory.xlsxSharedStrings).peakRssMb)} MB (shared strings) / ${show(obj(memory.xlsxInlineStrings).peakRssMb)} MB (inline strings)`,
    );
  if (num(obj(memory.send).rows) !== undefined)
    console.log(
      `Import, ${show(obj(memory.send).rows)} rows into the local runtime, CLI peak RSS: CSV ${show(obj(obj(memory.send).csv).peakRssMb)} MB, XLSX ${show(obj(obj(memory.send).xlsxSharedStrings).peakRssMb)} MB`,
    );

  const t = table(['target', 'this run', 'target', 'met']);
  for (const row of targetsOf(results))
    t.push([
      row.figure,
      show(row.value),
      row.target,
      row.target === '–' ? 'n/a' : row.met === undefined ? 'not measured' : row.met ? 'yes' : 'MISSED',
    ]);
  console.log('\nTargets');
  console.log(t.toString());
};
