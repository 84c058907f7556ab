import { join } from 'node:path';
import { makeDocumentClient } from '../../functions/adapters/aws-clients';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { makeActivitiesRepository } from '../../functions/adapters/activities-repository';
import { makeDueRepository } from '../../functions/adapters/due-repository';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeRoutingRepository } from '../../functions/adapters/routing-repository';
import { makeStepsRepository } from '../../functions/adapters/steps-repository';
import { makeTasksRepository } from '../../functions/adapters/tasks-repository';
import { makeWorkflowStarter } from '../../functions/adapters/workflow-client';
import { captureLead } from '../../functions/core/capture-lead';
import { readConfig } from '../../functions/core/config/config-document';
import { actOnLead } from '../../functions/core/lifecycle/act-on-lead';
import { completeStep } from '../../functions/core/lifecycle/complete-step';
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
import { type StagesConfig, stagesConfig } from '../../functions/core/lifecycle/stages-config';
import { teamsConfig } from '../../functions/core/lifecycle/teams-config';
import { type ActionInput, toEntries } from '../../functions/core/lifecycle/transitions';
import { makeWorkflowSteps } from '../../functions/core/lifecycle/workflow-steps';
import { recordActivity, recordFormRevisit, wakeNurturedMatches } from '../../functions/core/scoring/activities';
import { scoringConfig } from '../../functions/core/scoring/points-config';
import { makeWorkflowStepsHandler } from '../../functions/workflow-steps/handler';
import { LocalEventBus } from '../../local/event-bus';
import { LocalWorkflowEngine } from '../../local/workflow-engine';
import { freshTable } from './table';

export const DEFINITION = join(import.meta.dirname, '../../statemachines/lead-lifecycle.asl.json');

/**
 * Shared by the lifecycle workflow tests (hand-over, nurture, parked leads).
 * The deployed definition on the local engine against DynamoDB Local, with the real workflow steps,
 * the real action core and the real due sweep; execution budgets and the open-execution limit are
 * set tiny so that what happens after a year or 25,000 events happens in a test.
 */
export const lifecycleHarness = async (limits: Partial<ExecutionLimits> = {}) => {
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
      releaseToken: (id, t) => writer.releaseToken(id, t),
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
    steps: makeStepsRepository(table.db, table.name),
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
  const sweep = () =>
    sweepDue({
      leads: ports.leads,
      due,
      executions,
      publisher,
      clock,
      steps: makeStepsRepository(table.db, table.name),
    });
  const act = (
    leadId: string,
    action: 'qualify' | 'handoff' | 'disqualify' | 'distribute' | 'convert',
    input: ActionInput = {},
  ) =>
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
  const activityPortsOf = () => ({
    leads: ports.leads,
    activities: makeActivitiesRepository(table.db, table.name),
    config: ports.config,
    publisher,
    clock,
  });
  /** A capture of `email` as a capture function wires it, waking nurtured leads it hits (forms count a revisit). */
  const recapture = async (
    email: string,
    options: { channel: 'WEBHOOK' | 'FORM' | 'CHATBOT' | 'IMPORT'; sourceId: string; deliveryId: string },
  ) => {
    const kind = ({ WEBHOOK: 'webhook', FORM: 'form', CHATBOT: 'chatbot', IMPORT: 'import' } as const)[options.channel];
    const answer = await captureLead(
      {
        store: makeCaptureRepository(table.db, table.name),
        workflow: starter,
        clock,
        ids: { next: () => `HO${++n}X${Date.now()}` },
        wakeNurtured: (request) => wakeNurturedMatches(activityPortsOf(), request),
      },
      {
        payload: { email },
        channel: options.channel,
        source: { id: options.sourceId, kind, adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
        deliveryId: options.deliveryId,
        actor: { kind: 'source', id: options.sourceId, source: options.channel },
      },
    );
    if (options.channel === 'FORM')
      await recordFormRevisit(activityPortsOf(), {
        sourceId: options.sourceId,
        deliveryId: options.deliveryId,
        createdLeadId: answer.status === 'created' ? answer.leadId : undefined,
        matches: answer.duplicates,
      });
    return answer;
  };
  /** A step completed by `userId` as the task API does it. */
  const complete = (stepId: string, outcome: string, userId = 'olga') =>
    completeStep(
      {
        ...ports,
        steps: ports.steps as NonNullable<LifecyclePorts['steps']>,
        publisher,
        callback: { succeed: async (token, output) => engine.sendTaskSuccess(token, JSON.stringify(output)) },
      },
      { stepId, outcome, caller: { userId, groups: ['manager'] } },
    );
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
  /** A captured lead whose execution waits on its rep, under `stages` when given (saved first). */
  const waitingLead = async (stages?: StagesConfig) => {
    if (stages) await config.put('stages', stages, 0, 'olga', new Date().toISOString());
    const leadId = await newLead();
    await until(waiting(leadId));
    return leadId;
  };
  const eventsOf = (leadId: string) => bus.log.filter((e) => e.detail.leadId === leadId);
  const types = (leadId: string) => eventsOf(leadId).map((e) => e['detail-type']);
  return {
    engine,
    ports,
    publisher,
    executions,
    table,
    reader,
    config,
    newLead,
    waitingLead,
    act,
    activity,
    recapture,
    complete,
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

export type LifecycleHarness = Awaited<ReturnType<typeof lifecycleHarness>>;

export const count = (list: string[], value: string) => list.filter((v) => v === value).length;
