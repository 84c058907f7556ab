import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from './table-definition';

type Item = Record<string, unknown>;

const keyOf = (item: Item) => `${String(item[TABLE.partitionKey])}\u0000${String(item[TABLE.sortKey])}`;

/**
 * The base-table items behind a page read from a lean index (`byOwner` and `byStage` hold only what
 * their queries filter on, see `LIST_INDEX_ATTRIBUTES`), in the page's order: one `BatchGetItem` per 100.
 * An item gone since the index was read is left out. `projection` names the attributes wanted (the
 * keys are always read, to match the answers to the page).
 */
export const baseItemsOf = async (
  db: DynamoDBDocumentClient,
  table: string,
  page: readonly Item[],
  projection?: readonly string[],
): Promise<Item[]> => {
  if (page.length === 0) return [];
  const wanted = [...new Map(page.map((item) => [keyOf(item), item])).values()].map((item) => ({
    [TABLE.partitionKey]: item[TABLE.partitionKey],
    [TABLE.sortKey]: item[TABLE.sortKey],
  }));
  const names = projection
    ? Object.fromEntries([TABLE.partitionKey, TABLE.sortKey, ...projection].map((a, i) => [`#a${i}`, a]))
    : undefined;
  const found = new Map<string, Item>();
  for (let i = 0; i < wanted.length; i += 100) {
    let keysLeft: Item[] | undefined = wanted.slice(i, i + 100);
    for (let attempt = 0; keysLeft?.length; attempt++) {
      if (attempt > 5) throw new Error('BatchGetItem left items of an index page unread; try again');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const out: BatchGetCommandOutput = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: keysLeft,
              ...(names
                ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names }
                : {}),
            },
          },
        }),
      );
      for (const item of out.Responses?.[table] ?? []) found.set(keyOf(item), item);
      keysLeft = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return page.flatMap((item) => {
    const base = found.get(keyOf(item));
    return base ? [{ ...item, ...base }] : [];
  });
};
