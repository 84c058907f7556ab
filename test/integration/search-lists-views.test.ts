import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { leadItem } from '../../functions/adapters/lead-item';
import { makeLeadLister } from '../../functions/adapters/lead-lister';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeNotesRepository } from '../../functions/adapters/notes-repository';
import { type BackfillCursor, makeSearchIndexer } from '../../functions/adapters/search-indexer';
import { makeLeadSearch } from '../../functions/adapters/search-repository';
import { searchItemPuts } from '../../functions/adapters/search-items';
import { makeViewsRepository } from '../../functions/adapters/views-repository';
import type { Lead, Stage } from '../../functions/core/lead';
import { leadView } from '../../functions/core/lead-view';
import { type ListQuery, listQuerySchema, planList } from '../../functions/core/lead-list';
import { DEFAULT_TEAMS } from '../../functions/core/lifecycle/teams-config';
import type { PageKey } from '../../functions/core/ports';
import { followedByFor, parseSearch, searchScopesFor } from '../../functions/core/search';
import { newView } from '../../functions/core/views';
import { freshTable } from '../support/table';

const minute = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();
const lead = (n: number, fields: Partial<Lead> = {}): Lead =>
  ({
    id: `L${String(n).padStart(4, '0')}`,
    version: 1,
    stage: 'Assigned',
    leadType: 'B2B',
    channel: 'API',
    sourceId: 'manual',
    deliveryId: `d${n}`,
    createdAt: minute(n),
    updatedAt: minute(n),
    createdBy: { kind: 'user', id: 'sam', source: 'API' },
    duplicates: [],
    duplicatePolicy: 'create',
    stageEnteredAt: minute(n),
    email: `p${n}@example.com`,
    ...fields,
  }) as Lead;

const rep = (userId: string) => ({ userId, groups: ['rep'] as string[] });
const ops = { userId: 'sam', groups: ['salesops'] };

describe('search items on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  const find = async (viewer: { userId: string; groups: string[] }, typed: string) => {
    const query = parseSearch(typed);
    if (!query) throw new Error(`no query in ${typed}`);
    const found = await makeLeadSearch(table.db, table.name).search(query, searchScopesFor(viewer, DEFAULT_TEAMS), 20);
    return found.map((l) => l.id);
  };

  beforeAll(async () => {
    table = await freshTable('search');
  });

  it('finds a captured lead by any word, in the scopes of who may see it, and follows an edit and a new owner', async () => {
    const captured = lead(1, { firstName: 'Zoë', lastName: 'Van Dijk', company: 'Ørsted Wind', phone: '+31612345678' });
    const capture = makeCaptureRepository(table.db, table.name);
    const write = {
      lead: captured,
      keys: [],
      audit: { at: captured.createdAt, actor: captured.createdBy, action: 'created' },
      delivery: {
        sourceId: 'manual',
        deliveryId: 'd1',
        answer: { leadId: captured.id, status: 'created' as const, duplicates: [] },
        expiresAt: 2e9,
      },
    };
    expect(await capture.createLead(write)).toEqual({ written: true });
    // A redelivery writes nothing: no second set of search items.
    expect(await capture.createLead(write)).toMatchObject({ written: false });

    // Capture writes no search item (it stays as fast as it was); the lead's first change writes them all.
    expect(await find(ops, 'zoe')).toEqual([]);
    const writer = makeLeadWriter(table.db, table.name);
    const reader = makeLeadReader(table.db, table.name);
    const first = await reader.get('L0001');
    if (!first) throw new Error('lead not stored');
    await writer.write(first, { stage: 'Assigned' as Stage }, [
      { at: minute(1), actor: captured.createdBy, action: 'routed' },
    ]);

    expect(await find(rep('alice'), 'zoe')).toEqual(['L0001']); // unassigned: every rep sees it
    expect(await find(ops, 'orsted w')).toEqual(['L0001']);
    expect(await find(ops, '06 1234 5678')).toEqual(['L0001']);
    expect(await find(ops, 'van zoe')).toEqual(['L0001']);
    expect(await find(ops, 'van smith')).toEqual([]);
    // The store remembers that the items exist; the API's view of the lead never shows it.
    const marked = await reader.get('L0001');
    expect(marked?.searchIndexed).toBe(true);
    expect(Object.keys(leadView(marked as Lead, []))).not.toContain('searchIndexed');

    // A new owner and a new surname, in the lead's own transaction.
    const stored = await reader.get('L0001');
    if (!stored) throw new Error('lead not stored');
    await writer.write(stored, { owner: 'bob', lastName: 'Jansen' }, [
      { at: minute(2), actor: captured.createdBy, action: 'edited' },
    ]);
    expect(await find(ops, 'dijk')).toEqual([]);
    expect(await find(ops, 'jansen')).toEqual(['L0001']);
    expect(await find(rep('bob'), 'jansen')).toEqual(['L0001']);
    expect(await find(rep('alice'), 'jansen')).toEqual([]);

    // A stage move writes no search item; the items of the lead are exactly its tokens in its two scopes.
    const moved = await reader.get('L0001');
    if (!moved) throw new Error('lead not stored');
    await writer.write(moved, { stage: 'Disqualified' as Stage }, [
      { at: minute(3), actor: captured.createdBy, action: 'disqualified' },
    ]);
    const [found] = await makeLeadSearch(table.db, table.name).search(
      parseSearch('jansen') as NonNullable<ReturnType<typeof parseSearch>>,
      ['ALL'],
      5,
    );
    expect(found?.stage).toBe('Disqualified');
    const expected = searchItemPuts(table.name, { ...captured, owner: 'bob', lastName: 'Jansen' }).map(
      (p) => `${p.Put.Item.pk}|${p.Put.Item.sk}`,
    );
    const stored2: string[] = [];
    for (const pk of new Set(expected.map((k) => k.split('|')[0] as string))) {
      const out = await table.db.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      );
      stored2.push(...(out.Items ?? []).map((i) => `${i.pk}|${i.sk}`));
    }
    expect(stored2.sort()).toEqual(expected.sort());
  });
});

describe('lists and views on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  const stages: Stage[] = ['Creation', 'Assigned', 'MarketQualified', 'SalesQualified', 'Converted', 'Disqualified'];
  const owners = ['alice', 'bob', 'carol', undefined, 'zed'];
  // 90 leads over six stages, five owners (one unassigned, one in no team), two sources, some duplicates.
  const all = Array.from({ length: 90 }, (_, n) =>
    lead(n, {
      stage: stages[n % 6],
      owner: owners[n % 5],
      sourceId: n % 3 === 0 ? 'google-ads' : 'manual',
      scoreBand: n % 4 === 0 ? 'A' : 'C',
      duplicates: n % 7 === 0 ? [{ kind: 'lead', id: 'L9999', matchedOn: 'email', value: 'x' }] : [],
    }),
  );

  beforeAll(async () => {
    table = await freshTable('lists');
    const items = all.map(leadItem);
    for (let i = 0; i < items.length; i += 25)
      await table.db.send(
        new BatchWriteCommand({
          RequestItems: { [table.name]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
  });

  const pages = async (viewer: { userId: string; groups: string[] }, raw: object, limit: number) => {
    const lister = makeLeadLister(table.db, table.name);
    const plan = planList(viewer, listQuerySchema.parse(raw), DEFAULT_TEAMS);
    const ids: string[] = [];
    let next: PageKey | undefined;
    let reads = 0;
    do {
      const page = await lister.browse(plan, limit, next);
      ids.push(...page.items.map((l) => l.id));
      next = page.next;
      if (++reads > 50) throw new Error('paging does not end');
    } while (next);
    return ids;
  };
  const expected = (keep: (l: Lead) => boolean, order: 'newest' | 'oldest' = 'newest') => {
    const ids = all.filter(keep).map((l) => l.id);
    return order === 'newest' ? ids.reverse() : ids;
  };

  it('merges every stage for sales ops, newest first, every lead once across pages', async () => {
    expect(await pages(ops, {}, 7)).toEqual(expected(() => true));
  });

  it('gives a rep their own and the unassigned leads only, oldest first when asked', async () => {
    expect(await pages(rep('alice'), { sort: 'createdAt' }, 10)).toEqual(
      expected((l) => l.owner === 'alice' || !l.owner, 'oldest'),
    );
  });

  it("gives a manager their team's leads and the queue, not another team's; every lead with managersSee: all", async () => {
    const maria = { userId: 'maria', groups: ['manager'] };
    expect(await pages(maria, {}, 9)).toEqual(expected((l) => l.owner !== 'zed'));
    const lister = makeLeadLister(table.db, table.name);
    const plan = planList(maria, listQuerySchema.parse({}), { ...DEFAULT_TEAMS, managersSee: 'all' });
    expect((await lister.browse(plan, 100)).items.map((l) => l.id)).toEqual(expected(() => true));
  });

  it('combines narrowings (team, stage, source, band, duplicates, created range) without skipping a page', async () => {
    const query: ListQuery = listQuerySchema.parse({
      team: 'inside-sales',
      source: 'google-ads',
      createdFrom: minute(10),
      createdTo: minute(80),
    });
    expect(await pages(ops, query, 3)).toEqual(
      expected(
        (l) =>
          ['alice', 'bob', 'carol'].includes(l.owner ?? '') &&
          l.sourceId === 'google-ads' &&
          l.createdAt >= minute(10) &&
          l.createdAt <= minute(80),
      ),
    );
    expect(await pages(ops, { stage: 'Converted', scoreBand: 'A' }, 2)).toEqual(
      expected((l) => l.stage === 'Converted' && l.scoreBand === 'A'),
    );
    expect(await pages(ops, { duplicate: true }, 4)).toEqual(expected((l) => l.duplicates.length > 0));
    expect(await pages(ops, { duplicate: false, createdTo: '2026-01-01' }, 50)).toEqual(
      expected((l) => l.duplicates.length === 0),
    );
  });

  it('merges the leads a rep follows into their whole list, once, narrowed like the rest; unfollowing takes them out', async () => {
    const notes = makeNotesRepository(table.db, table.name);
    const audit = {
      at: minute(95),
      actor: { kind: 'user' as const, id: 'alice', source: 'API' as const },
      action: 'x',
    };
    // Two of bob's leads (one Converted) and one unassigned lead (already hers to see: listed once).
    const followed = ['L0001', 'L0016', 'L0003'];
    for (const id of followed) expect(await notes.follow(id, 'alice', audit)).toBeDefined();
    const mine = (l: Lead) => l.owner === 'alice' || !l.owner || followed.includes(l.id);
    expect(await pages(rep('alice'), {}, 6)).toEqual(expected(mine));
    expect(await pages(rep('alice'), { sort: 'createdAt', stage: 'Assigned' }, 4)).toEqual(
      expected((l) => mine(l) && l.stage === 'Assigned', 'oldest'),
    );
    // Asking for one owner or a team is asking for that owner's leads, not the followed ones.
    expect(await pages(rep('alice'), { owner: 'me' }, 50)).toEqual(expected((l) => l.owner === 'alice'));
    // Another rep's list does not change.
    expect(await pages(rep('carol'), {}, 50)).toEqual(expected((l) => l.owner === 'carol' || !l.owner));
    for (const id of followed) await notes.unfollow(id, 'alice', audit);
    expect(await pages(rep('alice'), {}, 50)).toEqual(expected((l) => l.owner === 'alice' || !l.owner));
  });

  it('keeps views under the owner and the team, moves the copies with an edit, refuses a stale write', async () => {
    const views = makeViewsRepository(table.db, table.name);
    const at = minute(0);
    const shared = newView(
      rep('alice'),
      { name: 'Team hot', query: listQuerySchema.parse({ scoreBand: 'A' }), shared: true },
      DEFAULT_TEAMS,
      'V1',
      at,
    );
    const mine = newView(
      rep('alice'),
      { name: 'Mine', query: listQuerySchema.parse({}), shared: false },
      DEFAULT_TEAMS,
      'V2',
      at,
    );
    expect(await views.put(shared)).toBe(true);
    expect(await views.put(mine)).toBe(true);
    expect(await views.put(mine)).toBe(false); // the same id twice: one view
    expect((await views.listFor('alice', 'inside-sales')).map((v) => v.id)).toEqual(['V2', 'V1']);
    expect((await views.listFor('bob', 'inside-sales')).map((v) => v.id)).toEqual(['V1']);

    const unshared = { ...shared, shared: false, team: undefined, version: 2 };
    expect(await views.put(unshared, shared)).toBe(true);
    expect(await views.put({ ...unshared, version: 3 }, shared)).toBe(false); // based on version 1: stale
    expect((await views.listFor('bob', 'inside-sales')).map((v) => v.id)).toEqual([]);
    expect(await views.delete(unshared)).toBe(true);
    expect(await views.get('V1')).toBeUndefined();
    expect((await views.listFor('alice', 'inside-sales')).map((v) => v.id)).toEqual(['V2']);
  });
});

describe('every lead searchable: the indexer, the backfill and followed leads on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  const find = async (viewer: { userId: string; groups: string[] }, typed: string) => {
    const query = parseSearch(typed);
    if (!query) throw new Error(`no query in ${typed}`);
    const search = makeLeadSearch(table.db, table.name);
    return (
      await search.search(query, searchScopesFor(viewer, DEFAULT_TEAMS), 20, followedByFor(viewer, DEFAULT_TEAMS))
    ).map((l) => l.id);
  };
  /** Every search item of the table's leads (their partitions are known from the leads' tokens). */
  const searchItemsOf = async (leads: Lead[]) => {
    const pks = new Set(
      leads.flatMap((l) => searchItemPuts(table.name, { ...l, owner: undefined }).map((p) => String(p.Put.Item.pk))),
    );
    for (const l of leads) if (l.owner) for (const p of searchItemPuts(table.name, l)) pks.add(String(p.Put.Item.pk));
    const found: string[] = [];
    for (const pk of pks) {
      const out = await table.db.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      );
      found.push(...(out.Items ?? []).map((i) => `${i.pk}|${i.sk}`));
    }
    return found.sort();
  };
  const itemKeys = (l: Lead) => searchItemPuts(table.name, l).map((p) => `${p.Put.Item.pk}|${p.Put.Item.sk}`);

  beforeAll(async () => {
    table = await freshTable('indexer');
  });

  it('indexes a lead never changed since capture once, and a lifecycle write racing it leaves exactly its own items', async () => {
    const stored = lead(500, {
      firstName: 'Björn',
      lastName: 'Quist',
      company: 'Fjord Labs',
      stage: 'Creation' as Stage,
    });
    await table.db.send(
      new BatchWriteCommand({ RequestItems: { [table.name]: [{ PutRequest: { Item: leadItem(stored) } }] } }),
    );
    expect(await find(ops, 'bjorn')).toEqual([]);
    const indexer = makeSearchIndexer(table.db, table.name);
    const reader = makeLeadReader(table.db, table.name);
    // The lifecycle read the lead before the indexer wrote its (unassigned) items...
    const before = await reader.get('L0500');
    if (!before) throw new Error('lead not stored');
    expect(await indexer.index('L0500')).toBe('indexed');
    expect(await indexer.index('L0500')).toBe('already');
    expect(await find(rep('alice'), 'fjord')).toEqual(['L0500']);
    // ...then assigns it to bob: the unassigned items go, bob's come; the lead's version was not raised.
    await makeLeadWriter(table.db, table.name).write(before, { stage: 'Assigned' as Stage, owner: 'bob' }, [
      { at: minute(501), actor: stored.createdBy, action: 'assigned' },
    ]);
    const after = { ...stored, owner: 'bob' };
    expect(await searchItemsOf([after])).toEqual(itemKeys(after).sort());
    expect(await find(rep('alice'), 'fjord')).toEqual([]);
    expect(await find(rep('bob'), 'quist bj')).toEqual(['L0500']);
    expect(await indexer.index('L0999')).toBe('gone');
  });

  it('backfills leads stored before search in resumable pages, with follow items; a second walk indexes nothing', async () => {
    const old = Array.from({ length: 23 }, (_, n) =>
      lead(600 + n, {
        firstName: `Olga${n}`,
        lastName: 'Backfill',
        owner: n % 2 ? 'bob' : undefined,
        stage: (['Assigned', 'Converted', 'Disqualified'] as Stage[])[n % 3],
        followers: n === 4 ? ['carol'] : undefined,
      }),
    );
    for (let i = 0; i < old.length; i += 25)
      await table.db.send(
        new BatchWriteCommand({
          RequestItems: { [table.name]: old.slice(i, i + 25).map((l) => ({ PutRequest: { Item: leadItem(l) } })) },
        }),
      );
    expect(await find(ops, 'backfill')).toEqual([]);
    const indexer = makeSearchIndexer(table.db, table.name);
    // A first run stops after two pages (as if interrupted); the next goes on from the checkpoint.
    let cursor: BackfillCursor | undefined = { stage: 0 };
    let indexed = 0;
    for (let pages = 0; cursor && pages < 2; pages++) {
      const page = await indexer.backfillPage(cursor, 5);
      expect(page.read).toBeLessThanOrEqual(5);
      indexed += page.indexed;
      await indexer.saveCheckpoint(page.next, minute(700));
      cursor = page.next;
    }
    const saved = await indexer.checkpoint();
    expect(saved?.done).toBe(false);
    cursor = saved?.next;
    while (cursor) {
      const page = await indexer.backfillPage(cursor, 5);
      indexed += page.indexed;
      cursor = page.next;
    }
    // The 23 old leads, and not L0500 (indexed by its own write above).
    expect(indexed).toBe(23);
    expect((await find(ops, 'backfill')).length).toBe(20); // the page size of a search
    expect(await find(ops, 'olga17 backfill')).toEqual(['L0617']);
    expect(await find(rep('alice'), 'olga17')).toEqual([]); // bob's
    // carol follows bob's L0604 from before follow items existed: the backfill wrote hers.
    expect(await find(rep('carol'), 'olga4')).toEqual(['L0604']);
    let again = 0;
    for (let c: BackfillCursor | undefined = { stage: 0 }; c; ) {
      const page = await indexer.backfillPage(c, 50);
      again += page.indexed;
      c = page.next;
    }
    expect(again).toBe(0);
  });

  it('finds the leads a rep follows among their search results, and stops when they unfollow', async () => {
    const bobs = lead(800, { firstName: 'Ingrid', lastName: 'Followed', owner: 'bob' });
    await table.db.send(
      new BatchWriteCommand({ RequestItems: { [table.name]: [{ PutRequest: { Item: leadItem(bobs) } }] } }),
    );
    expect(await makeSearchIndexer(table.db, table.name).index('L0800')).toBe('indexed');
    expect(await find(rep('alice'), 'ingrid')).toEqual([]);
    const notes = makeNotesRepository(table.db, table.name);
    const audit = {
      at: minute(801),
      actor: { kind: 'user' as const, id: 'alice', source: 'API' as const },
      action: 'x',
    };
    await notes.follow('L0800', 'alice', audit);
    expect(await find(rep('alice'), 'ingrid fol')).toEqual(['L0800']);
    expect(await find(rep('alice'), 'ingrid smith')).toEqual([]);
    expect(await find(rep('bob'), 'ingrid')).toEqual(['L0800']); // once, though bob's own
    await notes.unfollow('L0800', 'alice', audit);
    expect(await find(rep('alice'), 'ingrid')).toEqual([]);
  });
});
