import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeCaptureRepository } from '../functions/adapters/capture-repository';
import { prepareLead } from '../functions/core/capture-lead';
import { dedupeKeysOf } from '../functions/core/dedupe';
import { makeCountersRepository } from '../functions/adapters/counters-repository';
import { reportKeys } from '../functions/adapters/keys';
import { snapshotOf } from '../functions/core/events';
import { type CountableEvent, counterKey, foldEvents } from '../functions/core/reports/counters';
import { httpHandler } from '../functions/http/middleware';
import { makeReportsApi } from '../functions/reports-api/handler';
import { ensureTable } from '../local/dynamodb-local';
import type { BenchScale } from './config';
import { batchWriteAll } from './dynamo';
import { benchPayload, SEED_START, seedItems } from './lead-factory';
import { percentile, ratio, round } from './stats';
import { inProcessCapture } from './webhook';

/** Seeds in chunks of whole companies so a shared domain key is written once with all its leads. */
const CHUNK = 2_000;

const seed = async (db: DynamoDBDocumentClient, table: string, run: string, leads: number) => {
  let items = 0;
  let requests = 0;
  let ms = 0;
  const created: CountableEvent[] = [];
  for (let from = 0; from < leads; from += CHUNK) {
    const chunk = seedItems(run, from, Math.min(leads, from + CHUNK), { total: leads });
    const out = await batchWriteAll(db, table, chunk.items, 16);
    items += out.items;
    requests += out.requests;
    ms += out.ms;
    for (const lead of chunk.leads) {
      created.push({
        detailType: 'LeadCreated',
        source: 'leadflow',
        detail: {
          eventId: `${lead.id}:1:LeadCreated`,
          occurredAt: lead.createdAt,
          leadId: lead.id,
          lead: snapshotOf(lead),
        },
      });
    }
  }
  // The analytics counters those leads' LeadCreated events would have produced, in the counters' own key shape.
  const counters = foldEvents(created).counters.map((c) => ({
    ...(c.family === 'open' ? reportKeys.open(1, counterKey(c)) : reportKeys.day(1, c.day, counterKey(c))),
    type: 'counter',
    ...c,
  }));
  await batchWriteAll(db, table, counters, 16);
  return {
    leads,
    items,
    counters: counters.length,
    requests,
    ms: round(ms, 0),
    itemsPerSecond: round((items / ms) * 1000, 0),
  };
};

/** The reports function's handler on one table, asked as a sales-ops user for the seeded month. */
const reportsOn = (db: DynamoDBDocumentClient, table: string) => {
  const handler = httpHandler(
    makeReportsApi({
      counters: makeCountersRepository(db, table),
      clock: { now: () => new Date(SEED_START + 30 * 86_400_000) },
      availability: async () => ({}),
    }),
  );
  const from = new Date(SEED_START).toISOString().slice(0, 10);
  const to = new Date(SEED_START + 29 * 86_400_000).toISOString().slice(0, 10);
  return async (path: string) => {
    const result = await handler(
      {
        version: '2.0',
        routeKey: `GET ${path}`,
        rawPath: path,
        rawQueryString: `from=${from}&to=${to}`,
        headers: { accept: 'application/json' },
        queryStringParameters: { from, to },
        isBase64Encoded: false,
        requestContext: {
          http: { method: 'GET', path },
          routeKey: `GET ${path}`,
          authorizer: {
            jwt: { claims: { sub: 'sam', 'cognito:username': 'sam', 'cognito:groups': '[salesops]' }, scopes: null },
          },
        },
      } as never,
      {} as never,
    );
    if (result.statusCode !== 200)
      throw new Error(`${path} answered ${result.statusCode}: ${String(result.body).slice(0, 200)}`);
  };
};
const REPORTS = ['/reports/funnel', '/reports/sources', '/reports/aging', '/reports/reps'];

const stats = (values: number[]) => ({
  p50: round(percentile(values, 50)),
  p99: round(percentile(values, 99)),
  samples: values.length,
});

/**
 * Capture latency and duplicate-check latency with a small and a large table on the same DynamoDB
 * Local, sampled alternately (small, large, large, small, …) in one run. Key lookups only, so the
 * ratio should stay near 1 however large the table grows.
 */
export const measureScale = async (endpoint: string, db: DynamoDBDocumentClient, scale: BenchScale) => {
  const run = `s${Date.now().toString(36)}`;
  const tables = [
    { label: 'small', leads: scale.scaleSmall, name: `bench-small-${run}`, seedRun: `${run}a` },
    { label: 'large', leads: scale.scaleLarge, name: `bench-large-${run}`, seedRun: `${run}b` },
  ];
  const seeding = [];
  for (const t of tables) {
    await ensureTable(endpoint, t.name);
    const out = await seed(db, t.name, t.seedRun, t.leads);
    seeding.push({ table: t.label, ...out });
    console.log(
      `  seeded ${t.leads} leads (${out.items} items) into ${t.label} table: ${out.itemsPerSecond} items/s with BatchWriteItem`,
    );
  }

  const sides = tables.map((t) => ({
    ...t,
    repo: makeCaptureRepository(db, t.name),
    capture: inProcessCapture(db, t.name),
    reports: reportsOn(db, t.name),
    lookupMs: [] as number[],
    captureMs: [] as number[],
    reportMs: [] as number[],
  }));
  let state = 0x2545f491;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state % n;
  };
  for (let s = 0; s < scale.scaleSamples; s++) {
    const order = s % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      // Duplicate check for an existing lead: every key hits.
      const existing = random(side.leads);
      const keys = dedupeKeysOf(prepareLead(benchPayload(side.seedRun, existing)));
      let started = performance.now();
      await side.repo.lookup('bench-webhook', `lookup-${run}-${s}`, keys);
      side.lookupMs.push(performance.now() - started);
      // A new person at an existing company: the domain key hits, email and phone do not.
      const base = benchPayload(side.seedRun, random(side.leads));
      const payload = { ...base, email: base.email.replace(/^[^@]+/, `new.${run}.${s}`), phone: undefined };
      started = performance.now();
      await side.capture(`scale-${run}-${s}`, payload);
      side.captureMs.push(performance.now() - started);
      // One of the four reports over the seeded month, in turn.
      const report = REPORTS[s % REPORTS.length] ?? '/reports/funnel';
      started = performance.now();
      await side.reports(report);
      side.reportMs.push(performance.now() - started);
    }
  }
  const [small, large] = sides.map((side) => ({
    table: side.label,
    leads: side.leads,
    duplicateCheck: stats(side.lookupMs),
    capture: stats(side.captureMs),
    reports: stats(side.reportMs),
  }));
  if (!small || !large) throw new Error('scale: both tables must be measured');
  const ratios = {
    duplicateCheckP50: ratio(large.duplicateCheck.p50, small.duplicateCheck.p50),
    duplicateCheckP99: ratio(large.duplicateCheck.p99, small.duplicateCheck.p99),
    captureP50: ratio(large.capture.p50, small.capture.p50),
    captureP99: ratio(large.capture.p99, small.capture.p99),
    reportsP50: ratio(large.reports.p50, small.reports.p50),
    reportsP99: ratio(large.reports.p99, small.reports.p99),
  };
  return {
    seeding,
    small,
    large,
    ratios,
    target: 1.2,
    meetsTarget: ratios.duplicateCheckP50 <= 1.2 && ratios.captureP50 <= 1.2,
  };
};
