import { createHmac, randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DedupeKey } from '../core/dedupe';
import type { HashedKey } from '../core/privacy/erasure';
import type { KeyHasher } from './privacy-repository';
import { privacyKeys } from './privacy-repository';
import { isConditionalCheckFailed } from './transaction';

const KEY_ITEM = { pk: 'PRIVACY#HMAC-KEY', sk: 'KEY' };

/**
 * The suppression list's hash: HMAC-SHA256 over `<on>:<value>` with a 256-bit key made once per
 * installation (the first erasure creates it; a racing second creation loses and reads the first).
 * Keyed, so the list cannot be reversed by hashing a dictionary of e-mails without the key.
 */
export const makeKeyHasher = (db: DynamoDBDocumentClient, table: string): KeyHasher => {
  let key: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    const read = async () =>
      (await db.send(new GetCommand({ TableName: table, Key: KEY_ITEM, ConsistentRead: true }))).Item?.secret as
        | string
        | undefined;
    const existing = await read();
    if (existing) return Buffer.from(existing, 'base64');
    const secret = randomBytes(32).toString('base64');
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...KEY_ITEM, type: 'privacy-hmac-key', secret },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return Buffer.from(secret, 'base64');
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return Buffer.from((await read()) as string, 'base64');
    }
  };
  return async (dedupeKey: DedupeKey) => {
    key ??= load().catch((error) => {
      key = undefined;
      throw error;
    });
    return createHmac('sha256', await key)
      .update(`${dedupeKey.on}:${dedupeKey.value}`)
      .digest('hex');
  };
};

/** Whether a key was erased before (a re-capture of an erased person). */
export const isSuppressed = async (db: DynamoDBDocumentClient, table: string, hash: HashedKey): Promise<boolean> =>
  Boolean(
    (await db.send(new GetCommand({ TableName: table, Key: privacyKeys.suppressed(hash), ConsistentRead: true }))).Item,
  );
