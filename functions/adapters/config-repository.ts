import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ConfigDocument, ConfigStore } from '../core/config/config-document';
import { ConflictError } from '../core/errors';
import { keys } from './keys';
import { transaction } from './transaction';

const CACHE_MS = 2000;

/**
 * Versioned configuration in the lead table: CURRENT holds the live document, V#n every version
 * (so a lead can say which routing version placed it). Reads are cached briefly per process.
 */
export const makeConfigRepository = (
  db: DynamoDBDocumentClient,
  table: string,
  { cacheMs = CACHE_MS } = {},
): ConfigStore => {
  const cache = new Map<string, { doc: ConfigDocument<unknown> | undefined; at: number }>();
  return {
    async get<T>(name: string) {
      const hit = cache.get(name);
      if (hit && Date.now() - hit.at < cacheMs) return hit.doc as ConfigDocument<T> | undefined;
      const out = await db.send(new GetCommand({ TableName: table, Key: keys.config(name), ConsistentRead: true }));
      const doc = out.Item
        ? ({
            name,
            version: out.Item.version,
            value: out.Item.value,
            updatedAt: out.Item.updatedAt,
            updatedBy: out.Item.updatedBy,
          } as ConfigDocument<T>)
        : undefined;
      cache.set(name, { doc, at: Date.now() });
      return doc;
    },
    async put<T>(name: string, value: T, expectedVersion: number, updatedBy: string, at: string) {
      const doc: ConfigDocument<T> = { name, version: expectedVersion + 1, value, updatedAt: at, updatedBy };
      const out = await transaction(db, [
        {
          name: 'config',
          Put: {
            TableName: table,
            Item: { ...keys.config(name), type: 'config', ...doc },
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
            ExpressionAttributeValues: expectedVersion === 0 ? undefined : { ':expected': expectedVersion },
          },
        },
        {
          name: 'version',
          Put: { TableName: table, Item: { ...keys.configVersion(name, doc.version), type: 'config-version', ...doc } },
        },
      ]);
      if (!out.written)
        throw new ConflictError(
          `configuration '${name}' was changed by someone else; reload it (you sent version ${expectedVersion})`,
        );
      cache.set(name, { doc, at: Date.now() });
      return doc;
    },
    async history<T>(name: string, limit: number) {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': keys.config(name).pk, ':v': 'V#' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map(
        (i) =>
          ({
            name,
            version: i.version,
            value: i.value,
            updatedAt: i.updatedAt,
            updatedBy: i.updatedBy,
          }) as ConfigDocument<T>,
      );
    },
  };
};
