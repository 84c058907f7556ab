import { describe, expect, it } from '@jest/globals';
import { opportunityStageChanged } from '../../functions/core/conversion/opportunity-moves';
import type { Opportunity } from '../../functions/core/conversion/crm-records';
import { noteAddedEvent } from '../../functions/core/feed/lead-collab';
import type { Lead } from '../../functions/core/lead';
import { stepOverdueEvent } from '../../functions/core/lifecycle/due-sweep';
import { leadEvent } from '../../functions/core/lifecycle/transitions';
import { scoreChangedEvent } from '../../functions/core/scoring/score-events';
import { eventProblems } from '../support/event-schemas';

const lead: Lead = {
  id: 'L1',
  version: 3,
  stage: 'Assigned',
  leadType: 'B2B',
  channel: 'WEBHOOK',
  sourceId: 'campaign-x',
  deliveryId: 'd1',
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  createdBy: { kind: 'source', id: 'campaign-x', source: 'WEBHOOK' },
  duplicates: [],
  duplicatePolicy: 'create',
  stageEnteredAt: '2026-11-23T10:00:00.000Z',
  email: 'ann@acme.io',
  owner: 'bob',
  team: 'inside-sales',
  score: 40,
  scoreBand: 'C',
  followers: ['carol'],
};
const AT = '2026-11-23T11:00:00.000Z';

const opportunity: Opportunity = {
  id: 'opp-L1',
  version: 1,
  name: 'Acme',
  leadId: 'L1',
  leadType: 'B2B',
  accountId: 'acc-L1',
  contactId: 'con-L1',
  owner: 'bob',
  sourceId: 'campaign-x',
  stageSet: 'B2B',
  stage: 'Discovery',
  probability: 10,
  fields: {},
  followers: ['carol'],
  createdAt: AT,
  updatedAt: AT,
  stageEnteredAt: AT,
  createdBy: { kind: 'system', id: 'workflow', source: 'WORKFLOW' },
};

describe('events as their producers build them match the schemas', () => {
  it('accepts the lifecycle events with the fields the workflow sends, nulls included', () => {
    const events = [
      leadEvent('LeadCreated', lead, AT, { sourceId: lead.sourceId, channel: lead.channel, duplicates: 0 }),
      leadEvent('LeadAssigned', lead, AT, { owner: 'bob', previousOwner: null, team: null, why: 'rule 1' }),
      leadEvent('LeadStageChanged', lead, AT, {
        from: 'Assigned',
        to: 'MarketQualified',
        action: 'qualify',
        comment: undefined,
      }),
      leadEvent('LeadAging', lead, AT, { stage: 'Assigned', escalations: 1, overdueSince: AT }),
      leadEvent('LeadEscalated', lead, AT, { manager: null, escalations: 1, action: 'notify-manager' }),
      leadEvent('ApprovalRequested', lead, AT, {
        taskId: 't1',
        chain: 'big deals',
        step: 'manager',
        stepIndex: 0,
        approvers: [],
        group: 'manager',
        dueAt: AT,
      }),
      leadEvent('ApprovalDecided', lead, AT, {
        taskId: 't1',
        decision: 'reject',
        comment: null,
        by: 'maria',
        step: 'manager',
        chain: 'big deals',
      }),
      leadEvent('LeadConverted', lead, AT, { opportunityId: 'opp-L1', accountId: null, contactId: 'con-L1' }),
      leadEvent('LeadDisqualified', lead, AT, { reason: 'aged out', convertToContact: false }),
      leadEvent('LeadWorkflowFailed', lead, AT, { error: 'States.TaskFailed', cause: 'boom' }),
    ];
    expect(events.flatMap(eventProblems)).toEqual([]);
  });

  it('accepts the score, note and opportunity events', () => {
    const score = scoreChangedEvent(
      lead,
      { score: 75, band: 'B', factors: [{ points: 75, reason: 'title: VP' }], model: 'points@1' },
      AT,
    );
    const events = [
      ...(score ? [score] : []),
      noteAddedEvent(lead, { id: 'N1', leadId: 'L1', text: 'x'.repeat(900), author: 'bob', at: AT }),
      opportunityStageChanged(
        opportunity,
        { ...opportunity, version: 2, stage: 'Solution', probability: 30 },
        { kind: 'user', id: 'bob', source: 'API' },
      ),
    ];
    expect(events).toHaveLength(3);
    expect(events.flatMap(eventProblems)).toEqual([]);
  });

  it('accepts StepOverdue as the due sweep builds it, with no personal data', () => {
    const event = stepOverdueEvent(
      lead,
      {
        id: 'L1.Assigned.0',
        name: 'First call',
        kind: 'call',
        required: true,
        assignee: 'user:bob',
        dueAt: AT,
        outcomes: ['no answer'],
        status: 'open',
        leadId: 'L1',
        stage: 'Assigned',
        index: 0,
        createdAt: AT,
        leadSummary: { name: 'Ann Lee', stage: 'Assigned', owner: 'bob' },
      },
      AT,
    );
    expect(eventProblems(event)).toEqual([]);
    expect(event.detail.eventId).toBe('step-overdue:L1.Assigned.0');
    expect(JSON.stringify(event.detail)).not.toMatch(/ann@acme\.io|Ann Lee/);
  });
});
