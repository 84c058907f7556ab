import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * Concurrent transactions on one item (a busy rep's load counter, a popular company domain) are
 * cancelled with TransactionConflict rather than failed: try again with jitter. DynamoDB Local never
 * raises it; the real service does under concurrency.
 */
const isConflict = (error: unknown) =>
  error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');

/**
 * Contention that outlasted the retries above, or a store too busy to answer (AWS: InternalServerError,
 * "retry the request"; DynamoDB Local: a lock wait timed out under a burst on one item). The write did
 * not happen, or happened once and a conditional retry finds it: asking again is safe.
 */
export const isBusyStore = (error: unknown) => isConflict(error) || (error instanceof Error && error.name === 'InternalServerError');

export const withConflictRetries = async <T>(attempt: () => Promise<T>, tries = 6): Promise<T> => {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConflict(error) || i >= tries) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** i));
    }
  }
};
