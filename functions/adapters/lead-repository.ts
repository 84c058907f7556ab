import { baseItemsOf } from './index-items';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../core/errors';
import type { AuditEntry, Lead } from '../core/lead';
import type { LeadReader, ListFilter, Page, PageKey } from '../core/ports';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { TABLE } from './table-definition';

const MAX_READS = 10;
/** Items read per query when a filter may drop most of them. */
const FILTERED_READ = 100;

const filterExpression = (filter: ListFilter) => {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (filter.stage) {
    parts.push('#stage = :stage');
    names['#stage'] = 'stage';
    values[':stage'] = filter.stage;
  }
  if (filter.agingAt) {
    parts.push('(#escalations > :zero OR #deadline < :now)');
    Object.assign(names, { '#escalations': 'escalations', '#deadline': 'stageDeadline' });
    Object.assign(values, { ':zero': 0, ':now': filter.agingAt });
  }
  if (filter.visibleTo) {
    parts.push('(attribute_not_exists(#owner) OR #owner = :viewer OR contains(#followers, :viewer))');
    Object.assign(names, { '#owner': 'owner', '#followers': 'followers' });
    values[':viewer'] = filter.visibleTo;
  }
  return parts.length ? { expression: parts.join(' AND '), names, values } : undefined;
};

/**
 * A start position must be a key of the index being queried, inside the partition being queried:
 * anything else makes DynamoDB throw a ValidationException, which would answer 500.
 */
export const startKeyWithin = (
  start: PageKey | undefined,
  attributes: readonly string[],
  partition: Record<string, string>,
): PageKey | undefined => {
  if (!start) return undefined;
  const names = Object.keys(start).sort();
  const wanted = [...new Set(attributes)].sort();
  const fits =
    names.length === wanted.length &&
    names.every((n, i) => n === wanted[i] && typeof start[n] === 'string') &&
    Object.entries(partition).every(([name, value]) => start[name] === value);
  if (!fits) throw new InvalidCursorError();
  return start;
};

export const makeLeadReader = (db: DynamoDBDocumentClient, table: string): LeadReader => ({
  async get(id: string): Promise<(Lead & { taskToken?: string; searchIndexed?: boolean }) | undefined> {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.lead(id), ConsistentRead: true }));
    if (!out.Item) return undefined;
    return {
      ...leadFromItem(out.Item),
      taskToken: out.Item.taskToken as string | undefined,
      ...(out.Item.searchIndexed === true ? { searchIndexed: true } : {}),
    };
  },

  /** The newest `limit` audit entries, oldest first (the feed pages through all of them). */
  async audit(id: string, limit = 200): Promise<AuditEntry[]> {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.lead(id).pk, ':prefix': 'AUDIT#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? [])
      .reverse()
      .map(({ pk: _pk, sk: _sk, type: _type, leadId: _leadId, ...entry }) => entry as AuditEntry);
  },

  /**
   * Newest first through an index: by owner ("UNASSIGNED" for the queue) or by stage, optionally
   * narrowed by `filter`. DynamoDB filters after reading, so this reads on until the page is full
   * (at most MAX_READS queries, then a short page with a cursor): a client never mistakes a short
   * page for the end.
   */
  async list(
    by: { owner: string } | { stage: string },
    limit: number,
    from?: PageKey,
    filter: ListFilter = {},
  ): Promise<Page<Lead>> {
    const index = 'owner' in by ? TABLE.indexes.byOwner : TABLE.indexes.byStage;
    const value = 'owner' in by ? `OWNER#${by.owner}` : `STAGE#${by.stage}`;
    const where = filterExpression(filter);
    const items: Record<string, unknown>[] = [];
    const attributes = [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, index.sortKey];
    let start: PageKey | undefined = startKeyWithin(from, attributes, { [index.partitionKey]: value });
    for (let reads = 0; reads < MAX_READS && items.length < limit; reads++) {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: where?.expression,
          ExpressionAttributeNames: { '#pk': index.partitionKey, ...where?.names },
          ExpressionAttributeValues: { ':pk': value, ...where?.values },
          ScanIndexForward: false,
          Limit: where ? Math.max(limit, FILTERED_READ) : limit,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(await baseItemsOf(db, table, out.Items ?? [])));
      start = out.LastEvaluatedKey as PageKey | undefined;
      if (!start) break;
    }
    if (items.length > limit) {
      // Read past the page: the next one starts after the last lead shown, not after the last read.
      items.length = limit;
      const last = items[limit - 1] ?? {};
      start = Object.fromEntries(attributes.map((k) => [k, String(last[k])]));
    }
    return { items: items.map(leadFromItem), next: start };
  },
});
