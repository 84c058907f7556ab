import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { makeDocumentClient } from '../../functions/adapters/aws-clients';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeRoutingRepository } from '../../functions/adapters/routing-repository';
import { makeTasksRepository } from '../../functions/adapters/tasks-repository';
import { captureLead } from '../../functions/core/capture-lead';
import { readConfig } from '../../functions/core/config/config-document';
import { approvalsConfig } from '../../functions/core/lifecycle/approvals-config';
import { routingConfig } from '../../functions/core/lifecycle/routing-config';
import { stagesConfig } from '../../functions/core/lifecycle/stages-config';
import { DEFAULT_TEAMS, teamsConfig } from '../../functions/core/lifecycle/teams-config';
import { makeWorkflowSteps } from '../../functions/core/lifecycle/workflow-steps';
import { scoringConfig } from '../../functions/core/scoring/points-config';
import { makeWorkflowStepsHandler } from '../../functions/workflow-steps/handler';
import { LocalEventBus } from '../../local/event-bus';
import { LocalWorkflowEngine } from '../../local/workflow-engine';
import { freshTable } from '../support/table';

const DEFINITION = join(import.meta.dirname, '../../statemachines/lead-lifecycle.asl.json');
type Validation = { isValid: boolean; errorsText: (sep?: string) => string };
const validate = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => Validation;

/**
 * The deployed definition executed by the local engine against DynamoDB Local, with the real
 * workflow steps. `fault` lets a test make a step throw: a Lambda service error cannot be produced
 * by the emulator, so this is the one place a fault is injected by hand.
 */
const harness = async (
  fault?: (op: string, attempt: number) => Error | undefined,
  now: () => Date = () => new Date(),
) => {
  const table = await freshTable('wf');
  const config = makeConfigRepository(table.db, table.name, { cacheMs: 0 });
  const reader = makeLeadReader(table.db, table.name);
  const writer = makeLeadWriter(table.db, table.name);
  const bus = new LocalEventBus(async () => undefined, undefined, []);
  let engine: LocalWorkflowEngine | undefined;
  const steps = makeWorkflowStepsHandler(
    makeWorkflowSteps({
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
      conversion: makeConversion(makeDocumentClient(table.client), table.name, config),
      clock: { now },
      busName: 'leadflow',
      entries: { put: async (entries) => void bus.put(entries) },
      callback: { succeed: async (token, output) => engine?.sendTaskSuccess(token, JSON.stringify(output)) },
    }),
  );
  const attempts = new Map<string, number>();
  const outputs: { op: string; result: unknown }[] = [];
  engine = new LocalWorkflowEngine({
    dynamodb: table.client,
    putEvents: async (entries) => bus.put(entries),
    invokeFunction: async (_name, payload) => {
      const op = String((payload as { op: string }).op);
      const attempt = (attempts.get(op) ?? 0) + 1;
      attempts.set(op, attempt);
      const error = fault?.(op, attempt);
      if (error) throw error;
      const result = JSON.parse(JSON.stringify((await steps(payload)) ?? null));
      outputs.push({ op, result });
      return result;
    },
  });
  const arn = engine.register('lifecycle', DEFINITION, {
    TableName: table.name,
    TableArn: `arn:aws:dynamodb:local:000000000000:table/${table.name}`,
    EventBusName: 'leadflow',
    EventBusArn: 'arn:aws:events:local:000000000000:event-bus/leadflow',
    WorkflowStepsFunctionArn: 'arn:aws:lambda:local:000000000000:function:workflowSteps',
  });
  let n = 0;
  const newLead = async () =>
    (
      await captureLead(
        {
          store: makeCaptureRepository(table.db, table.name),
          workflow: { startLifecycle: async () => undefined },
          clock: { now: () => new Date() },
          ids: { next: () => `LEAD${++n}X${Date.now()}` },
        },
        {
          payload: { email: `p${n}@wf.example` },
          channel: 'API',
          source: { id: 'manual', kind: 'api', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
          deliveryId: `d${n}`,
          actor: { kind: 'user', id: 't', source: 'API' },
        },
      )
    ).leadId;
  const until = async (check: () => boolean, ms = 20_000) => {
    const start = Date.now();
    while (!check()) {
      if (Date.now() - start > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { engine, arn, bus, reader, newLead, until, attempts, outputs, config };
};

const entered = (history: { type: string; state?: string }[]) =>
  history.filter((h) => h.type === 'StateEntered').map((h) => h.state);

describe('statemachines/lead-lifecycle.asl.json', () => {
  it('is a valid JSONPath definition by asl-validator', () => {
    const result = validate(JSON.parse(readFileSync(DEFINITION, 'utf8')));
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('retries a step that fails once with a service error and goes on', async () => {
    const h = await harness((op, attempt) =>
      op === 'begin' && attempt === 1
        ? Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' })
        : undefined,
    );
    const leadId = await h.newLead();
    const run = h.engine.start(h.arn, leadId, JSON.stringify({ leadId }));
    await h.until(() => entered(run.history).includes('WaitForRep'));
    expect(run.history.filter((e) => e.type === 'StateRetried').map((e) => e.state)).toEqual(['Begin']);
    expect(entered(run.history)).toEqual(['Begin', 'Dispatch', 'WaitForRep']);
    expect((await h.reader.get(leadId))?.stage).toBe('Assigned');
    h.engine.shutdown();
  });

  it('records a step that keeps failing on the lead and publishes LeadWorkflowFailed instead of failing silently', async () => {
    const h = await harness((op) => (op === 'begin' ? new Error('DynamoDB is on fire') : undefined));
    const leadId = await h.newLead();
    const run = h.engine.start(h.arn, leadId, JSON.stringify({ leadId }));
    await h.until(() => run.status !== 'RUNNING');
    expect(run.status).toBe('SUCCEEDED');
    expect(entered(run.history)).toEqual(['Begin', 'RecordFailure', 'PublishFailure']);
    expect(run.history.filter((e) => e.type === 'StateRetried')).toHaveLength(3);
    const lead = await h.reader.get(leadId);
    expect(lead?.failure).toMatchObject({ error: 'Error', cause: 'DynamoDB is on fire' });
    expect(lead?.stage).toBe('Creation');
    expect(h.bus.log.map((e) => e['detail-type'])).toEqual(['LeadWorkflowFailed']);
  }, 30_000);

  it('resumes a lead at its stored stage when started with resume: true', async () => {
    const h = await harness();
    const leadId = await h.newLead();
    const first = h.engine.start(h.arn, leadId, JSON.stringify({ leadId }));
    await h.until(() => entered(first.history).includes('WaitForRep'));
    h.engine.stop(first.executionArn);
    const resumed = h.engine.start(h.arn, `${leadId}--resume`, JSON.stringify({ leadId, resume: true }));
    await h.until(() => entered(resumed.history).includes('WaitForRep'));
    expect(entered(resumed.history)).toEqual(['Begin', 'Dispatch', 'WaitForRep']);
    expect(h.bus.log.filter((e) => e.detail.leadId === leadId && e['detail-type'] === 'LeadCreated')).toHaveLength(1);
    h.engine.shutdown();
  });

  it('arms the first SLA wait until the business-hours deadline when the team of the lead has a calendar', async () => {
    // Friday 9 January 2026, 17:55 in Berlin: 4 business hours (the Assigned SLA) end Monday 12:55 Berlin.
    const friday = new Date('2026-01-09T16:55:00Z');
    const h = await harness(undefined, () => friday);
    const day: [string, string][] = [['09:00', '18:00']];
    const calendar = {
      timeZone: 'Europe/Berlin',
      hours: { mon: day, tue: day, wed: day, thu: day, fri: day },
      holidays: [],
    };
    await h.config.put(
      'teams',
      { teams: DEFAULT_TEAMS.teams.map((t) => ({ ...t, calendar })) },
      0,
      'olga',
      friday.toISOString(),
    );
    const leadId = await h.newLead();
    const run = h.engine.start(h.arn, leadId, JSON.stringify({ leadId }));
    await h.until(() => entered(run.history).includes('WaitForRep'));
    const lead = await h.reader.get(leadId);
    expect(lead?.team).toBe('inside-sales');
    expect(lead?.stageDeadline).toBe('2026-01-12T11:55:00.000Z');
    const begin = h.outputs.find((o) => o.op === 'begin')?.result as { timeoutSeconds: number } | undefined;
    // The wait's TimeoutSeconds is (due − now): 67 hours, not the 4 wall-clock hours of a team without a calendar.
    expect(begin?.timeoutSeconds).toBe((Date.parse('2026-01-12T11:55:00Z') - friday.getTime()) / 1000);
    h.engine.shutdown();
  });
});
