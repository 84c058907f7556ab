import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { cancellationOf, isConditionalCheckFailed, transaction } from '../../functions/adapters/transaction';
import { freshTable } from '../support/table';

describe('named transactions on DynamoDB Local', () => {
  it('writes every item and says so', async () => {
    const { db, name } = await freshTable('tx');
    const out = await transaction(db, [
      {
        name: 'a',
        Put: { TableName: name, Item: { pk: 'A', sk: 'A' }, ConditionExpression: 'attribute_not_exists(pk)' },
      },
      { name: 'b', Put: { TableName: name, Item: { pk: 'B', sk: 'B' } } },
    ]);
    expect(out).toEqual({ written: true });
  });

  it('names the items whose condition failed, whatever their position, and hands back the old item of one', async () => {
    const { db, name } = await freshTable('tx');
    await db.send(new PutCommand({ TableName: name, Item: { pk: 'TAKEN', sk: 'X', owner: 'first' } }));
    const out = await transaction(db, [
      { name: 'audit', Put: { TableName: name, Item: { pk: 'AUDIT', sk: '1' } } },
      { name: 'audit', Put: { TableName: name, Item: { pk: 'AUDIT', sk: '2' } } },
      {
        name: 'claim',
        Put: {
          TableName: name,
          Item: { pk: 'TAKEN', sk: 'X' },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      { name: 'row:7', Put: { TableName: name, Item: { pk: 'ROW', sk: '7' } } },
    ]);
    expect(out.written).toBe(false);
    if (out.written) return;
    expect(out.failed).toEqual(['claim']);
    expect(out.conflict).toBe(false);
    expect(out.reason('claim')?.Item?.owner?.S).toBe('first');
    expect(out.reason('audit')).toBeUndefined();
    expect(cancellationOf(out.error)?.failed).toEqual(['2']);
  });

  it('throws what is not a cancellation, and tells a single-item condition failure apart', async () => {
    const { db, name } = await freshTable('tx');
    await expect(
      transaction(db, [{ name: 'bad', Put: { TableName: `${name}-missing`, Item: { pk: 'A', sk: 'A' } } }]),
    ).rejects.toThrow();
    await db.send(new PutCommand({ TableName: name, Item: { pk: 'A', sk: 'A', n: 1 } }));
    const refused = await db
      .send(
        new UpdateCommand({
          TableName: name,
          Key: { pk: 'A', sk: 'A' },
          UpdateExpression: 'SET n = :n',
          ConditionExpression: 'n = :old',
          ExpressionAttributeValues: { ':n': 2, ':old': 5 },
        }),
      )
      .catch((error: unknown) => error);
    expect(isConditionalCheckFailed(refused)).toBe(true);
    expect(isConditionalCheckFailed(new Error('other'))).toBe(false);
    expect(cancellationOf(refused)).toBeUndefined();
  });
});
