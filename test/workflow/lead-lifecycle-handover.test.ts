import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { makeDocumentClient } from '../../functions/adapters/aws-clients';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { makeActivitiesRepository } from '../../functions/adapters/activities-repository';
import { makeDueRepository } from '../../functions/adapters/due-repository';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeRoutingRepository } from '../../functions/adapters/routing-repository';
import { makeTasksRepository } from '../../functions/adapters/tasks-repository';
import { makeWorkflowStarter } from '../../functions/adapters/workflow-client';
import { captureLead } from '../../functions/core/capture-lead';
import { readConfig } from '../../functions/core/config/config-document';
import { actOnLead } from '../../functions/core/lifecycle/act-on-lead';
import { approvalsConfig } from '../../functions/core/lifecycle/approvals-config';
import { sweepDue } from '../../functions/core/lifecycle/due-sweep';
import {
  DEFAULT_EXECUTION_LIMITS,
  type ExecutionLimits,
  type ExecutionStarter,
} from '../../functions/core/lifecycle/execution-budget';
import { nurtureConfig } from '../../functions/core/lifecycle/nurture';
import type { LifecyclePorts } from '../../functions/core/lifecycle/ports';
import { routingConfig } from '../../functions/core/lifecycle/routing-config';
import { stagesConfig } from '../../functions/core/lifecycle/stages-config';
import { teamsConfig } from '../../functions/core/lifecycle/teams-config';
import { toEntries } from '../../functions/core/lifecycle/transitions';
import { makeWorkflowSteps } from '../../functions/core/lifecycle/workflow-steps';
import { foldEvents } from '../../functions/core/reports/counters';
import { recordActivity } from '../../functions/core/scoring/activities';
import { scoringConfig } from '../../functions/core/scoring/points-config';
import { makeWorkflowStepsHandler } from '../../functions/workflow-steps/handler';
import { LocalEventBus } from '../../local/event-bus';
import { LocalWorkflowEngine } from '../../local/workflow-engine';
import { freshTable } from '../support/table';

const DEFINITION = join(import.meta.dirname, '../../statemachines/lead-lifecycle.asl.json');
const DAY = 24 * 3600 * 1000;

/**
 * The deployed definition on the local engine against DynamoDB Local, with the real workflow steps,
 * the real action core and the real due sweep; execution budgets and the open-execution limit are
 * set tiny so that what happens after a year or 25,000 events happens in a test.
 */
const harness = async (limits: Partial<ExecutionLimits> = {}) => {
  const table = await freshTable('ho');
  const config = makeConfigRepository(table.db, table.name, { cacheMs: 0 });
  const reader = makeLeadReader(table.db, table.name);
  const writer = makeLeadWriter(table.db, table.name);
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const bus = new LocalEventBus(async () => undefined, undefined, []);
  let steps: ReturnType<typeof makeWorkflowStepsHandler> | undefined;
  const engine = new LocalWorkflowEngine({
    dynamodb: table.client,
    putEvents: async (entries) => bus.put(entries),
    invokeFunction: async (_name, payload) => JSON.parse(JSON.stringify((await steps?.(payload)) ?? null)),
  });
  const arn = engine.register('lifecycle', DEFINITION, {
    TableName: table.name,
    TableArn: `arn:aws:dynamodb:local:000000000000:table/${table.name}`,
    EventBusName: 'leadflow',
    EventBusArn: 'arn:aws:events:local:000000000000:event-bus/leadflow',
    WorkflowStepsFunctionArn: 'arn:aws:lambda:local:000000000000:function:workflowSteps',
  });
  /** What makeExecutionStarter does over the SDK, over the engine: a second start of a name is a no-op. */
  const executions: ExecutionStarter = {
    async start(name, input) {
      try {
        engine.start(arn, name, JSON.stringify(input));
      } catch (error) {
        if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
      }
    },
  };
  const ports: LifecyclePorts = {
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
      nurture: async () => (await readConfig(config, nurtureConfig)).value,
    },
    counters: makeRoutingRepository(table.db, table.name),
    tasks: makeTasksRepository(table.db, table.name),
    conversion: makeConversion(makeDocumentClient(table.client), table.name, config),
    clock,
    busName: 'leadflow',
    executions,
    limits: { ...DEFAULT_EXECUTION_LIMITS, ...limits },
    entries: { put: async (entries) => void bus.put(entries) },
    callback: { succeed: async (token, output) => engine.sendTaskSuccess(token, JSON.stringify(output)) },
  };
  steps = makeWorkflowStepsHandler(makeWorkflowSteps(ports));
  const publisher = {
    publish: async (events: Parameters<typeof toEntries>[0]) => void bus.put(toEntries(events, 'leadflow')),
  };
  const due = makeDueRepository(table.db, table.name);
  const sweep = () => sweepDue({ leads: ports.leads, due, executions, publisher, clock });
  const act = (leadId: string, action: 'qualify' | 'handoff' | 'disqualify', input = {}) =>
    actOnLead(
      {
        ...ports,
        publisher,
        callback: { succeed: async (token, output) => engine.sendTaskSuccess(token, JSON.stringify(output)) },
      },
      { leadId, action, input, caller: { userId: 'olga', groups: ['manager'] } },
    );
  // Capture as the capture functions wire it: a start refused by the limit is parked on the lead.
  const starter = makeWorkflowStarter(executions, (leadId, execution) => due.parkStart(leadId, execution, clock.now()));
  let n = 0;
  const newLead = async (start = true) =>
    (
      await captureLead(
        {
          store: makeCaptureRepository(table.db, table.name),
          workflow: start ? starter : { startLifecycle: async () => undefined },
          clock,
          ids: { next: () => `HO${++n}X${Date.now()}` },
        },
        {
          payload: { email: `p${n}@ho.example` },
          channel: 'API',
          source: { id: 'manual', kind: 'api', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
          deliveryId: `d${n}`,
          actor: { kind: 'user', id: 't', source: 'API' },
        },
      )
    ).leadId;
  const until = async (check: () => boolean | Promise<boolean>, ms = 20_000) => {
    const start = Date.now();
    while (!(await check())) {
      if (Date.now() - start > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const execution = (name: string) => engine.executions.get(`${arn.replace(':stateMachine:', ':execution:')}:${name}`);
  const waiting = (name: string) => async () => {
    const run = execution(name);
    const lead = await reader.get(name.split('-')[0] as string);
    return Boolean(run?.status === 'RUNNING' && lead?.taskToken?.startsWith(`${name}.`));
  };
  const activity = (leadId: string, activityId: string) =>
    recordActivity(
      {
        leads: ports.leads,
        activities: makeActivitiesRepository(table.db, table.name),
        config: ports.config,
        publisher,
        clock,
      },
      { leadId, activity: { activityId, type: 'email-reply' }, actor: { kind: 'user', id: 'bob', source: 'API' } },
    );
  const eventsOf = (leadId: string) => bus.log.filter((e) => e.detail.leadId === leadId);
  const types = (leadId: string) => eventsOf(leadId).map((e) => e['detail-type']);
  return {
    engine,
    reader,
    config,
    newLead,
    act,
    activity,
    sweep,
    until,
    execution,
    waiting,
    eventsOf,
    types,
    bus,
    shift: (ms: number) => {
      offsetMs += ms;
    },
  };
};

const count = (list: string[], value: string) => list.filter((v) => v === value).length;

describe('lifecycle executions stay inside Step Functions quotas', () => {
  it('hands a lead over to <leadId>-g<n> when the history budget runs low; actions reach the successor; no event twice', async () => {
    // Room for one wait per execution: the second wait of each execution goes to a successor.
    const h = await harness({ maxHistoryEvents: DEFAULT_EXECUTION_LIMITS.eventsPerLoop });
    const leadId = await h.newLead();
    await h.until(h.waiting(leadId));

    await h.act(leadId, 'qualify');
    await h.until(h.waiting(`${leadId}-g1`));
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    let lead = await h.reader.get(leadId);
    expect(lead?.stage).toBe('MarketQualified');
    expect(lead?.execution).toMatchObject({ name: `${leadId}-g1`, generation: 1, loops: 1 });

    // The action goes to the successor's wait, and the successor hands over in turn.
    await h.act(leadId, 'handoff');
    await h.until(h.waiting(`${leadId}-g2`));
    await h.until(() => h.execution(`${leadId}-g1`)?.status === 'SUCCEEDED');
    lead = await h.reader.get(leadId);
    expect(lead?.stage).toBe('SalesQualified');
    expect(lead?.owner).toBeDefined();
    expect(h.engine.openExecutions).toBe(1);

    const types = h.types(leadId);
    expect(count(types, 'LeadCreated')).toBe(1);
    expect(count(types, 'LeadAssigned')).toBe(1);
    expect(count(types, 'LeadStageChanged')).toBe(3);
    const ids = h.eventsOf(leadId).map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    h.engine.shutdown();
  });

  it('hands over before the execution outlives its age budget, with no aging on the way', async () => {
    // A 2-second "year": the 4-hour SLA is waited in slices that end at the budget, then a successor waits on.
    const h = await harness({ maxAgeSeconds: 2, minSliceSeconds: 1 });
    const leadId = await h.newLead();
    await h.until(h.waiting(leadId));
    await h.until(h.waiting(`${leadId}-g1`));
    expect(h.execution(leadId)?.status).toBe('SUCCEEDED');
    await h.act(leadId, 'qualify');
    expect((await h.reader.get(leadId))?.stage).toBe('MarketQualified');
    const types = h.types(leadId);
    expect(types).not.toContain('LeadAging');
    expect(count(types, 'LeadStageChanged')).toBe(2);
    h.engine.shutdown();
  });

  it('parks a start the open-execution limit refuses and starts it from the due sweep when there is room', async () => {
    const h = await harness();
    h.engine.maxOpen = 1;
    const first = await h.newLead();
    await h.until(h.waiting(first));

    const second = await h.newLead();
    let lead = await h.reader.get(second);
    expect(lead?.stage).toBe('Creation');
    expect(lead?.due).toMatchObject({ kind: 'start', attempts: 1, execution: { name: second } });
    expect(h.execution(second)).toBeUndefined();

    // Still no room a minute later: parked again, backing off.
    h.shift(61_000);
    expect(await h.sweep()).toMatchObject({ parked: [second], started: [] });
    lead = await h.reader.get(second);
    expect(lead?.due).toMatchObject({ kind: 'start', attempts: 2 });

    await h.act(first, 'disqualify', { reason: 'wrong-fit' });
    await h.until(() => h.execution(first)?.status === 'SUCCEEDED');
    h.shift(121_000);
    expect(await h.sweep()).toMatchObject({ started: [second] });
    await h.until(h.waiting(second));
    lead = await h.reader.get(second);
    expect(lead?.stage).toBe('Assigned');
    expect(lead?.due ?? null).toBeNull();
    expect(count(h.types(second), 'LeadCreated')).toBe(1);
    h.engine.shutdown();
  });
});

describe('nurture and recycle', () => {
  it('nurtures a lead with no open execution and recycles it once into <leadId>-r1, back in routing with its history', async () => {
    const h = await harness();
    const leadId = await h.newLead();
    await h.until(h.waiting(leadId));
    await h.act(leadId, 'disqualify', { reason: 'No budget' });
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    let lead = await h.reader.get(leadId);
    expect(lead?.stage).toBe('Disqualified');
    expect(lead?.nurture).toMatchObject({ reason: 'No budget', onActivity: true });
    expect(lead?.due?.kind).toBe('recycle');
    expect(Date.parse(lead?.due?.at ?? '') - Date.now()).toBeGreaterThan(89 * DAY);
    expect(h.engine.openExecutions).toBe(0);

    h.shift(89 * DAY);
    expect(await h.sweep()).toMatchObject({ recycled: [] });
    h.shift(2 * DAY);
    // Two sweeps at once (a late schedule overlapping the next): one recycle, one execution.
    const [a, b] = await Promise.all([h.sweep(), h.sweep()]);
    expect([...a.recycled, ...b.recycled]).toEqual([leadId]);
    await h.until(h.waiting(`${leadId}-r1`));
    await h.sweep();
    expect(h.execution(`${leadId}-r2`)).toBeUndefined();
    expect(h.engine.openExecutions).toBe(1);

    lead = await h.reader.get(leadId);
    expect(lead).toMatchObject({ stage: 'Assigned', recycles: 1, nurture: null, due: null });
    const types = h.types(leadId);
    expect(count(types, 'LeadNurtured')).toBe(1);
    expect(count(types, 'LeadRecycled')).toBe(1);
    expect(count(types, 'LeadCreated')).toBe(1);
    const recycled = h.eventsOf(leadId).find((e) => e['detail-type'] === 'LeadRecycled');
    expect(recycled?.detail).toMatchObject({ trigger: 'timer', recycles: 1, reason: 'no-budget' });
    // Nothing personal in the new events: ids, enums, times.
    expect(JSON.stringify(recycled?.detail)).not.toContain('@ho.example');

    // The counters see one lead, open again in Assigned, disqualified once on the way.
    const { counters } = foldEvents(
      h.eventsOf(leadId).map((e) => ({ detailType: e['detail-type'], source: e.source, detail: e.detail as never })),
    );
    const open = counters.filter((c) => c.family === 'open');
    expect(counters.filter((c) => c.metric === 'disqualified').map((c) => c.n)).toEqual([1]);
    expect(counters.filter((c) => c.metric === 'created').map((c) => c.n)).toEqual([1]);
    expect(open).toEqual([expect.objectContaining({ n: 1, dims: expect.objectContaining({ stage: 'Assigned' }) })]);
    h.engine.shutdown();
  });

  it('brings a nurtured lead back at the next sweep when it shows new activity', async () => {
    const h = await harness();
    const leadId = await h.newLead();
    await h.until(h.waiting(leadId));
    await h.act(leadId, 'disqualify', { reason: 'bad timing' });
    await h.activity(leadId, 'reply-1');
    const lead = await h.reader.get(leadId);
    expect(lead?.behaviour).toEqual({ 'email-reply': 1 });
    expect(lead?.due?.at).toBe(lead?.nurture?.wokenAt);
    expect(await h.sweep()).toMatchObject({ recycled: [leadId], started: [leadId] });
    await h.until(h.waiting(`${leadId}-r1`));
    const recycled = h.eventsOf(leadId).find((e) => e['detail-type'] === 'LeadRecycled');
    expect(recycled?.detail).toMatchObject({ trigger: 'activity', reason: 'bad-timing' });
    h.engine.shutdown();
  });

  it('leaves a disqualification without a recycle rule closed and undue', async () => {
    const h = await harness();
    const leadId = await h.newLead();
    await h.until(h.waiting(leadId));
    await h.act(leadId, 'disqualify', { reason: 'spam' });
    const lead = await h.reader.get(leadId);
    expect(lead?.nurture ?? null).toBeNull();
    expect(lead?.due ?? null).toBeNull();
    expect(h.types(leadId)).not.toContain('LeadNurtured');
    h.engine.shutdown();
  });
});
