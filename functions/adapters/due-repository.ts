import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DueStore } from '../core/lifecycle/due-sweep';
import { parkedStart } from '../core/lifecycle/nurture';
import { keys } from './keys';
import { TABLE } from './table-definition';
import { isConditionalCheckFailed } from './transaction';

/** The sparse byDue index: leads with a recycle or a parked execution start, earliest first. */
export const makeDueRepository = (db: DynamoDBDocumentClient, table: string) => {
  const index = TABLE.indexes.byDue;
  return {
    async listDue(until: string, limit: number) {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk AND #sk <= :until',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
          // `#` sorts before every id character: all leads due at or before `until`.
          ExpressionAttributeValues: { ':pk': 'DUE', ':until': `${until}#~` },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((item) => ({
        leadId: String(item.id),
        at: String(item[index.sortKey]).split('#')[0] ?? '',
      }));
    },

    /**
     * A capture's start refused by the open-execution limit: the lead (just written, no execution)
     * keeps the start as due, so the sweep starts it when there is room. Bumps the version, so a
     * concurrent edit made from an older read cannot drop it.
     */
    async parkStart(leadId: string, execution: { name: string; input: Record<string, unknown> }, now: Date) {
      const due = parkedStart({}, execution, now);
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.lead(leadId),
            UpdateExpression: 'SET #due = :due, #pk4 = :pk4, #sk4 = :sk4, #version = #version + :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: {
              '#due': 'due',
              '#pk4': index.partitionKey,
              '#sk4': index.sortKey,
              '#version': 'version',
            },
            ExpressionAttributeValues: {
              ':due': due,
              ':pk4': keys.dueIndex(due.at, leadId).gsi4pk,
              ':sk4': keys.dueIndex(due.at, leadId).gsi4sk,
              ':one': 1,
            },
          }),
        );
      } catch (error) {
        if (isConditionalCheckFailed(error)) throw new Error(`lead ${leadId} does not exist; nothing to park`);
        throw error;
      }
    },
  } satisfies DueStore & Record<string, unknown>;
};
