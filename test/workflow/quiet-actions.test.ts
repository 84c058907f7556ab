import { describe, expect, it } from '@jest/globals';
import { decideTask } from '../../functions/core/lifecycle/act-on-lead';
import { DEFAULT_STAGES, type StagesConfig } from '../../functions/core/lifecycle/stages-config';
import { count, lifecycleHarness as harness } from '../support/lifecycle-harness';

/** The states an execution entered, in order. */
const pathOf = (run: { history: { type: string; state?: string }[] } | undefined) =>
  (run?.history ?? []).filter((h) => h.type === 'StateEntered').map((h) => h.state);

/** Quiet actions are a setting of the stages configuration, off by default. */
const QUIET = { ...DEFAULT_STAGES, quietActions: true } satisfies StagesConfig;

describe('with quietActions on, rep actions that only move the deadline later leave the execution asleep', () => {
  it('qualify and handoff keep the wait and its token; convert wakes it; one winner per race; each event once', async () => {
    const h = await harness();
    const leadId = await h.waitingLead(QUIET);
    const armed = await h.reader.get(leadId);
    expect(armed?.execution?.waitUntil).toBeDefined();

    // Two reps qualify at once: one wins, the other conflicts; the execution sleeps on.
    const race = await Promise.allSettled([h.act(leadId, 'qualify'), h.act(leadId, 'qualify')]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    let lead = await h.reader.get(leadId);
    expect(lead).toMatchObject({ stage: 'MarketQualified', taskToken: armed?.taskToken });

    await h.act(leadId, 'handoff');
    lead = await h.reader.get(leadId);
    expect(lead).toMatchObject({ stage: 'SalesQualified', taskToken: armed?.taskToken });
    expect(count(pathOf(h.execution(leadId)) as string[], 'WaitForRep')).toBe(1);

    await h.act(leadId, 'convert');
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    expect(pathOf(h.execution(leadId))).toEqual(['Begin', 'Dispatch', 'WaitForRep', 'Dispatch', 'Convert']);
    expect((await h.reader.get(leadId))?.stage).toBe('Converted');

    const types = h.types(leadId);
    expect(count(types, 'LeadCreated')).toBe(1);
    expect(count(types, 'LeadStageChanged')).toBe(4);
    expect(count(types, 'LeadConverted')).toBe(1);
    const ids = h.eventsOf(leadId).map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    h.engine.shutdown();
  });

  it('the sleeping wait times out before the new deadline: Aging waits again, nothing ages, the next action reaches it', async () => {
    const h = await harness();
    const short = {
      ...QUIET,
      Assigned: { ...DEFAULT_STAGES.Assigned, sla: 'PT2S' },
    } satisfies StagesConfig;
    const leadId = await h.waitingLead(short);
    const { owner, taskToken: first } = (await h.reader.get(leadId)) ?? {};
    await h.act(leadId, 'qualify');

    // The Assigned wait's timer fires; the lead is in MarketQualified with two days to go: a new wait is armed.
    await h.until(async () => {
      const lead = await h.reader.get(leadId);
      return Boolean(lead?.taskToken && lead.taskToken !== first);
    });
    expect(count(pathOf(h.execution(leadId)) as string[], 'WaitForRep')).toBe(2);
    const lead = await h.reader.get(leadId);
    expect(lead).toMatchObject({ stage: 'MarketQualified', owner });
    expect(lead?.escalations ?? 0).toBe(0);
    expect(Date.parse(lead?.execution?.waitUntil ?? '')).toBeGreaterThanOrEqual(Date.parse(lead?.stageDeadline ?? ''));
    const types = h.types(leadId);
    expect(types).not.toContain('LeadAging');
    expect(types).not.toContain('LeadEscalated');

    await h.act(leadId, 'handoff');
    await h.act(leadId, 'convert');
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    expect(pathOf(h.execution(leadId))).toEqual([
      'Begin',
      'Dispatch',
      'WaitForRep',
      'Aging',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'Convert',
    ]);
    expect(count(h.types(leadId), 'LeadStageChanged')).toBe(4);
    h.engine.shutdown();
  });

  it('an action whose deadline comes before the running wait ends wakes the execution, which re-arms it', async () => {
    const h = await harness();
    const tighter = {
      ...QUIET,
      MarketQualified: { ...DEFAULT_STAGES.MarketQualified, sla: 'PT1H' },
    } satisfies StagesConfig;
    const leadId = await h.waitingLead(tighter);
    const first = (await h.reader.get(leadId))?.taskToken;
    await h.act(leadId, 'qualify');
    await h.until(async () => {
      const lead = await h.reader.get(leadId);
      return Boolean(lead?.taskToken && lead.taskToken !== first);
    });
    const lead = await h.reader.get(leadId);
    expect(count(pathOf(h.execution(leadId)) as string[], 'WaitForRep')).toBe(2);
    // The new wait is bounded by the one-hour MarketQualified deadline, not the four-hour Assigned one.
    expect(Date.parse(lead?.execution?.waitUntil ?? '') - Date.parse(lead?.stageDeadline ?? '')).toBeLessThan(5_000);
    h.engine.shutdown();
  });

  it('with the setting off (the default), qualify and handoff wake the execution and a new wait is armed each time', async () => {
    const h = await harness();
    const leadId = await h.waitingLead();
    for (const action of ['qualify', 'handoff'] as const) {
      const before = (await h.reader.get(leadId))?.taskToken;
      await h.act(leadId, action);
      await h.until(async () => {
        const lead = await h.reader.get(leadId);
        return Boolean(lead?.taskToken && lead.taskToken !== before);
      });
    }
    await h.act(leadId, 'convert');
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    expect(pathOf(h.execution(leadId))).toEqual([
      'Begin',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'Convert',
    ]);
    h.engine.shutdown();
  });

  it('a convert needing two approvals and the first decision open the next task themselves: the execution goes wait to wait', async () => {
    const h = await harness();
    await h.config.put(
      'approvals',
      {
        chains: [
          {
            name: 'two-step',
            when: {},
            steps: [
              { name: 'sales manager', group: 'manager', timeout: 'PT24H' },
              { name: 'sales ops', approver: 'sam', timeout: 'PT24H' },
            ],
            onReject: 'return-to-sales-qualified',
          },
        ],
      },
      0,
      'olga',
      new Date().toISOString(),
    );
    const leadId = await h.waitingLead();
    // Quiet actions off (the default): the handoff wakes the execution; opening approval steps does not depend on it.
    const first = (await h.reader.get(leadId))?.taskToken;
    await h.act(leadId, 'handoff');
    await h.until(async () => {
      const lead = await h.reader.get(leadId);
      return Boolean(lead?.taskToken && lead.taskToken !== first);
    });
    await h.act(leadId, 'convert');
    const ports = {
      ...h.ports,
      publisher: h.publisher,
      callback: {
        succeed: async (token: string, output: unknown) => h.engine.sendTaskSuccess(token, JSON.stringify(output)),
      },
    };
    const decide = async (stepIndex: number, userId: string, groups: string[]) => {
      let taskId: string | undefined;
      await h.until(async () => {
        taskId = (await h.reader.get(leadId))?.approval?.taskId;
        return Boolean(taskId?.endsWith(`.${stepIndex}`) && (await h.ports.tasks.get(taskId as string))?.taskToken);
      });
      await decideTask(ports, { taskId: taskId as string, decision: 'approve', caller: { userId, groups } });
    };
    await decide(0, 'maria', ['manager']);
    // Four eyes on the second step too: neither the manager who asked for the conversion nor the first step's decider.
    let secondTask: string | undefined;
    await h.until(async () => {
      secondTask = (await h.reader.get(leadId))?.approval?.taskId;
      return Boolean(secondTask?.endsWith('.1'));
    });
    const second = await h.ports.tasks.get(secondTask as string);
    expect(second?.requestedBy).toBe('olga');
    expect([...(second?.excludedDeciders ?? [])].sort()).toEqual(['maria', 'olga']);
    await decide(1, 'sam', ['salesops']);
    await h.until(() => h.execution(leadId)?.status === 'SUCCEEDED');
    expect((await h.reader.get(leadId))?.stage).toBe('Converted');
    expect(pathOf(h.execution(leadId))).toEqual([
      'Begin',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'WaitForRep',
      'Dispatch',
      'WaitForApproval',
      'Dispatch',
      'WaitForApproval',
      'Dispatch',
      'Convert',
    ]);
    const types = h.types(leadId);
    expect(count(types, 'ApprovalRequested')).toBe(2);
    expect(count(types, 'ApprovalDecided')).toBe(2);
    expect(count(types, 'LeadConverted')).toBe(1);
    const ids = h.eventsOf(leadId).map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    h.engine.shutdown();
  });

  it('a run-out wait releases its token once; an action that read the lead before gets a retryable conflict, nothing written', async () => {
    const h = await harness();
    const leadId = await h.waitingLead();
    const before = await h.reader.get(leadId);
    const token = before?.taskToken as string;
    expect(await h.ports.leads.releaseToken?.(leadId, token)).toBe(true);
    expect(await h.ports.leads.releaseToken?.(leadId, token)).toBe(false);
    const refused = await h.ports.leads
      .write(before as NonNullable<typeof before>, { stage: 'MarketQualified' }, [], { consumeToken: token })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ details: expect.objectContaining({ retryable: true }) });
    expect(await h.reader.get(leadId)).toMatchObject({ stage: 'Assigned', version: before?.version });
    h.engine.shutdown();
  });
});
