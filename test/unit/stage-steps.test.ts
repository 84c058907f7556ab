import { describe, expect, it } from '@jest/globals';
import type { Lead, StepState } from '../../functions/core/lead';
import { checklistFor, outcomeMoveOf, planStageSteps } from '../../functions/core/lifecycle/stage-steps';
import {
  DEFAULT_STAGES,
  type StagesConfig,
  stagesConfigSchema,
  type StepSettings,
} from '../../functions/core/lifecycle/stages-config';

const day: [string, string][] = [['09:00', '18:00']];
const BERLIN = { timeZone: 'Europe/Berlin', hours: { mon: day, tue: day, wed: day, thu: day, fri: day }, holidays: [] };

const call: StepSettings = {
  name: 'First call',
  kind: 'call',
  assignee: 'owner',
  due: 'PT4H',
  required: true,
  outcomes: ['reached', 'no answer', 'not interested'],
  actions: { reached: { action: 'qualify' }, 'not interested': { action: 'disqualify' } },
};

const lead = (over: Partial<Lead> = {}): Lead => ({
  id: 'L1',
  version: 4,
  stage: 'Assigned',
  leadType: 'B2B',
  channel: 'API',
  sourceId: 'manual',
  deliveryId: 'd1',
  createdAt: '2026-01-09T16:00:00.000Z',
  updatedAt: '2026-01-09T16:55:00.000Z',
  createdBy: { kind: 'user', id: 't', source: 'API' },
  duplicates: [],
  duplicatePolicy: 'create',
  stageEnteredAt: '2026-01-09T16:55:00.000Z',
  owner: 'bob',
  team: 'inside-sales',
  scoreBand: 'C',
  ...over,
});

const stages = (assigned: Partial<StagesConfig['Assigned']>): StagesConfig => ({
  ...DEFAULT_STAGES,
  Assigned: { ...DEFAULT_STAGES.Assigned, ...assigned },
});

const done = (step: StepState, outcome: string, completedAt: string, applied = false): StepState => ({
  ...step,
  status: 'done',
  outcome,
  completedAt,
  completedBy: 'bob',
  applied,
});

describe('steps in the stages configuration', () => {
  it('refuses an action for an outcome the step does not have, and a user step without its user', () => {
    const parsed = stagesConfigSchema.safeParse(
      stages({
        steps: [
          { ...call, actions: { 'meeting held': { action: 'handoff' } } },
          { ...call, name: 'Review', assignee: 'user' },
        ],
      }),
    );
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['Assigned.steps.0.actions.meeting held', "'meeting held' is not one of the outcomes"],
      ['Assigned.steps.1.user', "name the user when assignee is 'user'"],
    ]);
  });

  it('refuses distribute as an outcome action (it would re-enter the stage for ever)', () => {
    const parsed = stagesConfigSchema.safeParse(
      stages({ steps: [{ ...call, actions: { reached: { action: 'distribute' as 'qualify' } } }] }),
    );
    expect(parsed.success).toBe(false);
  });
});

describe('planStageSteps', () => {
  it('dates each step from the stage entry in the team’s business hours, and ids are stable', () => {
    const steps = [
      call,
      { ...call, name: 'Team review', kind: 'review' as const, assignee: 'team' as const, due: 'PT10H' },
    ];
    const planned = planStageSteps(lead(), 'Assigned', steps, BERLIN);
    // Friday 17:55 Berlin + 4 business hours = Monday 12:55; + 10 = Tuesday 09:55 (9 hours a day).
    expect(planned.map((s) => [s.id, s.assignee, s.dueAt])).toEqual([
      ['L1.Assigned.0', 'user:bob', '2026-01-12T11:55:00.000Z'],
      ['L1.Assigned.1', 'team:inside-sales', '2026-01-13T08:55:00.000Z'],
    ]);
    expect(planStageSteps(lead(), 'Assigned', steps, BERLIN)).toEqual(planned);
    // Without a calendar: wall-clock hours.
    expect(planStageSteps(lead(), 'Assigned', [call])[0]?.dueAt).toBe('2026-01-09T20:55:00.000Z');
  });

  it('gives an owner step to the team while the lead has no owner, and a user step to its user', () => {
    const planned = planStageSteps(lead({ owner: undefined }), 'Assigned', [
      call,
      { ...call, assignee: 'user', user: 'maria' },
    ]);
    expect(planned.map((s) => s.assignee)).toEqual(['team:inside-sales', 'user:maria']);
  });
});

describe('checklistFor', () => {
  const config = stages({
    steps: [call],
    criteria: {
      qualify: [
        { field: 'company', present: true },
        { field: 'leadType', equals: 'B2B' },
        { field: 'country', in: ['DE', 'AT'] },
        { scoreBand: 'B' },
        { activity: 'email-reply', atLeast: 2 },
        { outcome: 'reached', step: 'First call' },
      ],
      disqualify: [{ field: 'company', present: true }],
    },
  });

  it('checks fields, band, activities and outcomes, then the stage’s required steps for a forward move', () => {
    const [step] = planStageSteps(lead(), 'Assigned', [call]);
    const subject = lead({ steps: { stage: 'Assigned', items: [step as StepState] }, behaviour: { 'email-reply': 1 } });
    expect(checklistFor(subject, config, 'qualify')).toEqual([
      { criterion: 'company present', field: 'company', met: false },
      { criterion: 'leadType is B2B', field: 'leadType', met: true },
      { criterion: 'country is one of DE, AT', field: 'country', met: false },
      { criterion: 'score band B or better (now C)', field: 'scoreBand', met: false },
      { criterion: 'at least 2 email-reply (has 1)', field: 'behaviour.email-reply', met: false },
      { criterion: "outcome 'reached' of step 'First call' recorded", field: 'stepOutcomes', met: false },
      { criterion: "step 'First call' done", field: 'steps.L1.Assigned.0', met: false },
    ]);
    const met = lead({
      company: 'Acme',
      country: 'AT',
      scoreBand: 'A',
      behaviour: { 'email-reply': 2 },
      steps: { stage: 'Assigned', items: [done(step as StepState, 'reached', '2026-01-12T09:00:00.000Z')] },
      stepOutcomes: [
        {
          stepId: 'L1.Assigned.0',
          stage: 'Assigned',
          step: 'First call',
          outcome: 'reached',
          at: '2026-01-12T09:00:00.000Z',
        },
      ],
    });
    expect(checklistFor(met, config, 'qualify').filter((c) => !c.met)).toEqual([]);
    // Leaving sideways needs only its own criteria, not the required steps.
    expect(checklistFor(lead({ steps: subject.steps }), config, 'disqualify').map((c) => c.criterion)).toEqual([
      'company present',
    ]);
    expect(checklistFor(lead({ stage: 'Converted' }), config, 'qualify')).toEqual([]);
  });
});

describe('outcomeMoveOf', () => {
  const config = stages({
    steps: [call, { ...call, name: 'Second call' }],
    criteria: { qualify: [{ field: 'company', present: true }] },
  });
  const [a, b] = planStageSteps(lead(), 'Assigned', config.Assigned.steps ?? []) as [StepState, StepState];

  it('takes the earliest completed outcome whose action the stage allows and whose criteria hold, once', () => {
    const both = lead({
      company: 'Acme',
      steps: {
        stage: 'Assigned',
        items: [done(a, 'reached', '2026-01-12T10:00:00.000Z'), done(b, 'not interested', '2026-01-12T09:00:00.000Z')],
      },
    });
    expect(outcomeMoveOf(both, config)).toEqual({
      index: 1,
      step: 'Second call',
      outcome: 'not interested',
      action: 'disqualify',
      reason: 'not interested',
      by: 'bob',
    });
    const applied = lead({
      ...both,
      steps: {
        stage: 'Assigned',
        items: [both.steps?.items[0] as StepState, { ...(both.steps?.items[1] as StepState), applied: true }],
      },
    });
    expect(outcomeMoveOf(applied, config)?.action).toBe('qualify');
  });

  it('takes nothing while the criteria are unmet, for an unmapped outcome, or for steps of another stage', () => {
    const items = [done(a, 'reached', '2026-01-12T10:00:00.000Z'), done(b, 'no answer', '2026-01-12T11:00:00.000Z')];
    expect(outcomeMoveOf(lead({ steps: { stage: 'Assigned', items } }), config)).toBeUndefined();
    expect(
      outcomeMoveOf(lead({ company: 'Acme', stage: 'MarketQualified', steps: { stage: 'Assigned', items } }), config),
    ).toBeUndefined();
  });
});
