import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { DEFAULT_STAGES } from '../../functions/core/lifecycle/stages-config';
import { type ApiResponse, eventually, useTestRuntime } from '../support/runtime';

const { api } = useTestRuntime();

type LeadView = {
  id: string;
  stage: string;
  allowedActions: string[];
  pendingApproval: { chain: string; stepIndex: number; stepName: string; approver?: string; since?: string } | null;
  owner?: string;
  escalations?: number;
  disqualifyReason?: string;
  contactId?: string;
  opportunityId?: string;
  audit: { action: string; why?: string }[];
};
type Task = { taskId: string; leadId: string; stepName: string; escalated: boolean };

const SALESOPS: [string, string] = ['sam', 'salesops'];
const MANAGER: [string, string] = ['maria', 'manager'];
/** A second manager: the one who asks for a conversion may not approve it (four eyes). */
const OTHER_MANAGER: [string, string] = ['max', 'manager'];

const putConfig = async (name: string, value: unknown) => {
  const current = await api.request<{ version: number }>('GET', `/config/${name}`, { as: SALESOPS });
  const res = await api.request('PUT', `/config/${name}`, {
    as: SALESOPS,
    body: { version: current.body.version, value },
  });
  expect(res.status, res.text).toBe(200);
  return res;
};
const getLead = async (id: string) => (await api.request<LeadView>('GET', `/leads/${id}`, { as: MANAGER })).body;
const leadIn = (id: string, stage: string, timeoutMs = 15_000) =>
  eventually(async () => ((await getLead(id)).stage === stage ? getLead(id) : undefined), { timeoutMs });

let seq = 0;
const newLead = async (fields: Record<string, unknown> = {}) => {
  seq++;
  const res = await api.webhook('campaign-demo', {
    email: `person${seq}@acme${seq}.example`,
    company: `Acme ${seq}`,
    ...fields,
  });
  expect(res.status, res.text).toBe(202);
  const id = String(res.body.leadId);
  await leadIn(id, 'Assigned');
  return id;
};
/** Actions wait until the execution has stored its token (a 409 "moving" means not yet). */
const act = (id: string, action: string, as: [string, ...string[]], body: unknown = {}) =>
  eventually(async () => {
    const res = await api.request('POST', `/leads/${id}/actions/${action}`, { as, body });
    return res.status === 409 && String(res.body.detail).includes('moving') ? undefined : res;
  });
const decide = (taskId: string, as: [string, ...string[]], body: unknown) =>
  eventually(async () => {
    const res = await api.request('POST', `/tasks/${taskId}/decision`, { as, body });
    return res.status === 409 && String(res.body.detail).includes('being opened') ? undefined : res;
  });
const tasksOf = async (as: [string, ...string[]], leadId: string) =>
  (await api.request<{ items: Task[] }>('GET', '/tasks', { as })).body.items.filter((t) => t.leadId === leadId);

const TEAM = {
  teams: [
    {
      id: 'dach',
      name: 'DACH',
      manager: 'maria',
      members: [
        { user: 'alice', available: true },
        { user: 'bob', available: true },
        { user: 'carol', available: true },
      ],
    },
  ],
};

describe('the lead lifecycle through the HTTP API', () => {
  it('answers 409 with the allowed actions when an action does not fit the stage', async () => {
    const id = await newLead();
    const owner = (await getLead(id)).owner as string;
    const res = await act(id, 'convert', [owner, 'rep']);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.allowed).toEqual(['qualify', 'handoff', 'distribute', 'disqualify']);
  });

  it('lets exactly one of two racing actions win', async () => {
    // Two disqualifications with different reasons: whichever order they land in, only one may apply.
    const id = await newLead();
    const race = await eventually(async () => {
      const both = await Promise.all(
        ['duplicate of an open deal', 'no budget'].map((reason) =>
          api.request('POST', `/leads/${id}/actions/disqualify`, { as: MANAGER, body: { reason } }),
        ),
      );
      return both.every((r) => r.status === 409 && String(r.body.detail).includes('moving')) ? undefined : both;
    });
    expect(race.map((r: ApiResponse) => r.status).sort()).toEqual([200, 409]);
    const winner = race.findIndex((r: ApiResponse) => r.status === 200);
    const lead = await leadIn(id, 'Disqualified');
    expect(lead.disqualifyReason).toBe(['duplicate of an open deal', 'no budget'][winner]);
    expect(lead.audit.filter((a) => a.action === 'disqualify')).toHaveLength(1);
    const disqualified = await eventually(async () => {
      const events = (await api.events('LeadDisqualified')).filter((e) => e.detail.leadId === id);
      return events.length > 0 ? events : undefined;
    });
    expect(disqualified).toHaveLength(1);
  });

  it('disqualifies with convert-to-contact and links the new contact', async () => {
    const id = await newLead({ firstName: 'Erin' });
    const owner = (await getLead(id)).owner as string;
    const missingReason = await act(id, 'disqualify', [owner, 'rep'], { convertToContact: true });
    expect(missingReason.status).toBe(422);
    expect((await act(id, 'disqualify', [owner, 'rep'], { reason: 'no budget', convertToContact: true })).status).toBe(
      200,
    );
    const lead = await eventually(async () => {
      const l = await getLead(id);
      return l.contactId ? l : undefined;
    });
    expect(lead).toMatchObject({ stage: 'Disqualified', disqualifyReason: 'no budget' });
    const contact = await api.request('GET', `/contacts/${lead.contactId}`, { as: MANAGER });
    expect(contact.status).toBe(200);
  });

  it('shares leads fairly: 30 leads on 3 reps by round-robin give each rep 10', async () => {
    await putConfig('teams', TEAM);
    await putConfig('routing', {
      rules: [{ name: 'dach', when: {}, assign: { team: 'dach', strategy: 'round-robin' } }],
      fallbackQueue: 'UNASSIGNED',
    });
    const sent = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.webhook('campaign-demo', { email: `rr${i}@fair${i}.example` })),
    );
    const ids = sent.map((r) => String(r.body.leadId));
    const owners = await Promise.all(ids.map((id) => leadIn(id, 'Assigned', 30_000).then((l) => l.owner)));
    const counts: Record<string, number> = {};
    for (const o of owners) counts[String(o)] = (counts[String(o)] ?? 0) + 1;

    expect(counts).toEqual({ alice: 10, bob: 10, carol: 10 });
  });

  it('ages a lead whose SLA passes, escalates and reassigns it, then ages it out', async () => {
    await putConfig('teams', TEAM);
    await putConfig('stages', {
      ...DEFAULT_STAGES,
      Assigned: {
        ...DEFAULT_STAGES.Assigned,
        sla: 'PT2S',
        escalation: { action: 'reassign-next', maxEscalations: 1, finalAct: 'disqualify' },
      },
    });
    const id = await newLead();
    const firstOwner = (await getLead(id)).owner;
    const escalated = await eventually(async () => {
      const l = await getLead(id);
      return l.escalations === 1 ? l : undefined;
    });
    expect(escalated.owner).not.toBe(firstOwner);
    expect(escalated.stage).toBe('Assigned');
    const agedOut = await leadIn(id, 'Disqualified', 10_000);
    expect(agedOut.disqualifyReason).toBe('aged out');
    const types = (await api.events()).filter((e) => e.detail.leadId === id).map((e) => e['detail-type']);
    expect(types.filter((t) => t === 'LeadAging')).toHaveLength(2);
    expect(types).toEqual(expect.arrayContaining(['LeadEscalated', 'LeadDisqualified']));
    expect(types.filter((t) => t === 'LeadAssigned')).toHaveLength(2);
    await putConfig('stages', DEFAULT_STAGES);
  });

  it('runs a two-step approval: a stranger 404, double decision 409, reject returns the lead, approval converts', async () => {
    await putConfig('approvals', {
      chains: [
        {
          name: 'big deals',
          when: { leadType: ['B2B'], minExpectedValue: 1000 },
          steps: [
            { name: 'deal desk', approver: 'victor', timeout: 'PT1H' },
            { name: 'sales manager', group: 'manager', timeout: 'PT1H' },
          ],
          onReject: 'return-to-sales-qualified',
        },
      ],
    });
    const id = await newLead({ expectedValue: 5000 });
    await act(id, 'handoff', MANAGER);
    expect((await act(id, 'convert', MANAGER)).body).toMatchObject({ next: 'approve' });
    const [step1] = await eventually(async () =>
      (await tasksOf(['victor', 'rep'], id)).length === 1 ? tasksOf(['victor', 'rep'], id) : undefined,
    );
    expect(step1?.stepName).toBe('deal desk');
    const taskId = String(step1?.taskId);
    expect((await decide(taskId, ['mallory', 'rep'], { decision: 'approve' })).status).toBe(404);
    expect((await decide(taskId, ['victor', 'rep'], { decision: 'approve', comment: 'fine' })).status).toBe(200);
    expect((await decide(taskId, ['victor', 'rep'], { decision: 'approve' })).status).toBe(409);
    const [step2] = await eventually(async () =>
      (await tasksOf(OTHER_MANAGER, id)).length === 1 ? tasksOf(OTHER_MANAGER, id) : undefined,
    );
    expect(step2?.stepName).toBe('sales manager');
    expect(
      (await decide(String(step2?.taskId), OTHER_MANAGER, { decision: 'reject', comment: 'price too low' })).body,
    ).toMatchObject({ stage: 'SalesQualified', next: 'wait' });

    await act(id, 'convert', MANAGER);
    const [again1] = await eventually(async () =>
      (await tasksOf(['victor', 'rep'], id)).length === 1 ? tasksOf(['victor', 'rep'], id) : undefined,
    );
    expect(again1?.taskId).not.toBe(taskId);
    await decide(String(again1?.taskId), ['victor', 'rep'], { decision: 'approve' });
    const [again2] = await eventually(async () =>
      (await tasksOf(OTHER_MANAGER, id)).length === 1 ? tasksOf(OTHER_MANAGER, id) : undefined,
    );
    await decide(String(again2?.taskId), OTHER_MANAGER, { decision: 'approve' });
    const converted = await leadIn(id, 'Converted');
    expect(converted.opportunityId).toBeTruthy();
    const decided = (await api.events('ApprovalDecided'))
      .filter((e) => e.detail.leadId === id)
      .map((e) => e.detail.decision);
    expect(decided).toEqual(['approve', 'reject', 'approve', 'approve']);
  });

  it('says who a lead waits on while approval is pending, offers no action, and refuses a second convert at once naming the approval', async () => {
    await putConfig('approvals', {
      chains: [
        {
          name: 'big deals',
          when: { leadType: ['B2B'], minExpectedValue: 1000 },
          steps: [{ name: 'deal desk', approver: 'victor', timeout: 'PT1H' }],
          onReject: 'return-to-sales-qualified',
        },
      ],
    });
    const id = await newLead({ expectedValue: 5000 });
    await act(id, 'handoff', MANAGER);
    expect((await getLead(id)).allowedActions).toContain('convert');
    expect((await act(id, 'convert', MANAGER)).body).toMatchObject({ next: 'approve' });
    await eventually(async () => ((await tasksOf(['victor', 'rep'], id)).length === 1 ? true : undefined));
    const waiting = await getLead(id);
    expect(waiting.allowedActions).toEqual([]);
    expect(waiting.pendingApproval).toMatchObject({
      chain: 'big deals',
      stepIndex: 0,
      stepName: 'deal desk',
      approver: 'victor',
    });
    expect(Date.parse(String(waiting.pendingApproval?.since))).toBeGreaterThan(0);

    // Straight to the request, without the retry-while-moving helper: the answer is final, not "moving".
    const second = await api.request('POST', `/leads/${id}/actions/convert`, { as: MANAGER, body: {} });
    expect(second.status).toBe(409);
    expect(String(second.body.detail)).toContain('waiting on approval: big deals, step 1 of 1 (deal desk) with victor');
    expect(String(second.body.detail)).not.toContain('moving');
  });

  it('escalates an approval task nobody decided in time to the manager, who may then decide it', async () => {
    await putConfig('teams', TEAM);
    await putConfig('approvals', {
      chains: [
        {
          name: 'quick',
          when: { leadType: ['B2B'], minExpectedValue: 1000 },
          steps: [{ name: 'deal desk', approver: 'victor', timeout: 'PT2S' }],
          onReject: 'disqualify',
        },
      ],
    });
    const id = await newLead({ expectedValue: 2000 });
    await act(id, 'handoff', MANAGER);
    // The owner asks, so the manager it escalates to is not the requester (four eyes).
    await act(id, 'convert', [String((await getLead(id)).owner), 'rep']);
    // maria is asked as a plain user (no manager group), so only the escalation gives her the task.
    const asMaria: [string, string] = ['maria', 'rep'];
    const [escalated] = await eventually(async () => {
      const mine = await tasksOf(asMaria, id);
      return mine.length === 1 ? mine : undefined;
    });
    expect(escalated?.escalated).toBe(true);
    expect((await decide(String(escalated?.taskId), asMaria, { decision: 'approve' })).status).toBe(200);
    await leadIn(id, 'Converted');
    const escalations = (await api.events('LeadEscalated')).filter((e) => e.detail.leadId === id);
    expect(escalations.map((e) => e.detail.action)).toEqual(['approval-escalated']);
  });

  it('refuses the manager who asked for a conversion its approval task (403, task stays open, not offered), and another manager approves it', async () => {
    await putConfig('approvals', {
      chains: [
        {
          name: 'managers sign',
          when: { leadType: ['B2B'], minExpectedValue: 1000 },
          steps: [{ name: 'sales manager', group: 'manager', timeout: 'PT1H' }],
          onReject: 'disqualify',
        },
      ],
    });
    const id = await newLead({ expectedValue: 3000 });
    await act(id, 'handoff', MANAGER);
    await act(id, 'convert', MANAGER);
    const [task] = await eventually(async () =>
      (await tasksOf(OTHER_MANAGER, id)).length === 1 ? tasksOf(OTHER_MANAGER, id) : undefined,
    );
    expect(await tasksOf(MANAGER, id)).toEqual([]);

    const self = await decide(String(task?.taskId), MANAGER, { decision: 'approve' });

    expect(self.status).toBe(403);
    expect(self.headers.get('content-type')).toContain('application/problem+json');
    expect(String(self.body.detail)).toMatch(/you requested this conversion.*four-eyes/);
    expect((await tasksOf(OTHER_MANAGER, id)).map((t) => t.taskId)).toEqual([task?.taskId]);
    expect((await decide(String(task?.taskId), OTHER_MANAGER, { decision: 'approve' })).status).toBe(200);
    await leadIn(id, 'Converted');
    const decided = (await api.events('ApprovalDecided')).filter((e) => e.detail.leadId === id).map((e) => e.detail.by);
    expect(decided).toEqual(['max']);
  });

  it('lets the requester approve when the chain allows self-approval', async () => {
    await putConfig('approvals', {
      chains: [
        {
          name: 'self-service',
          when: { leadType: ['B2B'], minExpectedValue: 1000 },
          steps: [{ name: 'sales manager', group: 'manager', timeout: 'PT1H' }],
          onReject: 'disqualify',
          allowSelfApproval: true,
        },
      ],
    });
    const id = await newLead({ expectedValue: 3000 });
    await act(id, 'handoff', MANAGER);
    await act(id, 'convert', MANAGER);
    const [task] = await eventually(async () =>
      (await tasksOf(MANAGER, id)).length === 1 ? tasksOf(MANAGER, id) : undefined,
    );

    expect((await decide(String(task?.taskId), MANAGER, { decision: 'approve' })).status).toBe(200);
    await leadIn(id, 'Converted');
  });
});
