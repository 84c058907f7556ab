import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE } from './table-definition';

/** Lean index → the all-attribute index it replaced. */
const FORMER = new Map<string, string>(
  Object.values(TABLE.indexes).flatMap((i): [string, string][] => ('former' in i ? [[i.name, i.former]] : [])),
);

/** DynamoDB's answers for an index that does not exist yet, or is still being filled. */
const NOT_READY = /does not have the specified index|backfilling/i;

/**
 * While an existing table moves to the lean list indexes (README "Upgrading the list indexes"), a lean
 * index is missing or still backfilling for a while: a read of it is then made on the former
 * all-attribute index, which holds the same keys in the same order (readers fetch whole leads by key
 * either way, `baseItemsOf`). Once the lean index is active the fallback never fires.
 */
export const withFormerIndexFallback = <C extends DynamoDBClient>(client: C): C => {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { IndexName?: string };
      const former = input.IndexName ? FORMER.get(input.IndexName) : undefined;
      if (!former) return next(args);
      try {
        return await next(args);
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'ValidationException' || !NOT_READY.test(error.message))
          throw error;
        return next({ ...args, input: { ...input, IndexName: former } });
      }
    },
    { step: 'initialize', name: 'leadflowFormerIndexFallback' },
  );
  return client;
};
