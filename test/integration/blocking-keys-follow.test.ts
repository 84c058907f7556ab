import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { keys } from '../../functions/adapters/keys';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeMergeRepository } from '../../functions/adapters/merge-repository';
import { readConfig } from '../../functions/core/config/config-document';
import { type CaptureDeps, captureLead } from '../../functions/core/capture-lead';
import { type EditPorts, editLead } from '../../functions/core/lifecycle/edit-lead';
import { type MergePorts, mergeLeads, unmergeLeads } from '../../functions/core/merge/merge-leads';
import { scoringConfig } from '../../functions/core/scoring/points-config';
import type { SourceConfig } from '../../functions/core/sources';
import { freshTable } from '../support/table';

const source: SourceConfig = {
  id: 'fair',
  kind: 'webhook',
  adapter: 'canonical',
  duplicatePolicy: 'create',
  allowedOrigins: [],
};
const salesops = { userId: 'sam', groups: ['salesops'] };

const setup = async () => {
  const table = await freshTable('blocks');
  const { db, name } = table;
  let n = 0;
  const capture: CaptureDeps = {
    store: makeCaptureRepository(db, name),
    workflow: { startLifecycle: async () => undefined },
    clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    ids: { next: () => `L${String(++n).padStart(4, '0')}` },
  };
  const reader = makeLeadReader(db, name);
  const writer = makeLeadWriter(db, name);
  const config = makeConfigRepository(db, name, { cacheMs: 0 });
  // The edit's real key moves (as functions/lead-actions/index.ts wires them); the rest of the lifecycle is not used.
  const writeWithKeys: EditPorts['writeWithKeys'] = (before, patch, audit, added, removed, fingerprint) =>
    writer.write(before, patch, audit, {
      keepToken: true,
      extra: writer.keyMoves(before.id, added, removed, fingerprint),
    });
  const edits = {
    leads: { get: (id: string) => reader.get(id) },
    config: { scoring: async () => ({ config: await readConfig(config, scoringConfig), model: null }) },
    clock: { now: () => new Date('2026-11-23T11:00:00Z') },
    publisher: { publish: async () => undefined },
    writeWithKeys,
  } as unknown as EditPorts;
  const merges: MergePorts = {
    merges: makeMergeRepository(db, name),
    workflow: { end: async () => undefined, restart: async () => undefined },
    publisher: { publish: async () => undefined },
    clock: { now: () => new Date('2026-11-23T12:00:00Z') },
    undoDays: 30,
  };
  const add = async (payload: Record<string, string>) => {
    const answer = await captureLead(capture, {
      payload,
      channel: 'WEBHOOK',
      source,
      deliveryId: `d${n + 1}`,
      actor: { kind: 'source', id: 'fair', source: 'WEBHOOK' },
    });
    // Routed: a lead in Creation cannot be edited into another stage here, nor merged.
    await db.send(
      new UpdateCommand({
        TableName: name,
        Key: keys.lead(answer.leadId),
        UpdateExpression: 'SET stage = :s, #o = :o',
        ExpressionAttributeNames: { '#o': 'owner' },
        ExpressionAttributeValues: { ':s': 'Assigned', ':o': 'alice' },
      }),
    );
    return answer;
  };
  const similarTo = (answer: { duplicates: { id: string; matchedOn: string }[] }) =>
    answer.duplicates.filter((d) => d.matchedOn === 'similarity').map((d) => d.id);
  const blockIds = async (value: string) =>
    [
      ...(((await db.send(new GetCommand({ TableName: name, Key: keys.dedupe({ on: 'block', value }) }))).Item
        ?.leadIds as Set<string> | undefined) ?? []),
    ].sort();
  const fpsOf = async (value: string) =>
    ((await db.send(new GetCommand({ TableName: name, Key: keys.dedupe({ on: 'block', value }) }))).Item?.fps ??
      []) as { id: string }[];
  const capture2 = async (payload: Record<string, string>, src: SourceConfig) =>
    captureLead(capture, {
      payload,
      channel: 'WEBHOOK',
      source: src,
      deliveryId: `d${n + 1}`,
      actor: { kind: 'source', id: src.id, source: 'WEBHOOK' },
    });
  const convert = async (leadId: string) => {
    await db.send(
      new UpdateCommand({
        TableName: name,
        Key: keys.lead(leadId),
        UpdateExpression: 'SET stage = :s',
        ExpressionAttributeValues: { ':s': 'SalesQualified' },
      }),
    );
    return makeConversion(db, name).convert({
      leadId,
      actor: { kind: 'user', id: 'alice', source: 'API' },
      at: '2026-11-23T13:00:00Z',
    });
  };
  return { add, similarTo, blockIds, fpsOf, edits, merges, capture2, convert, stored: (id: string) => reader.get(id) };
};

describe('blocking keys follow the lead (DynamoDB Local)', () => {
  it('an edit moves the lead to the blocking keys of its new name, with its new fingerprint', async () => {
    const { add, similarTo, blockIds, edits } = await setup();
    const greta = await add({
      firstName: 'Greta',
      lastName: 'Lindqvist',
      company: 'Nordic AB',
      email: 'g@nordic.example',
    });
    expect(await blockIds('c:lindqvist nordic')).toEqual([greta.leadId]);

    await editLead(edits, {
      leadId: greta.leadId,
      changes: { firstName: 'Margit', lastName: 'Berg', phone: '+46 8 123 456 78' },
      caller: salesops,
    });

    expect(await blockIds('c:lindqvist nordic')).toEqual([]);
    expect(await blockIds('n:greta lindqvist')).toEqual([]);
    expect(await blockIds('c:berg nordic')).toEqual([greta.leadId]);
    // The old name no longer finds her.
    expect(
      similarTo(await add({ firstName: 'Greta', lastName: 'Lindqvist', company: 'Nordic AB', email: 'x@y.example' })),
    ).toEqual([]);
    // Another phone: found through the new blocking keys, scored on her new name (the newest fingerprint).
    const margit = await add({ firstName: 'Margit', lastName: 'Berg', company: 'Nordic', phone: '+46 8 999 000 11' });
    expect(margit.duplicates.find((d) => d.id === greta.leadId)).toMatchObject({
      matchedOn: 'similarity',
      fields: expect.arrayContaining(['name', 'company']),
    });
  });

  it('a merge takes the tombstones off their blocking keys, and its undo puts them back', async () => {
    const { add, similarTo, blockIds, fpsOf, merges } = await setup();
    const a = await add({
      firstName: 'Dana',
      lastName: 'Reyes',
      company: 'Northwind',
      email: 'dana@northwind.example',
    });
    const b = await add({ firstName: 'Dana', lastName: 'Reyes', company: 'Northwind Inc', phone: '+1 415 555 0111' });
    expect(similarTo(b)).toEqual([a.leadId]);
    expect(await blockIds('c:reyes northwind')).toEqual([a.leadId, b.leadId].sort());

    await mergeLeads(merges, { caller: salesops, mergeId: 'm1', body: { survivor: a.leadId, leads: [b.leadId] } });
    expect(await blockIds('c:reyes northwind')).toEqual([a.leadId]);
    const c = await add({
      firstName: 'Dana',
      lastName: 'Reyes',
      company: 'Northwind',
      email: 'd.reyes@northwind.example',
    });
    expect(similarTo(c)).toEqual([a.leadId]); // never the tombstone

    await unmergeLeads(merges, { mergeId: 'm1', caller: salesops, keep: [] });
    expect(await blockIds('c:reyes northwind')).toEqual([a.leadId, b.leadId, c.leadId].sort());
    // Back with its own fingerprint (its phone), the newest one for it on the item.
    const fps = (await fpsOf('c:reyes northwind')).filter((fp) => fp.id === b.leadId);
    expect(fps[fps.length - 1]).toMatchObject({ first: 'dana', last: 'reyes', phone: '+14155550111' });
  });

  it('associate: a similar person (at or above block) is linked to the contact and account a converted lead became', async () => {
    const { add, capture2, convert, stored } = await setup();
    const dana = await add({
      firstName: 'Dana',
      lastName: 'Reyes',
      company: 'Northwind',
      email: 'dana@northwind.example',
    });
    const customer = await convert(dana.leadId);
    const associate: SourceConfig = { ...source, id: 'assoc', duplicatePolicy: 'associate' };
    // No email or phone in common: the same person by name and company, sure under this source's block.
    const again = await capture2(
      { firstName: 'Dana', lastName: 'Reyes', company: 'Northwind Inc.', phone: '+1 415 555 0123' },
      { ...associate, duplicateThresholds: { block: 0.75, alert: 0.7 } },
    );
    const contact = again.duplicates.find((d) => d.kind === 'contact');
    expect(contact).toMatchObject({ id: customer.contactId, matchedOn: 'similarity' });
    expect(await stored(again.leadId)).toMatchObject({
      associatedContactId: customer.contactId,
      associatedAccountId: customer.accountId,
    });
    // Below `block`: listed as a possible match, never associated.
    const maybe = await capture2(
      { firstName: 'Dana', lastName: 'Reyes', company: 'Northwind', phone: '+1 415 555 0124' },
      { ...associate, duplicateThresholds: { block: 0.99, alert: 0.7 } },
    );
    expect(maybe.duplicates.some((d) => d.kind === 'contact' && d.id === customer.contactId)).toBe(true);
    const unlinked = await stored(maybe.leadId);
    expect(unlinked?.associatedContactId).toBeUndefined();
    expect(unlinked?.associatedAccountId).toBeUndefined();
  });
});
