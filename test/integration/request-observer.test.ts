import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { type DynamoRequestRecord, observeDynamoRequests } from '../../functions/adapters/request-observer';
import { freshTable } from '../support/table';

describe('DynamoDB request observer', () => {
  it('reports each command with its consumed capacity while an observer is registered', async () => {
    const { db, name } = await freshTable('observer');
    const seen: DynamoRequestRecord[] = [];
    const stop = observeDynamoRequests({ consumedCapacity: true, onRequest: (r) => seen.push(r) });

    await db.send(new PutCommand({ TableName: name, Item: { pk: 'A', sk: 'A' } }));
    await db.send(
      new TransactWriteCommand({ TransactItems: [{ Put: { TableName: name, Item: { pk: 'B', sk: 'B' } } }] }),
    );
    await db.send(new BatchGetCommand({ RequestItems: { [name]: { Keys: [{ pk: 'A', sk: 'A' }] } } }));
    stop();

    expect(seen.map((r) => r.command)).toEqual(['PutItemCommand', 'TransactWriteItemsCommand', 'BatchGetItemCommand']);
    expect(seen[0]?.consumed[0]?.write).toBeGreaterThan(0);
    expect(seen[2]?.consumed[0]?.read).toBeGreaterThan(0);
  });

  it('reports nothing once the observer is removed and leaves the request unchanged', async () => {
    const { db, name } = await freshTable('observer');
    const seen: DynamoRequestRecord[] = [];
    observeDynamoRequests({ onRequest: (r) => seen.push(r) })();

    const out = await db.send(new GetCommand({ TableName: name, Key: { pk: 'X', sk: 'X' } }));

    expect(seen).toEqual([]);
    expect(out.ConsumedCapacity).toBeUndefined();
  });
});
