import { blockingKeysOf, type DedupeKey, dedupeKeysOf } from '../dedupe';
import { type Fingerprint, fingerprintOf } from '../similarity';
import { ConflictError } from '../errors';
import type { Actor, AuditEntry, Lead } from '../lead';
import { type Account, type Contact, type ConversionResult, conversionIds, type Opportunity } from './crm-records';
import { mapOpportunityFields, type OpportunityMapping, opportunityName } from './opportunity-mapping';
import { firstStageOf, type OpportunityStageSets } from './opportunity-stages';

/** Who converts, and when. */
export type ConversionRequest = { actor: Actor; at: string };

/** The account and contact this lead already links to (what capture associated, or what its keys point at). */
export type ExistingRecords = { accountId?: string; contactId?: string };

export type ConversionConfig = { stages: OpportunityStageSets; mapping: OpportunityMapping };

/** A record to create, or an existing one this lead (and its opportunity) is linked to. */
export type AccountWrite = { create: Account } | { link: { id: string; contactId: string; opportunityId: string } };
export type ContactWrite =
  | { create: Contact }
  | { link: { id: string; leadId: string; opportunityId?: string; accountId?: string } };

/** A dedupe lookup item pointed at the contact (email, phone) or the account (company domain). */
export type KeyLink = { key: DedupeKey; attribute: 'accountId' | 'contactId'; id: string };

/**
 * A blocking key item gets the lead's fingerprint again, now naming its contact and account: a later
 * similar person (at or above `block`) is associated with them under the `associate` policy.
 */
export type BlockLink = { key: DedupeKey; fingerprint: Fingerprint };

/** Everything one conversion writes, in one transaction, each write conditional on what was read. */
export type ConversionPlan = {
  result: ConversionResult;
  opportunity: Opportunity;
  account?: AccountWrite;
  contact: ContactWrite;
  keyLinks: KeyLink[];
  blockLinks?: BlockLink[];
  /** The lead moves to Converted at `version + 1`, on condition it is still at `version` and unconverted. */
  lead: {
    id: string;
    version: number;
    createdAt: string;
    opportunityId: string;
    contactId: string;
    accountId?: string;
  };
  audit: AuditEntry;
};

export type ContactPlan = {
  contactId: string;
  contact: ContactWrite;
  /** An existing account gains this contact (B2B only). */
  accountLink?: { id: string; contactId: string };
  keyLinks: KeyLink[];
  blockLinks?: BlockLink[];
  lead: { id: string; version: number; contactId: string };
  audit: AuditEntry;
};

/** Dedupe lookups of a stored lead: its normalised email, phone and company domain. */
export const dedupeKeysOfLead = (lead: Lead): DedupeKey[] =>
  dedupeKeysOf({
    ...lead,
    emailDomain: lead.emailDomain,
    companyDomain: lead.companyDomain,
    freeMail: lead.freeMail ?? false,
  } as Parameters<typeof dedupeKeysOf>[0]);

const keyLinksOf = (lead: Lead, contactId: string, accountId?: string): KeyLink[] =>
  dedupeKeysOfLead(lead).flatMap((key): KeyLink[] => {
    const id = key.on === 'domain' ? accountId : contactId;
    return id ? [{ key, attribute: key.on === 'domain' ? 'accountId' : 'contactId', id }] : [];
  });

const blockLinksOf = (lead: Lead, contactId: string, accountId?: string): BlockLink[] => {
  const fingerprint: Fingerprint = { ...fingerprintOf(lead.id, lead), contactId, ...(accountId ? { accountId } : {}) };
  return blockingKeysOf(fingerprint).map((key) => ({ key, fingerprint }));
};

const newContact = (
  lead: Lead,
  id: string,
  { actor, at }: ConversionRequest,
  accountId?: string,
  opportunityId?: string,
): Contact => ({
  id,
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
});

/**
 * What a lead's conversion comes to before anything else is read: a converted lead answers what it
 * became; a Disqualified lead may not become an opportunity (only a contact, see
 * planContactConversion); any other lead is converted (undefined).
 */
export const settledConversion = (lead: Lead): ConversionResult | undefined => {
  if (lead.opportunityId && lead.contactId)
    return {
      opportunityId: lead.opportunityId,
      accountId: lead.accountId,
      contactId: lead.contactId,
      alreadyConverted: true,
    };
  if (lead.stage === 'Disqualified')
    throw new ConflictError(`lead '${lead.id}' is disqualified and cannot become an opportunity`, {
      stage: lead.stage,
    });
  return undefined;
};

/**
 * Lead → (account) + contact + opportunity. Every id derives from the lead id, so a retry plans the
 * same records. A lead already converted answers what it became; a Disqualified lead may not
 * become an opportunity (it may only be kept as a contact, see planContactConversion).
 */
export const planConversion = (
  lead: Lead,
  config: ConversionConfig,
  existing: ExistingRecords,
  request: ConversionRequest,
): { alreadyConverted: ConversionResult } | ConversionPlan => {
  const settled = settledConversion(lead);
  if (settled) return { alreadyConverted: settled };
  const { actor, at } = request;
  const ids = conversionIds(lead.id);
  const accountId = lead.leadType === 'B2B' ? (existing.accountId ?? ids.accountId) : undefined;
  const accountLinked = accountId !== undefined && accountId === existing.accountId;
  const contactId = existing.contactId ?? lead.contactId ?? ids.contactId;
  const contactLinked = Boolean(existing.contactId ?? lead.contactId);
  const first = firstStageOf(config.stages, lead.leadType);
  const opportunity: Opportunity = {
    id: ids.opportunityId,
    version: 1,
    name: opportunityName(lead, config.mapping.nameTemplate),
    leadId: lead.id,
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
    fields: mapOpportunityFields(lead, config.mapping),
    followers: lead.followers ?? [],
    createdAt: at,
    updatedAt: at,
    stageEnteredAt: at,
    createdBy: actor,
  };
  const account: AccountWrite | undefined = !accountId
    ? undefined
    : accountLinked
      ? { link: { id: accountId, contactId, opportunityId: opportunity.id } }
      : {
          create: {
            id: accountId,
            name: lead.company ?? lead.companyDomain ?? opportunity.name,
            domain: lead.companyDomain,
            country: lead.country,
            createdAt: at,
            createdBy: actor,
            createdFromLeadId: lead.id,
            contactIds: [contactId],
            opportunityIds: [opportunity.id],
          },
        };
  return {
    result: { opportunityId: opportunity.id, accountId, contactId, alreadyConverted: false },
    opportunity,
    account,
    contact: contactLinked
      ? { link: { id: contactId, leadId: lead.id, opportunityId: opportunity.id, accountId } }
      : { create: newContact(lead, contactId, request, accountId, opportunity.id) },
    keyLinks: keyLinksOf(lead, contactId, accountId),
    blockLinks: blockLinksOf(lead, contactId, accountId),
    lead: {
      id: lead.id,
      version: lead.version,
      createdAt: lead.createdAt,
      opportunityId: opportunity.id,
      contactId,
      accountId,
    },
    audit: {
      at,
      actor,
      action: 'converted',
      from: lead.stage,
      to: 'Converted',
      why: accountId ? `opportunity ${opportunity.id} for account ${accountId}` : `opportunity ${opportunity.id}`,
      data: { opportunityId: opportunity.id, accountId, contactId, accountLinked, contactLinked },
    },
  };
};

/**
 * A lead kept as a contact (a Disqualified lead's one way forward): created, or linked to the contact
 * its email or phone already has. A lead that already has its contact answers it.
 */
export const planContactConversion = (
  lead: Lead,
  existing: ExistingRecords,
  request: ConversionRequest,
): { contactId: string; alreadyConverted: true } | ContactPlan => {
  if (lead.contactId) return { contactId: lead.contactId, alreadyConverted: true };
  const { actor, at } = request;
  const contactId = existing.contactId ?? conversionIds(lead.id).contactId;
  const accountId = lead.leadType === 'B2B' ? existing.accountId : undefined;
  const contactLinked = Boolean(existing.contactId);
  return {
    contactId,
    contact: contactLinked
      ? { link: { id: contactId, leadId: lead.id, accountId } }
      : { create: newContact(lead, contactId, request, accountId) },
    accountLink: accountId ? { id: accountId, contactId } : undefined,
    keyLinks: keyLinksOf(lead, contactId),
    blockLinks: blockLinksOf(lead, contactId),
    lead: { id: lead.id, version: lead.version, contactId },
    audit: {
      at,
      actor,
      action: 'converted-to-contact',
      from: lead.stage,
      to: lead.stage,
      why: `contact ${contactId}`,
      data: { contactId, contactLinked },
    },
  };
};

/** The customer records a quote needs before its lead converts: the same ids and links conversion would use. */
export type CustomerPlan = {
  contactId: string;
  accountId?: string;
  /** Nothing to write: the lead already links to records that exist. */
  writes?: {
    contact: ContactWrite;
    /** Create the account, or add the contact to the existing one (B2B only). */
    account?: { create: Account } | { link: { id: string; contactId: string } };
    keyLinks: KeyLink[];
    blockLinks?: BlockLink[];
    /** The lead remembers them as its associated account and contact, so its conversion links instead of creating. */
    lead: { id: string; version: number; associatedContactId: string; associatedAccountId?: string };
    audit: AuditEntry;
  };
};

/**
 * A quick quote on a lead without customer master data: its account (B2B) and contact, created from
 * the lead exactly as {@link planConversion} would (same ids, same fields, same dedupe links) but with
 * no opportunity yet. The lead stores them as `associated…Id`, which conversion resolves first, so a
 * later conversion links these records instead of making a second pair. A converted lead answers its own.
 */
export const planQuoteCustomer = (lead: Lead, existing: ExistingRecords, request: ConversionRequest): CustomerPlan => {
  if (lead.contactId) return { contactId: lead.contactId, accountId: lead.accountId };
  const ids = conversionIds(lead.id);
  const accountId = lead.leadType === 'B2B' ? (existing.accountId ?? ids.accountId) : undefined;
  const contactId = existing.contactId ?? ids.contactId;
  const settled =
    existing.contactId === contactId &&
    lead.associatedContactId === contactId &&
    (accountId === undefined || (existing.accountId === accountId && lead.associatedAccountId === accountId));
  if (settled) return { contactId, accountId };
  const { actor, at } = request;
  const contact: ContactWrite = existing.contactId
    ? { link: { id: contactId, leadId: lead.id, accountId } }
    : { create: newContact(lead, contactId, request, accountId) };
  const account: NonNullable<CustomerPlan['writes']>['account'] = !accountId
    ? undefined
    : existing.accountId
      ? { link: { id: accountId, contactId } }
      : {
          create: {
            id: accountId,
            name:
              lead.company ??
              lead.companyDomain ??
              ([lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.id),
            domain: lead.companyDomain,
            country: lead.country,
            createdAt: at,
            createdBy: actor,
            createdFromLeadId: lead.id,
            contactIds: [contactId],
            opportunityIds: [],
          },
        };
  return {
    contactId,
    accountId,
    writes: {
      contact,
      account,
      keyLinks: keyLinksOf(lead, contactId, accountId),
      blockLinks: blockLinksOf(lead, contactId, accountId),
      lead: { id: lead.id, version: lead.version, associatedContactId: contactId, associatedAccountId: accountId },
      audit: {
        at,
        actor,
        action: 'customer-created',
        why: accountId
          ? `for a quote: contact ${contactId}, account ${accountId}`
          : `for a quote: contact ${contactId}`,
        data: {
          contactId,
          accountId,
          contactLinked: Boolean(existing.contactId),
          accountLinked: Boolean(existing.accountId),
        },
      },
    },
  };
};
