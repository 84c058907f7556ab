import type { Actor, LeadType } from '../lead';

/** A company leadflow sells to (B2B). Created or linked when a lead converts. */
export type Account = {
  id: string;
  name: string;
  domain?: string;
  country?: string;
  createdAt: string;
  createdBy: Actor;
  /** The lead whose conversion created it. */
  createdFromLeadId: string;
  contactIds: string[];
  opportunityIds: string[];
};

/** A person leadflow knows: from a converted lead, or from a disqualified one kept as a contact. */
export type Contact = {
  id: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  jobTitle?: string;
  country?: string;
  accountId?: string;
  createdAt: string;
  createdBy: Actor;
  leadIds: string[];
  opportunityIds: string[];
};

/** What a converted lead becomes: it moves along its stage set until it is won or lost. */
export type Opportunity = {
  id: string;
  version: number;
  name: string;
  leadId: string;
  leadType: LeadType;
  accountId?: string;
  contactId: string;
  owner?: string;
  team?: string;
  sourceId: string;
  campaign?: string;
  stageSet: LeadType;
  stage: string;
  probability: number;
  /** Fields copied from the lead by the configured mapping (amount, product, …). */
  fields: Record<string, string | number | boolean>;
  /** Followers of the lead at conversion; the opportunity's feed is the lead's feed. */
  followers: string[];
  createdAt: string;
  updatedAt: string;
  stageEnteredAt: string;
  createdBy: Actor;
};

export type ConversionResult = {
  opportunityId: string;
  accountId?: string;
  contactId: string;
  alreadyConverted: boolean;
};

/**
 * Ids derived from the lead id: a retried or racing conversion writes the same records, and the
 * conditional puts make the second writer see the first one's result.
 */
export const conversionIds = (leadId: string) => ({
  opportunityId: `opp-${leadId}`,
  accountId: `acc-${leadId}`,
  contactId: `con-${leadId}`,
});
