import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors';
import type { OverdueSteps } from '../core/lifecycle/due-sweep';
import type { StepTasksPort } from '../core/lifecycle/ports';
import type { StepTaskRecord } from '../core/lifecycle/stage-steps';
import { keys, lifecycleKeys } from './keys';
import { TABLE } from './table-definition';
import { makeLeadWriter } from './lead-writer';
import { cancellationOf, isConditionalCheckFailed } from './transaction';

const itemOf = (step: StepTaskRecord) => ({
  ...lifecycleKeys.step(step.id),
  ...(step.status === 'open' ? lifecycleKeys.stepAssignee(step.assignee, step.createdAt, step.id) : {}),
  ...(step.status === 'open' && !step.overdueAt ? lifecycleKeys.stepDue(step.dueAt, step.id) : {}),
  type: 'step-task',
  ...step,
});

const strip = (item: Record<string, unknown>): StepTaskRecord => {
  const { pk: _pk, sk: _sk, gsi3pk: _a, gsi3sk: _b, gsi4pk: _c, gsi4sk: _d, type: _t, ...step } = item;
  return step as StepTaskRecord;
};

/** Stage steps as task items: one per step id, in the assignee index while open. */
export const makeStepsRepository = (db: DynamoDBDocumentClient, table: string): StepTasksPort & OverdueSteps => {
  const writer = makeLeadWriter(db, table);
  const get = async (stepId: string) => {
    const out = await db.send(
      new GetCommand({ TableName: table, Key: lifecycleKeys.step(stepId), ConsistentRead: true }),
    );
    return out.Item ? strip(out.Item) : undefined;
  };
  return {
    get,

    /** A retried creation finds the step there and keeps it (with whatever was done to it since). */
    async createOnce(step) {
      try {
        await db.send(
          new PutCommand({ TableName: table, Item: itemOf(step), ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        return step;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return (await get(step.id)) ?? step;
        throw error;
      }
    },

    async reassign(moves) {
      await Promise.all(
        moves.map(async ({ id, to }) => {
          const step = await get(id);
          if (step?.status !== 'open' || step.assignee === to) return;
          try {
            await db.send(
              new UpdateCommand({
                TableName: table,
                Key: lifecycleKeys.step(id),
                UpdateExpression: 'SET assignee = :to, gsi3pk = :pk, gsi3sk = :sk',
                ConditionExpression: '#s = :open',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: {
                  ':to': to,
                  ':open': 'open',
                  ':pk': lifecycleKeys.stepAssignee(to, step.createdAt, id).gsi3pk,
                  ':sk': lifecycleKeys.stepAssignee(to, step.createdAt, id).gsi3sk,
                },
              }),
            );
          } catch (error) {
            // Completed or cancelled meanwhile: off every list already.
            if (!isConditionalCheckFailed(error)) throw error;
          }
        }),
      );
    },

    async cancel(stepIds) {
      await Promise.all(
        stepIds.map(async (id) => {
          try {
            await db.send(
              new UpdateCommand({
                TableName: table,
                Key: lifecycleKeys.step(id),
                UpdateExpression: 'SET #s = :cancelled REMOVE gsi3pk, gsi3sk, gsi4pk, gsi4sk',
                ConditionExpression: '#s = :open',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':cancelled': 'cancelled', ':open': 'open' },
              }),
            );
          } catch (error) {
            // Completed (or cancelled) meanwhile: it is off the open list either way.
            if (!isConditionalCheckFailed(error)) throw error;
          }
        }),
      );
    },

    /** Open steps due at or before `until` that have not been announced overdue, earliest first (sparse byDue). */
    async listOverdue(until, limit) {
      const index = TABLE.indexes.byDue;
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk AND #sk <= :until',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
          ExpressionAttributeValues: { ':pk': 'STEPDUE', ':until': `${until}#~` },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map(strip);
    },

    /** Once: the first caller marks it (and takes it off the index); a second one, or a closed step, gets false. */
    async markOverdue(stepId, at) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: lifecycleKeys.step(stepId),
            UpdateExpression: 'SET overdueAt = :at REMOVE gsi4pk, gsi4sk',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(overdueAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    },

    async unmarkOverdue(step) {
      const index = lifecycleKeys.stepDue(step.dueAt, step.id);
      await db
        .send(
          new UpdateCommand({
            TableName: table,
            Key: lifecycleKeys.step(step.id),
            UpdateExpression: 'SET gsi4pk = :pk, gsi4sk = :sk REMOVE overdueAt',
            ConditionExpression: '#s = :open',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':pk': index.gsi4pk, ':sk': index.gsi4sk, ':open': 'open' },
          }),
        )
        .catch((error) => {
          if (!isConditionalCheckFailed(error)) throw error;
        });
    },

    async openFor(assignees) {
      const pages = await Promise.all(
        assignees.map((a) =>
          db.send(
            new QueryCommand({
              TableName: table,
              IndexName: TABLE.indexes.byAssignee.name,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': TABLE.indexes.byAssignee.partitionKey },
              ExpressionAttributeValues: { ':pk': lifecycleKeys.stepAssignee(a, '', '').gsi3pk },
              ScanIndexForward: false,
              Limit: 100,
            }),
          ),
        ),
      );
      const seen = new Set<string>();
      return pages
        .flatMap((p) => p.Items ?? [])
        .map(strip)
        .filter((s) => s.status === 'open' && !seen.has(s.id) && seen.add(s.id))
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    },

    async complete(before, patch, audit, consumeToken, step, activity) {
      const { type, ...rest } = activity;
      try {
        return await writer.write(before, patch, audit, {
          ...(consumeToken ? { consumeToken } : { keepToken: true }),
          extra: [
            {
              Put: {
                TableName: table,
                Item: {
                  ...keys.activity(activity.leadId, activity.activityId),
                  type: 'activity',
                  activityType: type,
                  ...rest,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: table,
                Item: itemOf(step),
                ConditionExpression: '#s = :open',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':open': 'open' },
              },
            },
          ],
        });
      } catch (error) {
        // The lead's own condition failing is a ConflictError from the writer; here the step was completed by someone else.
        if (cancellationOf(error))
          throw new ConflictError(`step ${step.id} was completed meanwhile`, { taskId: step.id });
        throw error;
      }
    },
  };
};
