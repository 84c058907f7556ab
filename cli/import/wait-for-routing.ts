import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client';

/** The local runtime's queue, as `GET /health` reports it (local/workflow-engine.ts `stats()`). */
export type EngineQueue = {
  queued: number;
  running: number;
  waitingOnTask: number;
  settled: number;
  drainPerSecond: number;
  drainSeconds: number | null;
};
type Health = { mode?: string; workflow?: EngineQueue; bus?: { inFlight?: number } };

/** Work still ahead of the engine: lifecycles waiting for a turn or working a step, and event deliveries. */
export const isDrained = (h: Health) =>
  (h.workflow?.queued ?? 0) === 0 && (h.workflow?.running ?? 0) === 0 && (h.bus?.inFlight ?? 0) === 0;

export const describeQueue = (q: EngineQueue) =>
  `${q.queued} lifecycle(s) queued, ${q.running} running, ${q.drainPerSecond}/s` +
  (q.drainSeconds === null ? '' : `, ~${q.drainSeconds} s left`);

/** Reads the queue; undefined when the API is not the local runtime (AWS has no queue to show). */
export const readQueue = async (api: ApiClient): Promise<Health | undefined> => {
  try {
    const h = await api.request<Health>('GET', '/health');
    return h.mode === 'local' && h.workflow ? h : undefined;
  } catch {
    return undefined;
  }
};

/**
 * `leadflow import --wait`: after the rows are in, follows the local engine until every lifecycle the
 * import started has been routed and announced (each parked on its rep's task or ended) and the bus has
 * delivered every event, printing the queue and its drain rate. Answers the seconds it waited.
 */
export const waitForRouting = async (
  api: ApiClient,
  out: NodeJS.WriteStream,
  { everyMs = 2000, pollMs = 250, signal }: { everyMs?: number; pollMs?: number; signal?: AbortSignal } = {},
): Promise<{ seconds: number; settled: number } | undefined> => {
  const started = Date.now();
  const first = await readQueue(api);
  if (!first?.workflow) return undefined;
  let last = 0;
  let h: Health = first;
  while (!isDrained(h) && !signal?.aborted) {
    if (Date.now() - last >= everyMs && h.workflow) {
      last = Date.now();
      out.write(`routing: ${describeQueue(h.workflow)}\n`);
    }
    await sleep(pollMs);
    h = (await readQueue(api)) ?? h;
  }
  return {
    seconds: Math.round((Date.now() - started) / 100) / 10,
    settled: (h.workflow?.settled ?? 0) - (first.workflow.settled ?? 0),
  };
};
