import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { chainFor, DEFAULT_APPROVALS, mayDecide } from '../../functions/core/lifecycle/approvals-config';
import { assignLead } from '../../functions/core/lifecycle/assign';
import {
  durationSeconds,
  isIsoDuration,
  MAX_WAIT_SECONDS,
  waitSecondsUntil,
} from '../../functions/core/lifecycle/duration';
import { decideRoute, pickRoundRobin } from '../../functions/core/lifecycle/routing';
import { routingConfigSchema } from '../../functions/core/lifecycle/routing-config';
import { DEFAULT_STAGES } from '../../functions/core/lifecycle/stages-config';
import { planAction } from '../../functions/core/lifecycle/transitions';
import type { Lead } from '../../functions/core/lead';

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
const teams = {
  teams: [
    {
      id: 'dach',
      name: 'DACH',
      manager: 'maria',
      members: [
        { user: 'bob', available: true },
        { user: 'eve', available: false },
        { user: 'uwe', available: true },
      ],
    },
  ],
};
const routing = routingConfigSchema.parse({
  rules: [
    { name: 'key accounts', when: { emailDomain: ['bigco.example'] }, assign: { rep: 'kim' } },
    { when: { country: ['DE', 'AT', 'CH'] }, assign: { team: 'dach', strategy: 'round-robin' } },
  ],
  fallbackQueue: 'UNASSIGNED',
});

describe('routing', () => {
  it('explains the first matching rule and skips unavailable reps', async () => {
    let turn = 0;
    const counters = { nextTurn: async () => ++turn, openLeads: async () => ({}) };
    const first = await assignLead(lead({ country: 'AT' }), { value: routing, version: 7 }, teams, counters, 'now');
    const second = await assignLead(lead({ country: 'AT' }), { value: routing, version: 7 }, teams, counters, 'now');
    expect(first.assignment.explanation).toBe('rule 2: country in [DE, AT, CH] → team DACH, round-robin → bob');
    expect(second.owner).toBe('uwe');
    expect(first.assignment.ruleVersion).toBe(7);
  });

  it('sends a lead no rule matches to the fallback queue', () => {
    expect(decideRoute(lead({ country: 'FR' }), routing, teams)).toMatchObject({
      kind: 'queue',
      queue: 'UNASSIGNED',
      ruleIndex: null,
    });
  });

  it('is fair: n·k turns give each of k reps exactly n leads', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 20 }), (k, n) => {
        const reps = Array.from({ length: k }, (_, i) => `r${i}`);
        const counts = new Map<string, number>();
        for (let turn = 1; turn <= n * k; turn++) {
          const rep = pickRoundRobin(reps, turn);
          counts.set(rep, (counts.get(rep) ?? 0) + 1);
        }
        expect([...counts.values()].every((c) => c === n)).toBe(true);
      }),
    );
  });

  it('refuses a rule that names a country in lower case', () => {
    expect(
      routingConfigSchema.safeParse({ rules: [{ when: { country: ['de'] }, assign: { rep: 'x' } }] }).success,
    ).toBe(false);
  });
});

describe('stages and actions', () => {
  it('moves Assigned → MarketQualified on qualify with a fresh SLA deadline and one audit entry', () => {
    const now = new Date('2026-11-23T12:00:00.000Z');
    const change = planAction(lead(), 'qualify', {}, { kind: 'user', id: 'bob', source: 'API' }, now, DEFAULT_STAGES);
    expect(change.patch).toMatchObject({
      stage: 'MarketQualified',
      stageDeadline: '2026-11-25T12:00:00.000Z',
      escalations: 0,
    });
    expect(change.audit).toEqual([
      expect.objectContaining({ action: 'qualify', from: 'Assigned', to: 'MarketQualified' }),
    ]);
    expect(change.events[0]?.detail.eventId).toBe('L1:4:LeadStageChanged');
  });

  it('refuses an action the stage does not allow, listing the allowed ones', () => {
    expect(() =>
      planAction(lead(), 'convert', {}, { kind: 'user', id: 'bob', source: 'API' }, new Date(), DEFAULT_STAGES),
    ).toThrow(/allowed: qualify, handoff, distribute, disqualify/);
  });

  it('reads ISO-8601 durations to the second and slices waits longer than a Node timer can hold', () => {
    expect(durationSeconds('PT2S')).toBe(2);
    expect(durationSeconds('P1DT2H3M4S')).toBe(93784);
    expect(isIsoDuration('P')).toBe(false);
    expect(isIsoDuration('4 hours')).toBe(false);
    const now = new Date('2026-01-01T00:00:00Z');
    expect(waitSecondsUntil('2026-03-01T00:00:00Z', now)).toBe(MAX_WAIT_SECONDS);
    expect(waitSecondsUntil('2025-01-01T00:00:00Z', now)).toBe(1);
  });
});

describe('approvals', () => {
  it('applies the big-deal chain only to B2B leads over the threshold', () => {
    expect(chainFor(lead({ expectedValue: 60_000 }), DEFAULT_APPROVALS)?.chain.name).toBe('large B2B deals');
    expect(chainFor(lead({ expectedValue: 10_000 }), DEFAULT_APPROVALS)).toBeUndefined();
    expect(chainFor(lead({ expectedValue: 60_000, leadType: 'B2C' }), DEFAULT_APPROVALS)).toBeUndefined();
  });

  it('lets only the approver, the group or the escalation target decide', () => {
    expect(mayDecide({ approver: 'victor' }, { userId: 'victor', groups: [] })).toBe(true);
    expect(mayDecide({ approver: 'victor' }, { userId: 'mallory', groups: ['rep'] })).toBe(false);
    expect(mayDecide({ group: 'manager' }, { userId: 'maria', groups: ['manager'] })).toBe(true);
    expect(mayDecide({ approver: 'victor', escalatedTo: 'maria' }, { userId: 'maria', groups: [] })).toBe(true);
  });
});
