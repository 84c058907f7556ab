import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeAnalyticsCountersHandler } from '../../functions/analytics-counters/handler';
import { countedIdOf, makeCountersRepository } from '../../functions/adapters/counters-repository';
import { reportKeys } from '../../functions/adapters/keys';
import { observeDynamoRequests } from '../../functions/adapters/request-observer';
import { leadItem } from '../../functions/adapters/lead-item';
import type { Lead } from '../../functions/core/lead';
import { type CountableEvent, counterKey, foldEvents, tallyEvent } from '../../functions/core/reports/counters';
import {
  agingReport,
  daysBetween,
  funnelReport,
  repsReport,
  sourcesReport,
} from '../../functions/core/reports/reports';
import { counterScenario, rejectedDeliveries, scenarioOpenLeads } from '../support/counter-scenario';
import { freshTable } from '../support/table';

/** As EventBridge hands an event to a rule target. */
const envelope = (e: CountableEvent, id: string) => ({
  version: '0',
  id,
  source: 'leadflow',
  'detail-type': e.detailType,
  time: e.detail.occurredAt,
  account: '000000000000',
  region: 'local',
  resources: [],
  detail: e.detail,
});

/** A fixed shuffle (seeded) so the test is the same on every run. */
const shuffle = <T>(items: readonly T[], seed = 42): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

const range = { from: '2026-11-02', to: '2026-11-04' };
const asOf = new Date('2026-11-05T08:00:00Z');
const figures = (counters: Parameters<typeof funnelReport>[0]) => ({
  funnel: funnelReport(counters, range),
  byOwner: funnelReport(counters, range, 'owner'),
  sources: sourcesReport(counters, range, 'week'),
  aging: agingReport(counters, scenarioOpenLeads, asOf),
  reps: repsReport(counters, range),
});

const setup = async () => {
  const table = await freshTable('counters');
  const repo = makeCountersRepository(table.db, table.name);
  return { table, repo, handler: makeAnalyticsCountersHandler({ counters: repo }) };
};

describe('analytics counters on DynamoDB Local', () => {
  it('counts duplicated, reordered and concurrent deliveries exactly once, rejected deliveries included', async () => {
    const { repo, handler } = await setup();
    const events = [...counterScenario(), ...rejectedDeliveries()];
    const deliveries = shuffle([...events, ...events, ...events.slice(0, 6)]).map((e, i) =>
      envelope(e, `delivery-${i}`),
    );

    // Half in sequence, half at once (several events of one lead racing for its tally).
    const half = Math.floor(deliveries.length / 2);
    const outcomes = [];
    for (const d of deliveries.slice(0, half)) outcomes.push((await handler(d)).outcome);
    outcomes.push(...(await Promise.all(deliveries.slice(half).map((d) => handler(d)))).map((r) => r.outcome));

    expect(outcomes.filter((o) => o === 'counted')).toHaveLength(events.length);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(deliveries.length - events.length);
    const stored = await repo.read(daysBetween('2026-11-02', '2026-11-04'));
    expect(figures(stored)).toEqual(figures(foldEvents(events).counters));
    expect(figures(stored).funnel.groups[0]).toMatchObject({
      created: 4,
      converted: 1,
      disqualified: 1,
      conversionRate: 0.25,
    });
    expect(figures(stored).sources.channels.map((c) => [c.channel, c.received, c.rejected])).toEqual([
      ['FORM', 2, 2],
      ['WEBHOOK', 6, 2],
    ]);
  });

  it('rebuilds from the archive to the same figures and keeps dropping redeliveries afterwards', async () => {
    const { repo, handler } = await setup();
    const events = [...counterScenario(), ...rejectedDeliveries()];
    for (const [i, e] of events.entries()) await handler(envelope(e, `d-${i}`));
    const live = figures(await repo.read(daysBetween('2026-11-02', '2026-11-04')));

    const rebuilt = await repo.rebuild(shuffle(events, 7));
    const after = figures(await repo.read(daysBetween('2026-11-02', '2026-11-04')));
    const redelivered = await handler(envelope(events[3] as CountableEvent, 'late'));

    expect(rebuilt).toMatchObject({ generation: 2, events: events.length });
    expect(after).toEqual(live);
    expect(redelivered.outcome).toBe('duplicate');
  });

  it("marks a lead's events on its tally: one write per event, copies refused by the tally's version alone", async () => {
    const { table, handler } = await setup();
    const events = counterScenario().filter((e) => e.detail.lead?.id === 'L1');
    const writes: string[] = [];
    const stop = observeDynamoRequests({
      onRequest: (r) => {
        if (/Put|Update|Delete|Write/.test(r.command)) writes.push(r.command);
      },
    });
    try {
      for (const [i, e] of events.entries()) await handler(envelope(e, `d-${i}`));
    } finally {
      stop();
    }
    const tallyOf = async () =>
      (
        await table.db.send(
          new GetCommand({ TableName: table.name, Key: reportKeys.tally(1, 'L1'), ConsistentRead: true }),
        )
      ).Item;
    const stored = await tallyOf();
    const markers = await Promise.all(
      events.map((e) =>
        table.db.send(new GetCommand({ TableName: table.name, Key: reportKeys.counted(1, e.detail.eventId) })),
      ),
    );

    // One write per event (a transaction when counters move), no marker item beside the tally.
    expect(writes).toHaveLength(events.length);
    expect(markers.map((m) => m.Item)).toEqual(events.map(() => undefined));
    expect(Object.keys(stored?.counted ?? {}).sort()).toEqual(events.map((e) => countedIdOf(e.detail.eventId)).sort());

    // A new event that moves no counter (the lead's last snapshot again) is one conditional PutItem;
    // four copies of it at once: the first to write the tally wins, the others find their id on it.
    const last = events.at(-1) as CountableEvent;
    const again: CountableEvent = { ...last, detail: { ...last.detail, eventId: 'L1-again' } };
    expect(tallyEvent(stored?.tally, again).increments).toEqual([]);
    const outcomes = await Promise.all([0, 1, 2, 3].map((k) => handler(envelope(again, `again-${k}`))));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['counted', 'duplicate', 'duplicate', 'duplicate']);
    expect((await tallyOf())?.version).toBe(Number(stored?.version) + 1);
  });

  it('still refuses a copy of an event counted before tallies kept their ids (its separate marker)', async () => {
    const { table, handler } = await setup();
    const [created, assigned, ...rest] = counterScenario().filter((e) => e.detail.lead?.id === 'L1');
    if (!created || !assigned) throw new Error('scenario changed');
    // As the consumer wrote them before: the tally without ids, and a marker item per event.
    const { tally } = tallyEvent(undefined, created);
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...reportKeys.tally(1, 'L1'), type: 'lead-tally', version: tally?.version, tally },
      }),
    );
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...reportKeys.counted(1, created.detail.eventId), type: 'counted-event', expiresAt: 4102444800 },
      }),
    );

    const copy = await handler(envelope(created, 'copy'));
    const next = await handler(envelope(assigned, 'next'));
    const copyAfter = await handler(envelope(created, 'copy-after'));
    const nextAgain = await handler(envelope(assigned, 'next-again'));
    for (const [i, e] of rest.entries()) await handler(envelope(e, `rest-${i}`));

    expect([copy, next, copyAfter, nextAgain].map((o) => o.outcome)).toEqual([
      'duplicate',
      'counted',
      'duplicate',
      'duplicate',
    ]);
    // The tally now keeps the ids it counted, and how long markers from before may still be found.
    const stored = (
      await table.db.send(
        new GetCommand({ TableName: table.name, Key: reportKeys.tally(1, 'L1'), ConsistentRead: true }),
      )
    ).Item;
    expect(Object.keys(stored?.counted ?? {}).sort()).toEqual(
      [assigned, ...rest].map((e) => countedIdOf(e.detail.eventId)).sort(),
    );
    expect(stored?.legacyMarkersUntil).toBeGreaterThan(Date.now() / 1000 + 34 * 86_400);
  });

  it('reads one partition per day plus the gauge, whatever the number of leads', async () => {
    const { repo, handler } = await setup();
    const events = counterScenario();
    for (const [i, e] of events.entries()) await handler(envelope(e, `d-${i}`));
    const before = await repo.read(['2026-11-02']);

    // Fifty more leads on the same day, source and campaign: more counts, not more counter items.
    for (let k = 0; k < 50; k++) {
      const lead = { ...(events[0]?.detail.lead as NonNullable<CountableEvent['detail']['lead']>), id: `X${k}` };
      await handler(
        envelope(
          {
            detailType: 'LeadCreated',
            source: 'leadflow',
            detail: { eventId: `x-${k}`, occurredAt: lead.createdAt, leadId: lead.id, lead },
          },
          `x-${k}`,
        ),
      );
    }
    const after = await repo.read(['2026-11-02']);

    expect(new Set(after.map(counterKey))).toEqual(new Set(before.map(counterKey)));
    expect(funnelReport(after, { from: '2026-11-02', to: '2026-11-02' }).groups[0]?.created).toBe(52);
  });

  it('finds the ten oldest open leads through the stage index, without a scan', async () => {
    const { table, repo } = await setup();
    const lead = (i: number, stage: Lead['stage']): Lead =>
      ({
        id: `O${String(i).padStart(2, '0')}`,
        version: 1,
        stage,
        leadType: 'B2B',
        channel: 'API',
        sourceId: 'manual',
        deliveryId: `d${i}`,
        createdAt: new Date(Date.UTC(2026, 9, 1 + i)).toISOString(),
        updatedAt: '2026-11-01T00:00:00.000Z',
        createdBy: { kind: 'user', id: 'alice', source: 'API' },
        duplicates: [],
        duplicatePolicy: 'create',
        stageEnteredAt: '2026-11-01T00:00:00.000Z',
        owner: i % 2 ? 'alice' : undefined,
        email: `o${i}@acme.com`,
      }) as Lead;
    const stages: Lead['stage'][] = [
      'Converted',
      'Assigned',
      'Creation',
      'MarketQualified',
      'Disqualified',
      'SalesQualified',
    ];
    for (let i = 0; i < 24; i++)
      await table.db.send(
        new PutCommand({ TableName: table.name, Item: leadItem(lead(i, stages[i % stages.length] ?? 'Creation')) }),
      );

    const oldest = await repo.oldestOpen(10);

    expect(oldest).toHaveLength(10);
    expect(oldest.every((l) => !['Converted', 'Disqualified'].includes(l.stage))).toBe(true);
    expect(oldest.map((l) => l.id)).toEqual(['O01', 'O02', 'O03', 'O05', 'O07', 'O08', 'O09', 'O11', 'O13', 'O14']);
  });
});
