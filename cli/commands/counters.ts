import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { CountableEvent } from '../../functions/core/reports/counters';
import { apiOption } from '../api-option';

// The SDK and the adapters load only when a command runs: every `leadflow` invocation loads this module.
const adapters = async () => {
  const [clients, counters, consumer, reports] = await Promise.all([
    import('../../functions/adapters/aws-clients'),
    import('../../functions/adapters/counters-repository'),
    import('../../functions/analytics-counters/handler'),
    import('../../functions/core/reports/reports'),
  ]);
  return { ...clients, ...counters, ...consumer, ...reports };
};

export type TableOptions = { endpoint?: string; table?: string; api: string };

/**
 * The table a command works on: `--endpoint`/`--table`, else DYNAMODB_ENDPOINT/TABLE_NAME, else what
 * the local runtime says at GET /_local/info. On AWS, leave the endpoint unset and set TABLE_NAME.
 */
export const tableFor = async (options: TableOptions) => {
  let endpoint = options.endpoint ?? process.env.DYNAMODB_ENDPOINT;
  let table = options.table ?? process.env.TABLE_NAME;
  if (!table || (!endpoint && !process.env.AWS_REGION)) {
    const info = await fetch(`${options.api}/_local/info`)
      .then((r) => (r.ok ? (r.json() as Promise<{ tableName?: string; dynamodbEndpoint?: string }>) : undefined))
      .catch(() => undefined);
    endpoint ??= info?.dynamodbEndpoint;
    table ??= info?.tableName;
  }
  if (!table)
    throw new Error(
      'which table? pass --table (and --endpoint for DynamoDB Local), or set TABLE_NAME (and DYNAMODB_ENDPOINT)',
    );
  const { makeDocumentClient, makeDynamoClient } = await import('../../functions/adapters/aws-clients');
  return { db: makeDocumentClient(makeDynamoClient(endpoint)), table };
};

/** The archive: a JSON-lines file of bus envelopes, or the local runtime's bus log. */
const archivedEvents = async (options: { archive?: string; api: string }): Promise<unknown[]> => {
  if (options.archive) {
    const text = await readFile(options.archive, 'utf8');
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as unknown);
  }
  const res = await fetch(`${options.api}/_local/events`);
  if (!res.ok) throw new Error(`GET ${options.api}/_local/events answered ${res.status}`);
  return (await res.json()) as unknown[];
};

const within = (from: string, to: string) => (e: CountableEvent) =>
  e.detail.occurredAt.slice(0, 10) >= from && e.detail.occurredAt.slice(0, 10) <= to;

const rebuild = new Command('rebuild')
  .description('rebuild the analytics counters from the event archive into a new generation, then switch reports to it')
  .requiredOption(
    '--from <date>',
    'first day of events to replay (YYYY-MM-DD); use the start of the archive for a full rebuild',
  )
  .option('--to <date>', 'last day of events to replay (YYYY-MM-DD)', new Date().toISOString().slice(0, 10))
  .option(
    '--archive <file>',
    'a JSON-lines file of bus events (the local runtime keeps one at $LEADFLOW_DATA_DIR/events.jsonl)',
  )
  .addOption(apiOption('the local runtime, whose bus log is read when no --archive is given'))
  .option('--endpoint <url>', 'DynamoDB endpoint (DynamoDB Local); unset on AWS')
  .option('--table <name>', 'table name')
  .action(
    async (options: { from: string; to: string; archive?: string; api: string; endpoint?: string; table?: string }) => {
      const { daysBetween, makeCountersRepository, countableOf } = await adapters();
      daysBetween(options.from, options.to, 100_000);
      const { db, table } = await tableFor(options);
      const repo = makeCountersRepository(db, table);
      const started = Date.now();
      const read = async () =>
        (await archivedEvents(options)).map(countableOf).filter(within(options.from, options.to));
      const result = await repo.rebuild(await read());
      // Events that arrived while rebuilding went to the old generation: apply them again (counted once).
      let caughtUp = 0;
      if (!options.archive) for (const e of await read()) if ((await repo.apply(e)) === 'counted') caughtUp++;
      process.stdout.write(
        `counters rebuilt: generation ${result.generation}, ${result.events} events, ${result.counters} counters, ${caughtUp} caught up, ${Date.now() - started} ms\n`,
      );
    },
  );

const status = new Command('status')
  .description('show which counters generation reports read')
  .addOption(apiOption('the local runtime'))
  .option('--endpoint <url>', 'DynamoDB endpoint (DynamoDB Local); unset on AWS')
  .option('--table <name>', 'table name')
  .action(async (options: TableOptions) => {
    const { makeCountersRepository } = await adapters();
    const { db, table } = await tableFor(options);
    process.stdout.write(`counters generation ${await makeCountersRepository(db, table).generation()}\n`);
  });

/** `leadflow counters rebuild --from 2026-01-01 [--to …]`. */
export const command = new Command('counters')
  .description('analytics counters behind the reports')
  .addCommand(rebuild)
  .addCommand(status);
