import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Lead } from '../core/lead';
import type { LeadSearch, SearchQuery } from '../core/search';
import { keys } from './keys';
import { leadFromItem } from './lead-item';

/** Items read per query; a query of one word rarely needs more than its first page. */
const READ = 50;
/** Queries per scope before answering with what was found (a rare second word over a common first one). */
const MAX_READS = 4;

/**
 * Search on the search items (keys.searchEntry): per scope one Query on the first word's partition
 * with `begins_with` on the sort key, filtered on the other words, paged until `limit` leads are
 * found; then one BatchGetItem for the leads themselves, so what is shown is the lead as it is now.
 */
export const makeLeadSearch = (db: DynamoDBDocumentClient, table: string): LeadSearch => {
  const idsInScope = async (query: SearchQuery, scope: string, limit: number): Promise<string[]> => {
    const ids = new Set<string>();
    const names: Record<string, string> = {};
    const values: Record<string, string> = {
      ':pk': keys.searchEntry(scope, query.lead, '').pk,
      ':prefix': query.lead,
    };
    query.others.forEach((word, i) => {
      names['#text'] = 'text';
      values[`:w${i}`] = ` ${word}`;
    });
    const filter = query.others.map((_, i) => `contains(#text, :w${i})`).join(' AND ');
    let start: Record<string, unknown> | undefined;
    for (let reads = 0; reads < MAX_READS && ids.size < limit; reads++) {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: filter || undefined,
          ExpressionAttributeNames: filter ? names : undefined,
          ExpressionAttributeValues: values,
          ProjectionExpression: 'leadId',
          Limit: filter ? READ * 2 : READ,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) if (ids.size < limit) ids.add(String(item.leadId));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return [...ids];
  };

  return {
    async search(query, scopes, limit) {
      const found = await Promise.all(scopes.map((scope) => idsInScope(query, scope, limit)));
      const ids = [...new Set(found.flat())].slice(0, limit);
      if (ids.length === 0) return [];
      const byId = new Map<string, Lead>();
      let request: Record<string, { Keys: Record<string, string>[] }> | undefined = {
        [table]: { Keys: ids.map(keys.lead) },
      };
      for (let attempt = 0; request && attempt < 6; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[table] ?? []) byId.set(String(item.id), leadFromItem(item));
        request = out.UnprocessedKeys?.[table] ? (out.UnprocessedKeys as typeof request) : undefined;
      }
      // In the order the index gave (token, then id); a lead deleted since is skipped.
      return ids.flatMap((id) => byId.get(id) ?? []);
    },
  };
};
