import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { eventually, useTestRuntime } from '../support/runtime';

const { api } = useTestRuntime();

const MANAGER: [string, string] = ['maria', 'manager'];
type LeadView = {
  id: string;
  stage: string;
  owner?: string;
  email?: string;
  jobTitle?: string;
  score?: number;
  scoreBand?: string;
  topFactors: string[];
  allowedActions: string[];
  taskToken?: string;
  pendingNext?: unknown;
};

describe('PATCH /leads/{id}', () => {
  it('corrects fields, moves the duplicate lookups, rescores with LeadScoreChanged, and leaves the lead waiting', async () => {
    const created = await api.webhook('campaign-demo', { email: 'old@typo.example', firstName: 'Sam' });
    const id = String(created.body.leadId);
    const before = await eventually(async () => {
      const l = (await api.request<LeadView>('GET', `/leads/${id}`, { as: MANAGER })).body;
      return l.stage === 'Assigned' ? l : undefined;
    });
    expect(before.allowedActions).toEqual(['qualify', 'handoff', 'distribute', 'disqualify']);
    expect(before.taskToken).toBeUndefined();
    expect(before.pendingNext).toBeUndefined();

    const invalid = await api.request('PATCH', `/leads/${id}`, { as: MANAGER, body: { email: 'nope' } });
    expect(invalid.status).toBe(422);
    const notEditable = await api.request('PATCH', `/leads/${id}`, { as: MANAGER, body: { sourceId: 'elsewhere' } });
    expect(notEditable.status).toBe(422);

    const edited = await api.request<LeadView>('PATCH', `/leads/${id}`, {
      as: MANAGER,
      body: {
        email: 'Sam@RightCo.example',
        jobTitle: 'Chief Executive Officer',
        company: 'RightCo',
        country: 'DE',
        phone: '+49 30 9999999',
      },
    });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ email: 'sam@rightco.example', jobTitle: 'Chief Executive Officer' });
    expect(Number(edited.body.score)).toBeGreaterThan(Number(before.score));

    const sameNewEmail = await api.webhook('campaign-demo', { email: 'sam@rightco.example' });
    expect(sameNewEmail.body.duplicates).toContainEqual(
      expect.objectContaining({ kind: 'lead', id, matchedOn: 'email' }),
    );
    const sameOldEmail = await api.webhook('campaign-demo', { email: 'old@typo.example' });
    expect(sameOldEmail.body.duplicates).toEqual([]);

    expect(edited.body.scoreBand).not.toBe(before.scoreBand);
    const changed = await eventually(async () =>
      (await api.events('LeadScoreChanged')).find((e) => e.detail.leadId === id),
    );
    expect(changed.detail).toMatchObject({ from: { band: before.scoreBand }, to: { band: edited.body.scoreBand } });
    const qualified = await api.request('POST', `/leads/${id}/actions/qualify`, { as: MANAGER, body: {} });
    expect(qualified.status).toBe(200);
  });

  it('refuses to edit a lead that is no longer open', async () => {
    const created = await api.webhook('campaign-demo', { email: 'closed@done.example' });
    const id = String(created.body.leadId);
    await eventually(
      async () => (await api.request<LeadView>('GET', `/leads/${id}`, { as: MANAGER })).body.stage === 'Assigned',
    );
    await api.request('POST', `/leads/${id}/actions/disqualify`, { as: MANAGER, body: { reason: 'spam' } });
    const res = await api.request('PATCH', `/leads/${id}`, { as: MANAGER, body: { firstName: 'Too late' } });
    expect(res.status).toBe(409);
  });
});
