import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from '@jest/globals';
import {
  type CountableEvent,
  counterKey,
  foldEvents,
  type LeadTally,
  mergeCounters,
  tallyEvent,
} from '../../functions/core/reports/counters';
import { reportRows, toCsv } from '../../functions/core/reports/report-rows';
import {
  agingReport,
  funnelReport,
  type Report,
  repsReport,
  sourcesReport,
} from '../../functions/core/reports/reports';
import { availabilityFrom } from '../../functions/core/reports/availability';
import { counterScenario, rejectedDeliveries, scenarioOpenLeads } from '../support/counter-scenario';

const range = { from: '2026-11-02', to: '2026-11-04' };
const asOf = new Date('2026-11-05T08:00:00Z');
const sorted = (counters: { family: string; day: string; metric: string; dims: Record<string, string>; n: number }[]) =>
  counters.map((c) => `${counterKey(c as never)}=${c.n}`).sort();

/** What the bus consumer does, event by event: drop seen ids, fold into the tally, add the increments. */
const consume = (deliveries: readonly CountableEvent[]) => {
  const seen = new Set<string>();
  const tallies = new Map<string, LeadTally>();
  const increments = [];
  for (const e of deliveries) {
    if (seen.has(e.detail.eventId)) continue;
    seen.add(e.detail.eventId);
    const id = e.detail.lead?.id ?? '';
    const out = tallyEvent(tallies.get(id), e);
    if (out.tally) tallies.set(id, out.tally);
    increments.push(...out.increments);
  }
  return mergeCounters(increments);
};

describe('counters from events', () => {
  it('gives the expected funnel for the scripted leads', () => {
    const { counters } = foldEvents(counterScenario());

    const funnel = funnelReport(counters, range);

    expect(funnel.groups).toHaveLength(1);
    expect(funnel.groups[0]).toMatchObject({
      group: 'all',
      created: 4,
      reached: { Creation: 4, Assigned: 3, MarketQualified: 1, SalesQualified: 1, Converted: 1, Disqualified: 1 },
      converted: 1,
      disqualified: 1,
      disqualifiedByReason: { 'no-budget': 1 },
      conversionRate: 0.25,
      stageConversion: [
        { from: 'Creation', to: 'Assigned', rate: 0.75 },
        { from: 'Assigned', to: 'MarketQualified', rate: 0.3333 },
        { from: 'MarketQualified', to: 'SalesQualified', rate: 1 },
        { from: 'SalesQualified', to: 'Converted', rate: 1 },
      ],
      timeInStage: {
        Creation: { count: 3, medianHours: 1, p90Hours: 1 },
        Assigned: { count: 2, medianHours: 1, p90Hours: 4 },
        MarketQualified: { count: 1, medianHours: 24, p90Hours: 24 },
        SalesQualified: { count: 1, medianHours: 24, p90Hours: 24 },
      },
    });
  });

  it('groups the funnel by source', () => {
    const { counters } = foldEvents(counterScenario());

    const funnel = funnelReport(counters, range, 'source');

    expect(funnel.groups.map((g) => [g.group, g.created, g.converted, g.disqualified])).toEqual([
      ['google-ads', 2, 0, 0],
      ['webinar', 2, 1, 1],
    ]);
  });

  it('gives the expected sources, aging and reps figures', () => {
    const { counters } = foldEvents(counterScenario());

    const sources = sourcesReport(counters, range);
    const aging = agingReport(counters, scenarioOpenLeads, asOf);
    const reps = repsReport(counters, range, { alice: true });

    expect(sources.rows).toEqual([
      {
        period: '2026-11-02',
        source: 'webinar',
        campaign: 'spring',
        received: 2,
        created: 2,
        duplicates: 1,
        duplicateShare: 0.5,
        rejected: 0,
        rejectShare: 0,
        converted: 1,
        conversionRate: 0.5,
      },
      {
        period: '2026-11-03',
        source: 'google-ads',
        campaign: '-',
        received: 1,
        created: 1,
        duplicates: 0,
        duplicateShare: 0,
        rejected: 0,
        rejectShare: 0,
        converted: 0,
        conversionRate: 0,
      },
      {
        period: '2026-11-03',
        source: 'google-ads',
        campaign: 'fall',
        received: 1,
        created: 1,
        duplicates: 0,
        duplicateShare: 0,
        rejected: 0,
        rejectShare: 0,
        converted: 0,
        conversionRate: 0,
      },
    ]);
    expect(sources.channels).toEqual([
      {
        channel: 'WEBHOOK',
        received: 4,
        created: 4,
        duplicates: 1,
        duplicateShare: 0.25,
        rejected: 0,
        rejectShare: 0,
        rejectedByReason: {},
      },
    ]);
    expect(aging.byStage).toEqual([
      {
        stage: 'Creation',
        'within-sla': 1,
        'over-sla': 0,
        'escalated-1': 0,
        'escalated-2': 0,
        'escalated-3+': 0,
        total: 1,
      },
      {
        stage: 'Assigned',
        'within-sla': 0,
        'over-sla': 0,
        'escalated-1': 1,
        'escalated-2': 0,
        'escalated-3+': 0,
        total: 1,
      },
    ]);
    expect(aging.byOwner.map((r) => [r.owner, r.total])).toEqual([
      ['-', 1],
      ['alice', 1],
    ]);
    expect(aging.byTeam.map((r) => [r.team, r.total])).toEqual([
      ['-', 1],
      ['emea', 1],
    ]);
    expect(aging.oldest.map((l) => [l.id, l.ageDays, l.link])).toEqual([
      ['L3', 2, '/leads/L3'],
      ['L4', 1, '/leads/L4'],
    ]);
    expect(reps.reps).toEqual([
      {
        owner: 'alice',
        open: 1,
        assigned: 2,
        firstResponse: { count: 1, medianHours: 4, p90Hours: 4 },
        converted: 1,
        disqualified: 0,
        escalations: 1,
        available: true,
      },
      {
        owner: 'bob',
        open: 0,
        assigned: 1,
        firstResponse: { count: 1, medianHours: 1, p90Hours: 1 },
        converted: 0,
        disqualified: 1,
        escalations: 0,
        available: null,
      },
    ]);
  });

  it('counts the same figures whatever the order of deliveries and however often each is repeated', () => {
    const events = counterScenario();
    const expected = sorted(foldEvents(events).counters);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          events.flatMap((e) => [e, e]),
          { minLength: events.length * 2 },
        ),
        fc.array(fc.nat(events.length - 1), { maxLength: 10 }),
        (shuffled, extra) => {
          const deliveries = [
            ...shuffled,
            ...extra.map((i) => events[i] ?? shuffled[0]).filter((e) => e !== undefined),
          ];
          expect(sorted(foldEvents(deliveries).counters)).toEqual(expected);
          expect(sorted(consume(deliveries))).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('shows the share of duplicates and rejects per channel, each rejected delivery counted once however often it comes', () => {
    const events = [...counterScenario(), ...rejectedDeliveries()];
    const deliveries = [...events, ...rejectedDeliveries(), ...rejectedDeliveries().slice(0, 2)];

    const sources = sourcesReport(consume(deliveries), range);
    const funnel = funnelReport(consume(deliveries), range);

    expect(sources.channels).toEqual([
      {
        channel: 'FORM',
        received: 2,
        created: 0,
        duplicates: 1,
        duplicateShare: 0.5,
        rejected: 2,
        rejectShare: 1,
        rejectedByReason: { duplicate: 1, spam: 1 },
      },
      {
        channel: 'WEBHOOK',
        received: 6,
        created: 4,
        duplicates: 1,
        duplicateShare: 0.1667,
        rejected: 2,
        rejectShare: 0.3333,
        rejectedByReason: { invalid: 2 },
      },
    ]);
    expect(sources.rows.filter((r) => r.rejected > 0)).toEqual([
      {
        period: '2026-11-02',
        source: 'webinar',
        campaign: 'spring',
        received: 4,
        created: 2,
        duplicates: 1,
        duplicateShare: 0.25,
        rejected: 2,
        rejectShare: 0.5,
        converted: 1,
        conversionRate: 0.5,
      },
      {
        period: '2026-11-03',
        source: 'contact-us',
        campaign: '-',
        received: 2,
        created: 0,
        duplicates: 1,
        duplicateShare: 0.5,
        rejected: 2,
        rejectShare: 1,
        converted: 0,
        conversionRate: null,
      },
    ]);
    // A rejected delivery is no lead: the funnel is the same as without them.
    expect(funnel).toEqual(funnelReport(foldEvents(counterScenario()).counters, range));
  });

  it('answers CSV that parses back to the JSON figures', () => {
    const { counters } = foldEvents([...counterScenario(), ...rejectedDeliveries()]);
    const reports: Report[] = [
      funnelReport(counters, range, 'source'),
      sourcesReport(counters, range, 'week'),
      agingReport(counters, scenarioOpenLeads, asOf),
      repsReport(counters, range),
    ];
    for (const report of reports) {
      const rows = reportRows(report);

      const parsed = parse(toCsv(report), { columns: true }) as Record<string, string>[];

      expect(parsed).toHaveLength(rows.length);
      parsed.forEach((line, i) => {
        for (const [column, value] of Object.entries(rows[i] ?? {}))
          expect(line[column]).toBe(value === null ? '' : String(value));
      });
    }
  });

  it('counts a duplicate when LeadCreated carries the number of matches, and no exit when a stage change keeps the stage', () => {
    const lead = {
      id: 'L9',
      stage: 'SalesQualified',
      leadType: 'B2B' as const,
      channel: 'API',
      sourceId: 'manual',
      owner: 'alice',
      createdAt: '2026-11-02T09:00:00.000Z',
      stageEnteredAt: '2026-11-02T10:00:00.000Z',
    };
    const events = [
      {
        detailType: 'LeadCreated',
        detail: {
          eventId: 'c',
          occurredAt: lead.createdAt,
          duplicates: 2,
          lead: { ...lead, stage: 'Creation', stageEnteredAt: lead.createdAt },
        },
      },
      {
        detailType: 'LeadStageChanged',
        detail: {
          eventId: 'r',
          occurredAt: '2026-11-02T12:00:00.000Z',
          from: 'SalesQualified',
          to: 'SalesQualified',
          lead,
        },
      },
    ];

    const { counters } = foldEvents(events);

    expect(sourcesReport(counters, range).channels).toEqual([
      {
        channel: 'API',
        received: 1,
        created: 1,
        duplicates: 1,
        duplicateShare: 1,
        rejected: 0,
        rejectShare: 0,
        rejectedByReason: {},
      },
    ]);
    expect(funnelReport(counters, range).groups[0]?.timeInStage.SalesQualified).toEqual({
      count: 0,
      medianHours: null,
      p90Hours: null,
    });
  });

  it('counts every stay in a stage: a lead returned by a rejected approval adds a second stay, whatever the order of deliveries', () => {
    const base = {
      id: 'L7',
      leadType: 'B2B' as const,
      channel: 'WEBHOOK',
      sourceId: 'webinar',
      owner: 'alice',
      createdAt: '2026-11-02T08:00:00.000Z',
    };
    const at = (stage: string, stageEnteredAt: string) => ({ ...base, stage, stageEnteredAt });
    const events: CountableEvent[] = [
      {
        detailType: 'LeadCreated',
        detail: { eventId: 'a', occurredAt: base.createdAt, lead: at('Creation', base.createdAt) },
      },
      {
        detailType: 'LeadStageChanged',
        detail: {
          eventId: 'b',
          occurredAt: '2026-11-02T08:30:00.000Z',
          from: 'Creation',
          to: 'Assigned',
          lead: at('Assigned', '2026-11-02T08:30:00.000Z'),
        },
      },
      {
        detailType: 'LeadStageChanged',
        detail: {
          eventId: 'c',
          occurredAt: '2026-11-02T09:00:00.000Z',
          from: 'Assigned',
          to: 'SalesQualified',
          lead: at('SalesQualified', '2026-11-02T09:00:00.000Z'),
        },
      },
      // Conversion requested, then rejected after 30 h: back to SalesQualified, where it stays 2 more hours.
      {
        detailType: 'ApprovalDecided',
        detail: {
          eventId: 'd',
          occurredAt: '2026-11-03T15:00:00.000Z',
          decision: 'reject',
          lead: at('SalesQualified', '2026-11-03T15:00:00.000Z'),
        },
      },
      {
        detailType: 'LeadAging',
        detail: {
          eventId: 'e',
          occurredAt: '2026-11-03T16:00:00.000Z',
          lead: { ...at('SalesQualified', '2026-11-03T15:00:00.000Z'), escalations: 1 },
        },
      },
      {
        detailType: 'LeadStageChanged',
        detail: {
          eventId: 'f',
          occurredAt: '2026-11-03T17:00:00.000Z',
          from: 'SalesQualified',
          to: 'Converted',
          lead: at('Converted', '2026-11-03T17:00:00.000Z'),
        },
      },
    ];
    const expected = sorted(foldEvents(events).counters);

    const stay = funnelReport(foldEvents(events).counters, range).groups[0]?.timeInStage;

    expect(stay?.SalesQualified).toEqual({ count: 2, medianHours: 4, p90Hours: 48 });
    expect(stay?.Assigned).toEqual({ count: 1, medianHours: 1, p90Hours: 1 });
    fc.assert(
      fc.property(fc.shuffledSubarray([...events, ...events], { minLength: events.length * 2 }), (shuffled) => {
        expect(sorted(consume(shuffled))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('takes an activity the owner records as their first response, and one an integration records as none', () => {
    const lead = {
      id: 'L6',
      stage: 'Assigned',
      leadType: 'B2B' as const,
      channel: 'WEBHOOK',
      sourceId: 'webinar',
      owner: 'alice',
      createdAt: '2026-11-02T08:00:00.000Z',
      stageEnteredAt: '2026-11-02T08:00:00.000Z',
    };
    const assigned: CountableEvent = {
      detailType: 'LeadAssigned',
      detail: { eventId: 'as', occurredAt: lead.createdAt, owner: 'alice', lead },
    };
    const activity = (eventId: string, by: string, occurredAt: string): CountableEvent => ({
      detailType: 'LeadActivityRecorded',
      detail: { eventId, occurredAt, by, lead },
    });

    const byIntegration = repsReport(
      foldEvents([assigned, activity('i', 'crm-sync', '2026-11-02T08:30:00.000Z')]).counters,
      range,
    );
    const byOwner = repsReport(
      foldEvents([
        assigned,
        activity('i', 'crm-sync', '2026-11-02T08:30:00.000Z'),
        activity('o', 'alice', '2026-11-02T10:00:00.000Z'),
      ]).counters,
      range,
    );

    expect(byIntegration.reps[0]?.firstResponse).toEqual({ count: 0, medianHours: null, p90Hours: null });
    expect(byOwner.reps[0]?.firstResponse).toEqual({ count: 1, medianHours: 4, p90Hours: 4 });
  });

  it('keeps counting a tally stored before every stay was kept', () => {
    const lead = {
      id: 'L8',
      leadType: 'B2B' as const,
      channel: 'API',
      sourceId: 'manual',
      owner: 'bob',
      createdAt: '2026-11-02T08:00:00.000Z',
    };
    const old: LeadTally = {
      leadId: 'L8',
      version: 2,
      cohort: { day: '2026-11-02', source: 'manual', campaign: '-', country: '-', channel: 'API' },
      reached: {
        Creation: { at: lead.createdAt, owner: '-', seenAt: lead.createdAt },
        Assigned: { at: '2026-11-02T08:00:00.000Z', owner: 'bob', seenAt: lead.createdAt },
      },
      left: { Creation: '2026-11-02T08:00:00.000Z' },
    };
    const moved: CountableEvent = {
      detailType: 'LeadStageChanged',
      detail: {
        eventId: 'x',
        occurredAt: '2026-11-02T10:00:00.000Z',
        from: 'Assigned',
        to: 'MarketQualified',
        lead: { ...lead, stage: 'MarketQualified', stageEnteredAt: '2026-11-02T10:00:00.000Z' },
      },
    };

    const { increments } = tallyEvent(old, moved);

    expect(increments.filter((c) => c.metric === 'stageTime').map((c) => [c.dims.stage, c.dims.bucket, c.n])).toEqual([
      ['Assigned', 'b01', 1],
    ]);
  });

  it('lists every team member in the reps report with their availability, quiet ones with zeros', () => {
    const { counters } = foldEvents(counterScenario());
    const availability = availabilityFrom({
      teams: [
        {
          id: 'emea',
          name: 'EMEA',
          manager: 'maria',
          members: [
            { user: 'alice', available: false },
            { user: 'dora', available: true },
          ],
        },
        { id: 'amer', name: 'Americas', manager: 'maria', members: [{ user: 'alice', available: true }] },
      ],
    });

    const reps = repsReport(counters, range, availability);

    expect(availability).toEqual({ alice: true, dora: true });
    expect(reps.reps.map((r) => [r.owner, r.assigned, r.available])).toEqual([
      ['alice', 2, true],
      ['bob', 1, null],
      ['dora', 0, true],
    ]);
  });
});
