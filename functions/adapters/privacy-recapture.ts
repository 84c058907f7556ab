import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type DedupeKey, dedupeKeysOf } from '../core/dedupe';
import type { NormalisedLead } from '../core/normalise';
import { keys } from './keys';
import type { KeyHasher } from './privacy-repository';
import { isSuppressed } from './suppression';
import { isConditionalCheckFailed } from './transaction';

/** What the privacy consumer needs to recognise an erased person captured again. */
export const makeRecaptureChecks = (db: DynamoDBDocumentClient, table: string, hashKey: KeyHasher) => ({
  async personKeysOf(leadId: string): Promise<DedupeKey[] | undefined> {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.lead(leadId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    return dedupeKeysOf(out.Item as NormalisedLead).filter((k) => k.on !== 'domain');
  },
  async isSuppressed(key: DedupeKey): Promise<boolean> {
    return isSuppressed(db, table, { on: key.on, hash: await hashKey(key) });
  },
  async flagPreviouslyErased(leadId: string, at: string): Promise<void> {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table,
                Key: keys.lead(leadId),
                UpdateExpression: 'SET previouslyErased = :yes, #version = #version + :one',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(previouslyErased)',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':yes': true, ':one': 1 },
              },
            },
            {
              Put: {
                TableName: table,
                Item: {
                  ...keys.audit(leadId, at, 'previously-erased'),
                  type: 'audit',
                  leadId,
                  at,
                  actor: { kind: 'system', id: 'privacy', source: 'WORKFLOW' },
                  action: 'previously-erased',
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      // Already flagged (a redelivered event), or the lead is gone.
      if ((error as Error).name === 'TransactionCanceledException' || isConditionalCheckFailed(error)) return;
      throw error;
    }
  },
});
