import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeTasksRepository } from '../../functions/adapters/tasks-repository';
import { makeApprovalTasksApi } from '../../functions/approval-tasks/handler';
import { captureLead } from '../../functions/core/capture-lead';
import type { ActionPorts } from '../../functions/core/lifecycle/act-on-lead';
import { httpHandler } from '../../functions/http/middleware';
import { freshTable } from '../support/table';

/** Ids of the shapes the API accepts (a task id is `<lead id>.<approval run>.<step>`), so the check reaches the store. */
const LEAD = '01KBF0000000000000000000AP';
const TASK = `${LEAD}.1.0`;
const MISSING = `${LEAD}.9.0`;

/** A lead owned by alice with an open approval task for victor, on DynamoDB Local. */
const setup = async () => {
  const table = await freshTable('task-probe');
  const clock = { now: () => new Date('2026-12-02T10:00:00Z') };
  const { leadId } = (await captureLead(
    {
      store: makeCaptureRepository(table.db, table.name),
      workflow: { startLifecycle: async () => undefined },
      clock,
      ids: { next: () => LEAD },
    },
    {
      payload: { email: 'pat@acme.example' },
      channel: 'API',
      source: { id: 'api', kind: 'webhook', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
      deliveryId: 'd1',
      actor: { kind: 'source', id: 'api', source: 'API' },
    },
  )) as { leadId: string };
  const reader = makeLeadReader(table.db, table.name);
  const before = await reader.get(leadId);
  if (!before) throw new Error('the captured lead is missing');
  await makeLeadWriter(table.db, table.name).write(before, { owner: 'alice', stage: 'SalesQualified' }, []);
  const tasks = makeTasksRepository(table.db, table.name);
  await tasks.createOnce({
    taskId: TASK,
    leadId,
    run: 1,
    stepIndex: 0,
    stepName: 'deal desk',
    chainName: 'big deals',
    approver: 'victor',
    escalations: 0,
    status: 'open',
    createdAt: '2026-12-02T09:00:00Z',
    dueAt: '2026-12-02T11:00:00Z',
    taskToken: 'token',
    leadSummary: { stage: 'SalesQualified', owner: 'alice', leadType: 'B2B' },
  });
  // Only the refusals are exercised: they read the task and the lead, nothing else (any other port would throw).
  const ports = { tasks, leads: { get: (id: string) => reader.get(id) }, clock } as unknown as ActionPorts;
  const api = httpHandler(makeApprovalTasksApi(ports, tasks));
  const decide = async (taskId: string, user: string, groups = 'rep') => {
    const event = {
      version: '2.0',
      routeKey: 'POST /tasks/{taskId}/decision',
      rawPath: `/tasks/${taskId}/decision`,
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      pathParameters: { taskId },
      body: JSON.stringify({ decision: 'approve' }),
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: `/tasks/${taskId}/decision` },
        authorizer: { jwt: { claims: { 'cognito:username': user, 'cognito:groups': `[${groups}]` }, scopes: [] } },
      },
    } as unknown as APIGatewayProxyEventV2;
    const res = (await api(event, {} as Context)) as { statusCode: number; body: string };
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  };
  return { decide };
};

describe('POST /tasks/{taskId}/decision by someone who may not decide', () => {
  it('answers 404 exactly as for a missing task when the caller cannot see the lead, so task ids cannot be probed', async () => {
    const { decide } = await setup();

    const hidden = await decide(TASK, 'mallory');
    const missing = await decide(MISSING, 'mallory');

    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    const { detail: hiddenDetail, instance: _a, ...hiddenRest } = hidden.body;
    const { detail: missingDetail, instance: _b, ...missingRest } = missing.body;
    expect(hiddenRest).toEqual(missingRest);
    expect(String(hiddenDetail).replace(TASK, 'ID')).toBe(String(missingDetail).replace(MISSING, 'ID'));
    expect(JSON.stringify(hidden.body)).not.toMatch(/victor|alice/);
  });

  it('answers 403 to a caller who can see the lead (its owner) but is not its approver', async () => {
    const { decide } = await setup();
    expect((await decide(TASK, 'alice')).status).toBe(403);
  });
});
