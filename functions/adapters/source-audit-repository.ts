import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors';
import type { SecretRotation, SourceAuditLog } from '../core/webhook-secret-rotation';
import { keys } from './keys';
import { transaction } from './transaction';

const rotationOf = (item: Record<string, unknown> | undefined): SecretRotation | undefined =>
  item
    ? {
        sourceId: String(item.sourceId),
        rotationId: String(item.rotationId),
        at: String(item.at),
        by: String(item.by),
        previousValidUntil: String(item.previousValidUntil),
      }
    : undefined;

/**
 * The sources' secret rotations in the lead table: `SOURCE#<id>` / `SECRET` holds the latest (its
 * `rotationId` is the version a new rotation must have seen), `SOURCE#<id>` / `AUDIT#<at>#<rotationId>`
 * one entry per rotation, and one more when a rotation failed.
 */
export const makeSourceAuditRepository = (db: DynamoDBDocumentClient, table: string): SourceAuditLog => ({
  async lastRotation(sourceId) {
    const out = await db.send(
      new GetCommand({ TableName: table, Key: keys.sourceSecret(sourceId), ConsistentRead: true }),
    );
    return rotationOf(out.Item);
  },
  async lastRotations(sourceIds) {
    if (sourceIds.length === 0) return new Map();
    // At most 100 keys per BatchGet; sources are configuration, far fewer.
    const out = await db.send(
      new BatchGetCommand({
        RequestItems: { [table]: { Keys: sourceIds.slice(0, 100).map((id) => keys.sourceSecret(id)) } },
      }),
    );
    const found = (out.Responses?.[table] ?? []).map((item) => rotationOf(item)).filter((r) => r !== undefined);
    return new Map(found.map((r) => [r.sourceId, r]));
  },
  async beginRotation(rotation, seenRotationId) {
    const out = await transaction(db, [
      {
        name: 'secret',
        Put: {
          TableName: table,
          Item: { ...keys.sourceSecret(rotation.sourceId), type: 'source-secret', ...rotation },
          ConditionExpression: seenRotationId === undefined ? 'attribute_not_exists(pk)' : 'rotationId = :seen',
          ExpressionAttributeValues: seenRotationId === undefined ? undefined : { ':seen': seenRotationId },
        },
      },
      {
        name: 'audit',
        Put: {
          TableName: table,
          Item: {
            ...keys.sourceAudit(rotation.sourceId, rotation.at, rotation.rotationId),
            type: 'source-audit',
            action: 'webhook-secret-rotated',
            ...rotation,
          },
        },
      },
    ]);
    if (!out.written)
      throw new ConflictError(
        `Source '${rotation.sourceId}' was rotated by someone else just now; reload and decide again.`,
      );
  },
  async abandonRotation(rotation, previous, reason) {
    const restore = previous
      ? {
          Put: {
            TableName: table,
            Item: { ...keys.sourceSecret(rotation.sourceId), type: 'source-secret', ...previous },
            ConditionExpression: 'rotationId = :ours',
            ExpressionAttributeValues: { ':ours': rotation.rotationId },
          },
        }
      : {
          Delete: {
            TableName: table,
            Key: keys.sourceSecret(rotation.sourceId),
            ConditionExpression: 'rotationId = :ours',
            ExpressionAttributeValues: { ':ours': rotation.rotationId },
          },
        };
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          restore,
          {
            Put: {
              TableName: table,
              Item: {
                ...keys.sourceAudit(rotation.sourceId, new Date().toISOString(), `${rotation.rotationId}-failed`),
                type: 'source-audit',
                action: 'webhook-secret-rotation-failed',
                sourceId: rotation.sourceId,
                rotationId: rotation.rotationId,
                by: rotation.by,
                reason,
              },
            },
          },
        ],
      }),
    );
  },
});
