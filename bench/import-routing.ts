import { loadavg } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { observeDynamoRequests } from '../functions/adapters/request-observer';
import { currentLocalInvocation } from '../local/handlers';
import { PROJECT_ROOT } from '../local/config';
import type { LocalRuntime } from '../local/runtime';
import { cpuMeter } from './cpu';
import { runWithPeakRss, writeCsv } from './import';
import { ratio, round } from './stats';

/** A key's shape: its partition key's first segment (a config document keeps its name) and its sort key's. */
const keyKind = (key: unknown): string => {
  const { pk, sk } = (key ?? {}) as { pk?: unknown; sk?: unknown };
  if (typeof pk !== 'string') return '?';
  const [head, second] = pk.split('#');
  const part = head === 'CONFIG' ? `CONFIG#${second}` : (head ?? '?');
  const sort = typeof sk === 'string' ? sk.split(/[#|]/)[0] : '';
  return sort && sort !== part ? `${part}/${sort}` : part;
};

type Input = Record<string, unknown>;
/** The item kinds a DynamoDB command touches, from its input (keys, items, a query's index or partition). */
export const itemKinds = (input: Input): string => {
  if (Array.isArray(input.TransactItems)) {
    const kinds = (input.TransactItems as Input[]).map((t) => {
      const [op, body] = Object.entries(t)[0] ?? ['?', {}];
      const b = body as Input;
      return `${op}:${keyKind(b.Key ?? b.Item)}`;
    });
    return `[${kinds.sort().join(',')}]`;
  }
  if (input.RequestItems && typeof input.RequestItems === 'object') {
    const all = Object.values(input.RequestItems as Record<string, Input | Input[]>).flatMap((r) =>
      Array.isArray(r)
        ? r.map((w) => keyKind((w.PutRequest as Input)?.Item ?? (w.DeleteRequest as Input)?.Key))
        : ((r.Keys as unknown[]) ?? []).map(keyKind),
    );
    return `[${[...new Set(all)].sort().join(',')}]`;
  }
  if (input.Key || input.Item) return keyKind(input.Key ?? input.Item);
  if (typeof input.IndexName === 'string') return `index:${input.IndexName}`;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const pk = Object.values(values).find((v) => typeof v === 'string' && v.includes('#'));
  return pk ? `query:${keyKind({ pk })}` : '?';
};

/**
 * Counts the DynamoDB requests of every client in this process until `stop`: by command, and by where they
 * came from (`function:detail-type-or-step command item-kinds`, the local invocation they ran in; key shapes,
 * never their values); `invocationsOnly` leaves out the bench's own requests. `per(n)` divides by the leads or captures that caused them.
 */
export const countDynamoRequests = ({ invocationsOnly = false } = {}) => {
  const requests = new Map<string, number>();
  const byInvocation = new Map<string, number>();
  const stop = observeDynamoRequests({
    failures: true,
    onRequest: (r) => {
      const invocation = currentLocalInvocation();
      if (invocationsOnly && !invocation) return;
      // A failed request (a transaction cancelled by a lost race) costs DynamoDB Local as much: counted apart.
      const command = `${r.command.replace(/Command$/, '')}${r.failed ? ` (${r.failed})` : ''}`;
      requests.set(command, (requests.get(command) ?? 0) + 1);
      const where = `${invocation ?? 'outside'} ${command} ${itemKinds(r.input)}`;
      byInvocation.set(where, (byInvocation.get(where) ?? 0) + 1);
    },
  });
  const total = () => [...requests.values()].reduce((a, b) => a + b, 0);
  return {
    stop,
    per: (n: number) => ({
      dynamodbRequestsPerLeadTotal: round(total() / n, 1),
      dynamodbRequestsPerLead: Object.fromEntries(
        [...requests].sort((a, b) => b[1] - a[1]).map(([k, c]) => [k, round(c / n, 1)]),
      ),
      /** Requests per lead by `function:event-or-step command item-kinds` (at least 0.05 per lead). */
      dynamodbRequestsPerLeadByInvocation: Object.fromEntries(
        [...byInvocation]
          .sort((a, b) => b[1] - a[1])
          .filter(([, c]) => c / n >= 0.05)
          .map(([k, c]) => [k, round(c / n, 2)]),
      ),
    }),
  };
};

/** Rows of the routing run: the issue's 2,000 (BENCH_ROUTING_ROWS overrides). */
export const routingRows = (tiny: boolean) => Number(process.env.BENCH_ROUTING_ROWS ?? (tiny ? 40 : 2000));

/**
 * `leadflow import` of a generated CSV on the local runtime with the real lifecycle, then the time from
 * the CLI's end until every imported lead is routed and announced: the engine's queue empty (each
 * execution parked on its rep's task after `LeadCreated`/`LeadAssigned`) and every bus delivery landed.
 * Beside the wall times (which a busy machine stretches), the CPU per lead of this process and of
 * DynamoDB Local, and the DynamoDB requests per lead by command, say where the time went.
 */
export const measureImportRouting = async (rt: LocalRuntime, rows: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-bench-routing-'));
  try {
    const run = `g${Date.now().toString(36)}`;
    const file = join(dir, 'leads.csv');
    writeCsv(file, run, rows);
    // Whatever an earlier section left queued (importMemory's sends start placeholder executions) runs first:
    // the drain below must time this import's lifecycles only.
    for (;;) {
      const s = rt.engine.stats();
      if (s.queued === 0 && s.running === 0 && rt.bus.pending === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const createdBefore = rt.bus.log.filter((e) => e['detail-type'] === 'LeadCreated').length;
    const settledBefore = rt.engine.stats().settled;
    const counter = countDynamoRequests();
    const stop = counter.stop;
    const cpu = cpuMeter();
    const loadAtStart = loadavg()[0] ?? 0;

    const importCpu = await cpu
      .measure(() =>
        runWithPeakRss([join(PROJECT_ROOT, 'bin', 'leadflow.js'), 'import', file, '--api', rt.url], {
          ...process.env,
          NODE_OPTIONS: '',
        }),
      )
      .catch((error: unknown) => {
        stop();
        throw error;
      });
    const cliRun = importCpu.result;
    if (cliRun.code !== 0) {
      stop();
      throw new Error(`leadflow import exited with ${cliRun.code}: ${cliRun.stderr.trim().slice(-300)}`);
    }
    const cliEnd = performance.now();
    const drainCpu = await cpu
      .measure(async () => {
        for (;;) {
          const s = rt.engine.stats();
          if (s.queued === 0 && s.running === 0 && rt.bus.pending === 0) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      })
      .finally(stop);
    const drainMs = performance.now() - cliEnd;
    const created = rt.bus.log.filter((e) => e['detail-type'] === 'LeadCreated').length - createdBefore;
    const settled = rt.engine.stats().settled - settledBefore;
    const perLead = (ms: number) => round(ms / rows, 1);
    const result = {
      rows,
      leadCreated: created,
      lifecyclesSettled: settled,
      cli: { seconds: round(cliRun.ms / 1000, 1), peakRssMb: cliRun.peakRssMb },
      afterCli: {
        seconds: round(drainMs / 1000, 1),
        leadsPerSecond: round((rows / Math.max(drainMs, 1)) * 1000, 1),
        cpuPerLeadMs: { node: perLead(drainCpu.nodeMs), dynamodbLocal: perLead(drainCpu.javaMs) },
      },
      importCpuPerRowMs: { node: perLead(importCpu.nodeMs), dynamodbLocal: perLead(importCpu.javaMs) },
      /** After-CLI time over the CLI's own time, same run: the routing's share of an import's wall time. */
      drainToImportRatio: ratio(drainMs, cliRun.ms),
      ...counter.per(rows),
      loadAverage: { start: round(loadAtStart, 1), end: round(loadavg()[0] ?? 0, 1) },
      target: { afterCliSeconds: 30, leadsPerSecond: 66 },
      note: 'the real lifecycle; the engine holds executions back while an import is served (local/engine-admission.ts), so the routing follows the CLI; requests per lead count the import itself and everything after it',
    };
    console.log(
      `  ${rows} rows: CLI ${result.cli.seconds} s, then routed in ${result.afterCli.seconds} s (${result.afterCli.leadsPerSecond}/s; CPU/lead node ${result.afterCli.cpuPerLeadMs.node} ms, DynamoDB Local ${result.afterCli.cpuPerLeadMs.dynamodbLocal} ms; load ${result.loadAverage.start}→${result.loadAverage.end})`,
    );
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
