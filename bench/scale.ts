import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeCaptureRepository } from '../functions/adapters/capture-repository';
import { prepareLead } from '../functions/core/capture-lead';
import { dedupeKeysOf } from '../functions/core/dedupe';
import { ensureTable } from '../local/dynamodb-local';
import type { BenchScale } from './config';
import { batchWriteAll } from './dynamo';
import { benchPayload, seedItems } from './lead-factory';
import { percentile, ratio, round } from './stats';
import { inProcessCapture } from './webhook';

/** Seeds in chunks of whole companies so a shared domain key is written once with all its leads. */
const CHUNK = 2_000;

const seed = async (db: DynamoDBDocumentClient, table: string, run: string, leads: number) => {
  let items = 0;
  let requests = 0;
  let ms = 0;
  for (let from = 0; from < leads; from += CHUNK) {
    const out = await batchWriteAll(db, table, seedItems(run, from, Math.min(leads, from + CHUNK)), 16);
    items += out.items;
    requests += out.requests;
    ms += out.ms;
  }
  return { leads, items, requests, ms: round(ms, 0), itemsPerSecond: round((items / ms) * 1000, 0) };
};

const stats = (values: number[]) => ({ p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), samples: values.length });

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
    console.log(`  seeded ${t.leads} leads (${out.items} items) into ${t.label} table: ${out.itemsPerSecond} items/s with BatchWriteItem`);
  }

  const sides = tables.map((t) => ({ ...t, repo: makeCaptureRepository(db, t.name), capture: inProcessCapture(db, t.name), lookupMs: [] as number[], captureMs: [] as number[] }));
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
    }
  }
  const [small, large] = sides.map((side) => ({ table: side.label, leads: side.leads, duplicateCheck: stats(side.lookupMs), capture: stats(side.captureMs) }));
  if (!small || !large) throw new Error('scale: both tables must be measured');
  const ratios = {
    duplicateCheckP50: ratio(large.duplicateCheck.p50, small.duplicateCheck.p50),
    duplicateCheckP99: ratio(large.duplicateCheck.p99, small.duplicateCheck.p99),
    captureP50: ratio(large.capture.p50, small.capture.p50),
    captureP99: ratio(large.capture.p99, small.capture.p99),
  };
  return { seeding, small, large, ratios, target: 1.2, meetsTarget: ratios.duplicateCheckP50 <= 1.2 && ratios.captureP50 <= 1.2 };
};
