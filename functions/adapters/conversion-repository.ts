import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type ConfigStore, readConfig } from '../core/config/config-document';
import type { ConversionResult } from '../core/conversion/crm-records';
import { opportunityMappingKind } from '../core/conversion/opportunity-mapping';
import { opportunityStagesKind } from '../core/conversion/opportunity-stages';
import {
  type ContactWrite,
  dedupeKeysOfLead,
  type ExistingRecords,
  type BlockLink,
  type KeyLink,
  planContactConversion,
  planConversion,
  planQuoteCustomer,
  settledConversion,
} from '../core/conversion/plan-conversion';
import { ConflictError, NotFoundError } from '../core/errors';
import type { Actor, AuditEntry, Lead } from '../core/lead';
import type { ConversionPort } from '../core/lifecycle/ports';
import { makeConfigRepository } from './config-repository';
import { addLeadToBlock } from './dedupe-key-items';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { type NamedItem, transaction } from './transaction';

export type ConvertRequest = { leadId: string; actor: Actor; at: string };

type KeyItem = { pk: string; contactId?: string; accountId?: string };

const ATTEMPTS = 4;

/**
 * The reads and writes conversion is made of, shared with the quick quote (which creates the same
 * account and contact before the lead converts): the lead, the records it links to, and the items
 * that create or link a contact and point the dedupe keys at it.
 */
export const makeConversionWrites = (db: DynamoDBDocumentClient, table: string) => {
  const getLead = async (leadId: string) => {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.lead(leadId), ConsistentRead: true }));
    if (!out.Item) throw new NotFoundError('lead', leadId);
    return leadFromItem(out.Item);
  };

  const batchGet = async (wanted: { pk: string; sk: string }[]) => {
    const unique = [...new Map(wanted.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
    if (unique.length === 0) return new Map<string, Record<string, unknown>>();
    const out = await db.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: unique, ConsistentRead: true } } }),
    );
    return new Map((out.Responses?.[table] ?? []).map((item) => [String(item.pk), item]));
  };

  /** Which existing account and contact this lead links to: what capture associated first, then the key items. */
  const resolveLinks = async (lead: Lead): Promise<ExistingRecords> => {
    const leadKeys = dedupeKeysOfLead(lead);
    const keyItems = await batchGet(leadKeys.map(keys.dedupe));
    const held = leadKeys.map((key) => ({ key, item: keyItems.get(keys.dedupe(key).pk) as KeyItem | undefined }));
    const accountCandidates = [
      lead.associatedAccountId,
      ...held.filter((h) => h.key.on === 'domain').map((h) => h.item?.accountId),
    ].filter((v): v is string => Boolean(v));
    const contactCandidates = [
      lead.associatedContactId,
      ...held.filter((h) => h.key.on !== 'domain').map((h) => h.item?.contactId),
    ].filter((v): v is string => Boolean(v));
    const records = await batchGet([...accountCandidates.map(keys.account), ...contactCandidates.map(keys.contact)]);
    const accountId = accountCandidates.find((id) => records.has(keys.account(id).pk));
    const contactId = contactCandidates.find((id) => records.has(keys.contact(id).pk));
    return { accountId, contactId };
  };

  const auditPut = (leadId: string, entry: AuditEntry, seq: string): NamedItem => ({
    name: 'audit',
    Put: {
      TableName: table,
      Item: { ...keys.audit(leadId, entry.at, seq), type: 'audit', leadId, ...entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  /** Create the contact, or link the existing one to this lead (and opportunity). */
  const contactWrite = (write: ContactWrite, at: string): NamedItem => {
    if ('link' in write) {
      const { id, leadId, opportunityId, accountId } = write.link;
      return {
        name: 'contact',
        Update: {
          TableName: table,
          Key: keys.contact(id),
          UpdateExpression: `ADD leadIds :lead${opportunityId ? ', opportunityIds :opp' : ''} SET updatedAt = :at${accountId ? ', accountId = if_not_exists(accountId, :account)' : ''}`,
          ExpressionAttributeValues: {
            ':lead': new Set([leadId]),
            ...(opportunityId ? { ':opp': new Set([opportunityId]) } : {}),
            ...(accountId ? { ':account': accountId } : {}),
            ':at': at,
          },
          ConditionExpression: 'attribute_exists(pk)',
        },
      };
    }
    const contact = write.create;
    return {
      name: 'contact',
      Put: {
        TableName: table,
        Item: {
          ...keys.contact(contact.id),
          type: 'contact',
          ...contact,
          leadIds: new Set(contact.leadIds),
          opportunityIds: contact.opportunityIds.length > 0 ? new Set(contact.opportunityIds) : undefined,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  };

  /** Point the lead's email/phone key items at the contact and its domain key item at the account. */
  const keyWrites = (links: KeyLink[]): NamedItem[] =>
    links.map(({ key, attribute, id }) => ({
      name: 'key',
      Update: {
        TableName: table,
        Key: keys.dedupe(key),
        UpdateExpression: 'SET #attr = :id, #type = :type, #on = :on, #value = :value',
        ExpressionAttributeNames: { '#attr': attribute, '#type': 'type', '#on': 'on', '#value': 'value' },
        ExpressionAttributeValues: { ':id': id, ':type': 'dedupe-key', ':on': key.on, ':value': key.value },
      },
    }));

  /** The lead's blocking key items learn its contact and account (its fingerprint again, with their ids). */
  const blockWrites = (links: readonly BlockLink[] = []): NamedItem[] =>
    links.map(({ key, fingerprint }) => ({ name: 'block', ...addLeadToBlock(table, key, fingerprint) }));

  return { getLead, resolveLinks, auditPut, contactWrite, keyWrites, blockWrites };
};

/**
 * Conversion of a lead into account, contact and opportunity, in ONE transaction. Called by the
 * lifecycle's workflow step once approvals pass (and retried by it): every record id derives from the
 * lead id and every put is conditional, so a retry or a race ends with the same opportunity.
 */
export const makeConversion = (
  db: DynamoDBDocumentClient,
  table: string,
  config: ConfigStore = makeConfigRepository(db, table),
): ConversionPort => {
  const { getLead, resolveLinks, auditPut, contactWrite, keyWrites, blockWrites } = makeConversionWrites(db, table);

  const convertOnce = async ({ leadId, actor, at }: ConvertRequest): Promise<ConversionResult | 'retry'> => {
    const lead = await getLead(leadId);
    // An answered or refused conversion reads nothing more.
    const settled = settledConversion(lead);
    if (settled) return settled;
    const [existing, stages, mapping] = await Promise.all([
      resolveLinks(lead),
      readConfig(config, opportunityStagesKind),
      readConfig(config, opportunityMappingKind),
    ]);
    const plan = planConversion(lead, { stages: stages.value, mapping: mapping.value }, existing, { actor, at });
    if ('alreadyConverted' in plan) return plan.alreadyConverted;

    const items: NamedItem[] = [
      {
        name: 'opportunity',
        Put: {
          TableName: table,
          Item: { ...keys.opportunity(plan.opportunity.id), type: 'opportunity', ...plan.opportunity },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    if (plan.account && 'link' in plan.account) {
      const { id, contactId, opportunityId } = plan.account.link;
      items.push({
        name: 'account',
        Update: {
          TableName: table,
          Key: keys.account(id),
          UpdateExpression: 'ADD contactIds :contact, opportunityIds :opp SET updatedAt = :at',
          ExpressionAttributeValues: { ':contact': new Set([contactId]), ':opp': new Set([opportunityId]), ':at': at },
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
    } else if (plan.account) {
      const account = plan.account.create;
      items.push({
        name: 'account',
        Put: {
          TableName: table,
          Item: {
            ...keys.account(account.id),
            type: 'account',
            ...account,
            contactIds: new Set(account.contactIds),
            opportunityIds: new Set(account.opportunityIds),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    items.push(contactWrite(plan.contact, at));
    items.push(...keyWrites(plan.keyLinks), ...blockWrites(plan.blockLinks));
    const converted = keys.stageIndex('Converted', plan.lead.createdAt, plan.lead.id);
    const { accountId } = plan.lead;
    items.push({
      name: 'lead',
      Update: {
        TableName: table,
        Key: keys.lead(leadId),
        UpdateExpression:
          'SET #stage = :stage, opportunityId = :opp, contactId = :contact, #version = :next, updatedAt = :at, stageEnteredAt = :at, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk' +
          (accountId ? ', accountId = :account' : '') +
          ' REMOVE stageDeadline, taskToken',
        ConditionExpression: '#version = :version AND attribute_not_exists(opportunityId)',
        ExpressionAttributeNames: { '#stage': 'stage', '#version': 'version' },
        ExpressionAttributeValues: {
          ':stage': 'Converted',
          ':opp': plan.lead.opportunityId,
          ':contact': plan.lead.contactId,
          ':next': plan.lead.version + 1,
          ':version': plan.lead.version,
          ':at': at,
          ':gsi2pk': converted.gsi2pk,
          ':gsi2sk': converted.gsi2sk,
          ...(accountId ? { ':account': accountId } : {}),
        },
      },
    });
    items.push(auditPut(leadId, plan.audit, 'CONV'));

    const out = await transaction(db, items);
    if (out.written) return plan.result;
    // A lost race (the version moved, the other writer converted first, a record appeared): plan again.
    if (out.failed.length > 0) return 'retry';
    throw out.error;
  };

  const toContactOnce = async ({ leadId, actor, at }: ConvertRequest): Promise<{ contactId: string } | 'retry'> => {
    const lead = await getLead(leadId);
    const plan = planContactConversion(lead, lead.contactId ? {} : await resolveLinks(lead), { actor, at });
    if ('alreadyConverted' in plan) return { contactId: plan.contactId };
    const items: NamedItem[] = [
      contactWrite(plan.contact, at),
      ...keyWrites(plan.keyLinks),
      ...blockWrites(plan.blockLinks),
      {
        name: 'lead',
        Update: {
          TableName: table,
          Key: keys.lead(leadId),
          UpdateExpression: 'SET contactId = :contact, updatedAt = :at, #version = :next',
          ConditionExpression: '#version = :version AND attribute_not_exists(contactId)',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: {
            ':contact': plan.lead.contactId,
            ':at': at,
            ':next': plan.lead.version + 1,
            ':version': plan.lead.version,
          },
        },
      },
      auditPut(leadId, plan.audit, 'CONT'),
    ];
    if (plan.accountLink) {
      items.push({
        name: 'account',
        Update: {
          TableName: table,
          Key: keys.account(plan.accountLink.id),
          UpdateExpression: 'ADD contactIds :contact SET updatedAt = :at',
          ExpressionAttributeValues: { ':contact': new Set([plan.accountLink.contactId]), ':at': at },
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
    }
    const out = await transaction(db, items);
    if (out.written) return { contactId: plan.contactId };
    if (out.failed.length > 0) return 'retry';
    throw out.error;
  };

  /** A lost race (version moved, the other writer converted first) is re-read and answered from the table. */
  const withRetries = async <T>(run: () => Promise<T | 'retry'>, what: string): Promise<T> => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const result = await run();
      if (result !== 'retry') return result;
    }
    throw new ConflictError(`${what} kept losing to concurrent changes; try again`);
  };

  return {
    /** Lead → (account) + contact + opportunity. Idempotent: a second call answers `alreadyConverted: true`. */
    convert: (request: ConvertRequest) =>
      withRetries(() => convertOnce(request), `converting lead '${request.leadId}'`),
    /** A disqualified lead kept as a contact (created, or linked to the one its email/phone already has). */
    convertToContact: (request: ConvertRequest) =>
      withRetries(() => toContactOnce(request), `converting lead '${request.leadId}' to a contact`),
  };
};

/**
 * The customer of a quick quote: the lead's account (B2B) and contact, created or linked exactly as
 * conversion would, in one transaction with the lead's new `associated…Id` (conditional on its version;
 * a lost race plans again). A lead that already links to existing records writes nothing.
 */
export const makeQuoteCustomers = (db: DynamoDBDocumentClient, table: string) => {
  const { getLead, resolveLinks, auditPut, contactWrite, keyWrites, blockWrites } = makeConversionWrites(db, table);
  const once = async (
    leadId: string,
    actor: Actor,
    at: string,
  ): Promise<{ contactId: string; accountId?: string } | 'retry'> => {
    const lead = await getLead(leadId);
    const plan = planQuoteCustomer(lead, lead.contactId ? {} : await resolveLinks(lead), { actor, at });
    if (!plan.writes) return { contactId: plan.contactId, accountId: plan.accountId };
    const w = plan.writes;
    const items: NamedItem[] = [contactWrite(w.contact, at), ...keyWrites(w.keyLinks), ...blockWrites(w.blockLinks)];
    if (w.account && 'create' in w.account) {
      const { opportunityIds: _none, ...account } = w.account.create;
      items.push({
        name: 'account',
        Put: {
          TableName: table,
          Item: { ...keys.account(account.id), type: 'account', ...account, contactIds: new Set(account.contactIds) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    } else if (w.account) {
      items.push({
        name: 'account',
        Update: {
          TableName: table,
          Key: keys.account(w.account.link.id),
          UpdateExpression: 'ADD contactIds :contact SET updatedAt = :at',
          ExpressionAttributeValues: { ':contact': new Set([w.account.link.contactId]), ':at': at },
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
    }
    items.push({
      name: 'lead',
      Update: {
        TableName: table,
        Key: keys.lead(leadId),
        UpdateExpression: `SET associatedContactId = :contact, updatedAt = :at, #version = :next${w.lead.associatedAccountId ? ', associatedAccountId = :account' : ''}`,
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: {
          ':contact': w.lead.associatedContactId,
          ':at': at,
          ':next': w.lead.version + 1,
          ':version': w.lead.version,
          ...(w.lead.associatedAccountId ? { ':account': w.lead.associatedAccountId } : {}),
        },
      },
    });
    items.push(auditPut(leadId, w.audit, 'CUST'));
    const out = await transaction(db, items, { retryConflicts: true });
    if (out.written) return { contactId: plan.contactId, accountId: plan.accountId };
    if (out.failed.length > 0) return 'retry';
    throw out.error;
  };
  return {
    /** The lead's customer records, created or linked once; a retry or a race ends with the same ids. */
    async ensureFor(leadId: string, actor: Actor, at: string): Promise<{ contactId: string; accountId?: string }> {
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const result = await once(leadId, actor, at);
        if (result !== 'retry') return result;
      }
      throw new ConflictError(`creating the customer of lead '${leadId}' kept losing to concurrent changes; try again`);
    },
  };
};
