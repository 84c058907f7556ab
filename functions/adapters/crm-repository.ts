import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, Contact, Opportunity } from '../core/conversion/crm-records';
import type { CrmStore } from '../core/conversion/opportunity-moves';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { transaction } from './transaction';

const STORAGE_FIELDS = new Set(['pk', 'sk', 'type']);

/** An item as its record: keys dropped, DynamoDB string sets as sorted arrays. */
export const recordOf = <T>(item: Record<string, unknown>): T =>
  Object.fromEntries(
    Object.entries(item)
      .filter(([k]) => !STORAGE_FIELDS.has(k))
      .map(([k, v]) => [k, v instanceof Set ? [...v].sort() : v]),
  ) as T;

export const makeCrmRepository = (db: DynamoDBDocumentClient, table: string): CrmStore => {
  const get = async (key: { pk: string; sk: string }) =>
    (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  return {
    opportunity: async (id) => {
      const item = await get(keys.opportunity(id));
      return item ? recordOf<Opportunity>(item) : undefined;
    },
    account: async (id) => {
      const item = await get(keys.account(id));
      if (!item) return undefined;
      const account = recordOf<Account>(item);
      return { ...account, contactIds: account.contactIds ?? [], opportunityIds: account.opportunityIds ?? [] };
    },
    contact: async (id) => {
      const item = await get(keys.contact(id));
      if (!item) return undefined;
      const contact = recordOf<Contact>(item);
      return { ...contact, leadIds: contact.leadIds ?? [], opportunityIds: contact.opportunityIds ?? [] };
    },
    lead: async (id) => {
      const item = await get(keys.lead(id));
      return item ? leadFromItem(item) : undefined;
    },
    async saveMove(from, to, audit) {
      const out = await transaction(db, [
        {
          name: 'opportunity',
          Put: {
            TableName: table,
            Item: { ...keys.opportunity(to.id), type: 'opportunity', ...to },
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': from.version },
          },
        },
        // On the lead's partition: the opportunity's history is part of the lead's feed.
        {
          name: 'audit',
          Put: {
            TableName: table,
            Item: {
              ...keys.feedEntry(to.leadId, audit.at, 'O', `${to.id}-${to.version}`),
              type: 'audit',
              leadId: to.leadId,
              ...audit,
            },
          },
        },
      ]);
      if (out.written) return true;
      if (out.failed.includes('opportunity')) return false;
      throw out.error;
    },
  };
};
