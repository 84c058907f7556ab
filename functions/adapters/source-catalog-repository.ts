import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { ConflictError } from '../core/errors';
import type { SourceCatalogStore, SourceRecord } from '../core/source-catalog';
import type { SourceConfig } from '../core/sources';
import { keys } from './keys';
import { transaction } from './transaction';
import { queryAllItems } from './query-all';

const recordOf = (item: Record<string, unknown>): SourceRecord => ({
  id: String(item.sourceId),
  version: Number(item.version),
  status: item.status === 'retired' ? 'retired' : 'active',
  config: item.config as SourceConfig,
  updatedAt: String(item.updatedAt),
  updatedBy: String(item.updatedBy),
  change: item.change as SourceRecord['change'],
});

const fieldsOf = (r: SourceRecord) => ({
  sourceId: r.id,
  version: r.version,
  status: r.status,
  config: r.config,
  updatedAt: r.updatedAt,
  updatedBy: r.updatedBy,
  change: r.change,
});

/**
 * Run-time sources in the lead table: `SOURCES` / `SOURCE#<id>` the current version of each (one
 * partition: the capture functions list them in one Query), `SOURCE#<id>` / `V#<n>` every version,
 * and `SOURCE#<id>` / `AUDIT#<at>#v<n>-<ulid>` one audit entry per change, beside the secret rotations'.
 * The three are written in one transaction, conditional on the version the writer read.
 */
export const makeSourceCatalogRepository = (db: DynamoDBDocumentClient, table: string): SourceCatalogStore => ({
  async list({ consistent = false } = {}) {
    const items = await queryAllItems(db, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':pk': keys.sourceCurrent('x').pk, ':s': 'SOURCE#' },
      ConsistentRead: consistent,
    });
    return items.map(recordOf);
  },
  async get(id) {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.sourceCurrent(id), ConsistentRead: true }));
    return out.Item ? recordOf(out.Item) : undefined;
  },
  async save(record) {
    const expected = record.version - 1;
    const out = await transaction(db, [
      {
        name: 'current',
        Put: {
          TableName: table,
          Item: { ...keys.sourceCurrent(record.id), type: 'source', ...fieldsOf(record) },
          ConditionExpression: expected === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
          ExpressionAttributeValues: expected === 0 ? undefined : { ':expected': expected },
        },
      },
      {
        name: 'version',
        Put: {
          TableName: table,
          Item: { ...keys.sourceVersion(record.id, record.version), type: 'source-version', ...fieldsOf(record) },
        },
      },
      {
        name: 'audit',
        Put: {
          TableName: table,
          Item: {
            ...keys.sourceAudit(record.id, record.updatedAt, `v${record.version}-${ulid()}`),
            type: 'source-audit',
            action: `source-${record.change}`,
            sourceId: record.id,
            version: record.version,
            by: record.updatedBy,
            at: record.updatedAt,
          },
        },
      },
    ]);
    if (!out.written)
      throw new ConflictError(
        `Source '${record.id}' was changed by someone else just now (you sent version ${expected}); reload and decide again`,
        { issues: [{ field: 'version', reason: 'no longer the current version' }] },
      );
  },
  async abandonCreate(record, reason) {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table,
              Key: keys.sourceCurrent(record.id),
              ConditionExpression: 'version = :v AND updatedAt = :at',
              ExpressionAttributeValues: { ':v': record.version, ':at': record.updatedAt },
            },
          },
          { Delete: { TableName: table, Key: keys.sourceVersion(record.id, record.version) } },
          {
            Put: {
              TableName: table,
              Item: {
                ...keys.sourceAudit(record.id, new Date().toISOString(), `v${record.version}-failed-${ulid()}`),
                type: 'source-audit',
                action: 'source-creation-failed',
                sourceId: record.id,
                version: record.version,
                by: record.updatedBy,
                reason,
              },
            },
          },
        ],
      }),
    );
  },
  async history(id, limit) {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': keys.sourceVersion(id, 0).pk, ':v': 'V#' },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map(recordOf);
  },
});
