import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConversion, makeQuoteCustomers } from '../../functions/adapters/conversion-repository';
import { keys, quoteKeys } from '../../functions/adapters/keys';
import { makeQuotesRepository } from '../../functions/adapters/quotes-repository';
import { type CaptureDeps, captureLead } from '../../functions/core/capture-lead';
import { ConflictError } from '../../functions/core/errors';
import type { Quote } from '../../functions/core/quotes/quote';
import { freshTable } from '../support/table';

const AT = '2026-12-06T10:00:00.000Z';
const actor = { kind: 'user', id: 'bob', source: 'API' } as const;

const draft = (leadId: string, over: Partial<Quote> = {}): Omit<Quote, 'id'> => ({
  version: 1,
  rev: 1,
  status: 'draft',
  leadId,
  owner: 'bob',
  segment: { country: 'DE', leadType: 'B2B' },
  customer: { contactId: `con-${leadId}`, name: 'Ann Example' },
  currency: 'EUR',
  lines: [],
  totals: { subtotalMinor: 100, discountMinor: 0, netMinor: 100, taxRateBps: 1900, taxMinor: 19, totalMinor: 119 },
  validUntil: '2026-12-31',
  expiresAt: '2026-12-31T23:59:59.999Z',
  terms: 't',
  createdAt: AT,
  createdBy: actor,
  updatedAt: AT,
  approval: null,
  ...over,
});

describe('quotes on DynamoDB Local', () => {
  it('numbers concurrent quotes of a year without a gap or a duplicate, each year on its own', async () => {
    const table = await freshTable('quotes');
    const quotes = makeQuotesRepository(table.db, table.name);
    const audit = { at: AT, actor, action: 'quote-created' };
    const made = await Promise.all(Array.from({ length: 4 }, (_, i) => quotes.create(draft(`L${i % 2}`), 2026, audit)));
    expect(made.map((q) => q.id).sort()).toEqual(
      Array.from({ length: 4 }, (_, i) => `Q-2026-${String(i + 1).padStart(6, '0')}`),
    );
    const counter = await table.db.send(new GetCommand({ TableName: table.name, Key: quoteKeys.counter(2026) }));
    expect(counter.Item?.last).toBe(4);
    expect((await quotes.create(draft('L0'), 2027, audit)).id).toBe('Q-2027-000001');
    // Each lead lists its own quotes; the creation is on the lead's feed.
    expect((await quotes.listFor({ leadId: 'L1' })).map((q) => q.leadId)).toEqual(['L1', 'L1']);
    const feed = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': keys.lead('L1').pk, ':a': 'AUDIT#' },
      }),
    );
    expect(feed.Items?.map((i) => i.action)).toEqual(['quote-created', 'quote-created']);
    table.client.destroy();
  });

  it('changes a draft only at its rev; a sent version never changes and a revision is the next version', async () => {
    const table = await freshTable('quotes');
    const quotes = makeQuotesRepository(table.db, table.name);
    const q = await quotes.create(draft('L1'), 2026, { at: AT, actor, action: 'quote-created' });
    const edited = await quotes.save(q, { ...q, terms: 'new' }, []);
    expect(edited.rev).toBe(2);
    // A writer holding the old rev loses, whatever it wanted.
    await expect(quotes.save(q, { ...q, terms: 'stale' }, [])).rejects.toThrow(ConflictError);
    const sent = await quotes.save(edited, { ...edited, status: 'sent', sentAt: AT }, []);
    // Sending is conditional on the draft status too: a second send of the same draft loses.
    await expect(quotes.save(edited, { ...edited, status: 'sent' }, [])).rejects.toThrow(ConflictError);
    const next = await quotes.revise(
      sent,
      { ...sent, version: 2, rev: 1, status: 'draft', terms: 'v2' },
      {
        at: AT,
        actor,
        action: 'quote-revised',
      },
    );
    expect(next).toMatchObject({ id: q.id, version: 2, status: 'draft' });
    expect(await quotes.get(q.id, 1)).toMatchObject({ status: 'superseded', supersededBy: 2, terms: 'new' });
    expect((await quotes.get(q.id))?.version).toBe(2);
    // Revising the same version twice (a retry, a race) makes no third version.
    await expect(
      quotes.revise(sent, { ...sent, version: 2, rev: 1, status: 'draft' }, { at: AT, actor, action: 'quote-revised' }),
    ).rejects.toThrow(ConflictError);
    // Sent versions are indexed for the timer's resume; others are not.
    expect(await quotes.sentQuotes()).toEqual([]);
    const sentV2 = await quotes.save(next, { ...next, status: 'sent' }, []);
    expect(await quotes.sentQuotes()).toEqual([{ id: q.id, version: 2, expiresAt: sentV2.expiresAt }]);
    table.client.destroy();
  });

  it('creates the customer from the lead as conversion would; converting later links the same records', async () => {
    const table = await freshTable('quotes');
    let n = 0;
    const capture: CaptureDeps = {
      store: makeCaptureRepository(table.db, table.name),
      workflow: { startLifecycle: async () => {} },
      clock: { now: () => new Date(AT) },
      ids: { next: () => `L${String(++n).padStart(4, '0')}` },
    };
    const { leadId } = await captureLead(capture, {
      payload: { email: 'ann@acme.io', firstName: 'Ann', company: 'Acme', country: 'DE', leadType: 'B2B' },
      channel: 'WEBHOOK',
      source: {
        id: 'campaign-x',
        kind: 'webhook',
        adapter: 'canonical',
        duplicatePolicy: 'create',
        allowedOrigins: [],
      },
      deliveryId: 'd-1',
      actor: { kind: 'source', id: 'campaign-x', source: 'WEBHOOK' },
    });
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.lead(leadId),
        UpdateExpression: 'SET #stage = :s, #owner = :o',
        ExpressionAttributeNames: { '#stage': 'stage', '#owner': 'owner' },
        ExpressionAttributeValues: { ':s': 'SalesQualified', ':o': 'bob' },
      }),
    );
    const customers = makeQuoteCustomers(table.db, table.name);
    const [a, b] = await Promise.all([customers.ensureFor(leadId, actor, AT), customers.ensureFor(leadId, actor, AT)]);
    expect(a).toEqual({ contactId: `con-${leadId}`, accountId: `acc-${leadId}` });
    expect(b).toEqual(a);
    const get = async (key: { pk: string; sk: string }) =>
      (await table.db.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;
    expect(await get(keys.contact(`con-${leadId}`))).toMatchObject({ email: 'ann@acme.io', firstName: 'Ann' });
    expect(await get(keys.account(`acc-${leadId}`))).toMatchObject({ name: 'Acme', domain: 'acme.io' });
    expect(await get(keys.lead(leadId))).toMatchObject({
      associatedContactId: `con-${leadId}`,
      associatedAccountId: `acc-${leadId}`,
    });

    const converted = await makeConversion(table.db, table.name).convert({ leadId, actor, at: AT });
    expect(converted).toMatchObject({
      accountId: `acc-${leadId}`,
      contactId: `con-${leadId}`,
      alreadyConverted: false,
    });
    const conversionAudit = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': keys.lead(leadId).pk, ':a': 'AUDIT#' },
      }),
    );
    expect(conversionAudit.Items?.find((i) => i.action === 'converted')?.data).toMatchObject({
      accountLinked: true,
      contactLinked: true,
    });
    table.client.destroy();
  });
});
