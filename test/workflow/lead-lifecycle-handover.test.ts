import { describe, expect, it } from '@jest/globals';
import { decideTask } from '../../functions/core/lifecycle/act-on-lead';
import { DEFAULT_EXECUTION_LIMITS } from '../../functions/core/lifecycle/execution-budget';
import { DEFAULT_STAGES, type StagesConfig } from '../../functions/core/lifecycle/stages-config';
import { recipientsFor } from '../../functions/core/notifications/recipients';
import { foldEvents } from '../../functions/core/reports/counters';
import { count, lifecycleHarness as harness } from '../support/lifecycle-harness';

const DAY = 24 * 3600 * 1000;

describe('lifecycle executions stay inside Step Functions quotas', () => {
  it('hands a lead over to <leadId>-g<n> when the history budget runs low; actions reach the successor; no event twice', async () => {
    // Room for one wait per execution: the second wait of each execution goes to a successor.
    const h = await harness({ maxHistoryEvents: DEFAULT_EXECUTION_LIMITS.eventsPerLoop });
    // Each stage's deadline earlier than the one before: the actions wake the execution (a later deadline
    // would leave it asleep with quietActions on, quiet-action.ts), so each arms a wait of its own either way.
    const shrinking = {
      ...DEFAULT_STAGES,
      Assigned: { ...DEFAULT_STAGES.Assigned, sla: 'P5D' },
      MarketQualified: { ...DEFAULT_STAGES.MarketQualified, sla: 'P2D' },
      SalesQualified: { ...DEFAULT_STAGES.SalesQualified, sla: 'PT4H' },
    } satisfies StagesConfig;
    await h.config.put('stages', shrinking, 0, 'olga', new Date().toISOString());
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

  it('wakes a nurtured lead when the person comes in again: a webhook delivery (once per delivery), an import row and a form revisit', async () => {
    const h = await harness();
    const webhooked = await h.newLead();
    const formed = await h.newLead();
    const imported = await h.newLead();
    await h.until(h.waiting(webhooked));
    await h.until(h.waiting(formed));
    await h.until(h.waiting(imported));
    await h.act(webhooked, 'disqualify', { reason: 'No budget' });
    await h.act(formed, 'disqualify', { reason: 'bad timing' });
    await h.act(imported, 'disqualify', { reason: 'No budget' });
    const emailOf = async (id: string) => (await h.reader.get(id))?.email as string;

    // A campaign webhook from the same email: new activity on the nurtured lead, due back at once.
    const delivery = { channel: 'WEBHOOK' as const, sourceId: 'ads', deliveryId: 'wh-1' };
    const answer = await h.recapture(await emailOf(webhooked), delivery);
    expect(answer.duplicates.map((m) => m.id)).toContain(webhooked);
    let lead = await h.reader.get(webhooked);
    expect(lead?.behaviour).toEqual({ 'inbound-capture': 1 });
    expect(lead?.nurture?.wokenAt).toBeDefined();
    expect(lead?.due?.at).toBe(lead?.nurture?.wokenAt);
    // The sender retries the same delivery: nothing is counted twice.
    await h.recapture(await emailOf(webhooked), delivery);
    expect((await h.reader.get(webhooked))?.behaviour).toEqual({ 'inbound-capture': 1 });

    // The same person fills a website form: a form revisit wakes the other one.
    await h.recapture(await emailOf(formed), { channel: 'FORM', sourceId: 'contact-form', deliveryId: 'f-1' });
    lead = await h.reader.get(formed);
    expect(lead?.behaviour).toEqual({ 'form-revisit': 1 });
    expect(lead?.nurture?.wokenAt).toBeDefined();

    // A trade-show file lists the third person again: the row is new activity on their lead.
    await h.recapture(await emailOf(imported), { channel: 'IMPORT', sourceId: 'fair', deliveryId: 'imp-1#2' });
    expect((await h.reader.get(imported))?.behaviour).toEqual({ 'inbound-capture': 1 });

    const report = await h.sweep();
    expect(report.recycled.sort()).toEqual([webhooked, formed, imported].sort());
    await h.until(h.waiting(`${webhooked}-r1`));
    await h.until(h.waiting(`${formed}-r1`));
    const recycled = h.eventsOf(webhooked).find((e) => e['detail-type'] === 'LeadRecycled');
    expect(recycled?.detail).toMatchObject({ trigger: 'activity', reason: 'no-budget' });
    h.engine.shutdown();
  });

  it('nurtures a lead that aged out when a rule names "aged out"', async () => {
    const h = await harness();
    const at = new Date().toISOString();
    const agingOut = {
      ...DEFAULT_STAGES,
      Assigned: {
        ...DEFAULT_STAGES.Assigned,
        sla: 'PT1S',
        escalation: { action: 'notify-manager', maxEscalations: 0, finalAct: 'disqualify' },
      },
    } satisfies StagesConfig;
    await h.config.put('stages', agingOut, 0, 'olga', at);
    await h.config.put(
      'nurture',
      { rules: [{ reason: 'aged out', recycleAfter: 'P7D', onActivity: true }] },
      0,
      'olga',
      at,
    );
    const leadId = await h.newLead();
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    const lead = await h.reader.get(leadId);
    expect(lead).toMatchObject({ stage: 'Disqualified', disqualifyReason: 'aged out', execution: null });
    expect(lead?.nurture).toMatchObject({ reason: 'aged out', onActivity: true });
    expect(lead?.due?.kind).toBe('recycle');
    const nurtured = h.eventsOf(leadId).find((e) => e['detail-type'] === 'LeadNurtured');
    expect(nurtured?.detail).toMatchObject({ reason: 'aged-out' });
    expect(h.engine.openExecutions).toBe(0);
    h.engine.shutdown();
  });

  it('nurtures a lead an approver rejection disqualifies when a rule names "conversion rejected"', async () => {
    const h = await harness();
    const at = new Date().toISOString();
    await h.config.put(
      'approvals',
      {
        chains: [
          {
            name: 'everything',
            when: {},
            steps: [{ name: 'sales manager', group: 'manager', timeout: 'PT24H' }],
            onReject: 'disqualify',
          },
        ],
      },
      0,
      'olga',
      at,
    );
    await h.config.put(
      'nurture',
      { rules: [{ reason: 'Conversion rejected', recycleAfter: 'P30D', onActivity: false }] },
      0,
      'olga',
      at,
    );
    const leadId = await h.newLead();
    await h.until(h.waiting(leadId));
    await h.act(leadId, 'handoff');
    await h.until(h.waiting(leadId));
    await h.act(leadId, 'convert');
    let taskId: string | undefined;
    await h.until(async () => {
      const lead = await h.reader.get(leadId);
      taskId = lead?.approval?.taskId;
      return Boolean(taskId && (await h.ports.tasks.get(taskId))?.taskToken);
    });
    await decideTask(
      {
        ...h.ports,
        publisher: h.publisher,
        callback: { succeed: async (token, output) => h.engine.sendTaskSuccess(token, JSON.stringify(output)) },
      },
      {
        taskId: taskId as string,
        decision: 'reject',
        comment: 'budget frozen',
        caller: { userId: 'maria', groups: ['manager'] },
      },
    );
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    const lead = await h.reader.get(leadId);
    expect(lead).toMatchObject({ stage: 'Disqualified', disqualifyReason: 'conversion rejected: budget frozen' });
    expect(lead?.nurture).toMatchObject({ onActivity: false });
    expect(Date.parse(lead?.due?.at ?? '') - Date.now()).toBeGreaterThan(29 * DAY);
    expect(h.types(leadId)).toContain('LeadNurtured');
    expect(h.engine.openExecutions).toBe(0);
    h.engine.shutdown();
  });

  it('nurtures a lead a step outcome disqualifies, and a parked lead takes that outcome in a fresh execution', async () => {
    const h = await harness();
    const at = new Date().toISOString();
    // One call step whose "not interested" disqualifies with reason "no budget"; a one-second SLA parks the lead.
    const stages = {
      ...DEFAULT_STAGES,
      Assigned: {
        ...DEFAULT_STAGES.Assigned,
        sla: 'PT1S',
        escalation: { action: 'notify-manager', maxEscalations: 0, finalAct: 'park-manager-queue' },
        steps: [
          {
            name: 'First call',
            kind: 'call',
            assignee: 'owner',
            due: 'PT4H',
            required: false,
            outcomes: ['not interested', 'no answer'],
            actions: { 'not interested': { action: 'disqualify', reason: 'No budget' } },
          },
        ],
      },
    } satisfies StagesConfig;
    await h.config.put('stages', stages, 0, 'olga', at);
    const leadId = await h.newLead();
    // Parked: no execution is open, and the step is still the owner's work.
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    expect(h.engine.openExecutions).toBe(0);
    expect((await h.reader.get(leadId))?.steps?.items[0]?.status).toBe('open');

    const done = await h.complete(`${leadId}.Assigned.0`, 'not interested');
    expect(done).toMatchObject({ wakes: true, lead: { execution: { name: `${leadId}-g1`, entry: 'outcome' } } });
    await h.until(() => h.execution(`${leadId}-g1`)?.status === 'SUCCEEDED');
    const lead = await h.reader.get(leadId);
    expect(lead).toMatchObject({ stage: 'Disqualified', disqualifyReason: 'No budget', execution: null });
    expect(lead?.nurture).toMatchObject({ reason: 'No budget' });
    expect(lead?.due?.kind).toBe('recycle');
    expect(h.types(leadId)).toContain('LeadNurtured');
    expect(h.engine.openExecutions).toBe(0);
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

describe('leads with nothing to time hold no execution', () => {
  it('ends the execution when a lead parks in the manager queue; a manager assigning it starts <leadId>-g<n> at that stage', async () => {
    const h = await harness();
    const at = new Date().toISOString();
    // A one-second SLA and no escalation: the first timeout parks the lead with the manager.
    const parking = {
      ...DEFAULT_STAGES,
      Assigned: {
        ...DEFAULT_STAGES.Assigned,
        sla: 'PT1S',
        escalation: { action: 'notify-manager', maxEscalations: 0, finalAct: 'park-manager-queue' },
      },
    } satisfies StagesConfig;
    await h.config.put('stages', parking, 0, 'olga', at);
    const leadId = await h.newLead();
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    let lead = await h.reader.get(leadId);
    expect(lead).toMatchObject({ stage: 'Assigned', parked: true, owner: 'maria' });
    expect(lead?.taskToken).toBeUndefined();
    expect(lead?.execution).toMatchObject({ name: leadId, generation: 0, endedAt: expect.any(String) });
    expect(h.engine.openExecutions).toBe(0);
    expect((await h.reader.audit(leadId)).map((a) => a.action)).toEqual(
      expect.arrayContaining(['parked', 'execution-ended']),
    );

    // The SLA is back to hours: the assigned lead waits for its new owner in a fresh execution.
    await h.config.put('stages', DEFAULT_STAGES, 1, 'olga', at);
    const { lead: assigned } = await h.act(leadId, 'distribute', { owner: 'carol' });
    expect(assigned).toMatchObject({
      owner: 'carol',
      parked: false,
      execution: { name: `${leadId}-g1`, generation: 1 },
    });
    await h.until(h.waiting(`${leadId}-g1`));
    expect(h.engine.openExecutions).toBe(1);
    lead = await h.reader.get(leadId);
    expect(lead?.execution).toMatchObject({ name: `${leadId}-g1`, from: leadId, loops: 1 });
    expect(lead?.execution?.entry).toBeUndefined();
    expect(lead?.execution?.endedAt).toBeUndefined();

    // The start guard the wake left on the lead is cleared by the sweep, which starts nothing new.
    expect(lead?.due).toMatchObject({ kind: 'start', execution: { name: `${leadId}-g1` } });
    h.shift(6 * 60_000);
    expect(await h.sweep()).toMatchObject({ started: [leadId] });
    expect((await h.reader.get(leadId))?.due ?? null).toBeNull();
    expect(h.engine.openExecutions).toBe(1);

    // The fresh execution is the live one: the owner's action reaches it.
    await h.act(leadId, 'qualify');
    await h.until(h.waiting(`${leadId}-g1`));
    expect((await h.reader.get(leadId))?.stage).toBe('MarketQualified');
    const types = h.types(leadId);
    expect(count(types, 'LeadCreated')).toBe(1);
    expect(types).toContain('LeadEscalated');
    h.engine.shutdown();
  });
});

describe('overdue steps', () => {
  it('announces a step past its due time once, from the due sweep, to its assignee and the manager; a new owner takes the open steps', async () => {
    const h = await harness();
    const stages = {
      ...DEFAULT_STAGES,
      Assigned: {
        ...DEFAULT_STAGES.Assigned,
        sla: 'P2D',
        steps: [
          {
            name: 'First call',
            kind: 'call',
            assignee: 'owner',
            due: 'PT1H',
            required: false,
            outcomes: ['no answer'],
          },
          { name: 'Check fit', kind: 'review', assignee: 'team', due: 'P1D', required: false, outcomes: ['fits'] },
        ],
      },
    } satisfies StagesConfig;
    await h.config.put('stages', stages, 0, 'olga', new Date().toISOString());
    const leadId = await h.newLead();
    await h.until(h.waiting(leadId));
    expect((await h.sweep()).overdue).toEqual([]);

    h.shift(2 * 3600_000);
    // Two sweeps at once: one announcement.
    const [a, b] = await Promise.all([h.sweep(), h.sweep()]);
    expect([...a.overdue, ...b.overdue]).toEqual([`${leadId}.Assigned.0`]);
    expect((await h.sweep()).overdue).toEqual([]);
    const overdue = h.eventsOf(leadId).filter((e) => e['detail-type'] === 'StepOverdue');
    expect(overdue).toHaveLength(1);
    const lead = await h.reader.get(leadId);
    const event = { detailType: 'StepOverdue' as const, detail: overdue[0]?.detail as never };
    expect(event.detail).toMatchObject({
      stepId: `${leadId}.Assigned.0`,
      assignee: `user:${lead?.owner}`,
      stage: 'Assigned',
    });
    expect(recipientsFor(event, 'maria')).toEqual(
      expect.arrayContaining([
        { user: lead?.owner, reason: 'assignee' },
        { user: 'maria', reason: 'manager' },
      ]),
    );

    // A manager gives the lead to someone else: the owner's open step follows, audited; the team's stays.
    const to = lead?.owner === 'alice' ? 'bob' : 'alice';
    await h.act(leadId, 'distribute', { owner: to });
    const moved = await h.reader.get(leadId);
    expect(moved?.steps?.items.map((s) => s.assignee)).toEqual([`user:${to}`, 'team:inside-sales']);
    expect((await h.reader.audit(leadId)).map((a) => a.action)).toContain('steps-reassigned');
    const steps = h.ports.steps as NonNullable<typeof h.ports.steps>;
    expect((await steps.openFor([`user:${to}`])).map((s) => s.id)).toEqual([`${leadId}.Assigned.0`]);
    expect(await steps.openFor([`user:${lead?.owner}`])).toEqual([]);
    await h.until(h.waiting(leadId));

    // A step whose lead moved on is taken off the index without an announcement.
    await h.act(leadId, 'qualify');
    h.shift(2 * DAY);
    expect((await h.sweep()).overdue).toEqual([]);
    expect(h.eventsOf(leadId).filter((e) => e['detail-type'] === 'StepOverdue')).toHaveLength(1);
    h.engine.shutdown();
  });
});
