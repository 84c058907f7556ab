import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ActivityPorts, ActivityStore, RecordedActivity } from '../core/scoring/activities';
import type { LifecycleConfigPort } from '../core/lifecycle/ports';
import type { Clock, EventPublisher } from '../core/ports';
import { keys } from './keys';
import { makeLeadReader } from './lead-repository';
import { makeLeadWriter } from './lead-writer';
import { cancellationOf } from './transaction';

/**
 * Activities recorded on leads: one item per client-given activity id in the lead's partition,
 * written in the same transaction as the lead (behaviour, score) and its audit entries.
 */
export const makeActivitiesRepository = (db: DynamoDBDocumentClient, table: string): ActivityStore => {
  const writer = makeLeadWriter(db, table);
  const recorded = async (leadId: string, activityId: string): Promise<RecordedActivity | undefined> => {
    const out = await db.send(
      new GetCommand({ TableName: table, Key: keys.activity(leadId, activityId), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, type: _type, activityType, ...rest } = out.Item;
    return { ...rest, type: activityType } as RecordedActivity;
  };
  return {
    recorded,
    async write(before, patch, audit, record) {
      const { type, ...rest } = record;
      try {
        return await writer.write(before, patch, audit, {
          // The execution keeps waiting where it was: its token stays (and must not have changed).
          keepToken: true,
          extra: [
            {
              Put: {
                TableName: table,
                Item: {
                  ...keys.activity(record.leadId, record.activityId),
                  type: 'activity',
                  activityType: type,
                  ...rest,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        });
      } catch (error) {
        // The lead's own condition failing is a ConflictError from the writer; here, only the activity id can have been taken.
        if (cancellationOf(error) && (await recorded(record.leadId, record.activityId))) return 'exists';
        throw error;
      }
    },
  };
};

/** The ports of recording activities, from the real adapters. */
export const activityPorts = (
  db: DynamoDBDocumentClient,
  table: string,
  deps: { config: Pick<LifecycleConfigPort, 'scoring'>; publisher: EventPublisher; clock?: Clock },
): ActivityPorts => {
  const reader = makeLeadReader(db, table);
  return {
    leads: { get: (id) => reader.get(id) },
    activities: makeActivitiesRepository(db, table),
    config: deps.config,
    publisher: deps.publisher,
    clock: deps.clock ?? { now: () => new Date() },
  };
};
