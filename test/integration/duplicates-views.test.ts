import { describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeDuplicatesReader } from '../../functions/adapters/duplicates-repository';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeLeadLister } from '../../functions/adapters/lead-lister';
import { makeLeadWriter } from '../../functions/adapters/lead-writer';
import { makeLeadSearch } from '../../functions/adapters/search-repository';
import { makeViewsRepository } from '../../functions/adapters/views-repository';
import { type CaptureDeps, captureLead } from '../../functions/core/capture-lead';
import { DEFAULT_STAGES } from '../../functions/core/lifecycle/stages-config';
import { DEFAULT_TEAMS } from '../../functions/core/lifecycle/teams-config';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { makeLeadsApi } from '../../functions/leads-api/handler';
import { freshTable } from '../support/table';

type Answer = { statusCode: number; body: string };

const event = (routeKey: string, user: string, groups: string[], query?: Record<string, string>, id?: string) => {
  const [method = 'GET', template = '/'] = routeKey.split(' ');
  const rawPath = template.replace('{id}', id ?? '');
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    headers: {},
    queryStringParameters: query,
    pathParameters: id ? { id } : undefined,
    isBase64Encoded: false,
    requestContext: {
      routeKey,
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      authorizer: {
        jwt: { claims: { 'cognito:username': user, 'cognito:groups': `[${groups.join(' ')}]` }, scopes: [] },
      },
    },
  } as unknown as APIGatewayProxyEventV2;
};

const SOURCE: SourceConfig = {
  id: 'fair',
  kind: 'webhook',
  adapter: 'canonical',
  duplicatePolicy: 'create',
  allowedOrigins: [],
};

const setup = async () => {
  const table = await freshTable('dupviews');
  let n = 0;
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const capture: CaptureDeps = {
    store: makeCaptureRepository(table.db, table.name),
    workflow: { startLifecycle: async () => undefined },
    clock: {
      now: () => {
        clock += 1000;
        return new Date(clock);
      },
    },
    // Lead ids are ULIDs (the HTTP edge refuses anything else); these sort in capture order.
    ids: { next: () => `01JDXPV1EW${String(++n).padStart(16, '0')}` },
  };
  const reader = makeLeadReader(table.db, table.name);
  const writer = makeLeadWriter(table.db, table.name);
  const api = httpHandler(
    makeLeadsApi({
      capture,
      leads: reader,
      sources: () => [SOURCE],
      stages: async () => DEFAULT_STAGES,
      duplicates: makeDuplicatesReader(table.db, table.name),
      lists: {
        lister: makeLeadLister(table.db, table.name),
        search: makeLeadSearch(table.db, table.name),
        views: makeViewsRepository(table.db, table.name),
        teams: async () => DEFAULT_TEAMS,
      },
    }),
  ) as unknown as (e: APIGatewayProxyEventV2, c: Context) => Promise<Answer>;
  const call = async (...args: Parameters<typeof event>) => {
    const answer = await api(event(...args), {} as Context);
    return { status: answer.statusCode, body: JSON.parse(answer.body) };
  };
  const add = async (payload: unknown, owner?: string) => {
    const { leadId } = await captureLead(capture, {
      payload,
      channel: 'WEBHOOK',
      source: SOURCE,
      deliveryId: `d${n}`,
      actor: { kind: 'source', id: 'fair', source: 'WEBHOOK' },
    });
    const lead = await reader.get(leadId);
    if (owner && lead) await writer.write(lead, { owner, stage: 'Assigned' }, []);
    return leadId;
  };
  return { call, add };
};

describe('duplicates where reps work (DynamoDB Local)', () => {
  it('the lead page lists duplicates both ways with name, owner, stage, score and fields; lists flag them; the queue pages open sets newest first', async () => {
    const { call, add } = await setup();
    const jon = await add({ firstName: 'Jon', lastName: 'Smith', email: 'jon@acme.example' }, 'alice');
    const other = await add({ firstName: 'Greta', lastName: 'Lindqvist', email: 'greta@nordic.example' }, 'bob');
    const jonathan = await add(
      { firstName: 'Jonathan', lastName: 'Smith', company: 'ACME Inc.', phone: '+1 415 555 0100' },
      'alice',
    );
    const greta = await add({ firstName: 'Greta', lastName: 'Lindqvist', email: 'Greta@Nordic.example' }, 'bob');

    // The later lead names the earlier one…
    const later = await call('GET /leads/{id}', 'maria', ['manager'], undefined, jonathan);
    expect(later.status).toBe(200);
    expect(later.body.duplicate).toBe(true);
    expect(later.body.duplicateLeads).toEqual([
      {
        leadId: jon,
        name: 'Jon Smith',
        owner: 'alice',
        stage: 'Assigned',
        matchedOn: 'similarity',
        score: expect.any(Number),
        fields: ['name', 'company', 'email'],
      },
    ]);
    // …and the earlier one, which knew nothing of it at capture, names the later one.
    const earlier = await call('GET /leads/{id}', 'alice', ['rep'], undefined, jon);
    expect(earlier.body.duplicateLeads).toEqual([
      expect.objectContaining({ leadId: jonathan, name: 'Jonathan Smith', company: 'ACME Inc.', owner: 'alice' }),
    ]);
    // An exact match (same email, another case) scores 1.
    const gretas = await call('GET /leads/{id}', 'bob', ['rep'], undefined, greta);
    expect(gretas.body.duplicateLeads).toEqual([
      expect.objectContaining({ leadId: other, name: 'Greta Lindqvist', matchedOn: 'email', score: 1 }),
    ]);

    // Both leads of the pair are flagged: the earlier one learned the later one at its capture (matchedBy).
    const alices = await call('GET /leads', 'alice', ['rep'], { owner: 'me' });
    expect(alices.body.items.map((l: { id: string; duplicate: boolean }) => [l.id, l.duplicate])).toEqual([
      [jonathan, true],
      [jon, true],
    ]);

    expect((await call('GET /duplicates', 'alice', ['rep'])).status).toBe(403);
    const first = await call('GET /duplicates', 'sam', ['salesops'], { limit: '1' });
    expect(first.body.items).toEqual([
      expect.objectContaining({
        leadId: greta,
        name: 'Greta Lindqvist',
        owner: 'bob',
        duplicates: [expect.objectContaining({ leadId: other, name: 'Greta Lindqvist', owner: 'bob', score: 1 })],
      }),
    ]);
    const second = await call('GET /duplicates', 'sam', ['salesops'], { limit: '1', cursor: first.body.cursor });
    expect(second.body.items.map((s: { leadId: string }) => s.leadId)).toEqual([jonathan]);
    const rest = second.body.cursor
      ? await call('GET /duplicates', 'sam', ['salesops'], { limit: '1', cursor: second.body.cursor })
      : { body: { items: [] } };
    expect(rest.body.items).toEqual([]);
  });
});

describe("a manager's inbox, list and search cover their team (DynamoDB Local)", () => {
  it("shows maria her team's leads and the queue, never a lead of someone outside her teams; sales ops see all", async () => {
    const { call, add } = await setup();
    const team = await add({ firstName: 'Tessa', lastName: 'Teamlead', email: 'tessa@team.example' }, 'alice');
    const outside = await add({ firstName: 'Otto', lastName: 'Teamlead', email: 'otto@outside.example' }, 'zed');
    const queue = await add({ firstName: 'Quinn', lastName: 'Queue', email: 'quinn@queue.example' });
    const ids = (answer: { body: { items: { id: string }[] } }) => answer.body.items.map((l) => l.id).sort();

    const assigned = await call('GET /leads', 'maria', ['manager'], { stage: 'Assigned' });
    expect(ids(assigned)).toContain(team);
    expect(ids(assigned)).not.toContain(outside);
    expect((await call('GET /leads', 'maria', ['manager'], { owner: 'zed' })).status).toBe(404);
    expect(ids(await call('GET /leads', 'sam', ['salesops'], { owner: 'zed' }))).toEqual([outside]);

    const listed = ids(await call('GET /leads', 'maria', ['manager'], { sort: 'createdAt' }));
    expect(listed).toEqual(expect.arrayContaining([team, queue]));
    expect(listed).not.toContain(outside);
    expect(ids(await call('GET /leads', 'sam', ['salesops'], { sort: 'createdAt' }))).toEqual(
      expect.arrayContaining([team, outside, queue]),
    );

    expect(ids(await call('GET /search', 'maria', ['manager'], { q: 'teamlead' }))).toEqual([team]);
    expect(ids(await call('GET /search', 'sam', ['salesops'], { q: 'teamlead' }))).toEqual([team, outside].sort());
  });
});
