import { describe, expect, it } from '@jest/globals';
import { eventually, useTestRuntime } from '../support/runtime';

const { api } = useTestRuntime();

type LeadView = {
  id: string;
  stage: string;
  owner?: string;
  assignment?: { explanation: string };
  audit: { action: string }[];
};

const getLead = (id: string) => api.request<LeadView>('GET', `/leads/${id}`, { as: ['maria', 'manager'] });

describe('a lead worked from webhook to conversion', () => {
  it('is assigned, qualified, handed off and converted, with events for every step', async () => {
    const created = await api.webhook('campaign-demo', {
      email: 'dana@northwind.example',
      firstName: 'Dana',
      company: 'Northwind',
      country: 'DE',
    });
    expect(created.status).toBe(202);
    const leadId = String(created.body.leadId);

    const assigned = await eventually(async () => {
      const lead = (await getLead(leadId)).body;
      return lead.stage === 'Assigned' && lead.owner ? lead : undefined;
    });
    expect(assigned.assignment?.explanation).toContain('round-robin');
    const owner = assigned.owner as string;

    // The execution stores its wait token a moment after the stage changes; actions retry on 409 until then.
    const act = async (action: string, body: unknown = {}) =>
      eventually(async () => {
        const res = await api.request('POST', `/leads/${leadId}/actions/${action}`, { as: [owner, 'rep'], body });
        return res.status === 409 && String(res.body.detail).includes('moving') ? undefined : res;
      });

    expect((await act('qualify')).body).toMatchObject({ stage: 'MarketQualified' });
    expect((await act('handoff')).body).toMatchObject({ stage: 'SalesQualified' });
    expect((await act('convert')).status).toBe(200);

    const converted = await eventually(async () => {
      const lead = (await getLead(leadId)).body;
      return lead.stage === 'Converted' ? lead : undefined;
    });
    expect(converted.stage).toBe('Converted');
    const types = (await api.events()).filter((e) => e.detail.leadId === leadId).map((e) => e['detail-type']);
    expect(types).toEqual(expect.arrayContaining(['LeadCreated', 'LeadAssigned', 'LeadStageChanged', 'LeadConverted']));
    const execution = await api.request<{ status: string; history: { type: string; state?: string }[] }[]>(
      'GET',
      `/_local/executions/${leadId}`,
    );
    const entered = execution.body[0]?.history.filter((h) => h.type === 'StateEntered').map((h) => h.state);
    expect(execution.body[0]?.status).toBe('SUCCEEDED');
    expect(entered).toEqual([
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
  });
});
