import { baseItemsOf } from './index-items';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { STAGES } from '../core/lead';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { followItemPuts, searchItemWrites } from './search-items';
import { TABLE } from './table-definition';
import { transaction } from './transaction';

export type IndexOutcome = 'indexed' | 'already' | 'gone' | 'skipped';

/** Where a backfill stands: the stage partition it reads and the key after which it goes on. */
export type BackfillCursor = { stage: number; start?: Record<string, unknown> };

export type BackfillPage = {
  read: number;
  indexed: number;
  followItems: number;
  /** Undefined when every lead has been seen. */
  next?: BackfillCursor;
};

/** The item that remembers where a backfill stopped, so a second run goes on from there. */
const CHECKPOINT = { pk: 'MIGRATION#search-backfill', sk: 'CURSOR' };

/**
 * Writes a lead's search items (and its followers' follow items) when the lead has none yet: a lead
 * whose execution start was parked, a lead stored before search existed. Idempotent and safe against
 * the lifecycle writing the same lead at the same moment: the items go in one transaction with
 * `searchIndexed` set on the lead, conditional on the version read, so a lead that moved on is read
 * again. The lead's version is not raised; a lifecycle write that read the lead before the mark is
 * refused by its own condition (`attribute_not_exists(searchIndexed)`) and made again at once as the
 * change of an indexed lead (lead-writer.ts), so the lead ends with exactly its own items.
 */
export const makeSearchIndexer = (db: DynamoDBDocumentClient, table: string) => {
  const index = async (leadId: string): Promise<IndexOutcome> => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const out = await db.send(new GetCommand({ TableName: table, Key: keys.lead(leadId), ConsistentRead: true }));
      const item = out.Item;
      if (!item) return 'gone';
      if (item.searchIndexed === true) return 'already';
      // An erased person is found by no word; a merged lead's tombstone is reached through its survivor.
      if (item.erased || item.mergedInto) return 'skipped';
      const lead = leadFromItem(item);
      const written = await transaction(db, [
        {
          name: 'lead',
          Update: {
            TableName: table,
            Key: keys.lead(leadId),
            UpdateExpression: 'SET searchIndexed = :yes',
            ConditionExpression: 'version = :v AND attribute_not_exists(searchIndexed)',
            ExpressionAttributeValues: { ':yes': true, ':v': item.version },
          },
        },
        ...searchItemWrites(table, undefined, lead).map((w) => ({ name: 'search' as const, ...w })),
        ...followItemPuts(table, lead).map((w) => ({ name: 'follow' as const, ...w })),
      ]);
      if (written.written) return 'indexed';
      if (written.failed.length === 0) throw written.error;
      // The lead changed in between (or was indexed by its own write): read it again.
    }
    throw new Error(`lead ${leadId} kept changing while its search items were written; try again`);
  };

  /**
   * One page of the one-off backfill: reads `pageSize` leads of the stage index (a Query per stage
   * partition, in order; every lead is in exactly one) and indexes those without search items, and
   * writes the follow items of leads that have followers. Reading every lead once is the migration's
   * cost, paid once; after it, capture, the lifecycle and the indexer keep every lead indexed.
   */
  const backfillPage = async (from: BackfillCursor, pageSize: number): Promise<BackfillPage> => {
    const page: BackfillPage = { read: 0, indexed: 0, followItems: 0 };
    let cursor: BackfillCursor | undefined = from;
    while (cursor && page.read < pageSize) {
      const stage: string | undefined = STAGES[cursor.stage];
      if (!stage) return { ...page, next: undefined };
      const out: QueryCommandOutput = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: TABLE.indexes.byStage.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.indexes.byStage.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.stageIndex(stage, '', '').gsi2pk },
          Limit: pageSize - page.read,
          ExclusiveStartKey: cursor.start,
        }),
      );
      for (const item of await baseItemsOf(db, table, out.Items ?? [])) {
        page.read++;
        if (item.type !== 'lead') continue;
        if (item.searchIndexed !== true && (await index(String(item.id))) === 'indexed') page.indexed++;
        // Follows made before follow items existed (a Put of the same ids is a no-op).
        const follows = followItemPuts(table, leadFromItem(item));
        for (const put of follows) await db.send(new PutCommand(put.Put));
        page.followItems += follows.length;
      }
      cursor = out.LastEvaluatedKey
        ? { stage: cursor.stage, start: out.LastEvaluatedKey }
        : cursor.stage + 1 < STAGES.length
          ? { stage: cursor.stage + 1 }
          : undefined;
    }
    return { ...page, next: cursor };
  };

  return {
    index,
    backfillPage,
    /** Where the last backfill run stopped (undefined: never run, or it finished and was reset). */
    async checkpoint(): Promise<{ next?: BackfillCursor; done: boolean } | undefined> {
      const out = await db.send(new GetCommand({ TableName: table, Key: CHECKPOINT, ConsistentRead: true }));
      return out.Item ? { next: out.Item.next as BackfillCursor | undefined, done: out.Item.done === true } : undefined;
    },
    async saveCheckpoint(next: BackfillCursor | undefined, at: string): Promise<void> {
      await db.send(
        new PutCommand({ TableName: table, Item: { ...CHECKPOINT, type: 'migration', next, done: !next, at } }),
      );
    },
  };
};

export type SearchIndexer = ReturnType<typeof makeSearchIndexer>;
