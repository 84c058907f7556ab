import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { client, eventually } from '../support/runtime';

const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-restart-'));
let rt: LocalRuntime | undefined;
afterAll(async () => {
  await rt?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const MANAGER: [string, string] = ['maria', 'manager'];
type LeadView = { stage: string; owner?: string; escalations?: number; stageDeadline?: string };

describe('npm start with LEADFLOW_DATA_DIR', () => {
  it('resumes every in-flight lead at its stage with its remaining SLA after a restart, losing and doubling nothing', async () => {
    rt = await startLocalRuntime({ port: 0, dataDir });
    let api = client(rt);
    const stages = await api.request<{ version: number; value: Record<string, { sla: string }> }>(
      'GET',
      '/config/stages',
      { as: ['sam', 'salesops'] },
    );
    const value = { ...stages.body.value, Assigned: { ...stages.body.value.Assigned, sla: 'PT4S' } };
    expect(
      (
        await api.request('PUT', '/config/stages', {
          as: ['sam', 'salesops'],
          body: { version: stages.body.version, value },
        })
      ).status,
    ).toBe(200);

    const ids: string[] = [];
    for (const email of ['keep@resume.example', 'age@resume.example'])
      ids.push(String((await api.webhook('campaign-demo', { email })).body.leadId));
    const [toQualify, toAge] = ids as [string, string];
    const lead = (id: string) => api.request<LeadView>('GET', `/leads/${id}`, { as: MANAGER }).then((r) => r.body);
    for (const id of ids) await eventually(async () => (await lead(id)).stage === 'Assigned');
    const deadlineBefore = (await lead(toAge)).stageDeadline;

    await rt.stop();
    rt = await startLocalRuntime({ port: 0, dataDir });
    api = client(rt);

    const executions = await api.request<{ name: string; status: string }[]>('GET', `/_local/executions/${toQualify}`);
    expect(executions.body.map((e) => e.name)).toEqual([expect.stringContaining(`${toQualify}--resume-`)]);
    const qualified = await eventually(async () => {
      const res = await api.request<{ stage: string }>('POST', `/leads/${toQualify}/actions/qualify`, {
        as: MANAGER,
        body: {},
      });
      return res.status === 200 ? res : undefined;
    });
    expect(qualified.body.stage).toBe('MarketQualified');

    // The other lead ages at its original deadline, not a fresh SLA from the restart.
    // Its 4 s SLA keeps escalating after the first: a slow poll may first see the second escalation.
    const aged = await eventually(
      async () => {
        const now = await lead(toAge);
        return (now.escalations ?? 0) >= 1 ? now : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(aged.stage).toBe('Assigned');
    expect(Date.parse(String(aged.stageDeadline))).toBeGreaterThan(Date.parse(String(deadlineBefore)));
    const created = (await api.events('LeadCreated')).filter((e) => ids.includes(String(e.detail.leadId)));
    expect(created).toHaveLength(2);
  });
});
