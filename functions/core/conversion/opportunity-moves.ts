import type { ConfigDocument } from '../config/config-document';
import { ForbiddenError, NotFoundError } from '../errors';
import { type BusEvent, type LeadSnapshot, makeEvent, snapshotOf } from '../events';
import type { Actor, AuditEntry, Lead } from '../lead';
import { canSee, type Viewer, isManager } from '../lead-access';
import type { Clock, EventPublisher } from '../ports';
import type { Account, Contact, Opportunity } from './crm-records';
import { moveStage, type OpportunityStageSets } from './opportunity-stages';

/** What the CRM routes need from storage (functions/adapters/crm-repository.ts). */
export type CrmStore = {
  opportunity(id: string): Promise<Opportunity | undefined>;
  account(id: string): Promise<Account | undefined>;
  contact(id: string): Promise<Contact | undefined>;
  lead(id: string): Promise<Lead | undefined>;
  /** Conditional on `from.version`; false when someone else moved it first. */
  saveMove(from: Opportunity, to: Opportunity, audit: AuditEntry): Promise<boolean>;
};

export type CrmDeps = {
  crm: CrmStore;
  stageSets: () => Promise<ConfigDocument<OpportunityStageSets>>;
  events: EventPublisher;
  clock: Clock;
};

export const visibleOpportunity = async (
  deps: Pick<CrmDeps, 'crm'>,
  viewer: Viewer,
  id: string,
): Promise<Opportunity> => {
  const opportunity = await deps.crm.opportunity(id);
  if (!opportunity) throw new NotFoundError('opportunity', id);
  if (canSee(viewer, opportunity)) return opportunity;
  // Followers added to the lead after conversion follow its opportunity too.
  const lead = await deps.crm.lead(opportunity.leadId);
  if (lead?.owner && canSee(viewer, lead)) return opportunity;
  throw new NotFoundError('opportunity', id);
};

export const opportunityStageChanged = (
  before: Opportunity,
  after: Opportunity,
  actor: Actor,
  lead?: LeadSnapshot,
): BusEvent =>
  makeEvent('OpportunityStageChanged', `opp-stage-${after.id}-${after.version}`, after.updatedAt, {
    leadId: after.leadId,
    opportunityId: after.id,
    from: before.stage,
    to: after.stage,
    probability: after.probability,
    actor,
    opportunity: {
      id: after.id,
      stage: after.stage,
      leadType: after.leadType,
      owner: after.owner,
      accountId: after.accountId,
      contactId: after.contactId,
      followers: after.followers,
    },
    ...(lead ? { lead } : {}),
  });

/**
 * PATCH /opportunities/{id} `{ stage }`: only along the opportunity's stage set (409 otherwise), by
 * its owner or a manager, audited on the lead's feed, announced as `OpportunityStageChanged`.
 * Asking again for the stage it already has answers it unchanged (so a client retry is harmless).
 */
export const moveOpportunity = async (
  deps: CrmDeps,
  viewer: Viewer,
  request: { id: string; stage: string; comment?: string },
): Promise<Opportunity> => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await visibleOpportunity(deps, viewer, request.id);
    if (current.owner !== viewer.userId && !isManager(viewer))
      throw new ForbiddenError('only the owner or a manager may move this opportunity');
    if (current.stage === request.stage) return current;
    const sets = await deps.stageSets();
    const target = moveStage(sets.value[current.stageSet], current.stage, request.stage);
    const at = deps.clock.now().toISOString();
    const actor: Actor = { kind: 'user', id: viewer.userId, source: 'API' };
    const next: Opportunity = {
      ...current,
      version: current.version + 1,
      stage: target.name,
      probability: target.probability,
      updatedAt: at,
      stageEnteredAt: at,
    };
    const audit: AuditEntry = {
      at,
      actor,
      action: 'opportunity-stage-changed',
      why: request.comment ?? `opportunity ${current.id}: ${current.stage} → ${target.name}`,
      data: { opportunityId: current.id, from: current.stage, to: target.name, probability: target.probability },
    };
    if (!(await deps.crm.saveMove(current, next, audit))) continue;
    const lead = await deps.crm.lead(current.leadId);
    await deps.events.publish([opportunityStageChanged(current, next, actor, lead ? snapshotOf(lead) : undefined)]);
    return next;
  }
  throw new NotFoundError('opportunity', request.id);
};
