import { baseItemsOf } from './index-items';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../core/errors';
import type { Lead } from '../core/lead';
import type { LeadLister, ListNarrowing, ListPlan } from '../core/lead-list';
import type { PageKey } from '../core/ports';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { TABLE } from './table-definition';

/** Rounds of reads before a page is answered short (with a cursor: a short page is never the end). */
const MAX_ROUNDS = 8;
/** Items read per query when a narrowing may drop most of them. */
const NARROWED_READ = 100;
/** Below every `<createdAt>#<id>` and above every one. */
const LOWEST = '0';
const HIGHEST = '~';

const narrowingExpression = (n: ListNarrowing) => {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const equal = (attribute: string, value: unknown) => {
    if (value === undefined) return;
    parts.push(`#${attribute} = :${attribute}`);
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
  };
  equal('stage', n.stage);
  equal('sourceId', n.sourceId);
  equal('campaign', n.campaign);
  equal('scoreBand', n.scoreBand);
  if (n.duplicate !== undefined) {
    names['#duplicates'] = 'duplicates';
    values[':none'] = 0;
    parts.push(n.duplicate ? 'size(#duplicates) > :none' : 'size(#duplicates) = :none');
  }
  return parts.length ? { expression: parts.join(' AND '), names, values } : undefined;
};

/** The same narrowing on a lead read without a filter (a followed lead fetched by its id). */
const narrowed = (item: Record<string, unknown>, n: ListNarrowing) =>
  (n.stage === undefined || item.stage === n.stage) &&
  (n.sourceId === undefined || item.sourceId === n.sourceId) &&
  (n.campaign === undefined || item.campaign === n.campaign) &&
  (n.scoreBand === undefined || item.scoreBand === n.scoreBand) &&
  (n.duplicate === undefined || (Array.isArray(item.duplicates) && item.duplicates.length > 0) === n.duplicate);

type Partition = {
  /** The follower's follow items (base table) instead of an index partition. */
  followed?: boolean;
  value: string;
  start?: Record<string, unknown>;
  done: boolean;
  /** The sort key of the last item this partition's reads evaluated (DynamoDB's LastEvaluatedKey). */
  edge?: string;
};

/**
 * Lists through the owner or stage index as the merge of several partitions (a rep's own and the
 * unassigned queue; every stage for sales ops), each read in sort-key order. A partition that has
 * more to read holds back the merge: only items at or before the furthest point every unfinished
 * partition has reached are shown, so nothing is skipped, and the next page starts after the last
 * lead shown (or after that point when the rounds ran out first). The cursor is one sort-key value.
 */
export const makeLeadLister = (db: DynamoDBDocumentClient, table: string): LeadLister => ({
  async browse(plan: ListPlan, limit: number, from?: PageKey): Promise<{ items: Lead[]; next?: PageKey }> {
    const index = plan.index === 'owner' ? TABLE.indexes.byOwner : TABLE.indexes.byStage;
    const prefix = plan.index === 'owner' ? 'OWNER#' : 'STAGE#';
    const newest = plan.order === 'newest';
    if (from && (Object.keys(from).length !== 1 || typeof from.at !== 'string')) throw new InvalidCursorError();
    const cursor = from?.at as string | undefined;
    // Key bounds: the created range, tightened by the cursor (exclusive; the item at it is dropped below).
    let lo = plan.from ?? LOWEST;
    let hi = plan.to ?? HIGHEST;
    if (cursor && newest && cursor < hi) hi = cursor;
    if (cursor && !newest && cursor > lo) lo = cursor;
    if (lo > hi || plan.partitions.length === 0) return { items: [] };
    const where = narrowingExpression(plan.narrowing);
    const items: Record<string, unknown>[] = [];
    const parts: Partition[] = plan.partitions.map((value) => ({ value, done: false }));
    if (plan.followedBy) parts.push({ value: plan.followedBy, followed: true, done: false });
    const sortKey = (item: Record<string, unknown>) => String(item[index.sortKey]);

    const readFollowed = async (part: Partition) => {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': keys.followed(part.value, '', '').pk, ':lo': lo, ':hi': hi },
          ScanIndexForward: !newest,
          Limit: limit + 1,
          ExclusiveStartKey: part.start,
        }),
      );
      const ids = (out.Items ?? []).filter((item) => String(item.sk) !== cursor).map((item) => String(item.leadId));
      const got: Record<string, unknown>[] = [];
      for (let i = 0; i < ids.length; i += 100) {
        let keysLeft: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map(keys.lead);
        for (let attempt = 0; keysLeft?.length; attempt++) {
          if (attempt > 5) throw new Error('BatchGetItem left followed leads unread; try again');
          if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
          const out: BatchGetCommandOutput = await db.send(
            new BatchGetCommand({ RequestItems: { [table]: { Keys: keysLeft } } }),
          );
          got.push(...(out.Responses?.[table] ?? []));
          keysLeft = out.UnprocessedKeys?.[table]?.Keys;
        }
      }
      // Each lead once: one the other partitions hold (the rep's own, an unassigned one) is theirs.
      for (const item of got)
        if (
          item.type === 'lead' &&
          Array.isArray(item.followers) &&
          item.followers.includes(part.value) &&
          !plan.partitions.includes(String(item.owner ?? 'UNASSIGNED')) &&
          narrowed(item, plan.narrowing)
        )
          items.push({ ...item, [index.sortKey]: `${item.createdAt}#${item.id}` });
      part.start = out.LastEvaluatedKey;
      part.done = !out.LastEvaluatedKey;
      part.edge = out.LastEvaluatedKey ? String(out.LastEvaluatedKey.sk) : undefined;
    };

    const read = async (part: Partition) => {
      if (part.followed) return readFollowed(part);
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
          FilterExpression: where?.expression,
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey, ...where?.names },
          ExpressionAttributeValues: { ':pk': `${prefix}${part.value}`, ':lo': lo, ':hi': hi, ...where?.values },
          ScanIndexForward: !newest,
          Limit: where ? Math.max(limit + 1, NARROWED_READ) : limit + 1,
          ExclusiveStartKey: part.start,
        }),
      );
      const page = (out.Items ?? []).filter((item) => sortKey(item) !== cursor);
      items.push(...(await baseItemsOf(db, table, page)));
      part.start = out.LastEvaluatedKey;
      part.done = !out.LastEvaluatedKey;
      part.edge = out.LastEvaluatedKey ? String(out.LastEvaluatedKey[index.sortKey]) : undefined;
    };
    // Not yet past `frontier` in the reading direction: every unfinished partition has read at least that far.
    const before = (a: string, b: string) => (newest ? a >= b : a <= b);
    const frontierOf = () => {
      const edges = parts.filter((p) => !p.done).map((p) => p.edge as string);
      if (edges.length === 0) return undefined;
      return edges.reduce((a, b) => (before(a, b) ? a : b));
    };
    const safe = () => {
      const frontier = frontierOf();
      return frontier === undefined ? items : items.filter((item) => before(sortKey(item), frontier));
    };

    await Promise.all(parts.map(read));
    for (let round = 1; round < MAX_ROUNDS && safe().length <= limit; round++) {
      const frontier = frontierOf();
      if (frontier === undefined) break;
      await Promise.all(parts.filter((p) => !p.done && p.edge === frontier).map(read));
    }
    // Plain code-unit order, as DynamoDB sorts the keys.
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const shown = safe().sort((a, b) => (newest ? order(sortKey(b), sortKey(a)) : order(sortKey(a), sortKey(b))));
    const frontier = frontierOf();
    let next: string | undefined;
    if (shown.length > limit) next = sortKey(shown[limit - 1] as Record<string, unknown>);
    else if (frontier !== undefined) next = frontier;
    return { items: shown.slice(0, limit).map(leadFromItem), next: next === undefined ? undefined : { at: next } };
  },
});
