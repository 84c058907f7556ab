import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { makeDocumentClient, makeDynamoClient } from '../../functions/adapters/aws-clients';
import { leadItem } from '../../functions/adapters/lead-item';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { createTableInput, LIST_INDEX_ATTRIBUTES, TABLE } from '../../functions/adapters/table-definition';
import type { Lead } from '../../functions/core/lead';
import { ensureTable, startDynamoDbLocal } from '../../local/dynamodb-local';
import { freshTable } from '../support/table';

const lead = (id: string, owner?: string): Lead =>
  ({
    id,
    version: 1,
    stage: 'Assigned',
    leadType: 'B2B',
    channel: 'API',
    sourceId: 'manual',
    deliveryId: `d-${id}`,
    createdAt: '2026-11-02T09:00:00.000Z',
    updatedAt: '2026-11-02T09:00:00.000Z',
    createdBy: { kind: 'user', id: 'alice', source: 'API' },
    duplicates: [],
    duplicatePolicy: 'create',
    stageEnteredAt: '2026-11-02T09:00:00.000Z',
    owner,
    email: `${id.toLowerCase()}@acme.com`,
    firstName: 'Ann',
    company: 'Acme',
  }) as Lead;

describe('lean list indexes (byOwner, byStage)', () => {
  it('hold only what their queries filter on, skip writes that touch none of it, and lists still answer whole leads', async () => {
    const { db, name } = await freshTable('lean');
    const stored = leadItem(lead('L1', 'alice'));
    await db.send(new PutCommand({ TableName: name, Item: stored }));

    // Arming a wait stores the task token: no attribute of either index changes, so only the lead is written.
    const token = await db.send(
      new UpdateCommand({
        TableName: name,
        Key: { pk: stored.pk, sk: stored.sk },
        UpdateExpression: 'SET taskToken = :t',
        ExpressionAttributeValues: { ':t': 'token-1' },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    // A stage move rewrites both index items (the stage is projected, and byStage's key moves).
    const move = await db.send(
      new PutCommand({
        TableName: name,
        Item: leadItem({ ...lead('L1', 'alice'), stage: 'MarketQualified', version: 2 }),
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    const raw = await db.send(
      new QueryCommand({
        TableName: name,
        IndexName: TABLE.indexes.byOwner.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'OWNER#alice' },
      }),
    );
    const listed = await makeLeadReader(db, name).list({ owner: 'alice' }, 10);
    const byStage = await makeLeadReader(db, name).list({ stage: 'MarketQualified' }, 10, undefined, {
      visibleTo: 'alice',
    });

    expect(token.ConsumedCapacity?.GlobalSecondaryIndexes).toBeUndefined();
    expect(Object.keys(move.ConsumedCapacity?.GlobalSecondaryIndexes ?? {}).sort()).toEqual(
      [TABLE.indexes.byOwner.name, TABLE.indexes.byStage.name].sort(),
    );
    const keysAndIncluded = new Set<string>([
      TABLE.partitionKey,
      TABLE.sortKey,
      TABLE.indexes.byOwner.partitionKey,
      TABLE.indexes.byOwner.sortKey,
      ...LIST_INDEX_ATTRIBUTES,
    ]);
    expect(Object.keys(raw.Items?.[0] ?? {}).filter((k) => !keysAndIncluded.has(k))).toEqual([]);
    expect(raw.Items?.[0]?.email).toBeUndefined();
    // The lists read each lead by key: every field, the token too.
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({
      id: 'L1',
      stage: 'MarketQualified',
      email: 'l1@acme.com',
      firstName: 'Ann',
    });
    expect(byStage.items.map((l) => l.id)).toEqual(['L1']);
  });

  // Four index changes, each waited until ACTIVE. DynamoDB Local builds a new index in the background,
  // behind every other request it serves: on the suite's shared instance that took over a minute on two
  // busy cores, so this test has an instance of its own (a few seconds to start).
  it('a table with the former all-attribute indexes is read through them until the lean ones exist, and a kept local table gets the lean ones', async () => {
    const own = await startDynamoDbLocal();
    try {
      const endpoint = own.endpoint;
      const client = makeDynamoClient(endpoint);
      const db = makeDocumentClient(client);
      const name = `lean-upgrade-${ulid().toLowerCase()}`;
      const old = createTableInput(name);
      await client.send(
        new CreateTableCommand({
          ...old,
          GlobalSecondaryIndexes: old.GlobalSecondaryIndexes.map((g) => ({
            ...g,
            IndexName: g.IndexName.replace(/Lean$/, ''),
            Projection: { ProjectionType: 'ALL' },
          })),
        }),
      );
      await db.send(new PutCommand({ TableName: name, Item: leadItem(lead('L2', 'bob')) }));
      // Mid-upgrade on AWS: the lean index is not there (or still backfilling); the former one answers.
      const before = await makeLeadReader(db, name).list({ owner: 'bob' }, 10);
      const byStageBefore = await makeLeadReader(db, name).list({ stage: 'Assigned' }, 10);

      await ensureTable(endpoint, name);
      const indexes = (await client.send(new DescribeTableCommand({ TableName: name }))).Table?.GlobalSecondaryIndexes;
      const listed = await makeLeadReader(db, name).list({ owner: 'bob' }, 10);

      expect(indexes?.map((g) => [g.IndexName, g.Projection?.ProjectionType]).sort()).toEqual(
        old.GlobalSecondaryIndexes.map((g) => [g.IndexName, g.Projection.ProjectionType]).sort(),
      );
      expect(before.items.map((l) => l.email)).toEqual(['l2@acme.com']);
      expect(byStageBefore.items.map((l) => l.id)).toEqual(['L2']);
      expect(listed.items.map((l) => l.email)).toEqual(['l2@acme.com']);
    } finally {
      await own.stop();
    }
  }, 90_000);
});
