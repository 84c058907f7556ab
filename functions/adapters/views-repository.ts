import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SavedView, ViewsStore } from '../core/views';
import { keys } from './keys';
import { type NamedItem, transaction } from './transaction';

const STORAGE = new Set(['pk', 'sk', 'type']);
const viewOf = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE.has(k))) as SavedView;

/**
 * Saved views: the view itself under its id (the conditional, versioned item) and a copy under its
 * owner's partition and, when shared, its team's, so "my views and my team's" is two Queries. The
 * copies move with the view in one transaction.
 */
export const makeViewsRepository = (db: DynamoDBDocumentClient, table: string): ViewsStore => {
  const copies = (view: SavedView) => [
    keys.userView(view.owner, view.id),
    ...(view.team ? [keys.teamView(view.team, view.id)] : []),
  ];
  const query = async (pk: string) => {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :view)',
        ExpressionAttributeValues: { ':pk': pk, ':view': 'VIEW#' },
      }),
    );
    return (out.Items ?? []).map(viewOf);
  };

  return {
    async get(id) {
      const out = await db.send(new GetCommand({ TableName: table, Key: keys.view(id), ConsistentRead: true }));
      return out.Item ? viewOf(out.Item) : undefined;
    },

    async listFor(user, team) {
      const [mine, shared] = await Promise.all([
        query(keys.userView(user, '').pk),
        team ? query(keys.teamView(team, '').pk) : [],
      ]);
      const byId = new Map([...shared, ...mine].map((v) => [v.id, v]));
      return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
    },

    async put(view, before) {
      const kept = new Set(copies(view).map((k) => `${k.pk}|${k.sk}`));
      const items: NamedItem[] = [
        {
          name: 'view',
          Put: {
            TableName: table,
            Item: { ...keys.view(view.id), type: 'view', ...view },
            ConditionExpression: before ? 'version = :v' : 'attribute_not_exists(pk)',
            ExpressionAttributeValues: before ? { ':v': before.version } : undefined,
          },
        },
        ...copies(view).map((key) => ({
          name: 'copy',
          Put: { TableName: table, Item: { ...key, type: 'view', ...view } },
        })),
        ...(before ? copies(before) : [])
          .filter((k) => !kept.has(`${k.pk}|${k.sk}`))
          .map((key) => ({ name: 'copy', Delete: { TableName: table, Key: key } })),
      ];
      const out = await transaction(db, items);
      if (out.written) return true;
      if (out.failed.includes('view')) return false;
      throw out.error;
    },

    async delete(view) {
      const out = await transaction(db, [
        {
          name: 'view',
          Delete: {
            TableName: table,
            Key: keys.view(view.id),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': view.version },
          },
        },
        ...copies(view).map((key) => ({ name: 'copy', Delete: { TableName: table, Key: key } })),
      ]);
      if (out.written) return true;
      if (out.failed.includes('view')) return false;
      throw out.error;
    },
  };
};
