import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { makeDocumentClient, makeDynamoClient } from '../functions/adapters/aws-clients';
import { captureTransactItems } from '../functions/adapters/capture-repository';
import { leadItem } from '../functions/adapters/lead-item';
import { makeLeadLister } from '../functions/adapters/lead-lister';
import { makeLeadSearch } from '../functions/adapters/search-repository';
import { searchItemPuts } from '../functions/adapters/search-items';
import { makeViewsRepository } from '../functions/adapters/views-repository';
import type { Lead, Stage } from '../functions/core/lead';
import { DEFAULT_STAGES } from '../functions/core/lifecycle/stages-config';
import { DEFAULT_TEAMS } from '../functions/core/lifecycle/teams-config';
import { makeListRoutes } from '../functions/leads-api/lists';
import { ensureTable, startDynamoDbLocal } from '../local/dynamodb-local';
import { batchWriteAll } from './dynamo';
import { percentile, ratio, round } from './stats';

export type SearchBenchScale = { small: number; large: number; samples: number };
export const SEARCH_BENCH_FULL: SearchBenchScale = { small: 1_000, large: 50_000, samples: 200 };
export const SEARCH_BENCH_TINY: SearchBenchScale = { small: 20, large: 60, samples: 5 };

const FIRST = ['Anna', 'Ben', 'Chloé', 'David', 'Elena', 'François', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kai', 'Lena'];
const LAST = ['Müller', 'Smith', 'García', 'Novák', 'Rossi', 'Dubois', 'Jansen', 'Kowalski', 'Nilsson', 'Öztürk'];
const COMPANY = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Wonka', 'Tyrell', 'Cyberdyne'];
const STAGES: Stage[] = ['Assigned', 'MarketQualified', 'SalesQualified', 'Converted', 'Disqualified'];
const OWNERS = [...Array.from({ length: 20 }, (_, i) => `rep${String(i).padStart(2, '0')}`), undefined];

/** `n` leads whose names, companies and numbers repeat the way real ones do (many Annas, many Acmes). */
const leadsOf = (run: string, n: number): Lead[] =>
  Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    const first = FIRST[i % FIRST.length] as string;
    const last = `${LAST[(i * 7) % LAST.length]}${i % 97}`;
    return {
      id: `${run}${String(i).padStart(8, '0')}`,
      version: 1,
      stage: STAGES[i % STAGES.length] as Stage,
      leadType: 'B2B',
      channel: 'WEBHOOK',
      sourceId: i % 2 ? 'campaign-demo' : 'website',
      deliveryId: `${run}-${i}`,
      createdAt: at,
      updatedAt: at,
      createdBy: { kind: 'source', id: 'campaign-demo', source: 'WEBHOOK' },
      duplicates: [],
      duplicatePolicy: 'create',
      stageEnteredAt: at,
      firstName: first,
      lastName: last,
      email: `${first.toLowerCase()}.${i}@${(COMPANY[i % COMPANY.length] as string).toLowerCase()}.example`,
      phone: `+4915${String(10_000_000 + i * 7919).slice(0, 8)}`,
      company: `${COMPANY[i % COMPANY.length]} ${i % 13}`,
      owner: OWNERS[i % OWNERS.length],
      scoreBand: (['A', 'B', 'C', 'D'] as const)[i % 4],
    } as Lead;
  });

/** What people type: a name prefix, a surname, a company with a second word, an e-mail, a phone prefix, an id. */
/** The kinds `queries` takes in turn (its switch, in order). */
const QUERY_KINDS = ['firstNamePrefix', 'surname', 'companyAndFirstName', 'email', 'phonePrefix', 'id'] as const;

const queries = (leads: Lead[], samples: number): string[] =>
  Array.from({ length: samples }, (_, k) => {
    const lead = leads[(k * 7919) % leads.length] as Lead;
    switch (k % 6) {
      case 0:
        return (lead.firstName as string).slice(0, 3);
      case 1:
        return lead.lastName as string;
      case 2:
        return `${lead.company} ${(lead.firstName as string).slice(0, 2)}`;
      case 3:
        return lead.email as string;
      case 4:
        return (lead.phone as string).slice(0, 8);
      default:
        return lead.id.slice(0, 10);
    }
  });

const event = (path: string, query: Record<string, string>, user: string, groups: string): APIGatewayProxyEventV2 =>
  ({
    routeKey: `GET ${path}`,
    rawPath: path,
    queryStringParameters: query,
    headers: {},
    requestContext: { authorizer: { jwt: { claims: { sub: user, 'cognito:groups': groups } } } },
  }) as unknown as APIGatewayProxyEventV2;

const timed = async (fn: () => Promise<{ statusCode: number }>) => {
  const t = performance.now();
  const out = await fn();
  if (out.statusCode !== 200) throw new Error(`answered ${out.statusCode}`);
  return performance.now() - t;
};

/** BatchWriteItem requests in flight while seeding (BENCH_SEED_CONCURRENCY): past the JVM's cores more only queue. */
const SEED_CONCURRENCY = Number(process.env.BENCH_SEED_CONCURRENCY ?? 6);

/** A search item as DynamoDB's wire format: five strings, marshalled by hand (no per-item document-client work). */
const wireSearchItem = (item: Record<string, unknown>) => ({
  pk: { S: String(item.pk) },
  sk: { S: String(item.sk) },
  type: { S: 'search' },
  leadId: { S: String(item.leadId) },
  text: { S: String(item.text) },
});

/**
 * Seeds leads and their search items straight into the table (not through capture): the items are
 * built in memory as the lead writer would write them and sent 25 to a BatchWriteItem, several
 * requests in flight, unprocessed items retried. The search items (nine in ten of the items) go as
 * pre-marshalled wire items through the plain client.
 */
const seed = async (endpoint: string, db: DynamoDBDocumentClient, table: string, leads: Lead[]) => {
  const started = performance.now();
  const raw = makeDynamoClient(endpoint);
  const searchItems = leads.flatMap((l) => searchItemPuts(table, l).map((p) => wireSearchItem(p.Put.Item)));
  const batches: ReturnType<typeof wireSearchItem>[][] = [];
  for (let i = 0; i < searchItems.length; i += 25) batches.push(searchItems.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      let pending = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error(`BatchWriteItem left ${pending.length} search item(s) unprocessed`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out = await raw.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  const [leadsWritten] = await Promise.all([
    batchWriteAll(db, table, leads.map(leadItem), Math.max(1, Math.floor(SEED_CONCURRENCY / 3))),
    ...Array.from({ length: SEED_CONCURRENCY }, worker),
  ]);
  const ms = performance.now() - started;
  const items = leadsWritten.items + searchItems.length;
  return { leads: leads.length, items, seconds: round(ms / 1000, 1), itemsPerSecond: round((items / ms) * 1000, 0) };
};

/**
 * Times search and the full list through the handler on a table holding `leads` (and their search
 * items): `samples` queries of every kind, as sales ops and as reps.
 */
const measureAt = async (db: DynamoDBDocumentClient, table: string, leads: Lead[], samples: number) => {
  const n = leads.length;
  const routes = makeListRoutes({
    lister: makeLeadLister(db, table),
    search: makeLeadSearch(db, table),
    views: makeViewsRepository(db, table),
    teams: async () => DEFAULT_TEAMS,
    stages: async () => DEFAULT_STAGES,
  });
  const search = routes['GET /search'];
  const list = routes['GET /leads#list'];
  if (!search || !list) throw new Error('the list routes are missing');
  const ctx = {} as Context;
  const typed = queries(leads, samples);
  // Warm the client and DynamoDB Local's query path.
  for (const q of typed.slice(0, 10)) await search(event('/search', { q }, 'sam', '[salesops]'), ctx);
  const asOps: number[] = [];
  const asRep: number[] = [];
  const listed: number[] = [];
  for (const [k, q] of typed.entries()) {
    asOps.push(await timed(() => search(event('/search', { q }, 'sam', '[salesops]'), ctx)));
    asRep.push(
      await timed(() => search(event('/search', { q }, `rep${String(k % 20).padStart(2, '0')}`, '[rep]'), ctx)),
    );
    if (k % 4 === 0)
      listed.push(await timed(() => list(event('/leads', { source: 'website' }, 'sam', '[salesops]'), ctx)));
  }
  return {
    leads: n,
    searchP50Ms: round(percentile(asOps, 50), 2),
    // Per kind of query (the six kinds take turns), so a ratio off target says which kind grew.
    searchP50MsByKind: Object.fromEntries(
      QUERY_KINDS.map((kind, i) => [
        kind,
        round(
          percentile(
            asOps.filter((_, k) => k % QUERY_KINDS.length === i),
            50,
          ),
          2,
        ),
      ]),
    ),
    searchP99Ms: round(percentile(asOps, 99), 2),
    repSearchP50Ms: round(percentile(asRep, 50), 2),
    listP50Ms: round(percentile(listed, 50), 2),
  };
};

/**
 * What writing the search items in the capture transaction would cost (why the lead's first change,
 * its routing, writes them instead): the same captures sent as one TransactWriteItems each, with and
 * without the search items (sequential, p50).
 */
const measureCaptureCost = async (endpoint: string, db: DynamoDBDocumentClient, samples: number) => {
  const table = `bench-search-capture-${Date.now().toString(36)}`;
  await ensureTable(endpoint, table);
  const leads = leadsOf('C', samples * 2);
  const times = { with: [] as number[], without: [] as number[] };
  for (const [i, lead] of leads.entries()) {
    const write = {
      lead,
      keys: [
        { on: 'email' as const, value: lead.email as string },
        { on: 'phone' as const, value: lead.phone as string },
      ],
      audit: { at: lead.createdAt, actor: lead.createdBy, action: 'created' },
      delivery: {
        sourceId: 'bench',
        deliveryId: lead.deliveryId,
        answer: { leadId: lead.id, status: 'created' as const, duplicates: [] },
        expiresAt: 2e9,
      },
      seen: [],
    };
    const withSearch = i % 2 === 0;
    const items = [
      ...captureTransactItems(table, write).map(({ name: _name, ...item }) => item),
      ...(withSearch ? searchItemPuts(table, lead) : []),
    ];
    const t = performance.now();
    await db.send(new TransactWriteCommand({ TransactItems: items as never[] }));
    (withSearch ? times.with : times.without).push(performance.now() - t);
  }
  return {
    captures: leads.length,
    transactionP50MsWithSearchItems: round(percentile(times.with, 50), 2),
    transactionP50MsWithout: round(percentile(times.without, 50), 2),
    ratio: ratio(percentile(times.with, 50), percentile(times.without, 50)),
  };
};

/**
 * Search p50 at a small and a large table (the 1,000 vs 50,000 leads): the same handler, the
 * same kinds of query, sales ops (one scope) and reps (two scopes). The ratio is what must stay near 1.
 */
export const measureSearch = async (endpoint: string, scale: SearchBenchScale) => {
  const db = makeDocumentClient(makeDynamoClient(endpoint));
  // One table grown from the small size to the large one: the small figures first, then the rest seeded.
  const table = `bench-search-${Date.now().toString(36)}`;
  await ensureTable(endpoint, table);
  const leads = leadsOf('S', scale.large);
  const seededSmall = await seed(endpoint, db, table, leads.slice(0, scale.small));
  const small = await measureAt(db, table, leads.slice(0, scale.small), scale.samples);
  const seededLarge = await seed(endpoint, db, table, leads.slice(scale.small));
  const large = await measureAt(db, table, leads, scale.samples);
  const items = seededSmall.items + seededLarge.items;
  const seconds = round(seededSmall.seconds + seededLarge.seconds, 1);
  return {
    captureTransaction: await measureCaptureCost(endpoint, db, scale.samples),
    seeding: {
      how: 'BatchWriteItem of pre-built lead and search items, not through capture',
      concurrency: SEED_CONCURRENCY,
      items,
      searchItemsPerLead: round(items / scale.large - 1, 1),
      seconds,
      itemsPerSecond: round(items / seconds, 0),
    },
    small,
    large,
    searchP50Ratio: ratio(large.searchP50Ms, small.searchP50Ms),
    repSearchP50Ratio: ratio(large.repSearchP50Ms, small.repSearchP50Ms),
    listP50Ratio: ratio(large.listP50Ms, small.listP50Ms),
  };
};

// `npx tsx bench/search.ts` runs this section alone (BENCH_SEARCH_LARGE overrides the large size).
if (import.meta.url === `file://${process.argv[1]}`) {
  const local = await startDynamoDbLocal();
  try {
    const large = Number(process.env.BENCH_SEARCH_LARGE ?? SEARCH_BENCH_FULL.large);
    const small = Number(process.env.BENCH_SEARCH_SMALL ?? SEARCH_BENCH_FULL.small);
    const result = await measureSearch(local.endpoint, { ...SEARCH_BENCH_FULL, small, large });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await local.stop();
  }
  process.exit(0);
}
