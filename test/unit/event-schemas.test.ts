import { describe, expect, it } from '@jest/globals';
import { CONFIG_DETAIL_TYPES, DETAIL_TYPES, makeEvent } from '../../functions/core/events';
import { breakingChanges, eventProblems, loadSchema, schemaFiles } from '../support/event-schemas';

const lead = {
  id: 'L1',
  stage: 'Assigned',
  leadType: 'B2B',
  channel: 'WEBHOOK',
  sourceId: 'campaign-x',
  owner: 'bob',
  createdAt: '2026-11-23T10:00:00.000Z',
  stageEnteredAt: '2026-11-23T10:00:00.000Z',
  followers: ['carol'],
};

/** A minimal valid detail per type: what every producer must at least send. */
const minimal: Record<string, Record<string, unknown>> = {
  ApprovalRequested: { approvers: ['dora'] },
  ApprovalDecided: { decision: 'approve' },
  LeadStageChanged: { from: 'Assigned', to: 'MarketQualified' },
  LeadScoreChanged: { from: { band: 'C' }, to: { band: 'B' } },
  LeadConverted: { opportunityId: 'opp-L1', contactId: 'con-L1', accountId: 'acc-L1' },
  OpportunityStageChanged: {
    opportunityId: 'opp-L1',
    from: 'Discovery',
    to: 'Solution',
    opportunity: { id: 'opp-L1', stage: 'Solution', leadType: 'B2B' },
  },
  LeadNoteAdded: { noteId: 'N1', author: 'bob' },
  LeadFollowed: { user: 'carol' },
  LeadActivityRecorded: { activityId: 'msg-1', type: 'email-reply', count: 1 },
  CaptureRejected: { sourceId: 'campaign-x', channel: 'WEBHOOK', deliveryId: 'msg-1', reason: 'invalid' },
  ...Object.fromEntries(
    (['QuoteCreated', 'QuoteSent', 'QuoteAccepted', 'QuoteDeclined', 'QuoteExpired'] as const).map((type) => [
      type,
      { quoteId: 'Q-2026-000001', quoteVersion: 1, status: 'sent', currency: 'EUR', totalMinor: 119_000 },
    ]),
  ),
};
const sample = (type: (typeof DETAIL_TYPES)[number], extra: Record<string, unknown> = {}) =>
  makeEvent(type, `e-${type}`, '2026-11-23T11:00:00.000Z', { leadId: 'L1', lead, ...minimal[type], ...extra });

describe('event schemas', () => {
  it('has exactly one v1 schema per detail-type and none for unknown types', () => {
    const files = schemaFiles();
    expect(
      files
        .filter((f) => f.endsWith('.v1.json'))
        .map((f) => f.replace('.v1.json', ''))
        .sort(),
    ).toEqual([...DETAIL_TYPES, ...CONFIG_DETAIL_TYPES].sort());
  });

  it('accepts a WebhookSecretRotated without any lead and refuses one that carries a secret', () => {
    const rotated = makeEvent('WebhookSecretRotated', 'e-rot', '2026-11-23T11:00:00.000Z', {
      sourceId: 'campaign-x',
      rotatedBy: 'sam',
      previousValidUntil: '2026-11-24T11:00:00.000Z',
    });
    expect(eventProblems(rotated)).toEqual([]);
    expect(eventProblems({ ...rotated, detail: { ...rotated.detail, secret: 'whsec_x' } })).not.toEqual([]);
  });

  it.each(DETAIL_TYPES)('accepts a minimal %s and one with an unknown extra field', (type) => {
    expect(eventProblems(sample(type))).toEqual([]);
    expect(eventProblems(sample(type, { addedLater: { anything: true } }))).toEqual([]);
  });

  it.each(DETAIL_TYPES)('rejects a %s without its event id or with a wrong version', (type) => {
    const event = sample(type);
    const { eventId: _dropped, ...withoutId } = event.detail;
    expect(eventProblems({ detailType: type, detail: withoutId })).toEqual([
      expect.stringContaining("must have required property 'eventId'"),
    ]);
    expect(eventProblems({ detailType: type, detail: { ...event.detail, version: 2 } })).toEqual([
      `no schema ${type}.v2.json`,
    ]);
  });

  it('rejects a LeadConverted without the opportunity id and an ApprovalRequested without approvers', () => {
    const { opportunityId: _o, ...converted } = sample('LeadConverted').detail;
    const { approvers: _a, ...requested } = sample('ApprovalRequested').detail;
    expect(eventProblems({ detailType: 'LeadConverted', detail: converted })).toHaveLength(1);
    expect(eventProblems({ detailType: 'ApprovalRequested', detail: requested })).toHaveLength(1);
  });

  it('treats an added optional field as compatible and a removed or newly required field as breaking', () => {
    const v1 = loadSchema('LeadConverted') as { required: string[]; properties: Record<string, object> };
    const withOptional = { ...v1, properties: { ...v1.properties, dealSize: { type: 'number' } } };
    const { contactId: _c, ...fewer } = v1.properties;
    const withoutContact = { ...v1, properties: fewer };
    const stricter = { ...v1, required: [...v1.required, 'accountId'] };

    expect(breakingChanges(v1, withOptional)).toEqual([]);
    expect(breakingChanges(v1, withoutContact)).toEqual(["field 'contactId' removed"]);
    expect(breakingChanges(v1, stricter)).toEqual(["field 'accountId' newly required"]);
  });
});
