import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { keys } from '../../functions/adapters/keys';
import { type CaptureDeps, captureLead } from '../../functions/core/capture-lead';
import type { SourceConfig } from '../../functions/core/sources';
import { freshTable } from '../support/table';

const source = (duplicatePolicy: SourceConfig['duplicatePolicy'] = 'create'): SourceConfig => ({
  id: 'campaign-x',
  kind: 'webhook',
  adapter: 'canonical',
  duplicatePolicy,
  allowedOrigins: [],
});
const actor = { kind: 'system', id: 'workflow', source: 'WORKFLOW' } as const;
const AT = '2026-11-23T11:00:00.000Z';
const sorted = (set: unknown) => [...((set as Set<string> | undefined) ?? [])].sort();

const setup = async () => {
  const table = await freshTable('conversion');
  let n = 0;
  const capture: CaptureDeps = {
    store: makeCaptureRepository(table.db, table.name),
    workflow: { startLifecycle: async () => {} },
    clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    ids: { next: () => `L${String(++n).padStart(4, '0')}` },
  };
  const newLead = async (payload: Record<string, unknown>, policy: SourceConfig['duplicatePolicy'] = 'create') => {
    const answer = await captureLead(capture, {
      payload,
      channel: 'WEBHOOK',
      source: source(policy),
      deliveryId: `d-${n}-${JSON.stringify(payload)}`,
      actor: { kind: 'source', id: 'campaign-x', source: 'WEBHOOK' },
    });
    // The lifecycle owns stages; here the lead is put where conversion finds it, with an owner and a follower.
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.lead(answer.leadId),
        UpdateExpression: 'SET #stage = :s, #owner = :o, followers = :f',
        ExpressionAttributeNames: { '#stage': 'stage', '#owner': 'owner' },
        ExpressionAttributeValues: { ':s': 'SalesQualified', ':o': 'bob', ':f': ['carol'] },
      }),
    );
    return answer.leadId;
  };
  const get = async (key: { pk: string; sk: string }) =>
    (await table.db.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;
  return { table, newLead, get, conversion: makeConversion(table.db, table.name) };
};

describe('conversion against DynamoDB Local', () => {
  it('creates account, contact and an opportunity in the first B2B stage when the company is new', async () => {
    const { newLead, get, conversion } = await setup();
    const leadId = await newLead({
      email: 'ann@acme.io',
      company: 'Acme',
      leadType: 'B2B',
      productInterest: 'Widgets',
      expectedValue: 50000,
    });

    const result = await conversion.convert({ leadId, actor, at: AT });

    expect(result).toEqual({
      opportunityId: `opp-${leadId}`,
      accountId: `acc-${leadId}`,
      contactId: `con-${leadId}`,
      alreadyConverted: false,
    });
    const opp = await get(keys.opportunity(result.opportunityId));
    expect(opp).toMatchObject({
      name: 'Acme – Widgets',
      stage: 'Discovery',
      probability: 10,
      owner: 'bob',
      sourceId: 'campaign-x',
      leadId,
      followers: ['carol'],
    });
    expect(opp?.fields).toMatchObject({ amount: 50000, product: 'Widgets' });
    expect(await get(keys.account(`acc-${leadId}`))).toMatchObject({ name: 'Acme', domain: 'acme.io' });
    expect(await get(keys.contact(`con-${leadId}`))).toMatchObject({
      email: 'ann@acme.io',
      accountId: `acc-${leadId}`,
    });
    const lead = await get(keys.lead(leadId));
    expect(lead).toMatchObject({
      stage: 'Converted',
      opportunityId: `opp-${leadId}`,
      accountId: `acc-${leadId}`,
      contactId: `con-${leadId}`,
      version: 2,
      gsi2pk: 'STAGE#Converted',
    });
    expect(await get(keys.dedupe({ on: 'domain', value: 'acme.io' }))).toMatchObject({ accountId: `acc-${leadId}` });
    expect(await get(keys.dedupe({ on: 'email', value: 'ann@acme.io' }))).toMatchObject({ contactId: `con-${leadId}` });
  });

  it('links a second lead of the same company to the account its duplicate check associated', async () => {
    const { newLead, get, conversion } = await setup();
    const first = await newLead({ email: 'ann@acme.io', company: 'Acme', leadType: 'B2B' });
    await conversion.convert({ leadId: first, actor, at: AT });
    const second = await newLead({ email: 'dan@acme.io', company: 'Acme', leadType: 'B2B' }, 'associate');
    expect(await get(keys.lead(second))).toMatchObject({ associatedAccountId: `acc-${first}` });

    const result = await conversion.convert({ leadId: second, actor, at: AT });

    expect(result.accountId).toBe(`acc-${first}`);
    expect(result.contactId).toBe(`con-${second}`);
    const account = await get(keys.account(`acc-${first}`));
    expect(sorted(account?.opportunityIds)).toEqual([`opp-${first}`, `opp-${second}`]);
    expect(sorted(account?.contactIds)).toEqual([`con-${first}`, `con-${second}`]);
    expect(await get(keys.account(`acc-${second}`))).toBeUndefined();
  });

  it('creates only a contact and a B2C opportunity for a consumer lead', async () => {
    const { newLead, get, conversion } = await setup();
    const leadId = await newLead({ email: 'eve@gmail.com', firstName: 'Eve', leadType: 'B2C' });

    const result = await conversion.convert({ leadId, actor, at: AT });

    expect(result.accountId).toBeUndefined();
    expect(await get(keys.opportunity(result.opportunityId))).toMatchObject({
      stage: 'Interested',
      probability: 20,
      stageSet: 'B2C',
      name: 'Eve',
    });
    expect((await get(keys.contact(result.contactId)))?.accountId).toBeUndefined();
    expect(await get(keys.account(`acc-${leadId}`))).toBeUndefined();
  });

  it('answers the same opportunity when conversion is retried or raced', async () => {
    const { table, newLead, conversion } = await setup();
    const leadId = await newLead({ email: 'ann@acme.io', company: 'Acme', leadType: 'B2B' });

    const raced = await Promise.all([
      conversion.convert({ leadId, actor, at: AT }),
      conversion.convert({ leadId, actor, at: AT }),
      conversion.convert({ leadId, actor, at: AT }),
    ]);
    const retried = await conversion.convert({ leadId, actor, at: '2026-11-23T12:00:00.000Z' });

    expect(new Set([...raced, retried].map((r) => r.opportunityId))).toEqual(new Set([`opp-${leadId}`]));
    expect(raced.filter((r) => !r.alreadyConverted)).toHaveLength(1);
    expect(retried.alreadyConverted).toBe(true);
    const audit = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':a': 'AUDIT#' },
      }),
    );
    expect((audit.Items ?? []).filter((i) => i.action === 'converted')).toHaveLength(1);
  });

  it('starts the opportunity in the first stage of the configured set', async () => {
    const { table, newLead, get, conversion } = await setup();
    await makeConfigRepository(table.db, table.name).put(
      'opportunity-stages',
      {
        B2B: [
          { name: 'Qualify', probability: 5 },
          { name: 'Won', probability: 100, closed: 'won' },
          { name: 'Lost', probability: 0, closed: 'lost' },
        ],
        B2C: [
          { name: 'Talk', probability: 15 },
          { name: 'Won', probability: 100, closed: 'won' },
          { name: 'Lost', probability: 0, closed: 'lost' },
        ],
      },
      0,
      'sally',
      AT,
    );
    const leadId = await newLead({ email: 'ann@acme.io', company: 'Acme', leadType: 'B2B' });

    const result = await conversion.convert({ leadId, actor, at: AT });

    expect(await get(keys.opportunity(result.opportunityId))).toMatchObject({ stage: 'Qualify', probability: 5 });
  });

  it('keeps a disqualified lead as a contact linked to the one its email already has', async () => {
    const { newLead, get, conversion } = await setup();
    const first = await newLead({ email: 'ann@acme.io', company: 'Acme', leadType: 'B2B' });
    await conversion.convert({ leadId: first, actor, at: AT });
    const second = await newLead({ email: 'ANN@acme.io', leadType: 'B2B' });
    const third = await newLead({ email: 'zed@zeta.io', leadType: 'B2C' });

    const linked = await conversion.convertToContact({ leadId: second, actor, at: AT });
    const created = await conversion.convertToContact({ leadId: third, actor, at: AT });
    const again = await conversion.convertToContact({ leadId: third, actor, at: AT });

    expect(linked.contactId).toBe(`con-${first}`);
    expect(created.contactId).toBe(`con-${third}`);
    expect(again).toEqual(created);
    expect(await get(keys.lead(third))).toMatchObject({ contactId: `con-${third}`, stage: 'SalesQualified' });
    expect(sorted((await get(keys.contact(`con-${first}`)))?.leadIds)).toEqual([first, second]);
  });
});
