import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Lead } from '../../functions/core/lead';
import {
  beforeWait,
  checkpoint,
  DEFAULT_EXECUTION_LIMITS,
  type ExecutionLimits,
} from '../../functions/core/lifecycle/execution-budget';
import {
  DEFAULT_NURTURE,
  nurtureConfigSchema,
  parkedStart,
  planNurture,
  planRecycle,
  reasonSlug,
  recycleRuleFor,
  startBackoffSeconds,
  wakeOnActivity,
} from '../../functions/core/lifecycle/nurture';

const NOW = new Date('2026-03-02T10:00:00.000Z');
const DAY = 86_400;

const lead: Lead = {
  id: 'L1',
  version: 4,
  stage: 'Disqualified',
  leadType: 'B2B',
  channel: 'FORM',
  sourceId: 'website',
  deliveryId: 'd1',
  createdAt: '2026-01-05T09:00:00.000Z',
  updatedAt: NOW.toISOString(),
  createdBy: { kind: 'source', id: 'website', source: 'FORM' },
  duplicates: [],
  duplicatePolicy: 'create',
  stageEnteredAt: NOW.toISOString(),
  email: 'ann@acme.io',
  owner: 'bob',
  disqualifyReason: 'No budget',
};

describe('recycle rules', () => {
  it('match a reason as a slug, the first listed rule winning, and contact conversions by their own rule', () => {
    expect(reasonSlug(' No  budget ')).toBe('no-budget');
    expect(recycleRuleFor(DEFAULT_NURTURE, 'No budget', false)?.recycleAfter).toBe('P90D');
    expect(recycleRuleFor(DEFAULT_NURTURE, 'no_budget', true)?.recycleAfter).toBe('P90D');
    expect(recycleRuleFor(DEFAULT_NURTURE, 'duplicate', true)?.recycleAfter).toBe('P180D');
    expect(recycleRuleFor(DEFAULT_NURTURE, 'duplicate', false)).toBeUndefined();
    const both = { rules: [{ reason: 'bad-timing', convertToContact: true, recycleAfter: 'P7D', onActivity: false }] };
    expect(recycleRuleFor(both, 'bad timing', false)).toBeUndefined();
    expect(recycleRuleFor(both, 'bad timing', true)?.recycleAfter).toBe('P7D');
  });

  it('are refused without a reason or a contact condition, or with a duration that is not one', () => {
    expect(nurtureConfigSchema.safeParse({ rules: [{ recycleAfter: 'P90D' }] }).success).toBe(false);
    expect(nurtureConfigSchema.safeParse({ rules: [{ reason: 'x', recycleAfter: '90 days' }] }).success).toBe(false);
    expect(nurtureConfigSchema.parse({ rules: [{ reason: 'x', recycleAfter: 'P1D' }] }).rules[0]?.onActivity).toBe(
      true,
    );
  });
});

describe('nurture', () => {
  it('puts the recycle time on the lead as due and says so with ids and enums only', () => {
    const rule = recycleRuleFor(DEFAULT_NURTURE, 'No budget', false);
    if (!rule) throw new Error('no rule');
    const plan = planNurture(lead, rule, false, { kind: 'user', id: 'bob', source: 'API' }, NOW);
    expect(plan.patch.due).toEqual({ at: '2026-05-31T10:00:00.000Z', kind: 'recycle' });
    expect(plan.patch.nurture).toMatchObject({ reason: 'No budget', recycleAt: '2026-05-31T10:00:00.000Z' });
    expect(plan.event.detailType).toBe('LeadNurtured');
    expect(plan.event.detail).toMatchObject({ reason: 'no-budget', onActivity: true, convertToContact: false });
    expect(JSON.stringify(plan.event.detail)).not.toContain('ann@acme.io');
  });

  it('wakes on activity only when its rule listens and it is not due already', () => {
    const nurtured = {
      nurture: {
        reason: 'x',
        since: NOW.toISOString(),
        recycleAt: '2026-06-01T00:00:00.000Z',
        onActivity: true,
        convertToContact: false,
      },
      due: { at: '2026-06-01T00:00:00.000Z', kind: 'recycle' as const },
    };
    expect(wakeOnActivity(nurtured, NOW)?.due).toEqual({ at: NOW.toISOString(), kind: 'recycle' });
    expect(wakeOnActivity({ ...nurtured, nurture: { ...nurtured.nurture, onActivity: false } }, NOW)).toBeUndefined();
    expect(wakeOnActivity({ ...nurtured, due: { at: NOW.toISOString(), kind: 'recycle' } }, NOW)).toBeUndefined();
    expect(wakeOnActivity({ nurture: null, due: null }, NOW)).toBeUndefined();
  });

  it('recycles into Creation with the next execution name and its start due at once', () => {
    const plan = planRecycle(
      {
        ...lead,
        recycles: 1,
        nurture: {
          reason: 'No budget',
          since: '2026-01-01T00:00:00.000Z',
          recycleAt: NOW.toISOString(),
          onActivity: true,
          convertToContact: false,
        },
      },
      NOW,
    );
    expect(plan.executionName).toBe('L1-r2');
    expect(plan.patch).toMatchObject({
      stage: 'Creation',
      recycles: 2,
      nurture: null,
      due: { kind: 'start', at: NOW.toISOString(), execution: { name: 'L1-r2', input: { leadId: 'L1' } } },
    });
    expect(plan.events.map((e) => e.detailType)).toEqual(['LeadStageChanged', 'LeadRecycled']);
    expect(plan.events[1]?.detail).toMatchObject({ trigger: 'timer', recycles: 2, reason: 'no-budget' });
  });

  it('backs a refused start off 1, 2, 4 … minutes up to an hour', () => {
    expect([1, 2, 3, 7, 20].map(startBackoffSeconds)).toEqual([60, 120, 240, 3600, 3600]);
    const first = parkedStart({}, { name: 'L1', input: {} }, NOW);
    expect(first).toMatchObject({ kind: 'start', attempts: 1, at: '2026-03-02T10:01:00.000Z' });
    expect(parkedStart({ due: first }, { name: 'L1', input: {} }, NOW).attempts).toBe(2);
  });
});

describe('execution budget', () => {
  const limits: ExecutionLimits = {
    maxHistoryEvents: 400,
    eventsPerLoop: 40,
    maxAgeSeconds: 360 * DAY,
    minSliceSeconds: 3600,
  };
  const at = (ageSeconds: number) => new Date(NOW.getTime() + ageSeconds * 1000);
  const base = { startedAt: NOW.toISOString(), timeoutSeconds: 4 * 3600, sliceable: true };

  it('hands over when the next loop could pass the history budget', () => {
    expect(checkpoint({ ...base, loops: 8, now: NOW }, limits)).toEqual({ handOver: false, timeoutSeconds: 4 * 3600 });
    expect(checkpoint({ ...base, loops: 9, now: NOW }, limits)).toEqual({ handOver: false, timeoutSeconds: 4 * 3600 });
    expect(checkpoint({ ...base, loops: 10, now: NOW }, limits)).toMatchObject({ handOver: true, why: 'history' });
  });

  it('cuts a rep wait to the age left, and hands over when too little is left or an approval wait would not fit', () => {
    expect(checkpoint({ ...base, loops: 1, now: at(360 * DAY - 7200) }, limits)).toEqual({
      handOver: false,
      timeoutSeconds: 7200,
    });
    expect(checkpoint({ ...base, loops: 1, now: at(360 * DAY - 600) }, limits)).toMatchObject({
      handOver: true,
      why: 'age',
    });
    expect(checkpoint({ ...base, sliceable: false, loops: 1, now: at(360 * DAY - 7200) }, limits)).toMatchObject({
      handOver: true,
      why: 'age',
    });
    expect(checkpoint({ ...base, timeoutSeconds: 60, loops: 1, now: at(360 * DAY - 600) }, limits)).toEqual({
      handOver: false,
      timeoutSeconds: 60,
    });
  });

  it('hands over when a wait is armed that could pass the history budget or outlive the age budget', () => {
    const arming = { startedAt: NOW.toISOString(), timeoutSeconds: 4 * 3600 };
    expect(beforeWait({ ...arming, loops: 9, now: NOW }, limits)).toEqual({
      handOver: false,
      timeoutSeconds: 4 * 3600,
    });
    expect(beforeWait({ ...arming, loops: 10, now: NOW }, limits)).toMatchObject({ handOver: true, why: 'history' });
    // Cut to the age left a moment before (by the step that produced it): it fits, within a second.
    const left = 7200;
    expect(beforeWait({ ...arming, timeoutSeconds: left, loops: 1, now: at(360 * DAY - left + 1) }, limits)).toEqual({
      handOver: false,
      timeoutSeconds: left,
    });
    // A wait from outside the execution (a rep's action) is not cut: the successor waits it.
    expect(beforeWait({ ...arming, loops: 1, now: at(360 * DAY - left) }, limits)).toMatchObject({
      handOver: true,
      why: 'age',
    });
  });

  it('keeps its defaults under the AWS quotas (25,000 events, one year)', () => {
    expect(DEFAULT_EXECUTION_LIMITS.maxHistoryEvents).toBeLessThan(25_000);
    expect(DEFAULT_EXECUTION_LIMITS.maxAgeSeconds).toBeLessThan(365 * DAY);
  });

  it('bounds the history events of one wait loop of the deployed definition by eventsPerLoop', () => {
    // AWS history per state: a Task writes at most Entered, Scheduled, Started, Submitted, Succeeded|Failed|TimedOut,
    // Exited (6) plus 3 per retry; a Choice writes Entered and Exited (2).
    const definition = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../statemachines/lead-lifecycle.asl.json'), 'utf8'),
    ) as { States: Record<string, { Type: string; Next?: string; Default?: string; Choices?: { Next: string }[] }> };
    const states = definition.States;
    // The longest loop: a wait that times out, Aging (its events go with it to the next wait), back to Dispatch.
    // The budget check and the publishing happen in the step that arms the wait: no state of their own.
    const loop = ['Dispatch', 'WaitForRep', 'Aging'];
    expect(states.Dispatch?.Choices?.find((c) => c.Next === 'WaitForRep')).toBeDefined();
    expect(states.Dispatch?.Choices?.find((c) => c.Next === 'WaitForApproval')).toBeDefined();
    expect(states.Aging?.Next).toBe('Dispatch');
    expect(states.ApprovalTimeout?.Next).toBe('Dispatch');
    const events = loop.reduce((sum, name) => sum + (states[name]?.Type === 'Task' ? 6 + 3 : 2), 0);
    expect(events).toBeLessThanOrEqual(DEFAULT_EXECUTION_LIMITS.eventsPerLoop);
  });
});
