import { cancellationOf } from './transaction';

export { withConflictRetries } from './transaction';

/**
 * Contention that outlasted the conflict retries, or a store too busy to answer (AWS: InternalServerError,
 * "retry the request"; DynamoDB Local: a lock wait timed out under a burst on one item). The write did
 * not happen, or happened once and a conditional retry finds it: asking again is safe.
 */
export const isBusyStore = (error: unknown) =>
  Boolean(cancellationOf(error)?.conflict) || (error instanceof Error && error.name === 'InternalServerError');
