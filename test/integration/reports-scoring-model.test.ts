import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { leadItem } from '../../functions/adapters/lead-item';
import { makeScoringRepository } from '../../functions/adapters/scoring-repository';
import type { Lead } from '../../functions/core/lead';
import { DEFAULT_SCORING } from '../../functions/core/scoring/points-config';
import { httpHandler } from '../../functions/http/middleware';
import { makeScoringApi } from '../../functions/scoring-api/handler';
import { makeScoringTrainHandler } from '../../functions/scoring-train/handler';
import { freshTable } from '../support/table';

/** Outcomes with a planted signal: leads that replied to an email converted far more often. */
const outcomeLeads = (n: number): Lead[] => {
  let seed = 3;
  const r = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  return Array.from({ length: n }, (_, i) => {
    const replied = r() < 0.4;
    const converted = r() < (replied ? 0.85 : 0.12);
    return {
      id: `S${String(i).padStart(5, '0')}`,
      version: 3,
      stage: converted ? 'Converted' : 'Disqualified',
      leadType: 'B2B',
      channel: 'WEBHOOK',
      sourceId: 'webinar',
      deliveryId: `d${i}`,
      createdAt: '2026-06-01T00:00:00.000Z',
      updatedAt: '2026-07-01T00:00:00.000Z',
      createdBy: { kind: 'source', id: 'webinar', source: 'WEBHOOK' },
      duplicates: [],
      duplicatePolicy: 'create',
      stageEnteredAt: '2026-07-01T00:00:00.000Z',
      email: `s${i}@acme.com`,
      jobTitle: r() < 0.5 ? 'VP Sales' : 'Engineer',
      behaviour: replied ? { 'email-reply': 1 } : {},
    } as Lead;
  });
};

const modelRequest = {
  version: '2.0',
  routeKey: 'GET /scoring/model',
  rawPath: '/scoring/model',
  headers: {},
  requestContext: {
    http: { method: 'GET', path: '/scoring/model' },
    authorizer: { jwt: { claims: { 'cognito:username': 'ana', 'cognito:groups': '[rep]' } } },
  },
  isBase64Encoded: false,
} as unknown as APIGatewayProxyEventV2;

describe('scoring model training on DynamoDB Local', () => {
  it('trains on outcomes from the stage index, activates a better model and shows its card; a later weaker run keeps it', async () => {
    const table = await freshTable('scoring');
    const leads = outcomeLeads(1200);
    for (let i = 0; i < leads.length; i += 25) {
      await table.db.send(
        new BatchWriteCommand({
          RequestItems: { [table.name]: leads.slice(i, i + 25).map((l) => ({ PutRequest: { Item: leadItem(l) } })) },
        }),
      );
    }
    const store = makeScoringRepository(table.db, table.name);
    const config = makeConfigRepository(table.db, table.name, { cacheMs: 0 });
    const train = makeScoringTrainHandler({
      models: store,
      outcomes: store,
      config,
      clock: { now: () => new Date('2026-11-23T03:00:00Z') },
    });
    const api = httpHandler(makeScoringApi({ models: store, config }));

    const first = await train();
    const card = JSON.parse((await api(modelRequest, {} as Context)).body ?? '');

    expect(first).toMatchObject({ model: 'logreg@1', active: true });
    expect(first.holdoutAuc).toBeGreaterThanOrEqual(0.8);
    expect(card.scoring).toBe('logreg@1');
    expect(card.active).toMatchObject({
      version: 1,
      trainedAt: '2026-11-23T03:00:00.000Z',
      trainingSize: expect.any(Number),
      holdoutAuc: first.holdoutAuc,
    });
    expect(card.active.trainingSize + card.active.holdoutSize).toBe(1200);
    expect(card.active.calibration).toHaveLength(10);

    // Sales ops raise the bar: the next model cannot be activated, the first one stays.
    await config.put(
      'scoring',
      { ...DEFAULT_SCORING, learned: { minConversions: 100_000, holdoutFraction: 0.25 } },
      0,
      'olga',
      '2026-11-23T04:00:00Z',
    );
    const second = await train();
    const after = JSON.parse((await api(modelRequest, {} as Context)).body ?? '');

    expect(second).toMatchObject({ model: 'logreg@2', active: false });
    expect(after.scoring).toBe('logreg@1');
    expect(after.latest).toMatchObject({ version: 2, active: false, decision: expect.stringContaining('< 100000') });
  });
});
