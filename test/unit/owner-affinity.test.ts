import { describe, expect, it } from '@jest/globals';
import type { DuplicateMatch, Lead } from '../../functions/core/lead';
import { assignLead } from '../../functions/core/lifecycle/assign';
import { affinityOf } from '../../functions/core/lifecycle/routing';
import { routingConfigSchema } from '../../functions/core/lifecycle/routing-config';

const teams = {
  teams: [
    {
      id: 'inside',
      name: 'Inside',
      manager: 'maria',
      members: [
        { user: 'alice', available: true },
        { user: 'bob', available: true },
        { user: 'eve', available: false },
      ],
    },
  ],
};
const similar = (id: string, score: number): DuplicateMatch => ({
  kind: 'lead',
  id,
  matchedOn: 'similarity',
  value: 'name+company',
  score,
  fields: ['name', 'company'],
});
const byEmail = (id: string): DuplicateMatch => ({
  kind: 'lead',
  id,
  matchedOn: 'email',
  value: 'x',
  score: 1,
  fields: ['email'],
});

describe('owner affinity', () => {
  it('takes the first open or converted match with an available owner, exact matches first', () => {
    const records = [
      { id: 'A', owner: 'alice', stage: 'Disqualified' as const },
      { id: 'B', owner: 'eve', stage: 'Assigned' as const },
      { id: 'C', owner: 'bob', stage: 'Converted' as const },
      { id: 'D', owner: 'alice', stage: 'Assigned' as const },
    ];
    expect(affinityOf([byEmail('A'), byEmail('B'), similar('C', 0.9), similar('D', 0.85)], records, teams)).toEqual({
      owner: 'bob',
      why: 'owner affinity: similar (90% on name, company) as lead C (Converted) owned by bob → bob',
    });
    // Excluded (the rep a lead is taken from) or no match with an owner: no affinity.
    expect(affinityOf([similar('C', 0.9)], records, teams, ['bob'])).toBeUndefined();
    expect(
      affinityOf([{ kind: 'account', id: 'C', matchedOn: 'domain', value: 'acme' }], records, teams),
    ).toBeUndefined();
    expect(affinityOf([similar('Z', 0.9)], [{ id: 'Z', stage: 'Creation' }], teams)).toBeUndefined();
  });

  it('goes before the rules unless the routing configuration turns it off', async () => {
    const counters = { nextTurn: async () => 1, openLeads: async () => ({}) };
    const rules = { rules: [{ when: {}, assign: { team: 'inside', strategy: 'round-robin' } }] };
    const on = routingConfigSchema.parse(rules);
    const off = routingConfigSchema.parse({ ...rules, ownerAffinity: false });
    expect(on.ownerAffinity).toBe(true);
    const affinity = { owner: 'bob', why: 'owner affinity: same email as lead C (Assigned) owned by bob → bob' };
    const lead = { id: 'N', duplicates: [] } as unknown as Lead;
    const withAffinity = await assignLead(lead, { value: on, version: 2 }, teams, counters, 'now', [], affinity);
    expect(withAffinity).toEqual({
      owner: 'bob',
      team: 'inside',
      assignment: { ruleVersion: 2, ruleIndex: null, explanation: affinity.why, at: 'now' },
    });
    const withoutIt = await assignLead(lead, { value: off, version: 2 }, teams, counters, 'now', [], affinity);
    expect(withoutIt.owner).toBe('alice');
  });
});

describe('duplicate entries', () => {
  it('name a visible duplicate, hide the name of one the caller may not see, drop one that is gone', async () => {
    const { duplicateEntriesOf } = await import('../../functions/core/duplicates');
    const lead = (id: string, owner: string) =>
      ({ id, owner, stage: 'Assigned', firstName: 'Dana', lastName: 'Reyes', duplicates: [] }) as unknown as Lead;
    const entries = duplicateEntriesOf(
      [similar('A', 0.9), byEmail('B'), similar('GONE', 0.95)],
      [lead('A', 'alice'), lead('B', 'bob')],
      (other) => other.owner === 'alice',
    );
    expect(entries).toEqual([
      {
        leadId: 'A',
        name: 'Dana Reyes',
        owner: 'alice',
        stage: 'Assigned',
        matchedOn: 'similarity',
        score: 0.9,
        fields: ['name', 'company'],
      },
      { leadId: 'B', owner: 'bob', stage: 'Assigned', matchedOn: 'email', score: 1, fields: ['email'] },
    ]);
  });
});
