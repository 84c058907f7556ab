import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One DynamoDB command as an observer sees it: its name, its time, the capacity it consumed and the client that sent it. */
export type DynamoRequestRecord = {
  command: string;
  ms: number;
  consumed: { table: string; read: number; write: number }[];
  client: DynamoDBClient;
  /** The command's input as sent (e.g. to count the items of a transaction). */
  input: Record<string, unknown>;
  /** The error's name when the request failed (a cancelled transaction, a failed condition); only to observers that ask. */
  failed?: string;
};
export type DynamoRequestObserver = {
  onRequest(record: DynamoRequestRecord): void;
  /** Ask DynamoDB for `ReturnConsumedCapacity: TOTAL` on every request while this observer is registered. */
  consumedCapacity?: boolean;
  /** Also report requests that failed (e.g. a transaction cancelled by a lost race), with `failed` set. */
  failures?: boolean;
};

const observers = new Set<DynamoRequestObserver>();

/**
 * Opt-in request counting (used by `npm run bench`): every client made by `makeDynamoClient` reports
 * each command to the observers registered here. With no observer the middleware only calls `next`.
 * Returns a function that removes the observer.
 */
export const observeDynamoRequests = (observer: DynamoRequestObserver): (() => void) => {
  observers.add(observer);
  return () => void observers.delete(observer);
};

type Consumed = { TableName?: string; CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
const WRITES = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/;

const consumedOf = (command: string, output: unknown) => {
  const raw = (output as { ConsumedCapacity?: Consumed | Consumed[] } | undefined)?.ConsumedCapacity;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  // On-demand tables report CapacityUnits only; attribute them by the command's kind.
  const isWrite = WRITES.test(command);
  return list.map((c) => ({
    table: c.TableName ?? '',
    read: c.ReadCapacityUnits ?? (isWrite ? 0 : (c.CapacityUnits ?? 0)),
    write: c.WriteCapacityUnits ?? (isWrite ? (c.CapacityUnits ?? 0) : 0),
  }));
};

/** Adds the observing middleware to a client (and so to every document client built on it). */
export const withRequestObserver = <C extends DynamoDBClient>(client: C): C => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (observers.size === 0) return next(args);
      const command = String(context.commandName ?? 'unknown');
      const input = args.input as Record<string, unknown>;
      if ([...observers].some((o) => o.consumedCapacity) && input.ReturnConsumedCapacity === undefined) {
        args.input = { ...input, ReturnConsumedCapacity: 'TOTAL' };
      }
      const started = performance.now();
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        const failed = {
          command,
          ms: performance.now() - started,
          consumed: [],
          client,
          input: args.input as Record<string, unknown>,
        };
        for (const observer of observers)
          if (observer.failures) observer.onRequest({ ...failed, failed: (error as Error).name ?? 'Error' });
        throw error;
      }
      const record = {
        command,
        ms: performance.now() - started,
        consumed: consumedOf(command, result.output),
        client,
        input: args.input as Record<string, unknown>,
      };
      for (const observer of observers) observer.onRequest(record);
      return result;
    },
    { step: 'initialize', priority: 'low', name: 'leadflowRequestObserver' },
  );
  return client;
};
