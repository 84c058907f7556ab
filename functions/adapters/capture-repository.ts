import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DedupeKey, KeyHolders } from '../core/dedupe';
import type { CaptureAnswer, CaptureLookup, CaptureStore, CaptureWriteResult, NewLeadWrite } from '../core/ports';
import type { Fingerprint } from '../core/similarity';
import { addLeadToBlock, addLeadToKey, linkBackWith } from './dedupe-key-items';
import { keys } from './keys';
import { isBusyStore, type NamedItem, transaction } from './transaction';
import { leadItem } from './lead-item';

const expectedLeads = (seen: KeyHolders[], key: DedupeKey) =>
  seen.find((h) => h.key.on === key.on && h.key.value === key.value)?.leadIds.length ?? 0;

/** The items of one capture, by name: a cancellation is read by what failed, never by position. */
export type CaptureItemName = 'delivery' | 'lead' | 'audit' | `key:${number}` | 'same-body';
/** The name of the capture's i-th dedupe or blocking key item (write.keys order). */
export const keyItemName = (i: number): CaptureItemName => `key:${i}`;
/** The reason a capture's named item failed its condition in a cancelled transaction (undefined: it held). */
export type FailedItem = (name: CaptureItemName) => CancellationReason | undefined;

/**
 * The items of one capture: delivery, lead, audit, dedupe and blocking keys, the body's content key.
 * With `write.seen`, each key holds only if no lead joined it since the lookup.
 */
export const captureTransactItems = (table: string, write: NewLeadWrite): NamedItem<CaptureItemName>[] => {
  const { lead, audit, delivery } = write;
  return [
    {
      name: 'delivery',
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
      name: 'lead',
      Put: {
        TableName: table,
        // The body's hash stays on the lead so an erasure finds the same-submission item (keys.sameBody).
        Item: leadItem(write.sameBody ? { ...lead, sameBodyHash: write.sameBody.hash } : lead),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      name: 'audit',
      Put: {
        TableName: table,
        Item: { ...keys.audit(lead.id, audit.at, '0000'), type: 'audit', leadId: lead.id, ...audit },
      },
    },
    // Only a person key (email, phone) decides "duplicate"; a company domain is shared by design and
    // never conditions the write, or every burst of leads from one company would collide.
    // A blocking key conditions the write too: two similar people captured at once still meet.
    ...write.keys.map((key, i) => {
      const expected = write.seen && key.on !== 'domain' ? expectedLeads(write.seen, key) : undefined;
      const item =
        key.on === 'block' && write.fingerprint
          ? addLeadToBlock(table, key, write.fingerprint, expected)
          : addLeadToKey(table, key, lead.id, expected);
      return { name: keyItemName(i), ...item };
    }),
    // The same body from the same source within its window is this delivery again (an expired one
    // may still be there until TTL removes it, so the condition reads the expiry itself).
    ...(write.sameBody
      ? [
          {
            name: 'same-body' as const,
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

/**
 * What a capture whose key condition failed learns from its cancellation: each failed key item as it
 * is now (returned with the failure), the others as the lookup saw them. Undefined when the
 * failure says too little (no item returned), so the capture looks again.
 */
export const holdersAfterLostRace = (write: NewLeadWrite, failed: FailedItem): KeyHolders[] | undefined => {
  const holders: KeyHolders[] = [];
  for (const [i, key] of write.keys.entries()) {
    const reason = failed(keyItemName(i));
    if (reason) {
      if (!reason.Item) return undefined;
      holders.push(holdersOf(key, unmarshall(reason.Item) as KeyItem));
    } else {
      const before = write.seen?.find((h) => h.key.on === key.on && h.key.value === key.value);
      if (before) holders.push(before);
    }
  }
  return holders;
};

/** One capture's share of a cancelled transaction when a key item failed: a lost race, with what was learned. */
export const lostRaceOf = (write: NewLeadWrite, failed: FailedItem): CaptureWriteResult | undefined => {
  if (!write.keys.some((_, i) => failed(keyItemName(i)))) return undefined;
  return { written: false, raced: true, holders: holdersAfterLostRace(write, failed) };
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
    linkBack: linkBackWith(db, table),
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
        const result = await transaction(db, captureTransactItems(table, write), { retryConflicts: true });
        if (result.written) return { written: true as const };
        // Only a lost race on the delivery record means "already captured"; anything else is a real failure.
        if (result.reason('delivery')) {
          const priorAnswer = await readDelivery(delivery.sourceId, delivery.deliveryId);
          if (priorAnswer) return { written: false as const, priorAnswer };
        }
        // The same body arrived under another delivery id and was stored first: its answer is ours.
        if (write.sameBody && result.reason('same-body')) {
          const priorAnswer = await readSameBody(delivery.sourceId, write.sameBody.hash);
          if (priorAnswer) return { written: false as const, priorAnswer };
        }
        // Another capture added a lead to one of the keys since our lookup.
        const lost = lostRaceOf(write, result.reason);
        if (lost) return lost;
        throw result.error;
      } catch (error) {
        // Contention that outlasted the retries: the capture looks again after a pause, or answers 503.
        if (isBusyStore(error)) return { written: false, raced: true };
        throw error;
      }
    },
  };
};
