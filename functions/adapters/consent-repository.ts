import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors';
import type { ConsentRecord, ConsentStore } from '../core/privacy/consent';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { transaction } from './transaction';

const consentKey = (leadId: string, at: string, id: string) => ({ pk: `LEAD#${leadId}`, sk: `CONSENT#${at}#${id}` });

/** Consent records live on the lead's partition (`CONSENT#<at>#<id>`); the lead holds the current answer per purpose. */
export const makeConsentRepository = (db: DynamoDBDocumentClient, table: string): ConsentStore => ({
  async lead(id) {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.lead(id), ConsistentRead: true }));
    return out.Item ? leadFromItem(out.Item) : undefined;
  },
  async records(leadId) {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.lead(leadId).pk, ':prefix': 'CONSENT#' },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map(({ pk: _pk, sk: _sk, type: _type, ...r }) => r as ConsentRecord);
  },
  async record(lead, record) {
    const consents = {
      ...(lead.consents ?? {}),
      [record.purpose]: { granted: record.granted, at: record.at, recordId: record.id },
    };
    const out = await transaction(db, [
      {
        name: 'consent',
        Put: {
          TableName: table,
          Item: { ...consentKey(lead.id, record.at, record.id), type: 'consent', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        name: 'lead',
        Update: {
          TableName: table,
          Key: keys.lead(lead.id),
          UpdateExpression: 'SET consents = :consents, #version = :next, updatedAt = :at',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: {
            ':consents': consents,
            ':next': lead.version + 1,
            ':version': lead.version,
            ':at': record.at,
          },
        },
      },
      {
        name: 'audit',
        Put: {
          TableName: table,
          Item: {
            ...keys.audit(lead.id, record.at, `consent-${record.id}`),
            type: 'audit',
            leadId: lead.id,
            at: record.at,
            actor: record.recordedBy,
            action: record.granted ? 'consent-given' : 'consent-withdrawn',
            data: { consentId: record.id, purpose: record.purpose },
          },
        },
      },
    ]);
    if (!out.written) {
      if (out.failed.includes('lead')) throw new ConflictError('the lead changed meanwhile; send the consent again');
      throw out.error;
    }
    return { ...lead, consents, version: lead.version + 1, updatedAt: record.at };
  },
});
