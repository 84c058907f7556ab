import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { loadavg } from 'node:os';
import { makeDocumentClient } from '../functions/adapters/aws-clients';
import { observeDynamoRequests } from '../functions/adapters/request-observer';
import { ensureTable } from '../local/dynamodb-local';
import type { BenchScale } from './config';
import { cpuMeter } from './cpu';
import { benchPayload } from './lead-factory';
import { ratio, round, runLoad, summarise } from './stats';
import { postWebhook } from './webhook';

type Recorded = { batchGet: Record<string, unknown>[]; transact: Record<string, unknown>[] };

/** The same request aimed at another table (every `TableName`, and the table keys of `RequestItems`). */
const retarget = (value: unknown, from: string, to: string): unknown => {
  if (Array.isArray(value)) return value.map((v) => retarget(v, from, to));
  // Plain objects only: a Set (a string set the capture ADDs to) or a Uint8Array goes as it is.
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k === from ? to : k,
        k === 'TableName' && v === from ? to : retarget(v, from, to),
      ]),
    );
  return value;
};

/**
 * Capture's own overhead: signed webhooks through the local HTTP API (placeholder workflow) against the
 * very DynamoDB requests those captures sent — one BatchGetItem and one TransactWriteItems each, recorded
 * by the request observer and replayed raw into an empty table of the same shape, so the database does
 * the same work (the lookups find nothing, the conditional puts succeed). Captures C1, raw R1, captures C2,
 * raw R2 at concurrency 8, in one run; the ratio is capture/s over raw pairs/s (target ≥ 0.8).
 */
export const measureCaptureVsRaw = async (
  target: { url: string; sourceId: string; secret: string; tableName: string; dynamodbEndpoint: string },
  client: DynamoDBClient,
  scale: BenchScale,
  quiesce: () => Promise<void>,
) => {
  const concurrency = 8;
  const n = scale.name === 'tiny' ? 16 : 800;
  const half = Math.ceil(n / 2);
  const run = `w${Date.now().toString(36)}`;
  const rawTable = `bench-raw-${run}`;
  await ensureTable(target.dynamodbEndpoint, rawTable);
  // Warm the webhook function (its modules load on the first call) before anything is recorded or timed:
  // run alone, this section otherwise charged that one-off load to the first captures.
  for (let i = 0; i < 8; i++)
    await postWebhook(target.url, target.sourceId, target.secret, `msg_${run}_warm_${i}`, benchPayload(`${run}w`, i));
  await quiesce();
  const recorded: Recorded = { batchGet: [], transact: [] };
  const stop = observeDynamoRequests({
    onRequest: (r) => {
      if (r.client === client) return;
      if (r.command === 'BatchGetItemCommand')
        recorded.batchGet.push(retarget(r.input, target.tableName, rawTable) as never);
      if (r.command === 'TransactWriteItemsCommand')
        recorded.transact.push(retarget(r.input, target.tableName, rawTable) as never);
    },
  });
  let captured = 0;
  const capture = () => {
    const i = captured++;
    return postWebhook(target.url, target.sourceId, target.secret, `msg_${run}_${i}`, benchPayload(run, i));
  };
  const doc = makeDocumentClient(client);
  let replayed = 0;
  let cancelled = 0;
  const raw = async () => {
    const i = replayed++;
    const get = recorded.batchGet[i];
    const write = recorded.transact[i];
    if (!get || !write) throw new Error(`no recorded capture #${i}`);
    // As the capture sent them: through a document client (the observer sees the unmarshalled input).
    await doc.send(new BatchGetCommand(get as never));
    try {
      await doc.send(new TransactWriteCommand(write as never));
    } catch (error) {
      // Replayed out of the captures' order (8 at once), a transaction on a shared key (leads of one company)
      // can meet its condition unmet: DynamoDB did the same work, so it counts as done, and is reported.
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
      cancelled++;
    }
  };
  const cpu = cpuMeter();
  const spent = { capture: 0, raw: 0 };
  const timed = async (kind: 'capture' | 'raw', count: number) => {
    await quiesce();
    const out = await cpu.measure(() => runLoad(count, concurrency, kind === 'capture' ? capture : raw));
    spent[kind] += out.nodeMs + out.javaMs;
    return out.result;
  };
  const loadStart = loadavg()[0] ?? 0;
  try {
    const c1 = await timed('capture', half);
    const r1 = await timed('raw', Math.min(half, recorded.batchGet.length, recorded.transact.length));
    const c2 = await timed('capture', n - half);
    const r2 = await timed(
      'raw',
      Math.min(n - half, recorded.batchGet.length - replayed, recorded.transact.length - replayed),
    );
    const captureResult = summarise(c1, c2);
    const rawResult = summarise(r1, r2);
    const result = {
      concurrency,
      captures: captureResult,
      rawBatchGetPlusTransact: rawResult,
      recorded: { batchGetItem: recorded.batchGet.length, transactWriteItems: recorded.transact.length, captures: n },
      rawTransactionsCancelled: cancelled,
      throughputRatio: ratio(captureResult.perSecond, rawResult.perSecond),
      cpuPerOpMs: {
        capture: round(spent.capture / captureResult.requests, 2),
        raw: round(spent.raw / rawResult.requests, 2),
      },
      loadAverage: { start: round(loadStart, 1), end: round(loadavg()[0] ?? 0, 1) },
      target: 0.8,
      note: 'capture = HTTP → local runtime → signed webhook handler → BatchGetItem + TransactWriteItems + StartExecution (one-state placeholder); raw = the same two recorded requests sent with the SDK from this process into an empty table',
    };
    console.log(
      `  concurrency 8: capture ${captureResult.perSecond}/s vs the same BatchGetItem + TransactWriteItems raw ${rawResult.perSecond}/s → ${result.throughputRatio} (CPU/op ${result.cpuPerOpMs.capture} vs ${result.cpuPerOpMs.raw} ms)`,
    );
    return result;
  } finally {
    stop();
  }
};
