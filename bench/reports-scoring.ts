import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { makeCountersRepository } from '../functions/adapters/counters-repository';
import { reportKeys } from '../functions/adapters/keys';
import { leadItem } from '../functions/adapters/lead-item';
import type { LeadSnapshot } from '../functions/core/events';
import type { Lead } from '../functions/core/lead';
import { type CountableEvent, counterKey, foldEvents } from '../functions/core/reports/counters';
import { trainModel } from '../functions/core/scoring/learned-model';
import { DEFAULT_SCORING } from '../functions/core/scoring/points-config';
import { makeReportsApi } from '../functions/reports-api/handler';
import { ensureTable } from '../local/dynamodb-local';
import { batchWriteAll } from './dynamo';
import { percentile, ratio, round } from './stats';

export type ReportsBenchScale = { small: number; large: number; samples: number; trainingOutcomes: number };
export const REPORTS_BENCH_FULL: ReportsBenchScale = {
  small: 1_000,
  large: 50_000,
  samples: 100,
  trainingOutcomes: 50_000,
};
export const REPORTS_BENCH_TINY: ReportsBenchScale = { small: 50, large: 200, samples: 5, trainingOutcomes: 500 };

const DAYS = 30;
const START = Date.UTC(2026, 9, 1);
const SOURCES = ['webinar', 'google-ads', 'website', 'partner', 'import'];
const CAMPAIGNS = [
  'spring',
  'summer',
  'fall',
  'winter',
  'launch',
  'retarget',
  'expo',
  'newsletter',
  'trial',
  'referral',
];
const OWNERS = Array.from({ length: 20 }, (_, i) => `rep${String(i).padStart(2, '0')}`);
const COUNTRIES = ['DE', 'US', 'FR', 'GB', 'NL'];

/** The events of `n` leads spread over 30 days and a fixed set of dimensions; half qualify, a fifth convert, 30 % are disqualified. */
const history = (run: string, n: number): { events: CountableEvent[]; leads: Lead[] } => {
  const events: CountableEvent[] = [];
  const leads: Lead[] = [];
  for (let i = 0; i < n; i++) {
    const created = new Date(START + (i % DAYS) * 86_400_000 + (i % 600) * 60_000);
    const at = (hours: number) => new Date(created.getTime() + hours * 3_600_000).toISOString();
    const base: LeadSnapshot = {
      id: `${run}-${i}`,
      stage: 'Creation',
      leadType: 'B2B',
      channel: 'WEBHOOK',
      sourceId: SOURCES[i % SOURCES.length] ?? 'webinar',
      campaign: CAMPAIGNS[i % CAMPAIGNS.length],
      country: COUNTRIES[i % COUNTRIES.length],
      createdAt: created.toISOString(),
      stageEnteredAt: created.toISOString(),
    };
    const owner = OWNERS[i % OWNERS.length];
    let k = 0;
    const emit = (detailType: string, when: string, lead: LeadSnapshot, fields: Record<string, unknown> = {}) =>
      events.push({
        detailType,
        source: 'leadflow',
        detail: { eventId: `${base.id}:${++k}`, occurredAt: when, leadId: base.id, lead, ...fields },
      });
    emit('LeadCreated', base.createdAt, base, { duplicates: i % 9 === 0 ? 1 : 0 });
    const assigned = { ...base, stage: 'Assigned', owner, team: 'inside-sales', stageEnteredAt: at(0.1) };
    emit('LeadStageChanged', at(0.1), assigned, { from: 'Creation', to: 'Assigned' });
    emit('LeadAssigned', at(0.1), assigned, { owner });
    let last = assigned;
    if (i % 10 < 5) {
      last = { ...assigned, stage: 'MarketQualified', stageEnteredAt: at(3 + (i % 40)) };
      emit('LeadStageChanged', last.stageEnteredAt, last, { from: 'Assigned', to: 'MarketQualified' });
      if (i % 10 < 2) {
        const won = { ...last, stage: 'Converted', stageEnteredAt: at(80 + (i % 100)) };
        emit('LeadStageChanged', won.stageEnteredAt, won, { from: 'MarketQualified', to: 'Converted' });
        last = won;
      }
    } else if (i % 10 < 8) {
      last = { ...assigned, stage: 'Disqualified', stageEnteredAt: at(1 + (i % 30)) };
      emit('LeadStageChanged', last.stageEnteredAt, last, { from: 'Assigned', to: 'Disqualified' });
      emit('LeadDisqualified', last.stageEnteredAt, last, { reason: ['no budget', 'no fit', 'unreachable'][i % 3] });
    }
    leads.push({
      ...last,
      version: k,
      stage: last.stage as Lead['stage'],
      leadType: 'B2B',
      channel: 'WEBHOOK',
      deliveryId: `d${i}`,
      updatedAt: last.stageEnteredAt,
      createdBy: { kind: 'source', id: base.sourceId, source: 'WEBHOOK' },
      duplicates: [],
      duplicatePolicy: 'create',
      email: `${base.id}@example.com`,
    } as Lead);
  }
  return { events, leads };
};

const manager = (routeKey: string, query: Record<string, string>) => {
  const [method, path] = routeKey.split(' ') as [string, string];
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    headers: { accept: 'application/json' },
    queryStringParameters: query,
    requestContext: {
      http: { method, path },
      authorizer: { jwt: { claims: { 'cognito:username': 'bench', 'cognito:groups': '[manager]' } } },
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
};

/**
 * Report latency with 1,000 and 50,000 leads' counters on the same DynamoDB Local, sampled
 * alternately in one run (target: large/small ≤ 1.2, as reports read days × dimensions, not leads),
 * and the time to train the scoring model on 50,000 outcomes.
 */
export const measureReportsAndScoring = async (
  endpoint: string,
  db: DynamoDBDocumentClient,
  scale: ReportsBenchScale = REPORTS_BENCH_FULL,
) => {
  const run = `r${Date.now().toString(36)}`;
  const sides = [];
  for (const [label, n] of [
    ['small', scale.small],
    ['large', scale.large],
  ] as const) {
    const table = `bench-reports-${label}-${run}`;
    await ensureTable(endpoint, table);
    const { events, leads } = history(`${run}${label}`, n);
    const folded = Date.now();
    const { counters } = foldEvents(events);
    const foldMs = Date.now() - folded;
    // Counters as the consumer leaves them (generation 1), and the lead items the aging report's index query reads.
    const counterItems = counters.map((c) => ({
      ...(c.family === 'open' ? reportKeys.open(1, counterKey(c)) : reportKeys.day(1, c.day, counterKey(c))),
      type: 'counter',
      family: c.family,
      day: c.day,
      metric: c.metric,
      dims: c.dims,
      n: c.n,
    }));
    await batchWriteAll(db, table, [...counterItems, ...leads.map(leadItem)], 16);
    console.log(
      `  ${label}: ${n} leads, ${events.length} events folded in ${foldMs} ms → ${counters.length} counter items`,
    );
    const api = makeReportsApi({
      counters: makeCountersRepository(db, table),
      clock: { now: () => new Date(START + DAYS * 86_400_000) },
    });
    sides.push({
      label,
      leads: n,
      events: events.length,
      counterItems: counters.length,
      api,
      ms: { funnel: [] as number[], sources: [] as number[], aging: [] as number[], reps: [] as number[] },
    });
  }

  const range = {
    from: new Date(START).toISOString().slice(0, 10),
    to: new Date(START + (DAYS - 1) * 86_400_000).toISOString().slice(0, 10),
  };
  const calls = {
    funnel: manager('GET /reports/funnel', { ...range, groupBy: 'source' }),
    sources: manager('GET /reports/sources', range),
    aging: manager('GET /reports/aging', {}),
    reps: manager('GET /reports/reps', range),
  };
  for (let s = 0; s < scale.samples + 3; s++) {
    for (const side of s % 2 === 0 ? sides : [...sides].reverse()) {
      for (const [name, event] of Object.entries(calls) as [keyof typeof calls, APIGatewayProxyEventV2][]) {
        const t = performance.now();
        const res = await side.api(event, {} as Context);
        if (res.statusCode !== 200) throw new Error(`${name} answered ${res.statusCode}: ${res.body}`);
        if (s >= 3) side.ms[name].push(performance.now() - t);
      }
    }
  }
  const small = sides[0];
  const large = sides[1];
  const reports = Object.fromEntries(
    (Object.keys(calls) as (keyof typeof calls)[]).map((name) => {
      const p50s = percentile(small?.ms[name] ?? [], 50);
      const p50l = percentile(large?.ms[name] ?? [], 50);
      return [
        name,
        {
          smallP50Ms: round(p50s),
          largeP50Ms: round(p50l),
          largeP99Ms: round(percentile(large?.ms[name] ?? [], 99)),
          ratio: ratio(p50l, p50s),
        },
      ];
    }),
  );

  // Training: 50,000 outcomes with a planted signal, timed end to end (features, fit on a sample, holdout AUC).
  let seed = 7;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const outcomes = Array.from({ length: scale.trainingOutcomes }, (_, i) => {
    const replied = random() < 0.4;
    const lead = {
      id: `T${i}`,
      sourceId: 'webinar',
      jobTitle: random() < 0.5 ? 'VP Sales' : 'Engineer',
      freeMail: random() < 0.3,
      behaviour: replied ? { 'email-reply': 1 } : {},
    };
    return { lead: lead as unknown as Lead, converted: random() < (replied ? 0.85 : 0.12) };
  });
  const t = performance.now();
  const model = trainModel(outcomes, DEFAULT_SCORING, { version: 1, now: new Date() });
  const trainingMs = performance.now() - t;

  return {
    sizes: sides.map((s) => ({ table: s.label, leads: s.leads, events: s.events, counterItems: s.counterItems })),
    reports,
    worstRatio: Math.max(...Object.values(reports).map((r) => r.ratio)),
    target: 'large/small p50 ≤ 1.2 for every report',
    training: {
      outcomes: scale.trainingOutcomes,
      ms: round(trainingMs, 0),
      fittedRows: model.card.fittedRows,
      holdoutAuc: model.card.holdoutAuc,
      pointsHoldoutAuc: model.card.pointsHoldoutAuc,
      active: model.active,
    },
  };
};
