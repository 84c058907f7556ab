import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ConfigDocument, ConfigStore } from '../core/config/config-document';
import { ConflictError } from '../core/errors';
import { keys } from './keys';
import { transaction } from './transaction';

/**
 * How long a configuration document a function read stays fresh in its process: 5 s. Routing, teams, stages,
 * scoring, approvals, nurture, quotes and privacy settings are read by every lifecycle step and bus consumer
 * (about five reads per routed lead without it); with it a warm instance reads each document at most once per
 * 5 s, whatever the load. A change saved through the config API reaches warm instances on AWS within 5 s (a
 * sales-ops user who saves and then tries a lead sees it), and the instance that saved it (and, locally, every
 * function: they share one process) at once: a save updates the cache it writes through.
 */
export const CONFIG_CACHE_MS = 5000;

type Cached = { doc: ConfigDocument<unknown> | undefined; at: number };
const CACHE_KEY = Symbol.for('leadflow.configCache');
/**
 * One cache per process, keyed by table and document, shared by every repository instance and every function
 * module the process loads (a global, so module copies under test runners or the local runtime's containers
 * share it too): a save through any of them is what the next read in the process sees.
 */
const processCache = (): Map<string, Cached> => {
  const g = globalThis as { [CACHE_KEY]?: Map<string, Cached> };
  g[CACHE_KEY] ??= new Map();
  return g[CACHE_KEY];
};

/**
 * Keeps the newer of what is cached and what was just read or written: versions only grow, so a read that
 * started before a save and answers after it cannot put the older document back.
 */
const remember = (key: string, doc: ConfigDocument<unknown> | undefined, at: number) => {
  const cache = processCache();
  const held = cache.get(key)?.doc;
  if (held && (doc === undefined || held.version > doc.version)) return;
  cache.set(key, { doc, at });
};

/**
 * Versioned configuration in the lead table: CURRENT holds the live document, V#n every version
 * (so a lead can say which routing version placed it). Reads are cached per process for `cacheMs`
 * ({@link CONFIG_CACHE_MS}); `cacheMs: 0` always reads the table (the config API's own reads) and
 * refreshes the cache with what it found.
 */
export const makeConfigRepository = (
  db: DynamoDBDocumentClient,
  table: string,
  { cacheMs = CONFIG_CACHE_MS, now = Date.now }: { cacheMs?: number; now?: () => number } = {},
): ConfigStore => {
  const keyOf = (name: string) => `${table}\u0000${name}`;
  return {
    async get<T>(name: string) {
      const hit = processCache().get(keyOf(name));
      if (cacheMs > 0 && hit && now() - hit.at < cacheMs) return hit.doc as ConfigDocument<T> | undefined;
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
      remember(keyOf(name), doc, now());
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
      remember(keyOf(name), doc, now());
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
