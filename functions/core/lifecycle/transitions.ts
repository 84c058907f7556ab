import { ConflictError, ValidationError } from '../errors';
import { type BusEvent, type DetailType, makeEvent, snapshotOf } from '../events';
import type { Actor, AuditEntry, Lead, Stage } from '../lead';
import { type BusinessCalendar, dueAfter } from './business-hours';
import { addSeconds, durationSeconds, waitSecondsUntil } from './duration';
import { type RepAction, type StagesConfig, WORKING_STAGES, type WorkingStage } from './stages-config';

/** Where the execution goes after a step: the definition's Dispatch state switches on this. */
export type Next =
  | 'begin'
  | 'wait'
  | 'approve'
  | 'await-approval'
  | 'convert'
  | 'to-contact'
  | 'end'
  /** The execution started its successor (the step arming a wait did) and ends. */
  | 'hand-over'
  /** A step outcome the workflow acts on (ApplyOutcome). */
  | 'outcome';

/** What a workflow step (or a rep's action) hands back to the execution, under `Payload` like lambda:invoke. */
export type StepResult = { leadId: string; next: Next; timeoutSeconds: number; stage: Stage; events: PutEventsEntry[] };
export type PutEventsEntry = { Source: string; DetailType: string; Detail: string; EventBusName: string };

export const toEntries = (events: BusEvent[], busName: string): PutEventsEntry[] =>
  events.map((e) => ({
    Source: e.source,
    DetailType: e.detailType,
    Detail: JSON.stringify(e.detail),
    EventBusName: busName,
  }));

/** The change a step makes to a lead: fields to set, an audit entry, events to publish. */
export type LeadChange = { patch: Partial<Lead>; audit: AuditEntry[]; events: BusEvent[] };

export const isWorking = (stage: Stage): stage is WorkingStage => (WORKING_STAGES as readonly string[]).includes(stage);

export const leadEvent = (
  detailType: DetailType,
  lead: Lead,
  at: string,
  fields: Record<string, unknown> = {},
): BusEvent =>
  makeEvent(detailType, `${lead.id}:${lead.version}:${detailType}`, at, {
    leadId: lead.id,
    ...fields,
    lead: snapshotOf(lead),
  });

/**
 * Fields that change when a lead enters a stage: the SLA clock restarts, in the business hours of
 * the team's `calendar` when it has one.
 */
export const enterStage = (
  stage: Stage,
  now: Date,
  stages: StagesConfig,
  calendar?: BusinessCalendar,
): Partial<Lead> => ({
  stage,
  stageEnteredAt: now.toISOString(),
  stageDeadline: isWorking(stage) ? dueAfter(now, durationSeconds(stages[stage].sla), calendar) : undefined,
  escalations: 0,
  parked: false,
});

/** How long the execution waits for the owner from now: until the stored deadline, in slices. */
export const waitFor = (lead: Pick<Lead, 'stageDeadline' | 'parked'>, now: Date): number =>
  lead.parked || !lead.stageDeadline
    ? waitSecondsUntil(addSeconds(now, 20 * 24 * 3600), now)
    : waitSecondsUntil(lead.stageDeadline, now);

const TARGET_STAGE: Partial<Record<RepAction, Stage>> = {
  qualify: 'MarketQualified',
  handoff: 'SalesQualified',
  disqualify: 'Disqualified',
};

export type ActionInput = {
  reason?: string;
  convertToContact?: boolean;
  comment?: string;
  /** distribute only: the user to assign the lead to, instead of letting routing pick. */
  owner?: string;
};

/** A lead waiting on approval offers no rep action: the execution waits on the approver, not the rep. */
export const allowedActions = (lead: Pick<Lead, 'stage' | 'approval'>, stages: StagesConfig): RepAction[] =>
  isWorking(lead.stage) && !lead.approval ? stages[lead.stage].allowedActions : [];

/**
 * Plans a rep action on a waiting lead (distribute is planned by routing instead). The lead passed in
 * is the current one; `version` of the result is the next version.
 */
export const planAction = (
  lead: Lead,
  action: Exclude<RepAction, 'distribute'>,
  input: ActionInput,
  actor: Actor,
  now: Date,
  stages: StagesConfig,
  calendar?: BusinessCalendar,
): LeadChange & { next: Next } => {
  const allowed = allowedActions(lead, stages);
  if (!allowed.includes(action)) {
    throw new ConflictError(
      `'${action}' is not allowed in stage ${lead.stage}; allowed: ${allowed.join(', ') || 'none'}`,
      { stage: lead.stage, allowed },
    );
  }
  const at = now.toISOString();
  const version = lead.version + 1;
  if (action === 'convert') {
    // No stage changes yet: ApprovalRequested or LeadConverted will say what happened.
    return {
      patch: {},
      next: 'approve',
      audit: [{ at, actor, action: 'conversion-requested', from: lead.stage, to: lead.stage, why: input.comment }],
      events: [],
    };
  }
  if (action === 'disqualify') {
    const reason = input.reason?.trim();
    if (!reason) throw new ValidationError([{ field: 'reason', reason: 'say why the lead is disqualified' }]);
    const patch: Partial<Lead> = { ...enterStage('Disqualified', now, stages), disqualifyReason: reason };
    const after = { ...lead, ...patch, version };
    return {
      patch,
      next: input.convertToContact ? 'to-contact' : 'end',
      audit: [
        {
          at,
          actor,
          action: 'disqualify',
          from: lead.stage,
          to: 'Disqualified',
          why: reason,
          data: { convertToContact: Boolean(input.convertToContact), comment: input.comment },
        },
      ],
      events: [
        leadEvent('LeadStageChanged', after, at, { from: lead.stage, to: 'Disqualified', action }),
        leadEvent('LeadDisqualified', after, at, { reason, convertToContact: Boolean(input.convertToContact) }),
      ],
    };
  }
  const to = TARGET_STAGE[action] as Stage;
  const patch = enterStage(to, now, stages, calendar);
  const after = { ...lead, ...patch, version };
  return {
    patch,
    next: 'wait',
    audit: [{ at, actor, action, from: lead.stage, to, why: input.comment }],
    events: [leadEvent('LeadStageChanged', after, at, { from: lead.stage, to, action, comment: input.comment })],
  };
};
