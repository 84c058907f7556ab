import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OutboundStore } from '../core/outbound/deliver';
import type { SubscriptionsStore } from '../core/outbound/ports';
import type { DeliveryRecord, StoredSubscription, Subscription } from '../core/outbound/subscriptions';
import { keys } from './keys';

/** Delivery history is for the console: kept 30 days. "Done" marks outlive any retry or DLQ redrive. */
const HISTORY_TTL_SECONDS = 30 * 24 * 3600;
/**
 * The subscriptions list stays fresh in a process for 5 s: the outbound consumer reads it for every event
 * (three per routed lead). Creating or removing one clears it for the whole process at once (locally every
 * function shares one process, so the next event sees it); other Lambda instances see it within 5 s.
 */
export const SUBSCRIPTIONS_CACHE_MS = 5000;

type Listed = { at: number; items: StoredSubscription[] };
const CACHE_KEY = Symbol.for('leadflow.subscriptionsCache');
/** Per table: the cached list and a change count, so a list read that raced a change is not kept. */
const processCache = (table: string) => {
  const g = globalThis as { [CACHE_KEY]?: Map<string, { listed?: Listed; changes: number }> };
  g[CACHE_KEY] ??= new Map();
  let entry = g[CACHE_KEY].get(table);
  if (!entry) {
    entry = { changes: 0 };
    g[CACHE_KEY].set(table, entry);
  }
  return entry;
};

/**
 * Subscriptions in one small partition (a handful per installation), their delivery history under
 * `SUBSCRIPTION#<id>`. The secret is stored with the subscription (the table is encrypted at rest)
 * and never returned after creation. The list is cached per process ({@link SUBSCRIPTIONS_CACHE_MS});
 * `cacheMs: 0` always reads it (the subscriptions API).
 */
export const makeSubscriptionsRepository = (
  db: DynamoDBDocumentClient,
  table: string,
  { cacheMs = SUBSCRIPTIONS_CACHE_MS } = {},
): SubscriptionsStore => {
  const cache = processCache(table);
  const changed = () => {
    cache.changes++;
    cache.listed = undefined;
  };
  const list = async (): Promise<StoredSubscription[]> => {
    const hit = cache.listed;
    if (cacheMs > 0 && hit && Date.now() - hit.at < cacheMs) return hit.items;
    const changesBefore = cache.changes;
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
        ExpressionAttributeValues: { ':pk': 'SUBSCRIPTION', ':sub': 'SUB#' },
      }),
    );
    const items = (out.Items ?? []).map(({ pk: _pk, sk: _sk, type: _type, ...s }) => s as StoredSubscription);
    if (cache.changes === changesBefore) cache.listed = { at: Date.now(), items };
    return items;
  };
  const ttl = () => Math.floor(Date.now() / 1000) + HISTORY_TTL_SECONDS;

  const store: OutboundStore = {
    subscriptions: list,
    async delivered(subscriptionIds, eventId) {
      const done = new Set<string>();
      // BatchGet takes 100 keys; installations have a handful of subscriptions.
      for (let i = 0; i < subscriptionIds.length; i += 100) {
        const wanted = subscriptionIds.slice(i, i + 100).map((id) => keys.delivered(id, eventId));
        const out = await db.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: wanted, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[table] ?? []) done.add(String(item.pk).slice('SUBSCRIPTION#'.length));
        // Unprocessed keys count as not delivered: at worst a subscriber gets a duplicate it can drop by webhook-id.
      }
      return done;
    },
    async record(delivery: DeliveryRecord) {
      const history = {
        ...keys.subscriptionDelivery(delivery.subscriptionId, delivery.at, delivery.eventId),
        type: 'webhook-delivery',
        ...delivery,
        expiresAt: ttl(),
      };
      if (delivery.outcome !== 'delivered') {
        await db.send(new PutCommand({ TableName: table, Item: history }));
        return;
      }
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: history } },
            {
              Put: {
                TableName: table,
                Item: {
                  ...keys.delivered(delivery.subscriptionId, delivery.eventId),
                  type: 'webhook-done',
                  at: delivery.at,
                  expiresAt: ttl(),
                },
              },
            },
          ],
        }),
      );
    },
  };

  return {
    ...store,
    async create(subscription: StoredSubscription) {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...keys.subscription(subscription.id), type: 'subscription', ...subscription },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      changed();
    },
    async get(id: string): Promise<Subscription | undefined> {
      const out = await db.send(new GetCommand({ TableName: table, Key: keys.subscription(id), ConsistentRead: true }));
      if (!out.Item) return undefined;
      const { pk: _pk, sk: _sk, type: _type, secret: _secret, ...subscription } = out.Item;
      return subscription as Subscription;
    },
    async remove(id: string): Promise<boolean> {
      const out = await db.send(
        new DeleteCommand({ TableName: table, Key: keys.subscription(id), ReturnValues: 'ALL_OLD' }),
      );
      changed();
      return Boolean(out.Attributes);
    },
    /** The latest attempts, newest first. */
    async lastDeliveries(id: string, limit = 10): Promise<DeliveryRecord[]> {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
          ExpressionAttributeValues: { ':pk': `SUBSCRIPTION#${id}`, ':d': 'DELIVERY#' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map(({ pk: _pk, sk: _sk, type: _type, expiresAt: _e, ...d }) => d as DeliveryRecord);
    },
  };
};
