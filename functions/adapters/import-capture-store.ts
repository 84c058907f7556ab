import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DedupeKey, KeyHolders } from '../core/dedupe';
import type { CaptureAnswer, CaptureLookup, CaptureStore, CaptureWriteResult, NewLeadWrite } from '../core/ports';
import { linkBackWith } from './dedupe-key-items';
import { keys } from './keys';
import { type CaptureItemName, captureTransactItems, holdersOf, lostRaceOf } from './capture-repository';
import { cancellationOf } from './transaction';

type DeliveryItem = { pk: string; answer: CaptureAnswer };
type Deferred<T> = { resolve(value: T): void; reject(error: unknown): void };

/**
 * The items of one capture, exactly as the capture repository writes them, key conditions included:
 * within one store, rows sharing a key are never in flight together, but another batch (a
 * Distributed Map runs several at once), another import or a webhook may add a lead to a key.
 */
const captureItems = (table: string, write: NewLeadWrite) => captureTransactItems(table, write);
type WriteAnswer = CaptureWriteResult;

const MAX_ITEMS_PER_TRANSACTION = 100;
const MAX_KEYS_PER_BATCH_GET = 100;

/**
 * The capture store for bulk imports: the same items and conditions as the capture repository, but
 * the lookups and writes of rows captured at the same moment are coalesced into one BatchGetItem
 * and one TransactWriteItems (a whole transaction per lead costs a round trip each; DynamoDB
 * Local also runs transactions one at a time). Rows are scheduled so that no two rows sharing a
 * dedupe key are in flight together, so one transaction never touches an item twice; a row whose
 * delivery was taken by an earlier attempt gets that attempt's answer, as with single captures.
 */
export const makeBatchedCaptureStore = (db: DynamoDBDocumentClient, table: string): CaptureStore => {
  let lookups: { sourceId: string; deliveryId: string; keys: DedupeKey[]; done: Deferred<CaptureLookup> }[] = [];
  let writes: { write: NewLeadWrite; done: Deferred<WriteAnswer> }[] = [];
  let lookupScheduled = false;
  let writeScheduled = false;

  const batchGet = async (wanted: Record<string, string>[]) => {
    const items = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < wanted.length; i += MAX_KEYS_PER_BATCH_GET) {
      let request: Record<string, { Keys: Record<string, string>[]; ConsistentRead: boolean }> | undefined = {
        [table]: { Keys: wanted.slice(i, i + MAX_KEYS_PER_BATCH_GET), ConsistentRead: true },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed keys');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[table] ?? []) items.set(String(item.pk), item);
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return items;
  };

  const flushLookups = async () => {
    lookupScheduled = false;
    const pending = lookups;
    lookups = [];
    try {
      const wanted = new Map<string, Record<string, string>>();
      for (const l of pending)
        for (const k of [keys.delivery(l.sourceId, l.deliveryId), ...l.keys.map(keys.dedupe)]) wanted.set(k.pk, k);
      const byPk = await batchGet([...wanted.values()]);
      for (const l of pending) {
        const delivery = byPk.get(keys.delivery(l.sourceId, l.deliveryId).pk) as DeliveryItem | undefined;
        const holders: KeyHolders[] = l.keys.flatMap((key) => {
          const item = byPk.get(keys.dedupe(key).pk);
          return item ? [holdersOf(key, item as Parameters<typeof holdersOf>[1])] : [];
        });
        l.done.resolve({ priorAnswer: delivery?.answer, holders });
      }
    } catch (error) {
      for (const l of pending) l.done.reject(error);
    }
  };

  const readDelivery = async (sourceId: string, deliveryId: string) => {
    const out = await db.send(
      new GetCommand({ TableName: table, Key: keys.delivery(sourceId, deliveryId), ConsistentRead: true }),
    );
    return (out.Item as DeliveryItem | undefined)?.answer;
  };

  /** Groups writes so that each transaction stays within 100 items and touches every item once. */
  const groupsOf = (pending: typeof writes) => {
    const groups: {
      entries: typeof writes;
      items: ReturnType<typeof captureItems>[];
      size: number;
      pks: Set<string>;
    }[] = [];
    for (const entry of pending) {
      const items = captureItems(table, entry.write);
      const pks = items.map((i) => {
        const key = (i.Put?.Item ?? i.Update?.Key ?? {}) as { pk?: string; sk?: string };
        return `${key.pk}|${key.sk}`;
      });
      const group = groups.find(
        (g) => g.size + items.length <= MAX_ITEMS_PER_TRANSACTION && pks.every((pk) => !g.pks.has(pk)),
      );
      if (group) {
        group.entries.push(entry);
        group.items.push(items);
        group.size += items.length;
        for (const pk of pks) group.pks.add(pk);
      } else groups.push({ entries: [entry], items: [items], size: items.length, pks: new Set(pks) });
    }
    return groups;
  };

  const writeGroup = async (entries: typeof writes, itemsPerEntry: ReturnType<typeof captureItems>[]) => {
    let remaining = entries.map((entry, i) => ({ entry, items: itemsPerEntry[i] ?? [] }));
    // Only attempts that settled no row count towards giving up: on common names every attempt of a busy
    // group can find one more row whose key grew meanwhile, and each such attempt takes that row out.
    for (let stalled = 0; remaining.length > 0; ) {
      // Each row's items are named `<row>/<item>`, so a cancellation says which row's which item failed.
      const named = remaining.flatMap((r, row) =>
        r.items.map(({ name, ...item }) => ({ ...item, name: `${row}/${name}` })),
      );
      try {
        await db.send(new TransactWriteCommand({ TransactItems: named.map(({ name: _name, ...item }) => item) }));
        for (const r of remaining) r.entry.done.resolve({ written: true });
        return;
      } catch (error) {
        const cancellation = cancellationOf(
          error,
          named.map((i) => i.name),
        );
        if (!cancellation || stalled >= 5) throw error;
        const next: typeof remaining = [];
        for (const [row, r] of remaining.entries()) {
          const failed = (name: CaptureItemName) => cancellation.reason(`${row}/${name}`);
          // Only a taken delivery record means "already captured"; the others in the group are retried.
          if (failed('delivery')) {
            const { sourceId, deliveryId } = r.entry.write.delivery;
            const priorAnswer = await readDelivery(sourceId, deliveryId);
            if (priorAnswer) r.entry.done.resolve({ written: false, priorAnswer });
            else r.entry.done.reject(error);
            continue;
          }
          const lost = lostRaceOf(r.entry.write, failed);
          // A key gained a lead since this row's lookup: the capture core decides again on what it holds now.
          if (lost) r.entry.done.resolve(lost);
          else if (cancellation.failed.some((name) => name.startsWith(`${row}/`))) r.entry.done.reject(error);
          else next.push(r);
        }
        if (next.length === remaining.length) {
          if (!cancellation.conflict) throw error;
          stalled++;
        }
        remaining = next;
      }
    }
  };

  const flushWrites = async () => {
    writeScheduled = false;
    const pending = writes;
    writes = [];
    await Promise.all(
      groupsOf(pending).map(async (g) => {
        try {
          await writeGroup(g.entries, g.items);
        } catch (error) {
          for (const e of g.entries) e.done.reject(error);
        }
      }),
    );
  };

  return {
    linkBack: linkBackWith(db, table),
    lookup: (sourceId, deliveryId, dedupeKeys) =>
      new Promise<CaptureLookup>((resolve, reject) => {
        lookups.push({ sourceId, deliveryId, keys: dedupeKeys, done: { resolve, reject } });
        if (!lookupScheduled) {
          lookupScheduled = true;
          setImmediate(() => void flushLookups());
        }
      }),
    createLead: (write) =>
      new Promise((resolve, reject) => {
        writes.push({ write, done: { resolve, reject } });
        if (!writeScheduled) {
          writeScheduled = true;
          setImmediate(() => void flushWrites());
        }
      }),
  };
};
