import type { DetailType, LeadSnapshot } from '../events';

export type Reason = 'owner' | 'follower' | 'manager' | 'approver' | 'assignee';
export type Recipient = { user: string; reason: Reason };

/** An event as the notifications consumer receives it. */
export type NotifiableEvent = {
  detailType: DetailType;
  detail: Record<string, unknown> & { eventId: string; occurredAt: string };
};

/** Events the owner hears about: their assignment, their aging leads, and decisions on them. */
const OWNER_EVENTS: ReadonlySet<DetailType> = new Set([
  'LeadAssigned',
  'LeadAging',
  'LeadEscalated',
  'ApprovalDecided',
  'LeadConverted',
  'LeadDisqualified',
  'LeadWorkflowFailed',
  'QuoteAccepted',
  'QuoteDeclined',
  'QuoteExpired',
  'StepOverdue',
]);
/** Events the team manager hears about: escalations (and leads parked after a failure). */
const MANAGER_EVENTS: ReadonlySet<DetailType> = new Set(['LeadEscalated', 'LeadWorkflowFailed', 'StepOverdue']);

export const recipientsNeedManager = (type: DetailType) => MANAGER_EVENTS.has(type) || type === 'ApprovalRequested';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0) : [];

/**
 * Who is told about an event, each once with the strongest reason: approvers on `ApprovalRequested`
 * (named ones, or the team manager for a step assigned to the group "manager"),
 * the owner on assignment, aging and decisions, the team manager on escalation, followers on every
 * change. The user who made the change is not told about it.
 */
export const recipientsFor = (event: NotifiableEvent, manager: string | undefined): Recipient[] => {
  const { detailType, detail } = event;
  const lead = (detail.lead ?? detail.opportunity) as Partial<LeadSnapshot> | undefined;
  const out = new Map<string, Reason>();
  const add = (user: string | undefined, reason: Reason) => {
    if (user && !out.has(user)) out.set(user, reason);
  };
  if (detailType === 'ApprovalRequested') {
    for (const user of strings(detail.approvers)) add(user, 'approver');
    // A step for the group "manager" goes to the lead's team manager; other groups live in the user pool only.
    if (detail.group === 'manager') add(manager, 'approver');
  }
  // An overdue step's named assignee first (a team step reaches the team through its manager).
  if (detailType === 'StepOverdue' && typeof detail.assignee === 'string' && detail.assignee.startsWith('user:'))
    add(detail.assignee.slice('user:'.length), 'assignee');
  if (MANAGER_EVENTS.has(detailType)) add(typeof detail.manager === 'string' ? detail.manager : manager, 'manager');
  if (OWNER_EVENTS.has(detailType)) add(lead?.owner, 'owner');
  // The new owner of an assignment is in the snapshot; a previous owner learns it was taken away.
  if (detailType === 'LeadAssigned' && typeof detail.previousOwner === 'string') add(detail.previousOwner, 'owner');
  for (const user of strings(lead?.followers)) add(user, 'follower');
  const actor = (detail.actor as { id?: unknown } | undefined)?.id;
  const actorIsUser = (detail.actor as { kind?: unknown } | undefined)?.kind === 'user';
  if (actorIsUser && typeof actor === 'string' && detailType !== 'ApprovalRequested') out.delete(actor);
  return [...out].map(([user, reason]) => ({ user, reason }));
};
