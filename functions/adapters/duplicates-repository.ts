import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DedupeKey, KeyHolders } from '../core/dedupe';
import type { Lead } from '../core/lead';
import type { DuplicatesReader, Page, PageKey } from '../core/ports';
import { holdersOf } from './capture-repository';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { startKeyWithin } from './lead-repository';
import { TABLE } from './table-definition';

const MAX_KEYS_PER_BATCH_GET = 100;

export const makeDuplicatesReader = (db: DynamoDBDocumentClient, table: string): DuplicatesReader => {
  const batchGet = async (wanted: Record<string, string>[]) => {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < wanted.length; i += MAX_KEYS_PER_BATCH_GET) {
      let request: Record<string, { Keys: Record<string, string>[] }> | undefined = {
        [table]: { Keys: wanted.slice(i, i + MAX_KEYS_PER_BATCH_GET) },
      };
      // BatchGet may hand back unprocessed keys under load; ask again for just those.
      for (let attempt = 0; request && Object.keys(request).length > 0 && attempt < 5; attempt++) {
        const out = await db.send(new BatchGetCommand({ RequestItems: request }));
        items.push(...(out.Responses?.[table] ?? []));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return items;
  };

  return {
    async holders(dedupeKeys: DedupeKey[]): Promise<KeyHolders[]> {
      if (dedupeKeys.length === 0) return [];
      const byPk = new Map((await batchGet(dedupeKeys.map(keys.dedupe))).map((item) => [String(item.pk), item]));
      return dedupeKeys.flatMap((key) => {
        const item = byPk.get(keys.dedupe(key).pk);
        return item ? [holdersOf(key, item as Parameters<typeof holdersOf>[1])] : [];
      });
    },

    async leads(ids: string[]): Promise<Lead[]> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return [];
      return (await batchGet(unique.map(keys.lead))).map(leadFromItem);
    },

    async openSets(limit: number, from?: PageKey): Promise<Page<Lead>> {
      const index = TABLE.indexes.byAssignee;
      const value = keys.duplicatesIndex('', '').gsi3pk;
      const attributes = [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, index.sortKey];
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.partitionKey },
          ExpressionAttributeValues: { ':pk': value },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: startKeyWithin(from, attributes, { [index.partitionKey]: value }),
        }),
      );
      return { items: (out.Items ?? []).map(leadFromItem), next: out.LastEvaluatedKey as PageKey | undefined };
    },
  };
};
