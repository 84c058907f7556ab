import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type ConfigStore, readConfig } from '../core/config/config-document';
import { type Account, type Contact, type ConversionResult, conversionIds, type Opportunity } from '../core/conversion/crm-records';
import { mapOpportunityFields, opportunityMappingKind, opportunityName } from '../core/conversion/opportunity-mapping';
import { firstStageOf, opportunityStagesKind } from '../core/conversion/opportunity-stages';
import { dedupeKeysOf } from '../core/dedupe';
import { ConflictError, NotFoundError } from '../core/errors';
import type { Actor, AuditEntry, Lead } from '../core/lead';
import type { ConversionPort } from '../core/lifecycle/ports';
import { makeConfigRepository } from './config-repository';
import { keys } from './keys';
import { leadFromItem } from './lead-item';
import { cancellationOf } from './transaction';

export type ConvertRequest = { leadId: string; actor: Actor; at: string };

type KeyItem = { pk: string; contactId?: string; accountId?: string };
type WriteItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const ATTEMPTS = 4;

/** Dedupe lookups of a stored lead: its normalised email, phone and company domain. */
const dedupeKeysOfLead = (lead: Lead) =>
  dedupeKeysOf({ ...lead, emailDomain: lead.emailDomain, companyDomain: lead.companyDomain, freeMail: lead.freeMail ?? false } as Parameters<typeof dedupeKeysOf>[0]);

/**
 * Conversion of a lead into account, contact and opportunity, in ONE transaction. Called by the
 * lifecycle's workflow step once approvals pass (and retried by it): every record id derives from the
 * lead id and every put is conditional, so a retry or a race ends with the same opportunity.
 */
export const makeConversion = (db: DynamoDBDocumentClient, table: string, config: ConfigStore = makeConfigRepository(db, table)): ConversionPort => {
  const getLead = async (leadId: string) => {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.lead(leadId), ConsistentRead: true }));
    if (!out.Item) throw new NotFoundError('lead', leadId);
    return leadFromItem(out.Item);
  };

  const batchGet = async (wanted: { pk: string; sk: string }[]) => {
    const unique = [...new Map(wanted.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
    if (unique.length === 0) return new Map<string, Record<string, unknown>>();
    const out = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: unique, ConsistentRead: true } } }));
    return new Map((out.Responses?.[table] ?? []).map((item) => [String(item.pk), item]));
  };

  /** Which existing account and contact this lead links to: what capture associated first, then the key items. */
  const resolveLinks = async (lead: Lead) => {
    const leadKeys = dedupeKeysOfLead(lead);
    const keyItems = await batchGet(leadKeys.map(keys.dedupe));
    const held = leadKeys.map((key) => ({ key, item: keyItems.get(keys.dedupe(key).pk) as KeyItem | undefined }));
    const accountCandidates = [lead.associatedAccountId, ...held.filter((h) => h.key.on === 'domain').map((h) => h.item?.accountId)].filter(
      (v): v is string => Boolean(v),
    );
    const contactCandidates = [lead.associatedContactId, ...held.filter((h) => h.key.on !== 'domain').map((h) => h.item?.contactId)].filter(
      (v): v is string => Boolean(v),
    );
    const records = await batchGet([...accountCandidates.map(keys.account), ...contactCandidates.map(keys.contact)]);
    const accountId = accountCandidates.find((id) => records.has(keys.account(id).pk));
    const contactId = contactCandidates.find((id) => records.has(keys.contact(id).pk));
    return { accountId, contactId };
  };

  const auditPut = (lead: Lead, entry: AuditEntry, seq: string): WriteItem => ({
    Put: {
      TableName: table,
      Item: { ...keys.audit(lead.id, entry.at, seq), type: 'audit', leadId: lead.id, ...entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  /** Create the contact, or link the existing one to this lead (and opportunity). */
  const contactWrite = (lead: Lead, contactId: string, existing: boolean, at: string, actor: Actor, accountId?: string, opportunityId?: string): WriteItem => {
    if (existing) {
      return {
        Update: {
          TableName: table,
          Key: keys.contact(contactId),
          UpdateExpression: `ADD leadIds :lead${opportunityId ? ', opportunityIds :opp' : ''} SET updatedAt = :at${accountId ? ', accountId = if_not_exists(accountId, :account)' : ''}`,
          ExpressionAttributeValues: {
            ':lead': new Set([lead.id]),
            ...(opportunityId ? { ':opp': new Set([opportunityId]) } : {}),
            ...(accountId ? { ':account': accountId } : {}),
            ':at': at,
          },
          ConditionExpression: 'attribute_exists(pk)',
        },
      };
    }
    const contact: Contact = {
      id: contactId,
      firstName: lead.firstName,
      lastName: lead.lastName,
      email: lead.email,
      phone: lead.phone,
      jobTitle: lead.jobTitle,
      country: lead.country,
      accountId,
      createdAt: at,
      createdBy: actor,
      leadIds: [lead.id],
      opportunityIds: opportunityId ? [opportunityId] : [],
    };
    return {
      Put: {
        TableName: table,
        Item: { ...keys.contact(contactId), type: 'contact', ...contact, leadIds: new Set(contact.leadIds), opportunityIds: opportunityId ? new Set([opportunityId]) : undefined },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  };

  /** Point the lead's email/phone key items at the contact and its domain key item at the account. */
  const keyWrites = (lead: Lead, contactId: string, accountId?: string): WriteItem[] =>
    dedupeKeysOfLead(lead).flatMap((key): WriteItem[] => {
      const id = key.on === 'domain' ? accountId : contactId;
      if (!id) return [];
      const attribute = key.on === 'domain' ? 'accountId' : 'contactId';
      return [
        {
          Update: {
            TableName: table,
            Key: keys.dedupe(key),
            UpdateExpression: 'SET #attr = :id, #type = :type, #on = :on, #value = :value',
            ExpressionAttributeNames: { '#attr': attribute, '#type': 'type', '#on': 'on', '#value': 'value' },
            ExpressionAttributeValues: { ':id': id, ':type': 'dedupe-key', ':on': key.on, ':value': key.value },
          },
        },
      ];
    });

  const cancelledOnCondition = (error: unknown) => (cancellationOf(error)?.failed.length ?? 0) > 0;

  const convertOnce = async ({ leadId, actor, at }: ConvertRequest): Promise<ConversionResult | 'retry'> => {
    const lead = await getLead(leadId);
    if (lead.opportunityId && lead.contactId) {
      return { opportunityId: lead.opportunityId, accountId: lead.accountId, contactId: lead.contactId, alreadyConverted: true };
    }
    if (lead.stage === 'Disqualified') throw new ConflictError(`lead '${leadId}' is disqualified and cannot become an opportunity`, { stage: lead.stage });

    const ids = conversionIds(leadId);
    const links = await resolveLinks(lead);
    const [stages, mapping] = await Promise.all([readConfig(config, opportunityStagesKind), readConfig(config, opportunityMappingKind)]);
    const b2b = lead.leadType === 'B2B';
    const accountId = b2b ? (links.accountId ?? ids.accountId) : undefined;
    const contactId = links.contactId ?? lead.contactId ?? ids.contactId;
    const contactExists = Boolean(links.contactId ?? lead.contactId);
    const first = firstStageOf(stages.value, lead.leadType);
    const opportunity: Opportunity = {
      id: ids.opportunityId,
      version: 1,
      name: opportunityName(lead, mapping.value.nameTemplate),
      leadId,
      leadType: lead.leadType,
      accountId,
      contactId,
      owner: lead.owner,
      team: lead.team,
      sourceId: lead.sourceId,
      campaign: lead.campaign,
      stageSet: lead.leadType,
      stage: first.name,
      probability: first.probability,
      fields: mapOpportunityFields(lead, mapping.value),
      followers: lead.followers ?? [],
      createdAt: at,
      updatedAt: at,
      stageEnteredAt: at,
      createdBy: actor,
    };

    const items: WriteItem[] = [
      { Put: { TableName: table, Item: { ...keys.opportunity(opportunity.id), type: 'opportunity', ...opportunity }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ];
    if (accountId && accountId === links.accountId) {
      items.push({
        Update: {
          TableName: table,
          Key: keys.account(accountId),
          UpdateExpression: 'ADD contactIds :contact, opportunityIds :opp SET updatedAt = :at',
          ExpressionAttributeValues: { ':contact': new Set([contactId]), ':opp': new Set([opportunity.id]), ':at': at },
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
    } else if (accountId) {
      const account: Account = {
        id: accountId,
        name: lead.company ?? lead.companyDomain ?? opportunity.name,
        domain: lead.companyDomain,
        country: lead.country,
        createdAt: at,
        createdBy: actor,
        createdFromLeadId: leadId,
        contactIds: [contactId],
        opportunityIds: [opportunity.id],
      };
      items.push({
        Put: {
          TableName: table,
          Item: { ...keys.account(accountId), type: 'account', ...account, contactIds: new Set(account.contactIds), opportunityIds: new Set(account.opportunityIds) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    items.push(contactWrite(lead, contactId, contactExists, at, actor, accountId, opportunity.id));
    items.push(...keyWrites(lead, contactId, accountId));
    const converted = keys.stageIndex('Converted', lead.createdAt, lead.id);
    items.push({
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
          ':opp': opportunity.id,
          ':contact': contactId,
          ':next': lead.version + 1,
          ':version': lead.version,
          ':at': at,
          ':gsi2pk': converted.gsi2pk,
          ':gsi2sk': converted.gsi2sk,
          ...(accountId ? { ':account': accountId } : {}),
        },
      },
    });
    items.push(
      auditPut(
        lead,
        {
          at,
          actor,
          action: 'converted',
          from: lead.stage,
          to: 'Converted',
          why: accountId ? `opportunity ${opportunity.id} for account ${accountId}` : `opportunity ${opportunity.id}`,
          data: { opportunityId: opportunity.id, accountId, contactId, accountLinked: accountId === links.accountId && Boolean(accountId), contactLinked: contactExists },
        },
        'CONV',
      ),
    );

    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return { opportunityId: opportunity.id, accountId, contactId, alreadyConverted: false };
    } catch (error) {
      if (cancelledOnCondition(error)) return 'retry';
      throw error;
    }
  };

  const toContactOnce = async ({ leadId, actor, at }: ConvertRequest): Promise<{ contactId: string } | 'retry'> => {
    const lead = await getLead(leadId);
    if (lead.contactId) return { contactId: lead.contactId };
    const links = await resolveLinks(lead);
    const contactId = links.contactId ?? conversionIds(leadId).contactId;
    const accountId = lead.leadType === 'B2B' ? links.accountId : undefined;
    const items: WriteItem[] = [
      contactWrite(lead, contactId, Boolean(links.contactId), at, actor, accountId),
      ...keyWrites(lead, contactId),
      {
        Update: {
          TableName: table,
          Key: keys.lead(leadId),
          UpdateExpression: 'SET contactId = :contact, updatedAt = :at, #version = :next',
          ConditionExpression: '#version = :version AND attribute_not_exists(contactId)',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':contact': contactId, ':at': at, ':next': lead.version + 1, ':version': lead.version },
        },
      },
      auditPut(lead, { at, actor, action: 'converted-to-contact', from: lead.stage, to: lead.stage, why: `contact ${contactId}`, data: { contactId, contactLinked: Boolean(links.contactId) } }, 'CONT'),
    ];
    if (accountId) {
      items.push({
        Update: {
          TableName: table,
          Key: keys.account(accountId),
          UpdateExpression: 'ADD contactIds :contact SET updatedAt = :at',
          ExpressionAttributeValues: { ':contact': new Set([contactId]), ':at': at },
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
    }
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return { contactId };
    } catch (error) {
      if (cancelledOnCondition(error)) return 'retry';
      throw error;
    }
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
    convert: (request: ConvertRequest) => withRetries(() => convertOnce(request), `converting lead '${request.leadId}'`),
    /** A disqualified lead kept as a contact (created, or linked to the one its email/phone already has). */
    convertToContact: (request: ConvertRequest) => withRetries(() => toContactOnce(request), `converting lead '${request.leadId}' to a contact`),
  };
};
