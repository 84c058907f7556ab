/** Names of everything put on the bus. Shared by the runtime, the stack's rules and the local bus. */
export const EVENT_SOURCE = 'leadflow';

export const DETAIL_TYPES = [
  'LeadCreated',
  'LeadAssigned',
  'LeadStageChanged',
  'LeadAging',
  'LeadEscalated',
  'ApprovalRequested',
  'ApprovalDecided',
  'LeadConverted',
  'LeadDisqualified',
  'LeadWorkflowFailed',
  'LeadScoreChanged',
  'OpportunityStageChanged',
  'LeadNoteAdded',
  'LeadFollowed',
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

/** Every event's detail carries these; `eventId` is deterministic so consumers can drop redeliveries. */
export type EventDetail = {
  version: 1;
  eventId: string;
  occurredAt: string;
  leadId?: string;
  [field: string]: unknown;
};

export type BusEvent = { source: typeof EVENT_SOURCE; detailType: DetailType; detail: EventDetail };

export const makeEvent = (detailType: DetailType, eventId: string, occurredAt: string, fields: Record<string, unknown>): BusEvent => ({
  source: EVENT_SOURCE,
  detailType,
  detail: { version: 1, eventId, occurredAt, ...fields },
});
