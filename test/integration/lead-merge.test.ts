import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { keys, lifecycleKeys } from '../../functions/adapters/keys';
import { leadItem } from '../../functions/adapters/lead-item';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeMergeRepository } from '../../functions/adapters/merge-repository';
import { makeNotesRepository } from '../../functions/adapters/notes-repository';
import { dedupeKeysOf } from '../../functions/core/dedupe';
import { ConflictError, ForbiddenError, type ValidationError } from '../../functions/core/errors';
import type { BusEvent } from '../../functions/core/events';
import type { Lead } from '../../functions/core/lead';
import { type MergePorts, mergeLeads, unmergeLeads } from '../../functions/core/merge/merge-leads';
import type { LeadReader } from '../../functions/core/ports';
import { foldEvents } from '../../functions/core/reports/counters';
import { freshTable } from '../support/table';

const T0 = '2026-03-02T09:00:00.000Z';
const manager = { userId: 'sam', groups: ['salesops'] };

let db: DynamoDBDocumentClient;
let table: string;
let reader: LeadReader;
let events: BusEvent[];
let ended: string[];
let restarted: string[];
let ports: MergePorts;
let clock = new Date('2026-03-03T10:00:00.000Z');

const lead = (id: string, fields: Partial<Lead> = {}): Lead =>
  ({
    id,
    version: 1,
    stage: 'Assigned',
    leadType: 'B2B',
    channel: 'API',
    sourceId: 'manual',
    deliveryId: id,
    createdAt: T0,
    updatedAt: T0,
    createdBy: { kind: 'user', id: 'sam', source: 'API' },
    duplicates: [],
    duplicatePolicy: 'create',
    stageEnteredAt: T0,
    owner: 'alice',
    team: 'inside',
    email: `${id.toLowerCase()}@acme.example`,
    ...fields,
  }) as Lead;

/** A lead as capture leaves it: the item, its dedupe lookups, and its owner's load. */
const seed = async (l: Lead, token?: string) => {
  await db.send(new PutCommand({ TableName: table, Item: { ...leadItem(l), ...(token ? { taskToken: token } : {}) } }));
  for (const key of dedupeKeysOf(l as never))
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.dedupe(key),
        UpdateExpression: 'ADD leadIds :id',
        ExpressionAttributeValues: { ':id': new Set([l.id]) },
      }),
    );
  if (l.owner && ['Assigned', 'MarketQualified', 'SalesQualified'].includes(l.stage))
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: lifecycleKeys.load(l.owner),
        UpdateExpression: 'ADD openLeads :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  return l;
};
const keyHolders = async (on: 'email' | 'phone' | 'domain', value: string) =>
  [
    ...(((await db.send(new GetCommand({ TableName: table, Key: keys.dedupe({ on, value }) }))).Item?.leadIds as
      | Set<string>
      | undefined) ?? []),
  ].sort();
const load = async (user: string) =>
  Number((await db.send(new GetCommand({ TableName: table, Key: lifecycleKeys.load(user) }))).Item?.openLeads ?? 0);
const listed = async (owner: string) => (await reader.list({ owner }, 100)).items.map((l) => l.id).sort();
const rejection = async (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as Error,
  );

beforeAll(async () => {
  const t = await freshTable('merge');
  db = t.db;
  table = t.name;
  reader = makeLeadReader(db, table);
  events = [];
  ended = [];
  restarted = [];
  ports = {
    merges: makeMergeRepository(db, table),
    workflow: {
      end: async (_token, leadId) => {
        ended.push(leadId);
      },
      restart: async (leadId, name) => {
        restarted.push(`${leadId}:${name}`);
      },
    },
    publisher: { publish: async (e) => void events.push(...e) },
    clock: { now: () => clock },
    undoDays: 30,
  };
});

describe('a 5-way merge and its undo', () => {
  /** The leads a user's follow items point at (what search and "my leads" read). */
  const followedBy = async (user: string) =>
    (
      (
        await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.followed(user, '', '').pk },
          }),
        )
      ).Items ?? []
    ).map((item) => String(item.leadId));

  it('tombstones four leads into the survivor with the picked fields, and undo brings every one back', async () => {
    const survivor = await seed(lead('A1', { firstName: 'Jon', lastName: 'Smith', followers: ['carol'] }), 'tok-A1');
    const others = [
      await seed(lead('A2', { firstName: 'Jonathan', phone: '+14155550100', owner: 'bob' }), 'tok-A2'),
      await seed(lead('A3', { company: 'ACME Inc.', owner: 'bob', behaviour: { 'email-reply': 2 } }), 'tok-A3'),
      await seed(
        lead('A4', {
          jobTitle: 'CTO',
          stage: 'MarketQualified',
          duplicates: [{ kind: 'lead', id: 'A1', matchedOn: 'email', value: 'x' }],
        }),
      ),
      await seed(lead('A5', { stage: 'Disqualified', owner: 'dave' })),
    ];
    expect(await load('alice')).toBe(2);
    expect(await load('bob')).toBe(2);
    const notes = makeNotesRepository(db, table);
    const actor = { kind: 'user' as const, id: 'bob', source: 'API' as const };
    await notes.addNote({ id: 'n3', leadId: 'A3', text: 'called, wants pricing', author: 'bob', at: T0 }, actor);
    await notes.addAttachment(
      {
        id: 'f2',
        leadId: 'A2',
        fileName: 'card.pdf',
        contentType: 'application/pdf',
        size: 100,
        objectKey: 'leads/A2/f2',
        uploadedBy: 'bob',
        at: T0,
      },
      actor,
    );
    // An activity recorded on A4, and one recorded on both A1 and A5 under the same id (the same email).
    const activity = (leadId: string, activityId: string) =>
      db.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...keys.activity(leadId, activityId),
            type: 'activity',
            leadId,
            activityId,
            activityType: 'email-reply',
          },
        }),
      );
    await activity('A4', 'msg-4');
    await activity('A1', 'msg-shared');
    await activity('A5', 'msg-shared');
    events.length = 0;

    const { record } = await mergeLeads(ports, {
      caller: manager,
      mergeId: 'm-five',
      body: {
        survivor: 'A1',
        leads: others.map((l) => l.id),
        fields: { firstName: 'A2', phone: 'A2', company: 'A3', jobTitle: 'A4' },
      },
    });
    expect(record).toMatchObject({ status: 'done', survivorId: 'A1', mergedIds: ['A2', 'A3', 'A4', 'A5'] });
    expect(Object.keys(record.fields).sort()).toEqual(['company', 'firstName', 'jobTitle', 'phone']);

    const after = (await reader.get('A1')) as Lead & { taskToken?: string };
    expect(after).toMatchObject({
      firstName: 'Jonathan',
      lastName: 'Smith',
      phone: '+14155550100',
      company: 'ACME Inc.',
    });
    expect(after.jobTitle).toBe('CTO');
    expect(after.email).toBe(survivor.email);
    expect(after.taskToken).toBe('tok-A1'); // the survivor's execution keeps waiting
    expect(after.followers?.sort()).toEqual(['bob', 'carol', 'dave']);
    // dave followed only A5 (its owner): the survivor is now in his search and "my leads".
    expect(await followedBy('dave')).toEqual(['A1']);
    expect(after.duplicates).toEqual([]); // its link to a lead of the set is gone
    expect(after.behaviour).toEqual({ 'email-reply': 2 });
    expect(after.mergedFrom).toEqual([
      {
        mergeId: 'm-five',
        leadIds: ['A2', 'A3', 'A4', 'A5'],
        at: clock.toISOString(),
        names: { A2: 'Jonathan', A3: 'ACME Inc.', A4: 'a4@acme.example', A5: 'a5@acme.example' },
      },
    ]);
    // Notes, attachments and activities moved to the survivor, labelled with their lead's name.
    const own = await notes.feed('A1', 100);
    expect(own.items.find((e) => e.kind === 'note')).toMatchObject({
      fromLeadName: 'ACME Inc.',
      note: { leadId: 'A1', text: 'called, wants pricing' },
    });
    expect(own.items.find((e) => e.kind === 'attachment')).toMatchObject({ fromLeadName: 'Jonathan' });
    expect(await notes.attachment('A1', 'f2')).toMatchObject({ objectKey: 'leads/A2/f2', fileName: 'card.pdf' });
    expect(await notes.attachment('A2', 'f2')).toBeUndefined();
    const activityOn = async (leadId: string, activityId: string) =>
      (await db.send(new GetCommand({ TableName: table, Key: keys.activity(leadId, activityId) }))).Item;
    expect(await activityOn('A1', 'msg-4')).toMatchObject({ fromLeadName: 'a4@acme.example', leadId: 'A1' });
    expect(await activityOn('A4', 'msg-4')).toBeUndefined();
    // The same activity on both: the survivor's own stays, the merged lead's copy stays behind (counted once).
    expect((await activityOn('A1', 'msg-shared'))?.fromLeadName).toBeUndefined();
    expect(await activityOn('A5', 'msg-shared')).toBeDefined();
    for (const id of ['A2', 'A3', 'A4', 'A5'])
      expect(await reader.get(id)).toMatchObject({ mergedInto: 'A1', mergeId: 'm-five' });
    // Out of the inbox and the open counts: alice keeps A1 only, bob's two are gone.
    expect(await listed('alice')).toEqual(['A1']);
    expect(await listed('bob')).toEqual([]);
    expect(await load('alice')).toBe(1);
    expect(await load('bob')).toBe(0);
    // Lookups find the survivor by every merged lead's values.
    expect(await keyHolders('email', 'a3@acme.example')).toEqual(['A1']);
    expect(await keyHolders('phone', '+14155550100')).toEqual(['A1']);
    expect(ended.sort()).toEqual(['A2', 'A3']);
    // The survivor's feed shows the merged leads' notes and history, newest first, each once across pages.
    const mergedIds = ['A2', 'A3', 'A4', 'A5'];
    const whole = await notes.feed('A1', 100, undefined, mergedIds);
    expect(whole.items.find((e) => e.kind === 'note')).toMatchObject({
      fromLeadName: 'ACME Inc.',
      note: { text: 'called, wants pricing' },
    });
    // The history kept on the merged leads is labelled by name as well; no label is an id.
    expect(whole.items.find((e) => e.kind === 'audit' && e.action === 'merged-into')).toMatchObject({
      fromLeadName: expect.any(String),
    });
    for (const e of whole.items) if (e.fromLeadName) expect(e.fromLeadName).not.toMatch(/^A\d$/);
    const paged: unknown[] = [];
    let next: Record<string, unknown> | undefined;
    do {
      const page = await notes.feed('A1', 2, next as never, mergedIds);
      paged.push(...page.items);
      next = page.next;
    } while (next);
    expect(paged).toEqual(whole.items);
    expect(events.map((e) => e.detailType)).toEqual(['LeadsMerged']);
    expect(JSON.stringify(events[0]?.detail)).not.toContain('acme.example');

    clock = new Date('2026-03-04T10:00:00.000Z');
    await unmergeLeads(ports, { mergeId: 'm-five', caller: manager, keep: [] });
    const back = await reader.get('A1');
    expect(back).toMatchObject({ firstName: 'Jon', email: survivor.email, followers: ['carol'] });
    // ... and after the undo he owns A5 again and follows nothing.
    expect(await followedBy('dave')).toEqual([]);
    expect(back?.phone).toBeUndefined();
    expect(back?.company).toBeUndefined();
    expect(back?.mergedFrom).toBeUndefined();
    expect(back?.behaviour).toBeUndefined();
    for (const original of others) {
      const restored = await reader.get(original.id);
      expect(restored).toMatchObject({ stage: original.stage, owner: original.owner, email: original.email });
      expect(restored?.mergedInto).toBeUndefined();
      expect(restored?.firstName).toBe(original.firstName);
    }
    expect(await listed('alice')).toEqual(['A1', 'A4']);
    expect(await listed('bob')).toEqual(['A2', 'A3']);
    expect(await load('alice')).toBe(2);
    expect(await load('bob')).toBe(2);
    expect(await keyHolders('email', 'a3@acme.example')).toEqual(['A3']);
    expect(await keyHolders('phone', '+14155550100')).toEqual(['A2']);
    // Every moved item went home, without its label; the survivor keeps only its own.
    expect(await notes.attachment('A2', 'f2')).toMatchObject({ leadId: 'A2', objectKey: 'leads/A2/f2' });
    expect(await notes.attachment('A1', 'f2')).toBeUndefined();
    const noteBack = (await notes.feed('A3', 100)).items.find((e) => e.kind === 'note');
    expect(noteBack).toMatchObject({ note: { leadId: 'A3', text: 'called, wants pricing' } });
    expect(noteBack?.fromLeadName).toBeUndefined();
    expect(await activityOn('A4', 'msg-4')).toMatchObject({ leadId: 'A4' });
    expect(await activityOn('A1', 'msg-4')).toBeUndefined();
    expect(await activityOn('A1', 'msg-shared')).toBeDefined();
    expect((await notes.feed('A1', 100)).items.filter((e) => e.fromLeadName)).toEqual([]);
    // Open leads start their lifecycle again at their stage; the disqualified one stays closed.
    expect(restarted.map((r) => r.split(':')[0]).sort()).toEqual(['A2', 'A3', 'A4']);
    expect(restarted[0]).toContain('--unmerge-m-five');
    // Each restarted lifecycle is named on its lead (what an erasure's StopExecution reads), before it starts.
    for (const started of restarted) {
      const [id, name] = started.split(':');
      expect((await reader.get(String(id)))?.execution?.name).toBe(name);
    }
    const undone = await ports.merges.record('m-five');
    expect(undone?.status).toBe('undone');
    expect(events.map((e) => e.detailType)).toEqual(['LeadsMerged', 'LeadsUnmerged']);

    // The counters: five leads created, one merge, its undo — the open gauge follows each step exactly.
    const created = [survivor, ...others].map((l, i) => ({
      detailType: 'LeadCreated',
      detail: { eventId: `c${i}`, occurredAt: T0, leadId: l.id, lead: { ...l } as never },
    }));
    const open = (n: number) =>
      foldEvents([
        ...created,
        ...events.slice(0, n).map((e) => ({ detailType: e.detailType, detail: e.detail as never })),
      ])
        .counters.filter((c) => c.family === 'open')
        .reduce((sum, c) => sum + c.n, 0);
    expect(open(0)).toBe(4);
    expect(open(1)).toBe(1);
    expect(open(2)).toBe(4);

    const again = await rejection(unmergeLeads(ports, { mergeId: 'm-five', caller: manager, keep: [] }));
    expect(again).toBeInstanceOf(ConflictError);
  });
});

describe('undo when the survivor changed since', () => {
  it('answers 409 with the fields and writes nothing; with keep, the current values stay', async () => {
    await seed(lead('B1'));
    await seed(lead('B2', { phone: '+14155550111' }));
    await mergeLeads(ports, {
      caller: manager,
      mergeId: 'm-b',
      body: { survivor: 'B1', leads: ['B2'], fields: { phone: 'B2' } },
    });
    const writer = makeLeadWriter(db, table);
    const merged = (await reader.get('B1')) as Lead;
    await writer.write(merged, { phone: '+14155550199' }, [
      { at: clock.toISOString(), actor: { kind: 'user', id: 'alice', source: 'API' }, action: 'edited' },
    ]);

    const error = (await rejection(
      unmergeLeads(ports, { mergeId: 'm-b', caller: manager, keep: [] }),
    )) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.details.conflicts).toEqual([
      { field: 'phone', beforeMerge: undefined, afterMerge: '+14155550111', now: '+14155550199' },
    ]);
    expect(await reader.get('B2')).toMatchObject({ mergedInto: 'B1' });
    expect((await ports.merges.record('m-b'))?.status).toBe('done');

    await unmergeLeads(ports, { mergeId: 'm-b', caller: manager, keep: ['phone'] });
    expect((await reader.get('B1'))?.phone).toBe('+14155550199');
    expect((await reader.get('B2'))?.mergedInto).toBeUndefined();
  });

  it('refuses after the window closes', async () => {
    await seed(lead('W1'));
    await seed(lead('W2'));
    await mergeLeads(ports, { caller: manager, mergeId: 'm-w', body: { survivor: 'W1', leads: ['W2'] } });
    const saved = clock;
    clock = new Date(saved.getTime() + 31 * 86_400_000);
    const error = (await rejection(
      unmergeLeads(ports, { mergeId: 'm-w', caller: manager, keep: [] }),
    )) as ConflictError;
    clock = saved;
    expect(error.details.undoUntil).toBeDefined();
  });
});

describe('who may merge what', () => {
  it('lets a rep merge only leads they own, and refuses bad requests and busy leads, changing nothing', async () => {
    await seed(lead('R1'));
    await seed(lead('R2', { owner: 'bob', followers: ['alice'] }));
    await seed(lead('R3', { stage: 'Creation' }));
    const rep = { userId: 'alice', groups: [] };
    expect(
      await rejection(mergeLeads(ports, { caller: rep, mergeId: 'r1', body: { survivor: 'R1', leads: ['R2'] } })),
    ).toBeInstanceOf(ForbiddenError);
    const invalid = (await rejection(
      mergeLeads(ports, {
        caller: manager,
        mergeId: 'r2',
        body: { survivor: 'R1', leads: ['R2'], fields: { owner: 'R2', email: 'X9' } },
      }),
    )) as ValidationError;
    expect(invalid.details.issues?.map((i) => i.field).sort()).toEqual(['fields.email', 'fields.owner']);
    const busy = (await rejection(
      mergeLeads(ports, { caller: manager, mergeId: 'r3', body: { survivor: 'R1', leads: ['R3'] } }),
    )) as ConflictError;
    expect(busy.details.leads).toEqual([{ leadId: 'R3', reason: 'being scored and routed' }]);
    expect((await reader.get('R1'))?.version).toBe(1);
    expect(await ports.merges.record('r3')).toBeUndefined();
  });
});

describe('racing merges of overlapping sets', () => {
  it('have exactly one winner, and the loser leaves no lead held', async () => {
    for (let round = 0; round < 4; round++) {
      const ids = ['a', 'b', 'c', 'd'].map((x) => `X${round}${x}`);
      for (const id of ids) await seed(lead(id));
      const [a, b, c, d] = ids as [string, string, string, string];
      const outcomes = await Promise.allSettled([
        mergeLeads(ports, { caller: manager, mergeId: `x${round}-1`, body: { survivor: a, leads: [b, c] } }),
        mergeLeads(ports, { caller: manager, mergeId: `x${round}-2`, body: { survivor: d, leads: [c, b] } }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(ConflictError);
      const winner = outcomes.findIndex((o) => o.status === 'fulfilled') === 0 ? a : d;
      const loser = winner === a ? d : a;
      for (const id of [b, c]) expect(await reader.get(id)).toMatchObject({ mergedInto: winner });
      const all = await ports.merges.getMany(ids);
      expect(all.filter((l) => l.mergeLock)).toEqual([]);
      expect(all.find((l) => l.id === loser)?.mergedInto).toBeUndefined();
    }
  });

  it('merge sets larger than a transaction: locked and moved in batches; a racing overlap still has one winner', async () => {
    const ids = Array.from({ length: 105 }, (_, i) => `Y${String(i).padStart(3, '0')}`);
    await Promise.all(
      ids.map((id) =>
        seed(lead(id, { owner: 'erin', email: undefined, phone: `+1415555${String(1000 + ids.indexOf(id))}` })),
      ),
    );
    expect(await load('erin')).toBe(105);
    const big = ids.slice(0, 100);
    const small = ids.slice(95, 105);
    const outcomes = await Promise.allSettled([
      mergeLeads(ports, { caller: manager, mergeId: 'y-big', body: { survivor: big[0], leads: big } }),
      mergeLeads(ports, { caller: manager, mergeId: 'y-small', body: { survivor: small[9], leads: small } }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const all = await ports.merges.getMany(ids);
    expect(all.filter((l) => l.mergeLock)).toEqual([]);
    const bigWon = outcomes[0]?.status === 'fulfilled';
    const tombstones = all.filter((l) => l.mergedInto);
    expect(tombstones).toHaveLength(bigWon ? 99 : 9);
    expect(await load('erin')).toBe(105 - tombstones.length);
    if (!bigWon) return;
    await unmergeLeads(ports, { mergeId: 'y-big', caller: manager, keep: [] });
    expect((await ports.merges.getMany(ids)).filter((l) => l.mergedInto)).toEqual([]);
    expect(await load('erin')).toBe(105);
  });
});

describe('a merge that stops half-way', () => {
  /** The same repository on a client that fails the transaction moving the merge record `to` a status, once. */
  const crashingPorts = (to: string) => {
    let armed = true;
    const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
    const crashing = Object.assign(Object.create(db), {
      send: (command: {
        input?: { TransactItems?: { Update?: { ExpressionAttributeValues?: Record<string, unknown> } }[] };
      }) => {
        const moves = command.input?.TransactItems?.some((i) => i.Update?.ExpressionAttributeValues?.[':to'] === to);
        if (armed && moves) {
          armed = false;
          return Promise.reject(new Error(`injected: the function stopped before the merge became ${to}`));
        }
        return send(command);
      },
    }) as DynamoDBDocumentClient;
    return { ...ports, merges: makeMergeRepository(crashing, table) };
  };

  it('after its tombstones (before the survivor): the same request finishes it, every write once', async () => {
    await seed(lead('C1', { firstName: 'Jon', lastName: 'Smith' }), 'tok-C1');
    await seed(lead('C2', { firstName: 'Jonathan', lastName: 'Smith', owner: 'bob', phone: '+14155550177' }), 'tok-C2');
    await seed(lead('C3', { lastName: 'Smith', owner: 'bob' }));
    const aliceBefore = await load('alice');
    const bobBefore = await load('bob');
    events.length = 0;
    ended.length = 0;
    const body = { survivor: 'C1', leads: ['C2', 'C3'], fields: { firstName: 'C2', phone: 'C2' } };
    const crashed = await rejection(mergeLeads(crashingPorts('done'), { caller: manager, mergeId: 'm-crash', body }));
    expect(crashed.message).toContain('injected');
    expect((await ports.merges.record('m-crash'))?.status).toBe('committing');
    expect(await reader.get('C2')).toMatchObject({ mergedInto: 'C1' });
    // Held: another merge is refused with the way out.
    const held = (await rejection(
      mergeLeads(ports, { caller: manager, mergeId: 'm-other', body: { survivor: 'C1', leads: ['R1'] } }),
    )) as ConflictError;
    expect(JSON.stringify(held.details.leads)).toContain('POST /merges/m-crash/resume');

    const { record, created } = await mergeLeads(ports, { caller: manager, mergeId: 'm-crash', body });
    expect({ status: record.status, created }).toEqual({ status: 'done', created: false });
    const survivor = (await ports.merges.getMany(['C1']))[0];
    expect(survivor).toMatchObject({ firstName: 'Jonathan', phone: '+14155550177' });
    expect(survivor?.mergeLock).toBeUndefined();
    expect(await load('alice')).toBe(aliceBefore);
    expect(await load('bob')).toBe(bobBefore - 2);
    expect(await keyHolders('phone', '+14155550177')).toEqual(['C1']);
    expect(events.map((e) => e.detailType)).toEqual(['LeadsMerged']);
    expect(ended).toEqual(['C2']);
    // Once more: answered, nothing written again.
    const version = survivor?.version;
    await mergeLeads(ports, { caller: manager, mergeId: 'm-crash', body });
    expect((await reader.get('C1'))?.version).toBe(version);
  });

  it('while taking its leads: POST /merges/{id}/resume rolls it back, and the same request then merges', async () => {
    await seed(lead('D1'));
    await seed(lead('D2', { owner: 'bob' }));
    const body = { survivor: 'D1', leads: ['D2'] };
    await rejection(mergeLeads(crashingPorts('committing'), { caller: manager, mergeId: 'm-stuck', body }));
    expect((await ports.merges.getMany(['D1', 'D2'])).map((l) => l.mergeLock)).toEqual(['m-stuck', 'm-stuck']);

    const { resumeMerge } = await import('../../functions/core/merge/merge-leads');
    const resumed = await resumeMerge(ports, { mergeId: 'm-stuck', caller: manager });
    expect(resumed).toMatchObject({ action: 'rolled back', record: { status: 'released' } });
    expect((await ports.merges.getMany(['D1', 'D2'])).map((l) => l.mergeLock)).toEqual([undefined, undefined]);
    expect(await reader.get('D2')).not.toHaveProperty('mergedInto');

    const { record } = await mergeLeads(ports, { caller: manager, mergeId: 'm-stuck', body });
    expect(record.status).toBe('done');
    expect(await reader.get('D2')).toMatchObject({ mergedInto: 'D1' });
  });
});

describe('the duplicates queue and flags stay current', () => {
  it('a merge takes its set out of the queue; "not a duplicate" takes a pair out for good, audited', async () => {
    const { dismissDuplicates } = await import('../../functions/core/merge/dismiss-duplicates');
    const { isFlagged } = await import('../../functions/core/duplicates');
    const match = (id: string) => [
      { kind: 'lead' as const, id, matchedOn: 'similarity' as const, value: 'name', score: 0.9 },
    ];
    await seed(lead('Q1', { firstName: 'Dana', lastName: 'Reyes', matchedBy: ['Q2'] }));
    await seed(lead('Q2', { firstName: 'Dana', lastName: 'Reyes', duplicates: match('Q1') }));
    await seed(lead('Q3', { firstName: 'Greta', lastName: 'Lindqvist', matchedBy: ['Q4'] }));
    await seed(lead('Q4', { firstName: 'Greta', lastName: 'Lindquist', duplicates: match('Q3') }));
    const queued = async () =>
      (
        await db.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'byAssignee',
            KeyConditionExpression: 'gsi3pk = :q',
            ExpressionAttributeValues: { ':q': 'DUPLICATES#OPEN' },
          }),
        )
      ).Items?.map((i) => i.id as string)
        .filter((id) => id.startsWith('Q'))
        .sort();
    expect(await queued()).toEqual(['Q2', 'Q4']);
    // Both leads of each pair are flagged in lists.
    for (const id of ['Q1', 'Q2', 'Q3', 'Q4']) expect(isFlagged((await reader.get(id)) as Lead)).toBe(true);

    await mergeLeads(ports, { caller: manager, mergeId: 'm-q', body: { survivor: 'Q1', leads: ['Q2'] } });
    expect(await queued()).toEqual(['Q4']);
    expect(isFlagged((await reader.get('Q1')) as Lead)).toBe(false);

    const rep = { userId: 'alice', groups: [] };
    expect(
      await rejection(
        dismissDuplicates({ store: ports.merges, clock: ports.clock }, { caller: rep, body: { leads: ['Q3', 'Q4'] } }),
      ),
    ).toBeInstanceOf(ForbiddenError);
    const answer = await dismissDuplicates(
      { store: ports.merges, clock: ports.clock },
      { caller: manager, body: { leads: ['Q3', 'Q4'] } },
    );
    expect(answer.changed).toBe(true);
    expect(await queued()).toEqual([]);
    for (const id of ['Q3', 'Q4']) expect(isFlagged((await reader.get(id)) as Lead)).toBe(false);
    expect(await reader.get('Q4')).toMatchObject({ duplicates: [], notDuplicates: ['Q3'] });
    const audit = (await reader.audit('Q3')).find((e) => e.action === 'not-duplicate');
    expect(audit).toMatchObject({ actor: { id: 'sam' }, why: 'not a duplicate of Greta Lindquist' });
    // Said again: nothing changes.
    const versions = (await ports.merges.getMany(['Q3', 'Q4'])).map((l) => l.version);
    const again = await dismissDuplicates(
      { store: ports.merges, clock: ports.clock },
      { caller: manager, body: { leads: ['Q3', 'Q4'] } },
    );
    expect(again.changed).toBe(false);
    expect((await ports.merges.getMany(['Q3', 'Q4'])).map((l) => l.version)).toEqual(versions);
    // And never flagged again: the lead page's read of both directions skips the pair.
    const { duplicateMatchesOf } = await import('../../functions/core/duplicates');
    const q4 = (await reader.get('Q4')) as Lead;
    expect(duplicateMatchesOf({ ...q4, duplicates: match('Q3') }, [])).toEqual([]);
  });
});

describe('the survivor is scored again', () => {
  it('on what it holds after the merge, and on its own values after the undo', async () => {
    const { makeConfigRepository } = await import('../../functions/adapters/config-repository');
    const { readConfig } = await import('../../functions/core/config/config-document');
    const { scoringConfig } = await import('../../functions/core/scoring/points-config');
    const configs = makeConfigRepository(db, table, { cacheMs: 0 });
    const scored: MergePorts = {
      ...ports,
      scoring: async () => ({ config: await readConfig(configs, scoringConfig), model: null }),
    };
    await seed(lead('S1', { firstName: 'Ann', lastName: 'Lee', score: 10, scoreBand: 'D' }));
    await seed(lead('S2', { lastName: 'Lee', behaviour: { 'email-reply': 2 }, jobTitle: 'VP Sales' }));
    events.length = 0;

    await mergeLeads(scored, {
      caller: manager,
      mergeId: 'm-score',
      body: { survivor: 'S1', leads: ['S2'], fields: { jobTitle: 'S2' } },
    });
    const merged = (await reader.get('S1')) as Lead;
    expect(merged.score).toBeGreaterThan(10);
    expect(merged.scoreFactors).toEqual(expect.arrayContaining([{ points: 24, reason: '2× email-reply' }]));
    const audit = (await reader.audit('S1')).find((e) => e.action === 'merged');
    expect(audit?.why).toContain(`rescored 10 (D) → ${merged.score} (${merged.scoreBand})`);
    expect(events.map((e) => e.detailType)).toEqual(['LeadsMerged', 'LeadScoreChanged']);

    await unmergeLeads(scored, { mergeId: 'm-score', caller: manager, keep: [] });
    const back = (await reader.get('S1')) as Lead;
    expect(back.behaviour).toBeUndefined();
    expect(back.score).toBeLessThan(merged.score as number);
    expect(JSON.stringify(back.scoreFactors)).not.toContain('email-reply');
  });
});

describe('a lead waiting on an approval', () => {
  it('is refused with a 409 naming the approval and how to decide it; nothing is held', async () => {
    await seed(lead('P1'));
    await seed(
      lead('P2', {
        stage: 'SalesQualified',
        approval: { run: 1, chainName: 'Large deals', chainIndex: 0, stepIndex: 1, taskId: 'P2-r1-s1' },
      }),
    );
    const refused = (await rejection(
      mergeLeads(ports, { caller: manager, mergeId: 'm-p', body: { survivor: 'P1', leads: ['P2'] } }),
    )) as ConflictError;
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused.details.leads).toEqual([
      {
        leadId: 'P2',
        reason:
          "waiting on approval 'Large deals' step 2 (task P2-r1-s1: decide it with POST /tasks/P2-r1-s1/decision); merge it once the approval is decided",
        approval: { chainName: 'Large deals', step: 2, taskId: 'P2-r1-s1' },
      },
    ]);
    expect((await ports.merges.getMany(['P1', 'P2'])).map((l) => l.mergeLock ?? null)).toEqual([null, null]);
    expect(await ports.merges.record('m-p')).toBeUndefined();
  });
});
