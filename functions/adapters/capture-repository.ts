import { type CancellationReason, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DedupeKey, KeyHolders } from '../core/dedupe';
import type { CaptureAnswer, CaptureLookup, CaptureStore, CaptureWriteResult, NewLeadWrite } from '../core/ports';
import type { Fingerprint } from '../core/similarity';
import { addLeadToBlock, addLeadToKey } from './dedupe-key-items';
import { keys } from './keys';
import { isBusyStore, withConflictRetries } from './transaction';
import { leadItem } from './lead-item';

const expectedLeads = (seen: KeyHolders[], key: DedupeKey) =>
  seen.find((h) => h.key.on === key.on && h.key.value === key.value)?.leadIds.length ?? 0;

/**
 * The items of one capture (delivery first, then lead, audit, dedupe and blocking keys, then the
 * body's content key; the order the error handling relies on). With `write.seen`, each key holds only
 * if no lead joined it since the lookup.
 */
export const captureTransactItems = (table: string, write: NewLeadWrite) => {
  const { lead, audit, delivery } = write;
  return [
    {
      Put: {
        TableName: table,
        Item: {
          ...keys.delivery(delivery.sourceId, delivery.deliveryId),
          type: 'delivery',
          answer: delivery.answer,
          expiresAt: delivery.expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table,
        // The body's hash stays on the lead so an erasure finds the same-submission item (keys.sameBody).
        Item: leadItem(write.sameBody ? { ...lead, sameBodyHash: write.sameBody.hash } : lead),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table,
        Item: { ...keys.audit(lead.id, audit.at, '0000'), type: 'audit', leadId: lead.id, ...audit },
      },
    },
    // Only a person key (email, phone) decides "duplicate"; a company domain is shared by design and
    // never conditions the write, or every burst of leads from one company would collide.
    // A blocking key conditions the write too: two similar people captured at once still meet.
    ...write.keys.map((key) => {
      const expected = write.seen && key.on !== 'domain' ? expectedLeads(write.seen, key) : undefined;
      return key.on === 'block' && write.fingerprint
        ? addLeadToBlock(table, key, write.fingerprint, expected)
        : addLeadToKey(table, key, lead.id, expected);
    }),
    // The same body from the same source within its window is this delivery again (an expired one
    // may still be there until TTL removes it, so the condition reads the expiry itself).
    ...(write.sameBody
      ? [
          {
            Put: {
              TableName: table,
              Item: {
                ...keys.sameBody(delivery.sourceId, write.sameBody.hash),
                type: 'same-body',
                answer: delivery.answer,
                expiresAt: write.sameBody.expiresAt,
              },
              ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
              ExpressionAttributeValues: { ':now': write.sameBody.now },
            },
          },
        ]
      : []),
  ];
};

/** Items of one capture before its dedupe keys (delivery, lead, audit): see captureTransactItems. */
const ITEMS_BEFORE_KEYS = 3;

type KeyItem = { pk: string; leadIds?: Set<string>; contactId?: string; accountId?: string; fps?: Fingerprint[] };
export const holdersOf = (key: DedupeKey, item: KeyItem): KeyHolders => ({
  key,
  leadIds: [...(item.leadIds ?? [])],
  contactId: item.contactId,
  accountId: item.accountId,
  ...(item.fps ? { fingerprints: item.fps } : {}),
});

type SameBodyItem = { pk: string; answer: CaptureAnswer; expiresAt: number };
/** What the lookup learns from a body's content key item. */
export const sameBodyOf = (item: Record<string, unknown> | undefined) =>
  item ? { answer: (item as SameBodyItem).answer, expiresAt: Number((item as SameBodyItem).expiresAt) } : undefined;

/** Whether a cancellation says the same body was taken (by another delivery of it). */
export const sameBodyTaken = (write: NewLeadWrite, reasons: CancellationReason[]): boolean =>
  Boolean(write.sameBody) && reasons[ITEMS_BEFORE_KEYS + write.keys.length]?.Code === 'ConditionalCheckFailed';

/**
 * What a capture whose key condition failed learns from its cancellation: each failed key item as it
 * is now (returned with the failure), the others as the lookup saw them. Undefined when the
 * failure says too little (no item returned), so the capture looks again.
 */
export const holdersAfterLostRace = (write: NewLeadWrite, reasons: CancellationReason[]): KeyHolders[] | undefined => {
  const holders: KeyHolders[] = [];
  for (const [i, key] of write.keys.entries()) {
    const reason = reasons[ITEMS_BEFORE_KEYS + i];
    if (reason?.Code === 'ConditionalCheckFailed') {
      if (!reason.Item) return undefined;
      holders.push(holdersOf(key, unmarshall(reason.Item) as KeyItem));
    } else {
      const before = write.seen?.find((h) => h.key.on === key.on && h.key.value === key.value);
      if (before) holders.push(before);
    }
  }
  return holders;
};

/** One capture's share of a cancelled transaction: taken delivery, lost race (with what was learned), or neither. */
export const lostRaceOf = (write: NewLeadWrite, reasons: CancellationReason[]): CaptureWriteResult | undefined => {
  const keyReasons = reasons.slice(ITEMS_BEFORE_KEYS, ITEMS_BEFORE_KEYS + write.keys.length);
  if (!keyReasons.some((r) => r.Code === 'ConditionalCheckFailed')) return undefined;
  return { written: false, raced: true, holders: holdersAfterLostRace(write, reasons) };
};
type DeliveryItem = { pk: string; answer: CaptureAnswer };

export const makeCaptureRepository = (db: DynamoDBDocumentClient, table: string): CaptureStore => {
  const readDelivery = async (sourceId: string, deliveryId: string) => {
    const out = await db.send(
      new GetCommand({ TableName: table, Key: keys.delivery(sourceId, deliveryId), ConsistentRead: true }),
    );
    return (out.Item as DeliveryItem | undefined)?.answer;
  };

  const readSameBody = async (sourceId: string, hash: string) => {
    const out = await db.send(
      new GetCommand({ TableName: table, Key: keys.sameBody(sourceId, hash), ConsistentRead: true }),
    );
    return sameBodyOf(out.Item)?.answer;
  };

  return {
    async lookup(sourceId, deliveryId, dedupeKeys, sameBody): Promise<CaptureLookup> {
      const wanted = [
        keys.delivery(sourceId, deliveryId),
        ...dedupeKeys.map(keys.dedupe),
        ...(sameBody ? [keys.sameBody(sourceId, sameBody)] : []),
      ];
      const items: Record<string, unknown>[] = [];
      let request: Record<string, { Keys: Record<string, string>[]; ConsistentRead: boolean }> | undefined = {
        [table]: { Keys: wanted, ConsistentRead: true },
      };
      // BatchGet may hand back unprocessed keys under load; ask again for just those.
      for (let attempt = 0; request && Object.keys(request).length > 0 && attempt < 5; attempt++) {
        const out = await db.send(new BatchGetCommand({ RequestItems: request }));
        items.push(...(out.Responses?.[table] ?? []));
        request = out.UnprocessedKeys as typeof request;
      }
      const byPk = new Map(items.map((item) => [String(item.pk), item]));
      const delivery = byPk.get(keys.delivery(sourceId, deliveryId).pk) as DeliveryItem | undefined;
      const holders: KeyHolders[] = dedupeKeys.flatMap((key: DedupeKey) => {
        const item = byPk.get(keys.dedupe(key).pk) as KeyItem | undefined;
        return item ? [holdersOf(key, item)] : [];
      });
      const body = sameBody ? sameBodyOf(byPk.get(keys.sameBody(sourceId, sameBody).pk)) : undefined;
      return { priorAnswer: delivery?.answer, holders, ...(body ? { sameBody: body } : {}) };
    },

    async createLead(write: NewLeadWrite): Promise<CaptureWriteResult> {
      const { delivery } = write;
      try {
        await withConflictRetries(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: captureTransactItems(table, write),
            }),
          ),
        );
        return { written: true as const };
      } catch (error) {
        // Only a lost race on the delivery record means "already captured"; anything else is a real failure.
        if (error instanceof TransactionCanceledException) {
          const reasons = error.CancellationReasons ?? [];
          if (reasons[0]?.Code === 'ConditionalCheckFailed') {
            const priorAnswer = await readDelivery(delivery.sourceId, delivery.deliveryId);
            if (priorAnswer) return { written: false as const, priorAnswer };
          }
          // The same body arrived under another delivery id and was stored first: its answer is ours.
          if (write.sameBody && sameBodyTaken(write, reasons)) {
            const priorAnswer = await readSameBody(delivery.sourceId, write.sameBody.hash);
            if (priorAnswer) return { written: false as const, priorAnswer };
          }
          // Another capture added a lead to one of the keys since our lookup.
          const lost = lostRaceOf(write, reasons);
          if (lost) return lost;
        }
        // Contention that outlasted the retries: the capture looks again after a pause, or answers 503.
        if (isBusyStore(error)) return { written: false, raced: true };
        throw error;
      }
    },
  };
};
