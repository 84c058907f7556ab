import { describe, expect, it } from '@jest/globals';
import { DEFAULT_OPPORTUNITY_MAPPING } from '../../functions/core/conversion/opportunity-mapping';
import { DEFAULT_OPPORTUNITY_STAGES, firstStageOf } from '../../functions/core/conversion/opportunity-stages';
import {
  planContactConversion,
  planConversion,
  settledConversion,
} from '../../functions/core/conversion/plan-conversion';
import { ConflictError } from '../../functions/core/errors';
import type { Lead } from '../../functions/core/lead';

const lead = (overrides: Partial<Lead> = {}): Lead => ({
  id: 'L1',
  version: 3,
  stage: 'SalesQualified',
  leadType: 'B2B',
  channel: 'API',
  sourceId: 'manual',
  deliveryId: 'd',
  createdAt: '2026-11-23T10:00:00Z',
  updatedAt: '2026-11-23T10:00:00Z',
  createdBy: { kind: 'user', id: 'bob', source: 'API' },
  duplicates: [],
  duplicatePolicy: 'create',
  stageEnteredAt: '2026-11-23T10:00:00Z',
  firstName: 'Ann',
  lastName: 'Lee',
  email: 'ann@acme.io',
  emailDomain: 'acme.io',
  company: 'Acme',
  companyDomain: 'acme.io',
  owner: 'bob',
  ...overrides,
});

const config = { stages: DEFAULT_OPPORTUNITY_STAGES, mapping: DEFAULT_OPPORTUNITY_MAPPING };
const request = {
  actor: { kind: 'system' as const, id: 'workflow', source: 'WORKFLOW' as const },
  at: '2026-11-24T09:00:00Z',
};

describe('planning a conversion', () => {
  it('creates account, contact and opportunity with ids derived from the lead, so a retry plans the same records', () => {
    const plan = planConversion(lead(), config, {}, request);
    if ('alreadyConverted' in plan) throw new Error('expected a plan');
    expect(plan.result).toEqual({
      opportunityId: 'opp-L1',
      accountId: 'acc-L1',
      contactId: 'con-L1',
      alreadyConverted: false,
    });
    expect(plan.account && 'create' in plan.account && plan.account.create).toMatchObject({
      id: 'acc-L1',
      name: 'Acme',
      domain: 'acme.io',
      contactIds: ['con-L1'],
      opportunityIds: ['opp-L1'],
    });
    expect('create' in plan.contact && plan.contact.create).toMatchObject({
      id: 'con-L1',
      firstName: 'Ann',
      email: 'ann@acme.io',
      accountId: 'acc-L1',
      leadIds: ['L1'],
      opportunityIds: ['opp-L1'],
    });
    expect(plan.opportunity).toMatchObject({
      id: 'opp-L1',
      stageSet: 'B2B',
      stage: firstStageOf(DEFAULT_OPPORTUNITY_STAGES, 'B2B').name,
      owner: 'bob',
      createdAt: request.at,
    });
    expect(plan.lead).toEqual({
      id: 'L1',
      version: 3,
      createdAt: '2026-11-23T10:00:00Z',
      opportunityId: 'opp-L1',
      contactId: 'con-L1',
      accountId: 'acc-L1',
    });
    expect(plan.audit).toMatchObject({
      action: 'converted',
      from: 'SalesQualified',
      to: 'Converted',
      data: { accountLinked: false, contactLinked: false },
    });
    expect(planConversion(lead(), config, {}, request)).toEqual(plan);
  });

  it('links the account and contact the lead already has instead of creating them, and points its keys at them', () => {
    const plan = planConversion(lead(), config, { accountId: 'acc-old', contactId: 'con-old' }, request);
    if ('alreadyConverted' in plan) throw new Error('expected a plan');
    expect(plan.account).toEqual({ link: { id: 'acc-old', contactId: 'con-old', opportunityId: 'opp-L1' } });
    expect(plan.contact).toEqual({
      link: { id: 'con-old', leadId: 'L1', opportunityId: 'opp-L1', accountId: 'acc-old' },
    });
    expect(plan.keyLinks.map((k) => [k.key.on, k.attribute, k.id])).toEqual([
      ['email', 'contactId', 'con-old'],
      ['domain', 'accountId', 'acc-old'],
    ]);
    expect(plan.audit.data).toMatchObject({ accountLinked: true, contactLinked: true });
  });

  it('gives a B2C lead no account, and its keys no account link', () => {
    const plan = planConversion(lead({ leadType: 'B2C' }), config, { accountId: 'acc-old' }, request);
    if ('alreadyConverted' in plan) throw new Error('expected a plan');
    expect(plan.account).toBeUndefined();
    expect(plan.result.accountId).toBeUndefined();
    expect(plan.opportunity.stageSet).toBe('B2C');
    expect(plan.keyLinks.every((k) => k.attribute === 'contactId')).toBe(true);
  });

  it('answers what a converted lead became, without planning anything', () => {
    const converted = lead({ stage: 'Converted', opportunityId: 'opp-L1', contactId: 'con-L1', accountId: 'acc-L1' });
    expect(planConversion(converted, config, {}, request)).toEqual({
      alreadyConverted: { opportunityId: 'opp-L1', accountId: 'acc-L1', contactId: 'con-L1', alreadyConverted: true },
    });
    expect(settledConversion(lead())).toBeUndefined();
  });

  it('refuses to make an opportunity of a Disqualified lead with a 409, but keeps it as a contact', () => {
    const disqualified = lead({ stage: 'Disqualified' });
    expect(() => planConversion(disqualified, config, {}, request)).toThrow(ConflictError);
    expect(() => settledConversion(disqualified)).toThrow(/disqualified and cannot become an opportunity/);
    const plan = planContactConversion(disqualified, { contactId: 'con-old', accountId: 'acc-old' }, request);
    if ('alreadyConverted' in plan) throw new Error('expected a plan');
    expect(plan.contact).toEqual({ link: { id: 'con-old', leadId: 'L1', accountId: 'acc-old' } });
    expect(plan.accountLink).toEqual({ id: 'acc-old', contactId: 'con-old' });
    expect(plan.audit).toMatchObject({ action: 'converted-to-contact', from: 'Disqualified', to: 'Disqualified' });
    // Only email and phone keys follow a contact; the company domain is not pointed at an account here.
    expect(plan.keyLinks.map((k) => k.key.on)).toEqual(['email']);
  });

  it('creates a new contact for a lead whose person is unknown, and answers the contact a lead already has', () => {
    const plan = planContactConversion(lead({ stage: 'Disqualified' }), {}, request);
    if ('alreadyConverted' in plan) throw new Error('expected a plan');
    expect('create' in plan.contact && plan.contact.create).toMatchObject({
      id: 'con-L1',
      opportunityIds: [],
      accountId: undefined,
    });
    expect(plan.accountLink).toBeUndefined();
    expect(planContactConversion(lead({ contactId: 'con-9' }), {}, request)).toEqual({
      contactId: 'con-9',
      alreadyConverted: true,
    });
  });
});
