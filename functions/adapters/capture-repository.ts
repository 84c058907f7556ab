import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DedupeKey, KeyHolders } from '../core/dedupe';
import type { CaptureAnswer, CaptureLookup, CaptureStore, NewLeadWrite } from '../core/ports';
import { addLeadToKey } from './dedupe-key-items';
import { keys } from './keys';
import { withConflictRetries } from './transaction-retry';
import { leadItem } from './lead-item';

const expectedLeads = (seen: KeyHolders[], key: DedupeKey) =>
  seen.find((h) => h.key.on === key.on && h.key.value === key.value)?.leadIds.length ?? 0;

/**
 * The items of one capture (delivery first, then lead, audit, dedupe keys; the order the error
 * handling relies on). With `write.seen`, each key holds only if no lead joined it since the lookup.
 */
export const captureTransactItems = (table: string, write: NewLeadWrite) => {
  const { lead, audit, delivery } = write;
  return [
    {
      Put: {
        TableName: table,
        Item: { ...keys.delivery(delivery.sourceId, delivery.deliveryId), type: 'delivery', answer: delivery.answer, expiresAt: delivery.expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { TableName: table, Item: leadItem(lead), ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: table, Item: { ...keys.audit(lead.id, audit.at, '0000'), type: 'audit', leadId: lead.id, ...audit } } },
    // Only a person key (email, phone) decides "duplicate"; a company domain is shared by design and
    // never conditions the write, or every burst of leads from one company would collide.
    ...write.keys.map((key) => addLeadToKey(table, key, lead.id, write.seen && key.on !== 'domain' ? expectedLeads(write.seen, key) : undefined)),
  ];
};

type KeyItem = { pk: string; leadIds?: Set<string>; contactId?: string; accountId?: string };
type DeliveryItem = { pk: string; answer: CaptureAnswer };

export const makeCaptureRepository = (db: DynamoDBDocumentClient, table: string): CaptureStore => {
  const readDelivery = async (sourceId: string, deliveryId: string) => {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.delivery(sourceId, deliveryId), ConsistentRead: true }));
    return (out.Item as DeliveryItem | undefined)?.answer;
  };

  return {
    async lookup(sourceId, deliveryId, dedupeKeys): Promise<CaptureLookup> {
      const wanted = [keys.delivery(sourceId, deliveryId), ...dedupeKeys.map(keys.dedupe)];
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
        if (!item) return [];
        return [{ key, leadIds: [...(item.leadIds ?? [])], contactId: item.contactId, accountId: item.accountId }];
      });
      return { priorAnswer: delivery?.answer, holders };
    },

    async createLead(write: NewLeadWrite) {
      const { delivery } = write;
      try {
        await withConflictRetries(() => db.send(
          new TransactWriteCommand({
            TransactItems: captureTransactItems(table, write),
          }),
        ));
        return { written: true as const };
      } catch (error) {
        // Only a lost race on the delivery record means "already captured"; anything else is a real failure.
        if (error instanceof TransactionCanceledException) {
          const reasons = error.CancellationReasons ?? [];
          if (reasons[0]?.Code === 'ConditionalCheckFailed') {
            const priorAnswer = await readDelivery(delivery.sourceId, delivery.deliveryId);
            if (priorAnswer) return { written: false as const, priorAnswer };
          }
          // Items 3.. are the dedupe keys: another capture added a lead to one of them since our lookup.
          if (reasons.slice(3).some((r) => r.Code === 'ConditionalCheckFailed')) return { written: false as const, raced: true as const };
        }
        throw error;
      }
    },
  };
};
