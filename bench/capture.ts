import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient, makeDynamoClient } from '../functions/adapters/aws-clients';
import { type DynamoRequestRecord, observeDynamoRequests } from '../functions/adapters/request-observer';
import type { BenchScale } from './config';
import { putItem } from './dynamo';
import { benchPayload, seededLead } from './lead-factory';
import { cpuMeter } from './cpu';
import { type LoadRun, type LoadResult, ratio, round, runLoad, summarise } from './stats';
import { inProcessCapture, postWebhook } from './webhook';

export type CpuPerOp = { nodeMs: number; dynamodbLocalMs: number; totalMs: number };
export type CaptureLevel = {
  concurrency: number;
  capture: LoadResult & { cpuPerOp: CpuPerOp };
  putItem: LoadResult & { cpuPerOp: CpuPerOp };
  throughputRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  /** CPU per capture / CPU per PutItem, both sides of the stack counted (stable on a busy machine). */
  cpuRatio: number;
};

/**
 * Signed webhooks through the local HTTP API against plain PutItem of a lead-sized item on the same
 * DynamoDB Local, at each concurrency, in the same run. Each level runs PutItem, capture, capture,
 * PutItem (A-B-B-A) so a drifting machine favours neither side.
 */
export const measureCapture = async (
  target: { url: string; sourceId: string; secret: string; tableName: string },
  db: DynamoDBDocumentClient,
  scale: BenchScale,
  /** Resolves when the workflows started by earlier captures have gone quiet, so no phase pays for another's. */
  quiesce: () => Promise<void>,
): Promise<CaptureLevel[]> => {
  const run = `c${Date.now().toString(36)}`;
  let captured = 0;
  let put = 0;
  // Lead-sized items built before timing: the floor measures DynamoDB, not the item factory.
  const totalPuts = scale.warmup + scale.concurrency.reduce((sum, c) => sum + scale.requestsPerLevel(c), 0);
  const putItems = Array.from({ length: totalPuts }, (_, i) => ({
    ...seededLead(`${run}p`, i).items[0],
    pk: `BENCH#${run}#${i}`,
  }));
  const capture = () => {
    const i = captured++;
    return postWebhook(target.url, target.sourceId, target.secret, `msg_${run}_${i}`, benchPayload(run, i));
  };
  const plainPut = () => putItem(db, target.tableName, putItems[put++] ?? { pk: `BENCH#${run}#x${put}`, sk: 'LEAD' });

  await runLoad(scale.warmup, 4, capture);
  await runLoad(scale.warmup, 4, plainPut);
  await quiesce();

  const cpu = cpuMeter();
  const levels: CaptureLevel[] = [];
  for (const concurrency of scale.concurrency) {
    const n = scale.requestsPerLevel(concurrency);
    const half = Math.ceil(n / 2);
    const spent = { capture: { node: 0, java: 0 }, put: { node: 0, java: 0 } };
    const timed = async (kind: 'capture' | 'put', count: number): Promise<LoadRun> => {
      const out = await cpu.measure(() => runLoad(count, concurrency, kind === 'capture' ? capture : plainPut));
      spent[kind].node += out.nodeMs;
      spent[kind].java += out.javaMs;
      return out.result;
    };
    await quiesce();
    const p1 = await timed('put', half);
    const c1 = await timed('capture', half);
    await quiesce();
    const c2 = await timed('capture', n - half);
    await quiesce();
    const p2 = await timed('put', n - half);
    const perOp = (s: { node: number; java: number }, ops: number): CpuPerOp => ({
      nodeMs: round(s.node / ops, 2),
      dynamodbLocalMs: round(s.java / ops, 2),
      totalMs: round((s.node + s.java) / ops, 2),
    });
    const captureResult = { ...summarise(c1, c2), cpuPerOp: perOp(spent.capture, n) };
    const putResult = { ...summarise(p1, p2), cpuPerOp: perOp(spent.put, n) };
    levels.push({
      concurrency,
      capture: captureResult,
      putItem: putResult,
      throughputRatio: ratio(captureResult.perSecond, putResult.perSecond),
      p50Ratio: ratio(captureResult.p50, putResult.p50),
      p99Ratio: ratio(captureResult.p99, putResult.p99),
      cpuRatio: ratio(captureResult.cpuPerOp.totalMs, putResult.cpuPerOp.totalMs),
    });
    console.log(
      `  concurrency ${concurrency}: capture ${captureResult.perSecond}/s p50 ${captureResult.p50} ms p99 ${captureResult.p99} ms, CPU ${captureResult.cpuPerOp.totalMs} ms/lead | PutItem ${putResult.perSecond}/s p50 ${putResult.p50} ms, CPU ${putResult.cpuPerOp.totalMs} ms/item`,
    );
  }
  return levels;
};

/**
 * DynamoDB requests per capture, counted by the request observer on the capture function's own
 * client: the real webhook handler in process, one capture at a time, half of them duplicates.
 */
export const countRoundTrips = async (endpoint: string, table: string, samples: number) => {
  // Its own client: only the capture's requests are counted, not the workflows running beside it.
  const client = makeDynamoClient(endpoint);
  const capture = inProcessCapture(makeDocumentClient(client), table);
  const run = `r${Date.now().toString(36)}`;
  const perCapture: { commands: string[]; read: number; write: number }[] = [];
  let current: DynamoRequestRecord[] = [];
  const stop = observeDynamoRequests({
    consumedCapacity: true,
    onRequest: (r) => r.client === client && current.push(r),
  });
  try {
    for (let i = 0; i < samples; i++) {
      current = [];
      // Every second lead repeats the previous one's email: the duplicate path must cost no more.
      const payload =
        i % 2 === 1 ? { ...benchPayload(run, i), email: benchPayload(run, i - 1).email } : benchPayload(run, i);
      await capture(`rt_${run}_${i}`, payload);
      perCapture.push({
        commands: current.map((r) => r.command.replace(/Command$/, '')),
        read: current.reduce((s, r) => s + r.consumed.reduce((t, c) => t + c.read, 0), 0),
        write: current.reduce((s, r) => s + r.consumed.reduce((t, c) => t + c.write, 0), 0),
      });
    }
    // A redelivery of the first one: answered from the delivery record, nothing written.
    current = [];
    await capture(`rt_${run}_0`, benchPayload(run, 0));
    const redelivery = current.map((r) => r.command.replace(/Command$/, ''));

    // Under contention: 8 at once, and every 8 consecutive leads work at the same company (one domain
    // key), so captures race on that key. Counts requests per capture and the captures that failed.
    let contended = 0;
    const stopContended = observeDynamoRequests({ onRequest: (r) => void (r.client === client && contended++) });
    const crun = `${run}c`;
    const load = await runLoad(samples, 8, (i) => capture(`rtc_${crun}_${i}`, benchPayload(crun, i))).finally(
      stopContended,
    );
    const counts = perCapture.map((p) => p.commands.length);
    const shapes = [...new Set(perCapture.map((p) => p.commands.join(' + ')))];
    return {
      samples,
      maxPerCapture: Math.max(...counts),
      meanPerCapture: round(counts.reduce((a, b) => a + b, 0) / counts.length, 2),
      shapes,
      redelivery,
      localConsumedPerCapture: {
        read: round(perCapture.reduce((s, p) => s + p.read, 0) / samples, 2),
        write: round(perCapture.reduce((s, p) => s + p.write, 0) / samples, 2),
      },
      underContention: {
        concurrency: 8,
        captures: samples,
        failed: load.errors,
        meanPerCapture: round(contended / samples, 2),
        note: 'every 8 consecutive leads share a company domain; a capture that loses the race on a key looks again',
      },
      target: 2,
      meetsTarget: Math.max(...counts) <= 2,
    };
  } finally {
    stop();
  }
};
