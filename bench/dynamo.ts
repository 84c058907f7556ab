import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { round } from './stats';

const BATCH = 25;

/** Writes every item with BatchWriteItem (25 per request, `concurrency` requests in flight), retrying unprocessed items. */
export const batchWriteAll = async (
  db: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
  concurrency = 8,
) => {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  let next = 0;
  let requests = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const batch = batches[next++];
      if (!batch) return;
      let pending: { PutRequest: { Item: Record<string, unknown> } }[] = batch.map((Item) => ({
        PutRequest: { Item },
      }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 8)
          throw new Error(`BatchWriteItem left ${pending.length} item(s) unprocessed after ${attempt} attempts`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        requests++;
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  return { items: items.length, requests, ms: round(ms, 0), itemsPerSecond: round((items.length / ms) * 1000, 0) };
};

/** One plain PutItem of an item, the floor a capture is compared with. */
export const putItem = (db: DynamoDBDocumentClient, table: string, item: Record<string, unknown>) =>
  db.send(new PutCommand({ TableName: table, Item: item }));
