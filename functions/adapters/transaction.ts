import {
  type CancellationReason,
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** One item of a TransactWriteItems call, as the document client takes it. */
export type WriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A transaction item with a name, so a cancellation is read by what failed ("the delivery record
 * was taken") instead of by position. Several items may share a name (every audit entry is 'audit').
 */
export type NamedItem<N extends string = string> = WriteItem & { name: N };

/** What a cancelled transaction says, by item name. */
export type Cancellation<N extends string = string> = {
  /** Names of the items whose condition failed, in item order, each once. */
  failed: N[];
  /** Some item was in another transaction at the same moment (the real service only): try again. */
  conflict: boolean;
  /** The reason of the first item of that name that failed its condition (with `Item` when ALL_OLD was asked). */
  reason(name: N): CancellationReason | undefined;
  error: TransactionCanceledException;
};

/** A single-item write whose condition did not hold. */
export const isConditionalCheckFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/**
 * The cancellation behind `error`, read against the names of the items in the order they were sent;
 * undefined when `error` is not a cancelled transaction. Without names every item is called by its index.
 */
export const cancellationOf = <N extends string = string>(
  error: unknown,
  names?: readonly N[],
): Cancellation<N> | undefined => {
  const cancelled =
    error instanceof TransactionCanceledException
      ? error
      : error instanceof Error && error.name === 'TransactionCanceledException'
        ? (error as TransactionCanceledException)
        : undefined;
  if (!cancelled) return undefined;
  const reasons = cancelled.CancellationReasons ?? [];
  const nameAt = (i: number) => (names ? names[i] : String(i)) as N | undefined;
  const failedAt = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
  const failed = [...new Set(failedAt.map(nameAt).filter((n): n is N => n !== undefined))];
  return {
    failed,
    conflict: reasons.some((r) => r.Code === 'TransactionConflict'),
    reason: (name) => {
      const i = failedAt.find((at) => nameAt(at) === name);
      return i === undefined ? undefined : reasons[i];
    },
    error: cancelled,
  };
};

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
      if (!cancellationOf(error)?.conflict || i >= tries) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** i));
    }
  }
};

/**
 * Contention that outlasted the conflict retries, or a store too busy to answer (AWS: InternalServerError,
 * "retry the request"; DynamoDB Local: a lock wait timed out under a burst on one item). The write did
 * not happen, or happened once and a conditional retry finds it: asking again is safe.
 */
export const isBusyStore = (error: unknown) =>
  Boolean(cancellationOf(error)?.conflict) || (error instanceof Error && error.name === 'InternalServerError');

/**
 * Writes named items in one TransactWriteItems. Resolves `{ written: true }`, or, when DynamoDB
 * cancelled it, `{ written: false, …cancellation }` naming the items whose condition failed; any
 * other error is thrown. `retryConflicts` retries a TransactionConflict first (see withConflictRetries).
 */
export const transaction = async <N extends string>(
  db: DynamoDBDocumentClient,
  items: readonly NamedItem<N>[],
  options: { retryConflicts?: boolean } = {},
): Promise<{ written: true } | ({ written: false } & Cancellation<N>)> => {
  const send = () =>
    db.send(new TransactWriteCommand({ TransactItems: items.map(({ name: _name, ...item }) => item as WriteItem) }));
  try {
    await (options.retryConflicts ? withConflictRetries(send) : send());
    return { written: true };
  } catch (error) {
    const cancellation = cancellationOf(
      error,
      items.map((i) => i.name),
    );
    if (!cancellation) throw error;
    return { written: false, ...cancellation };
  }
};
