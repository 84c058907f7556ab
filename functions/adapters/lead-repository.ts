import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../core/errors';
import type { AuditEntry, Lead } from '../core/lead';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { TABLE } from './table-definition';

export type Page<T> = { items: T[]; cursor?: string };

const encodeCursor = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);
/** A cursor we did not hand out is a client error, not a silent restart from page one. */
const decodeCursor = (cursor: string | undefined): Record<string, unknown> | undefined => {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError([{ field: 'cursor', reason: 'not a cursor this API handed out; start again without it' }]);
};

export const makeLeadReader = (db: DynamoDBDocumentClient, table: string) => ({
  async get(id: string): Promise<(Lead & { taskToken?: string }) | undefined> {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.lead(id), ConsistentRead: true }));
    if (!out.Item) return undefined;
    return { ...leadFromItem(out.Item), taskToken: out.Item.taskToken as string | undefined };
  },

  /** The newest `limit` audit entries, oldest first (the feed pages through all of them). */
  async audit(id: string, limit = 200): Promise<AuditEntry[]> {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.lead(id).pk, ':prefix': 'AUDIT#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).reverse().map(({ pk: _pk, sk: _sk, type: _type, leadId: _leadId, ...entry }) => entry as AuditEntry);
  },

  /** Newest first through an index: by owner ("UNASSIGNED" for the queue) or by stage. */
  async list(by: { owner: string } | { stage: string }, limit: number, cursor?: string): Promise<Page<Lead>> {
    const index = 'owner' in by ? TABLE.indexes.byOwner : TABLE.indexes.byStage;
    const value = 'owner' in by ? `OWNER#${by.owner}` : `STAGE#${by.stage}`;
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':pk': value },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return { items: (out.Items ?? []).map(leadFromItem), cursor: encodeCursor(out.LastEvaluatedKey) };
  },
});
export type LeadReader = ReturnType<typeof makeLeadReader>;
