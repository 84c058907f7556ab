import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors';
import type { ApprovalTaskRecord, ApprovalTasksStore } from '../core/lifecycle/ports';
import { lifecycleKeys } from './keys';
import { TABLE } from './table-definition';
import { isConditionalCheckFailed } from './transaction';

/** Approval tasks as the lifecycle core describes them. */
export type ApprovalTask = ApprovalTaskRecord;

const assigneeOf = (task: Pick<ApprovalTask, 'approver' | 'group' | 'escalatedTo'>) =>
  task.escalatedTo ? `user:${task.escalatedTo}` : task.approver ? `user:${task.approver}` : `group:${task.group}`;

const itemOf = (task: ApprovalTask) => ({
  ...lifecycleKeys.task(task.taskId),
  ...(task.status === 'open' ? lifecycleKeys.taskAssignee(assigneeOf(task), task.createdAt, task.taskId) : {}),
  type: 'approval-task',
  ...task,
});

const strip = (item: Record<string, unknown>): ApprovalTask => {
  const { pk: _pk, sk: _sk, gsi3pk: _a, gsi3sk: _b, type: _t, ...task } = item;
  return task as ApprovalTask;
};

export const makeTasksRepository = (db: DynamoDBDocumentClient, table: string): ApprovalTasksStore => ({
  async get(taskId: string): Promise<ApprovalTask | undefined> {
    const out = await db.send(
      new GetCommand({ TableName: table, Key: lifecycleKeys.task(taskId), ConsistentRead: true }),
    );
    return out.Item ? strip(out.Item) : undefined;
  },

  /** Creates the task once: a retried step finds it already there and reuses it. */
  async createOnce(task: ApprovalTask): Promise<ApprovalTask> {
    try {
      await db.send(
        new PutCommand({ TableName: table, Item: itemOf(task), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return task;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return (await this.get(task.taskId)) ?? task;
      throw error;
    }
  },

  async attachToken(taskId: string, token: string): Promise<void> {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: lifecycleKeys.task(taskId),
        UpdateExpression: 'SET taskToken = :t',
        ConditionExpression: '#s = :open',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':t': token, ':open': 'open' },
      }),
    );
  },

  async escalate(task: ApprovalTask, to: string, dueAt: string): Promise<ApprovalTask> {
    // The wait that held the old token has ended; a decision must wait for the next wait's token.
    const next: ApprovalTask = {
      ...task,
      escalatedTo: to,
      escalations: task.escalations + 1,
      dueAt,
      taskToken: undefined,
    };
    await db.send(
      new PutCommand({
        TableName: table,
        Item: itemOf(next),
        ConditionExpression: '#s = :open',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':open': 'open' },
      }),
    );
    return next;
  },

  /** Exactly one decision: the write is conditional on the task still being open. */
  async decide(
    task: ApprovalTask,
    decision: 'approve' | 'reject',
    by: string,
    comment: string | undefined,
    at: string,
  ): Promise<ApprovalTask> {
    const decided: ApprovalTask = { ...task, status: 'decided', decision, decidedBy: by, comment, decidedAt: at };
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: itemOf(decided),
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':open': 'open' },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new ConflictError(`task ${task.taskId} has already been decided`, { taskId: task.taskId });
      }
      throw error;
    }
    return decided;
  },

  /** Open tasks for a user: their own, their groups', and those escalated to them. Index queries only. */
  async openFor(userId: string, groups: readonly string[]): Promise<ApprovalTask[]> {
    const assignees = [`user:${userId}`, ...groups.map((g) => `group:${g}`)];
    const index = TABLE.indexes.byAssignee;
    const pages = await Promise.all(
      assignees.map((a) =>
        db.send(
          new QueryCommand({
            TableName: table,
            IndexName: index.name,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': index.partitionKey },
            ExpressionAttributeValues: { ':pk': `ASSIGNEE#${a}` },
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
      .filter((t) => t.status === 'open' && !seen.has(t.taskId) && seen.add(t.taskId));
  },
});
