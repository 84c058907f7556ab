import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SourceAuditLog } from '../core/webhook-secret-rotation';
import { keys } from './keys';

/** The sources' audit trail in the lead table: `SOURCE#<id>` / `AUDIT#<at>#<id>`, one item per rotation. */
export const makeSourceAuditRepository = (db: DynamoDBDocumentClient, table: string): SourceAuditLog => ({
  async recordRotation(rotation) {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.sourceAudit(rotation.sourceId, rotation.at, rotation.rotationId), type: 'source-audit', action: 'webhook-secret-rotated', ...rotation },
        // A retried write of the same rotation changes nothing.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ).catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
  },
  async lastRotations(sourceIds) {
    const found = await Promise.all(
      sourceIds.map(async (sourceId) => {
        const out = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
            FilterExpression: '#action = :rotated',
            ExpressionAttributeNames: { '#action': 'action' },
            ExpressionAttributeValues: { ':pk': keys.sourceAudit(sourceId, '', '').pk, ':audit': 'AUDIT#', ':rotated': 'webhook-secret-rotated' },
            // Newest first; a source has few audit entries, so the first page holds them.
            ScanIndexForward: false,
          }),
        );
        const item = out.Items?.[0];
        return item ? ([sourceId, { sourceId, rotationId: String(item.rotationId), at: String(item.at), by: String(item.by), previousValidUntil: String(item.previousValidUntil) }] as const) : undefined;
      }),
    );
    return new Map(found.filter((f) => f !== undefined));
  },
});
