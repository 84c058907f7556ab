import { consentsTo } from './privacy/consent';

/** Names of everything put on the bus. Shared by the runtime, the stack's rules and the local bus. */
export const EVENT_SOURCE = 'leadflow';
/** The custom bus's name: the stack creates it, functions fall back to it when EVENT_BUS_NAME is unset. */
export const EVENT_BUS_NAME = 'leadflow';

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
  'LeadActivityRecorded',
  'CaptureRejected',
  'LeadsMerged',
  'LeadsUnmerged',
  'LeadNurtured',
  'LeadRecycled',
  'StepOverdue',
  'QuoteCreated',
  'QuoteSent',
  'QuoteAccepted',
  'QuoteDeclined',
  'QuoteExpired',
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

/**
 * Events about configuration, not a lead: no `lead` snapshot, so lead consumers (notifications) do
 * not match them; outbound subscribers with `*` and the counters see them and skip what they do not know.
 */
export const CONFIG_DETAIL_TYPES = ['WebhookSecretRotated', 'PersonalDataErased', 'SourceChanged'] as const;
export type ConfigDetailType = (typeof CONFIG_DETAIL_TYPES)[number];

/** Every event's detail carries these; `eventId` is deterministic so consumers can drop redeliveries. */
export type EventDetail = {
  version: 1;
  eventId: string;
  occurredAt: string;
  leadId?: string;
  [field: string]: unknown;
};

export type BusEvent = { source: typeof EVENT_SOURCE; detailType: DetailType | ConfigDetailType; detail: EventDetail };

export const makeEvent = (
  detailType: DetailType | ConfigDetailType,
  eventId: string,
  occurredAt: string,
  fields: Record<string, unknown>,
): BusEvent => ({
  source: EVENT_SOURCE,
  detailType,
  detail: { version: 1, eventId, occurredAt, ...fields },
});

/**
 * Every lead event carries the lead as it is after the change, so consumers (notifications,
 * counters, integrations) never read the table to understand an event.
 */
export type LeadSnapshot = {
  id: string;
  stage: string;
  leadType: 'B2B' | 'B2C';
  channel: string;
  sourceId: string;
  campaign?: string;
  owner?: string;
  team?: string;
  country?: string;
  scoreBand?: string;
  score?: number;
  createdAt: string;
  stageEnteredAt: string;
  escalations?: number;
  followers?: string[];
  /** Whether the person agrees to marketing e-mail now (consent records, else the capture's answer): integrations tagged marketing get nothing otherwise. */
  marketingConsent?: boolean;
};

type SnapshotSource = LeadSnapshot & Record<string, unknown>;

export const snapshotOf = (lead: SnapshotSource): LeadSnapshot => ({
  id: lead.id,
  stage: lead.stage,
  leadType: lead.leadType,
  channel: lead.channel,
  sourceId: lead.sourceId,
  campaign: lead.campaign,
  owner: lead.owner,
  team: lead.team,
  country: lead.country,
  scoreBand: lead.scoreBand,
  score: lead.score,
  createdAt: lead.createdAt,
  stageEnteredAt: lead.stageEnteredAt,
  escalations: lead.escalations,
  followers: lead.followers,
  marketingConsent: consentsTo(lead as Parameters<typeof consentsTo>[0]),
});
