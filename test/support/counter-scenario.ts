import { type RejectReason, rejectionEvent } from '../../functions/core/capture-rejections';
import type { LeadSnapshot } from '../../functions/core/events';
import type { CountableEvent } from '../../functions/core/reports/counters';

type LeadFacts = {
  id: string;
  sourceId: string;
  campaign?: string;
  country?: string;
  createdAt: string;
  team?: string;
};

/** Builds a lead's events the way the lifecycle emits them: each carries the lead as it is after the change. */
const walk = (facts: LeadFacts) => {
  let n = 0;
  let lead: LeadSnapshot = {
    ...facts,
    stage: 'Creation',
    leadType: 'B2B',
    channel: 'WEBHOOK',
    stageEnteredAt: facts.createdAt,
    escalations: 0,
  };
  const events: CountableEvent[] = [];
  const emit = (detailType: string, at: string, fields: Record<string, unknown> = {}) =>
    events.push({
      detailType,
      source: 'leadflow',
      detail: { eventId: `${facts.id}-${++n}`, occurredAt: at, leadId: facts.id, ...fields, lead: { ...lead } },
    });
  const api = {
    created: (fields: Record<string, unknown> = {}) => {
      emit('LeadCreated', facts.createdAt, fields);
      return api;
    },
    assign: (owner: string, at: string) => {
      lead = { ...lead, owner, team: facts.team, stage: 'Assigned', stageEnteredAt: at };
      emit('LeadStageChanged', at, { from: 'Creation', to: 'Assigned' });
      emit('LeadAssigned', at, { owner });
      return api;
    },
    move: (to: string, at: string) => {
      const from = lead.stage;
      lead = { ...lead, stage: to, stageEnteredAt: at };
      emit('LeadStageChanged', at, { from, to });
      return api;
    },
    disqualify: (reason: string, at: string) => {
      api.move('Disqualified', at);
      emit('LeadDisqualified', at, { reason });
      return api;
    },
    age: (at: string) => {
      lead = { ...lead, escalations: (lead.escalations ?? 0) + 1 };
      emit('LeadAging', at, { escalations: lead.escalations });
      return api;
    },
    events,
  };
  return api;
};

/**
 * Four leads over three days:
 * L1 webinar/spring/DE → alice, acts after 2 h, converted on day 3;
 * L2 webinar/spring/US, a duplicate → bob, disqualified after 30 min (no-budget);
 * L3 google-ads/fall/DE → alice, escalated once, still Assigned;
 * L4 google-ads without campaign, still unassigned.
 */
export const counterScenario = (): CountableEvent[] => [
  ...walk({
    id: 'L1',
    sourceId: 'webinar',
    campaign: 'spring',
    country: 'DE',
    createdAt: '2026-11-02T09:00:00.000Z',
    team: 'emea',
  })
    .created()
    .assign('alice', '2026-11-02T09:00:00.000Z')
    .move('MarketQualified', '2026-11-02T11:00:00.000Z')
    .move('SalesQualified', '2026-11-03T11:00:00.000Z')
    .move('Converted', '2026-11-04T11:00:00.000Z').events,
  ...walk({
    id: 'L2',
    sourceId: 'webinar',
    campaign: 'spring',
    country: 'US',
    createdAt: '2026-11-02T10:00:00.000Z',
    team: 'amer',
  })
    .created({ duplicates: [{ kind: 'lead', id: 'L0', matchedOn: 'email', value: 'x@y.z' }] })
    .assign('bob', '2026-11-02T10:00:00.000Z')
    .disqualify('no-budget', '2026-11-02T10:30:00.000Z').events,
  ...walk({
    id: 'L3',
    sourceId: 'google-ads',
    campaign: 'fall',
    country: 'DE',
    createdAt: '2026-11-03T08:00:00.000Z',
    team: 'emea',
  })
    .created()
    .assign('alice', '2026-11-03T08:00:00.000Z')
    .age('2026-11-04T08:00:00.000Z').events,
  ...walk({ id: 'L4', sourceId: 'google-ads', createdAt: '2026-11-03T12:00:00.000Z' }).created().events,
];

/** The open leads the aging report lists as oldest (what the stage index answers). */
export const scenarioOpenLeads = [
  { id: 'L3', stage: 'Assigned', owner: 'alice', team: 'emea', createdAt: '2026-11-03T08:00:00.000Z', escalations: 1 },
  { id: 'L4', stage: 'Creation', owner: '-', team: '-', createdAt: '2026-11-03T12:00:00.000Z', escalations: 0 },
];

const rejected = (
  sourceId: string,
  channel: 'WEBHOOK' | 'FORM',
  deliveryId: string,
  reason: RejectReason,
  at: string,
  campaign?: string,
): CountableEvent => {
  const event = rejectionEvent(
    {
      sourceId,
      channel,
      deliveryId,
      reason,
      status: reason === 'invalid' ? 422 : 202,
      campaign,
      fields: reason === 'invalid' ? ['email'] : undefined,
    },
    at,
  );
  return { detailType: event.detailType, source: event.source, detail: event.detail as CountableEvent['detail'] };
};

/**
 * Deliveries refused at capture, beside the scripted leads: two invalid webhooks from the webinar
 * platform on day 1; on day 2 a form submission refused as a duplicate and one caught by the honeypot.
 */
export const rejectedDeliveries = (): CountableEvent[] => [
  rejected('webinar', 'WEBHOOK', 'msg-1', 'invalid', '2026-11-02T09:30:00.000Z', 'spring'),
  rejected('webinar', 'WEBHOOK', 'msg-2', 'invalid', '2026-11-02T09:40:00.000Z', 'spring'),
  rejected('contact-us', 'FORM', 'form-1', 'duplicate', '2026-11-03T10:00:00.000Z'),
  rejected('contact-us', 'FORM', 'form-2', 'spam', '2026-11-03T10:05:00.000Z'),
];
