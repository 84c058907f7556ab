import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../functions/core/errors';
import type { Lead } from '../../functions/core/lead';
import { leadEvent, type StepResult, toEntries } from '../../functions/core/lifecycle/transitions';
import {
  agingFacts,
  approvalWaitFacts,
  captureFacts,
  type MetricFact,
  measuredCapture,
} from '../../functions/core/metric-facts';

const lead = (overrides: Partial<Lead> = {}): Lead => ({
  id: 'L1',
  version: 3,
  stage: 'Assigned',
  leadType: 'B2B',
  channel: 'WEBHOOK',
  sourceId: 'campaign-demo',
  deliveryId: 'd',
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  createdBy: { kind: 'source', id: 'campaign-demo', source: 'WEBHOOK' },
  duplicates: [],
  duplicatePolicy: 'create',
  stageEnteredAt: '2026-11-23T10:00:00.000Z',
  email: 'a@acme.example',
  emailDomain: 'acme.example',
  ...overrides,
});
const at = '2026-11-24T10:00:00.000Z';
const step = (after: Lead, events: ReturnType<typeof leadEvent>[]): StepResult => ({
  leadId: after.id,
  next: 'wait',
  timeoutSeconds: 60,
  stage: after.stage,
  events: toEntries(events, 'leadflow'),
});
const delivery = { sourceId: 'campaign-demo', channel: 'WEBHOOK', policy: 'associate' } as const;

describe('metric facts', () => {
  it('counts one SLA breach per LeadAging, by the stage whose SLA ran out even when the lead aged out of it', () => {
    const agedOut = lead({ stage: 'Disqualified' });
    const result = step(agedOut, [
      leadEvent('LeadAging', agedOut, at, { stage: 'MarketingQualified', escalations: 3 }),
      leadEvent('LeadStageChanged', agedOut, at, { from: 'MarketingQualified', to: 'Disqualified' }),
    ]);

    expect(agingFacts(result)).toEqual([{ name: 'SlaBreaches', stage: 'MarketingQualified' }]);
    expect(agingFacts(step(lead(), [leadEvent('LeadAssigned', lead(), at)]))).toEqual([]);
    expect(agingFacts(undefined)).toEqual([]);
  });

  it('measures the approval wait from the task opening to its decision, in whole seconds', () => {
    expect(approvalWaitFacts({ createdAt: '2026-11-23T10:00:00.000Z', decidedAt: '2026-11-23T11:30:00.400Z' })).toEqual(
      [{ name: 'ApprovalWait', seconds: 5400 }],
    );
    expect(approvalWaitFacts({ createdAt: '2026-11-23T10:00:00.000Z' })).toEqual([]);
    expect(approvalWaitFacts({ createdAt: '2026-11-23T10:00:00.000Z', decidedAt: '2026-11-23T09:00:00.000Z' })).toEqual(
      [],
    );
  });

  it('names a created lead, a duplicate by policy, spam and a payload error, never a value of the person', () => {
    const created = captureFacts(
      delivery,
      {
        answer: {
          leadId: 'L9',
          status: 'created',
          duplicates: [{ kind: 'contact', id: 'C1', matchedOn: 'email', value: 'a@acme.example' }],
        },
      },
      12,
    );
    expect(created).toEqual([
      { name: 'LeadsCaptured', sourceId: 'campaign-demo', channel: 'WEBHOOK' },
      { name: 'DuplicatesFound', policy: 'associate' },
      { name: 'CaptureLatency', ms: 12, channel: 'WEBHOOK' },
    ]);
    expect(JSON.stringify(created)).not.toMatch(/acme|L9|C1/);
    expect(
      captureFacts(delivery, { answer: { leadId: '', status: 'spam', duplicates: [] } }, 3).map((f) => f.name),
    ).toEqual(['CapturesRejected', 'CaptureLatency']);
    expect(
      captureFacts(delivery, { error: new ValidationError([{ field: 'email', reason: 'not an address' }]) }, 3),
    ).toEqual([{ name: 'CapturesRejected', reason: 'invalid', channel: 'WEBHOOK' }]);
    expect(captureFacts(delivery, { error: new Error('table unavailable') }, 3)).toEqual([]);
  });

  it('records the facts of a capture that throws, and throws the same error', async () => {
    const recorded: MetricFact[] = [];
    const failure = new ValidationError([{ field: 'email', reason: 'not an address' }]);

    await expect(
      measuredCapture({ record: (facts) => void recorded.push(...facts) }, delivery, async () =>
        Promise.reject(failure),
      ),
    ).rejects.toBe(failure);

    expect(recorded).toEqual([{ name: 'CapturesRejected', reason: 'invalid', channel: 'WEBHOOK' }]);
  });
});
