import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RoutingCounters } from '../core/lifecycle/assign';
import { lifecycleKeys } from './keys';

export const makeRoutingRepository = (db: DynamoDBDocumentClient, table: string) =>
  ({
    /** Atomic increment: concurrent leads each get their own number, so round-robin stays fair. */
    async nextTurn(team: string, leadId?: string): Promise<number> {
      // A retried step reuses the turn it already took, so a retry never skips a rep.
      const memo = leadId ? lifecycleKeys.turn(leadId, team) : undefined;
      if (memo) {
        const seen = await db.send(new GetCommand({ TableName: table, Key: memo, ConsistentRead: true }));
        if (seen.Item) return Number(seen.Item.turn);
      }
      const turn = await this.increment(team);
      if (memo)
        await db.send(
          new PutCommand({
            TableName: table,
            Item: { ...memo, turn, expiresAt: Math.floor(Date.now() / 1000) + 86_400 },
          }),
        );
      return turn;
    },

    async increment(team: string): Promise<number> {
      const out = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: lifecycleKeys.roundRobin(team),
          UpdateExpression: 'ADD turns :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.turns ?? 1);
    },

    async openLeads(users: string[]): Promise<Record<string, number>> {
      if (users.length === 0) return {};
      const out = await db.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: users.map(lifecycleKeys.load), ConsistentRead: true } },
        }),
      );
      const load: Record<string, number> = Object.fromEntries(users.map((u) => [u, 0]));
      for (const item of out.Responses?.[table] ?? [])
        load[String(item.pk).slice('LOAD#'.length)] = Number(item.openLeads ?? 0);
      return load;
    },
  }) satisfies RoutingCounters & { increment(team: string): Promise<number> };
