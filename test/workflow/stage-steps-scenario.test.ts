import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeDocumentClient } from '../../functions/adapters/aws-clients';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeRoutingRepository } from '../../functions/adapters/routing-repository';
import { makeStepsRepository } from '../../functions/adapters/steps-repository';
import { makeTasksRepository } from '../../functions/adapters/tasks-repository';
import { captureLead } from '../../functions/core/capture-lead';
import { readConfig } from '../../functions/core/config/config-document';
import { LeadflowError } from '../../functions/core/errors';
import { actOnLead, type Caller } from '../../functions/core/lifecycle/act-on-lead';
import { approvalsConfig } from '../../functions/core/lifecycle/approvals-config';
import { completeStep, openStepsFor, type StepPorts } from '../../functions/core/lifecycle/complete-step';
import { routingConfig } from '../../functions/core/lifecycle/routing-config';
import { DEFAULT_STAGES, type StagesConfig, stagesConfig } from '../../functions/core/lifecycle/stages-config';
import { DEFAULT_TEAMS, teamsConfig } from '../../functions/core/lifecycle/teams-config';
import { toEntries } from '../../functions/core/lifecycle/transitions';
import { makeWorkflowSteps } from '../../functions/core/lifecycle/workflow-steps';
import { scoringConfig } from '../../functions/core/scoring/points-config';
import { makeWorkflowStepsHandler } from '../../functions/workflow-steps/handler';
import { LocalEventBus } from '../../local/event-bus';
import { LocalWorkflowEngine } from '../../local/workflow-engine';
import { freshTable } from '../support/table';

const DEFINITION = join(import.meta.dirname, '../../statemachines/lead-lifecycle.asl.json');

/** Sales ops' stages: a step per stage whose outcomes move the lead, and criteria on each move. */
const STAGES: StagesConfig = {
  ...DEFAULT_STAGES,
  Assigned: {
    ...DEFAULT_STAGES.Assigned,
    steps: [
      {
        name: 'First call',
        kind: 'call',
        assignee: 'owner',
        due: 'PT4H',
        required: true,
        outcomes: ['reached', 'no answer', 'not interested'],
        actions: { reached: { action: 'qualify' }, 'not interested': { action: 'disqualify' } },
      },
    ],
    criteria: { qualify: [{ field: 'email', present: true }] },
  },
  MarketQualified: {
    ...DEFAULT_STAGES.MarketQualified,
    steps: [
      {
        name: 'Discovery meeting',
        kind: 'meeting',
        assignee: 'owner',
        due: 'PT6H',
        required: true,
        outcomes: ['meeting held', 'no show', 'not interested'],
        actions: { 'meeting held': { action: 'handoff' }, 'not interested': { action: 'disqualify' } },
      },
    ],
    criteria: {
      handoff: [
        { field: 'company', present: true },
        { field: 'jobTitle', present: true },
        { scoreBand: 'D' },
        { outcome: 'meeting held' },
      ],
    },
  },
  SalesQualified: {
    ...DEFAULT_STAGES.SalesQualified,
    steps: [
      {
        name: 'Budget review',
        kind: 'review',
        assignee: 'team',
        due: 'PT2H',
        required: false,
        outcomes: ['budget confirmed', 'no budget'],
        actions: {
          'budget confirmed': { action: 'convert' },
          'no budget': { action: 'disqualify', reason: 'no-budget' },
        },
      },
    ],
    criteria: { convert: [{ activity: 'meeting' }, { outcome: 'budget confirmed' }] },
  },
};

const day: [string, string][] = [['09:00', '18:00']];
const CALENDAR = {
  timeZone: 'Europe/Berlin',
  hours: { mon: day, tue: day, wed: day, thu: day, fri: day },
  holidays: [],
};

/** The deployed definition run by the local engine on DynamoDB Local, with the real steps and a clock the test sets. */
const harness = async () => {
  const table = await freshTable('steps');
  const clock = { at: new Date('2026-01-09T16:55:00Z') };
  const config = makeConfigRepository(table.db, table.name, { cacheMs: 0 });
  const reader = makeLeadReader(table.db, table.name);
  const writer = makeLeadWriter(table.db, table.name);
  const bus = new LocalEventBus(async () => undefined, undefined, []);
  let engine: LocalWorkflowEngine | undefined;
  const ports: StepPorts = {
    leads: {
      get: (id) => reader.get(id),
      write: (b, p, a, o) => writer.write(b, p, a, o),
      setWaitToken: (id, t, e) => writer.setWaitToken(id, t, e),
      recordExecution: (id, e) => writer.recordExecution(id, e),
    },
    config: {
      routing: () => readConfig(config, routingConfig),
      teams: async () => (await readConfig(config, teamsConfig)).value,
      stages: async () => (await readConfig(config, stagesConfig)).value,
      approvals: async () => (await readConfig(config, approvalsConfig)).value,
      scoring: async () => ({ config: await readConfig(config, scoringConfig), model: null }),
    },
    counters: makeRoutingRepository(table.db, table.name),
    tasks: makeTasksRepository(table.db, table.name),
    steps: makeStepsRepository(table.db, table.name),
    conversion: makeConversion(makeDocumentClient(table.client), table.name, config),
    clock: { now: () => clock.at },
    busName: 'leadflow',
    callback: { succeed: async (token, output) => engine?.sendTaskSuccess(token, JSON.stringify(output)) },
    publisher: { publish: async (events) => void bus.put(toEntries(events, 'leadflow')) },
    entries: { put: async (entries) => void bus.put(entries) },
  };
  const steps = makeWorkflowStepsHandler(makeWorkflowSteps(ports));
  engine = new LocalWorkflowEngine({
    dynamodb: table.client,
    putEvents: async (entries) => bus.put(entries),
    invokeFunction: async (_name, payload) => JSON.parse(JSON.stringify((await steps(payload)) ?? null)),
  });
  const arn = engine.register('lifecycle', DEFINITION, {
    TableName: table.name,
    TableArn: `arn:aws:dynamodb:local:000000000000:table/${table.name}`,
    EventBusName: 'leadflow',
    EventBusArn: 'arn:aws:events:local:000000000000:event-bus/leadflow',
    WorkflowStepsFunctionArn: 'arn:aws:lambda:local:000000000000:function:workflowSteps',
  });
  const at = clock.at.toISOString();
  await config.put('teams', { teams: DEFAULT_TEAMS.teams.map((t) => ({ ...t, calendar: CALENDAR })) }, 0, 'olga', at);
  await config.put('stages', STAGES, 0, 'olga', at);
  let n = 0;
  const start = async () => {
    n += 1;
    const { leadId } = await captureLead(
      {
        store: makeCaptureRepository(table.db, table.name),
        workflow: { startLifecycle: async () => undefined },
        clock: { now: () => clock.at },
        ids: { next: () => `STEPS${n}X${Date.now()}` },
      },
      {
        payload: { email: `p${n}@steps.example`, company: 'Acme', jobTitle: 'Head of Ops' },
        channel: 'API',
        source: { id: 'manual', kind: 'api', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
        deliveryId: `d${n}`,
        actor: { kind: 'user', id: 't', source: 'API' },
      },
    );
    const run = (engine as LocalWorkflowEngine).start(arn, leadId, JSON.stringify({ leadId }));
    return { leadId, run };
  };
  /** Until the execution waits on the rep (its token is on the lead) with the lead in `stage`. */
  const waiting = async (leadId: string, stage: string) => {
    for (const started = Date.now(); Date.now() - started < 20_000; ) {
      const lead = await reader.get(leadId);
      if (lead?.stage === stage && lead.taskToken) return lead;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`lead ${leadId} never waited in ${stage}`);
  };
  return { engine, arn, ports, clock, reader, bus, start, waiting };
};

const caller = (userId: string, groups: string[] = ['rep']): Caller => ({ userId, groups });

describe('stages with steps, criteria and outcomes, on the lifecycle definition', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.engine?.shutdown());

  it('walks a lead to conversion by step outcomes alone, with business-hours due times', async () => {
    const { leadId, run } = await h.start();
    // Friday 9 January 2026, 17:55 Berlin: the 4-business-hour first call is due Monday 12:55 Berlin.
    const assigned = await h.waiting(leadId, 'Assigned');
    const owner = assigned.owner as string;
    const [call] = assigned.steps?.items ?? [];
    expect(call).toMatchObject({ name: 'First call', status: 'open', assignee: `user:${owner}` });
    expect(call?.dueAt).toBe('2026-01-12T11:55:00.000Z');
    // The rep's task list shows it beside approvals.
    const listed = await openStepsFor(h.ports, caller(owner));
    expect(listed.map((s) => [s.id, s.dueAt])).toEqual([[call?.id, '2026-01-12T11:55:00.000Z']]);

    // Monday 10:00 Berlin: the call reached them; the workflow qualifies the lead itself.
    h.clock.at = new Date('2026-01-12T09:00:00Z');
    const first = await completeStep(h.ports, {
      stepId: call?.id as string,
      outcome: 'reached',
      caller: caller(owner),
    });
    expect(first.wakes).toBe(true);
    const mq = await h.waiting(leadId, 'MarketQualified');
    const [meeting] = mq.steps?.items ?? [];
    // Entered Monday 10:00 Berlin; 6 business hours → Monday 16:00 Berlin.
    expect(meeting).toMatchObject({ name: 'Discovery meeting', dueAt: '2026-01-12T15:00:00.000Z', status: 'open' });

    // Tuesday: the meeting was held; the handoff criteria (company, job title, band, the outcome) are met.
    h.clock.at = new Date('2026-01-13T10:00:00Z');
    await completeStep(h.ports, {
      stepId: meeting?.id as string,
      outcome: 'meeting held',
      caller: caller(owner),
    });
    const sq = await h.waiting(leadId, 'SalesQualified');
    const [review] = sq.steps?.items ?? [];
    // A team step: 2 business hours from Tuesday 11:00 Berlin.
    expect(review).toMatchObject({
      name: 'Budget review',
      assignee: `team:${sq.team}`,
      dueAt: '2026-01-13T12:00:00.000Z',
    });
    expect(sq.behaviour).toMatchObject({ call: 1, meeting: 1 });
    // The lead left MarketQualified: its steps are off every list. Another member of the team, who may
    // not open this lead, sees the review and confirms the budget: the workflow converts (no approval chain matches).
    const team = DEFAULT_TEAMS.teams.find((t) => t.id === sq.team);
    const member = team?.members.find((m) => m.user !== owner)?.user as string;
    expect((await openStepsFor(h.ports, caller(member))).map((s) => s.id)).toEqual([review?.id]);
    await completeStep(h.ports, { stepId: review?.id as string, outcome: 'budget confirmed', caller: caller(member) });
    for (const started = Date.now(); run.status === 'RUNNING' && Date.now() - started < 20_000; )
      await new Promise((r) => setTimeout(r, 25));
    expect(run.status).toBe('SUCCEEDED');
    const converted = await h.reader.get(leadId);
    expect(converted?.stage).toBe('Converted');
    expect(converted?.opportunityId).toBeDefined();
    expect(converted?.stepOutcomes?.map((o) => o.outcome)).toEqual(['reached', 'meeting held', 'budget confirmed']);
    // Each completion counted once as an activity of its step's kind.
    expect(converted?.behaviour).toEqual({ call: 1, meeting: 1, review: 1 });

    // Every Step Functions transition of that walk, from the local engine's history.
    const entered = run.history.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered).toEqual([
      'Begin',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'ApplyOutcome',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'ApplyOutcome',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'ApplyOutcome',
      'Dispatch',
      'Convert',
    ]);
    const kinds = h.bus.log.filter((e) => e.detail.leadId === leadId).map((e) => e['detail-type']);
    expect(kinds.filter((k) => k === 'LeadStageChanged')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'LeadActivityRecorded')).toHaveLength(3);
    expect(kinds).toContain('LeadConverted');
  }, 60_000);

  it("refuses a rep's handoff whose criteria are unmet with 422 naming each one, and changes nothing", async () => {
    h.clock.at = new Date('2026-01-14T09:00:00Z');
    const { leadId } = await h.start();
    const assigned = await h.waiting(leadId, 'Assigned');
    const owner = assigned.owner as string;
    await completeStep(h.ports, {
      stepId: assigned.steps?.items[0]?.id as string,
      outcome: 'reached',
      caller: caller(owner),
    });
    const mq = await h.waiting(leadId, 'MarketQualified');
    const refused = await actOnLead(h.ports, { leadId, action: 'handoff', input: {}, caller: caller(owner) }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(LeadflowError);
    expect((refused as LeadflowError).status).toBe(422);
    expect((refused as LeadflowError).details.issues).toEqual([
      { field: 'stepOutcomes', reason: "not met: outcome 'meeting held' recorded" },
      { field: `steps.${mq.steps?.items[0]?.id}`, reason: "not met: step 'Discovery meeting' done" },
    ]);
    expect((await h.reader.get(leadId))?.version).toBe(mq.version);
  }, 30_000);

  it('lets exactly one of a step outcome and a racing rep action move the lead', async () => {
    const { leadId } = await h.start();
    const assigned = await h.waiting(leadId, 'Assigned');
    const owner = assigned.owner as string;
    const results = await Promise.allSettled([
      completeStep(h.ports, {
        stepId: assigned.steps?.items[0]?.id as string,
        outcome: 'not interested',
        caller: caller(owner),
      }),
      actOnLead(h.ports, { leadId, action: 'disqualify', input: { reason: 'duplicate' }, caller: caller(owner) }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lead = await h.reader.get(leadId);
    const audit = lead?.stepOutcomes ?? [];
    // Either the outcome was recorded (and the workflow disqualifies) or the rep redistributed: never both.
    if (results[0].status === 'fulfilled') expect(audit).toHaveLength(1);
    else expect(audit).toHaveLength(0);
  }, 30_000);

  it('takes an outcome recorded while no execution ran when the lead is resumed', async () => {
    const { leadId, run } = await h.start();
    const assigned = await h.waiting(leadId, 'Assigned');
    h.engine?.stop(run.executionArn);
    // The stopped execution's token is still on the lead: the completion consumes it, and the wake-up finds no one.
    await completeStep(h.ports, {
      stepId: assigned.steps?.items[0]?.id as string,
      outcome: 'reached',
      caller: caller(assigned.owner as string),
    });
    expect((await h.reader.get(leadId))?.stage).toBe('Assigned');
    const resumed = h.engine?.start(h.arn, `${leadId}--resume`, JSON.stringify({ leadId, resume: true }));
    await h.waiting(leadId, 'MarketQualified');
    expect(resumed?.history.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual([
      'Begin',
      'Dispatch',
      'ApplyOutcome',
      'Dispatch',
      'WaitForRep',
    ]);
  }, 30_000);
});
