import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Lead } from '../core/lead';
import { type LeadSearch, matchesOthers, type SearchQuery, searchText, searchTokens } from '../core/search';
import { keys } from './keys';
import { leadFromItem } from './lead-item';

/** Items read per query; a query of one word rarely needs more than its first page. */
const READ = 50;
/** Queries per scope before answering with what was found (a rare second word over a common first one). */
const MAX_READS = 4;
/**
 * The prefix's range is read as `BETWEEN prefix AND prefix + U+10FFFF` rather than `begins_with`: the
 * same items on DynamoDB (keys compare as UTF-8 bytes, and no character's encoding sorts after
 * U+10FFFF's), but DynamoDB Local answers `begins_with` by walking the partition from its first key
 * (35–110 ms for a prefix at the end of a 20,000-item partition, against 4 ms for the range; its
 * `SEARCH#ALL#…` partitions hold tens of thousands at 50,000 leads).
 */
const PAST_EVERY_CHARACTER = '\u{10FFFF}';
/** Followed leads a rep's search checks (the newest follows first). */
const MAX_FOLLOWED = 200;

/**
 * Search on the search items (keys.searchEntry): per scope one Query on the first word's partition
 * over the sort keys starting with it, filtered on the other words, paged until `limit` leads are
 * found; then one BatchGetItem for the leads themselves, so what is shown is the lead as it is now.
 */
export const makeLeadSearch = (db: DynamoDBDocumentClient, table: string): LeadSearch => {
  const idsInScope = async (query: SearchQuery, scope: string, limit: number): Promise<string[]> => {
    const ids = new Set<string>();
    const names: Record<string, string> = {};
    const values: Record<string, string> = {
      ':pk': keys.searchEntry(scope, query.lead, '').pk,
      ':prefix': query.lead,
      ':end': `${query.lead}${PAST_EVERY_CHARACTER}`,
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
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :prefix AND :end',
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

  /** The leads of `ids` as stored now (BatchGetItem, 100 keys a call, unprocessed keys retried). */
  const leadsOf = async (ids: readonly string[]): Promise<Map<string, Lead>> => {
    const byId = new Map<string, Lead>();
    for (let i = 0; i < ids.length; i += 100) {
      let request: Record<string, { Keys: Record<string, string>[] }> | undefined = {
        [table]: { Keys: ids.slice(i, i + 100).map(keys.lead) },
      };
      for (let attempt = 0; request && attempt < 6; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[table] ?? []) byId.set(String(item.id), leadFromItem(item));
        request = out.UnprocessedKeys?.[table] ? (out.UnprocessedKeys as typeof request) : undefined;
      }
    }
    return byId;
  };

  /**
   * The leads `user` follows whose words match the query, newest first: the follower's follow items
   * (ids only) and the leads themselves, matched in memory as the index would (a rep follows tens of
   * leads, not thousands; past MAX_FOLLOWED the newest are searched).
   */
  const followedMatching = async (query: SearchQuery, user: string, limit: number): Promise<Lead[]> => {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.followed(user, '', '').pk },
        ProjectionExpression: 'leadId',
        ScanIndexForward: false,
        Limit: MAX_FOLLOWED,
      }),
    );
    const ids = (out.Items ?? []).map((item) => String(item.leadId));
    if (ids.length === 0) return [];
    const leads = await leadsOf(ids);
    const words = [query.lead, ...query.others];
    return ids
      .flatMap((id) => leads.get(id) ?? [])
      .filter(
        (lead) =>
          !lead.erased && (lead.followers ?? []).includes(user) && matchesOthers(searchText(searchTokens(lead)), words),
      )
      .slice(0, limit);
  };

  return {
    async search(query, scopes, limit, followedBy) {
      const [followed, ...found] = await Promise.all([
        followedBy ? followedMatching(query, followedBy, limit) : Promise.resolve([]),
        ...scopes.map((scope) => idsInScope(query, scope, limit)),
      ]);
      const ids = [...new Set(found.flat())].slice(0, limit);
      const byId = ids.length ? await leadsOf(ids) : new Map<string, Lead>();
      // In the order the index gave (token, then id); a lead deleted since is skipped; then followed leads not yet shown.
      const shown = ids.flatMap((id) => byId.get(id) ?? []);
      const seen = new Set(shown.map((lead) => lead.id));
      return [...shown, ...followed.filter((lead) => !seen.has(lead.id))].slice(0, limit);
    },
  };
};
