import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeAnalyticsCountersHandler } from '../../functions/analytics-counters/handler';
import { CONFIG_CACHE_MS, makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeCountersRepository } from '../../functions/adapters/counters-repository';
import { keys } from '../../functions/adapters/keys';
import { makeSubscriptionsRepository } from '../../functions/adapters/subscriptions-repository';
import { type CountableEvent, foldEvents } from '../../functions/core/reports/counters';
import { daysBetween, funnelReport, repsReport } from '../../functions/core/reports/reports';
import { counterScenario } from '../support/counter-scenario';
import { freshTable } from '../support/table';

/**
 * A document client whose answer to a matching command is held back until `release()`, after the table
 * answered it (`answered`): a read that started before a save and comes back after it, made to order.
 */
const holding = (db: DynamoDBDocumentClient, matches: (command: unknown) => boolean) => {
  let release = () => {};
  let answer = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const answered = new Promise<void>((r) => {
    answer = r;
  });
  const held = {
    send: async (command: unknown) => {
      const out = await db.send(command as GetCommand);
      if (matches(command)) {
        answer();
        await gate;
      }
      return out;
    },
  } as unknown as DynamoDBDocumentClient;
  return { held, answered, release };
};

const routing = (team: string) => ({ rules: [], fallbackTeam: team });

describe('configuration cached per process', () => {
  it('a save through one repository is what every cached reader in the process reads next', async () => {
    const table = await freshTable('cfgcache');
    const reader = makeConfigRepository(table.db, table.name);
    const editor = makeConfigRepository(table.db, table.name, { cacheMs: 0 });
    expect(await reader.get('routing')).toBeUndefined();
    await editor.put('routing', routing('emea'), 0, 'ops', '2026-12-07T00:00:00.000Z');
    expect((await reader.get('routing'))?.value).toEqual(routing('emea'));
    await editor.put('routing', routing('amer'), 1, 'ops', '2026-12-07T00:01:00.000Z');
    // A new repository (a second function module in the same process) shares the cache too.
    expect((await makeConfigRepository(table.db, table.name).get('routing'))?.version).toBe(2);
    expect((await reader.get('routing'))?.value).toEqual(routing('amer'));
  });

  it('a change saved by another process reaches a cached reader after the TTL, the editor at once', async () => {
    const table = await freshTable('cfgcache');
    let clock = 1_000_000;
    const now = () => clock;
    const reader = makeConfigRepository(table.db, table.name, { now });
    const editor = makeConfigRepository(table.db, table.name, { cacheMs: 0, now });
    await editor.put('teams', { teams: [] }, 0, 'ops', '2026-12-07T00:00:00.000Z');
    expect((await reader.get('teams'))?.version).toBe(1);
    // Another Lambda instance saved version 2: only the table knows.
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...keys.config('teams'), type: 'config', name: 'teams', version: 2, value: { teams: ['x'] } },
      }),
    );
    clock += CONFIG_CACHE_MS - 1;
    expect((await reader.get('teams'))?.version).toBe(1);
    expect((await editor.get('teams'))?.version).toBe(2);
    // The editor's read refreshed the process's cache; without it the TTL ends the same way.
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...keys.config('teams'), type: 'config', name: 'teams', version: 3, value: { teams: ['y'] } },
      }),
    );
    expect((await reader.get('teams'))?.version).toBe(2);
    clock += CONFIG_CACHE_MS;
    expect((await reader.get('teams'))?.version).toBe(3);
  });

  it('a read that started before a save and answers after it cannot put the older document back', async () => {
    const table = await freshTable('cfgcache');
    const editor = makeConfigRepository(table.db, table.name, { cacheMs: 0 });
    await editor.put('stages', { v: 1 }, 0, 'ops', '2026-12-07T00:00:00.000Z');
    const slow = holding(table.db, (c) => c instanceof GetCommand);
    const pending = makeConfigRepository(slow.held, table.name, { cacheMs: 0 }).get('stages');
    await slow.answered;
    await editor.put('stages', { v: 2 }, 1, 'ops', '2026-12-07T00:01:00.000Z');
    slow.release();
    expect((await pending)?.version).toBe(1);
    expect((await makeConfigRepository(table.db, table.name).get('stages'))?.value).toEqual({ v: 2 });
  });
});

describe('the subscriptions list cached per process', () => {
  const subscription = (id: string) => ({
    id,
    url: `https://hooks.example.com/${id}`,
    events: ['LeadCreated'],
    secret: 'whsec_test',
    createdAt: '2026-12-07T00:00:00.000Z',
    createdBy: 'ops',
  });

  it('a subscription created or removed through the API is in the next list the outbound consumer reads', async () => {
    const table = await freshTable('subcache');
    const outbound = makeSubscriptionsRepository(table.db, table.name);
    const api = makeSubscriptionsRepository(table.db, table.name, { cacheMs: 0 });
    expect(await outbound.subscriptions()).toEqual([]);
    await api.create(subscription('s1') as never);
    expect((await outbound.subscriptions()).map((s) => s.id)).toEqual(['s1']);
    await api.remove('s1');
    expect(await outbound.subscriptions()).toEqual([]);
  });

  it('a list read that raced a creation is not kept', async () => {
    const table = await freshTable('subcache');
    const api = makeSubscriptionsRepository(table.db, table.name, { cacheMs: 0 });
    const slow = holding(table.db, () => true);
    const pending = makeSubscriptionsRepository(slow.held, table.name).subscriptions();
    await slow.answered;
    await api.create(subscription('s2') as never);
    slow.release();
    await pending;
    expect((await makeSubscriptionsRepository(table.db, table.name).subscriptions()).map((s) => s.id)).toEqual(['s2']);
  });
});

const range = { from: '2026-11-02', to: '2026-11-04' };

/**
 * A client counting the counters' requests; with `barrier`, every transaction waits until that many tally
 * reads were made (so every event reads before any writes, and all but one lose the first race).
 */
const countingClient = (db: DynamoDBDocumentClient, barrier?: number) => {
  const seen = { generationReads: 0, tallyReads: 0, transactions: 0, cancelled: 0 };
  let allRead = () => {};
  const everyoneRead = new Promise<void>((r) => {
    allRead = r;
  });
  const client = {
    send: async (command: { input: { Key?: { sk?: string }; TransactItems?: unknown } }) => {
      if (command.input.TransactItems) {
        if (barrier !== undefined) await everyoneRead;
        seen.transactions++;
      }
      const out = await db.send(command as never).catch((error: unknown) => {
        if ((error as Error).name === 'TransactionCanceledException') seen.cancelled++;
        throw error;
      });
      const sk = command.input.Key?.sk ?? '';
      if (command instanceof GetCommand && sk.startsWith('GENERATION')) seen.generationReads++;
      if (command instanceof GetCommand && sk.startsWith('TALLY')) {
        seen.tallyReads++;
        if (seen.tallyReads === barrier) allRead();
      }
      return out;
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, seen };
};

const delivered = (events: CountableEvent[], handlerFor: (i: number) => (e: unknown) => Promise<{ outcome: string }>) =>
  Promise.all(
    events.map((e, i) =>
      handlerFor(i)({
        id: `d${i}`,
        source: 'leadflow',
        'detail-type': e.detailType,
        time: e.detail.occurredAt,
        detail: e.detail,
      }),
    ),
  );

const sameCounters = async (table: Awaited<ReturnType<typeof freshTable>>, events: CountableEvent[]) => {
  const stored = await makeCountersRepository(table.db, table.name).read(daysBetween(range.from, range.to));
  const folded = foldEvents(events).counters;
  expect(funnelReport(stored, range)).toEqual(funnelReport(folded, range));
  expect(repsReport(stored, range)).toEqual(repsReport(folded, range));
};

describe('analytics counters: one generation read and one tally read per event', () => {
  const leadEvents = () => counterScenario().filter((e) => (e.detail.lead?.id ?? e.detail.leadId) === 'L1');

  it('events of one lead racing from several instances take the winner from the cancellation instead of reading again', async () => {
    const table = await freshTable('cntreads');
    const events = leadEvents();
    const { client, seen } = countingClient(table.db, events.length);
    // One repository per event: separate Lambda instances, nothing shared but the table.
    const outcomes = await delivered(events, () =>
      makeAnalyticsCountersHandler({ counters: makeCountersRepository(client, table.name) }),
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(events.map(() => 'counted'));
    expect(seen.cancelled).toBeGreaterThan(0);
    expect(seen).toMatchObject({ generationReads: events.length, tallyReads: events.length });
    await sameCounters(table, events);
  });

  it('events of one lead arriving together at one instance wait for each other: no transaction cancelled', async () => {
    const table = await freshTable('cntreads');
    const events = leadEvents();
    const { client, seen } = countingClient(table.db);
    const handler = makeAnalyticsCountersHandler({ counters: makeCountersRepository(client, table.name) });
    const outcomes = await delivered(events, () => handler);
    expect(outcomes.map((o) => o.outcome)).toEqual(events.map(() => 'counted'));
    expect(seen).toEqual({
      generationReads: events.length,
      tallyReads: events.length,
      transactions: events.length,
      cancelled: 0,
    });
    await sameCounters(table, events);
  });
});
