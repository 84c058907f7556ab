import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * Concurrent transactions on one item (a busy rep's load counter, a popular company domain) are
 * cancelled with TransactionConflict rather than failed: try again with jitter. DynamoDB Local never
 * raises it; the real service does under concurrency.
 */
export const withConflictRetries = async <T>(attempt: () => Promise<T>, tries = 6): Promise<T> => {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const conflict = error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');
      if (!conflict || i >= tries) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** i));
    }
  }
};
