import { Command, InvalidArgumentError } from 'commander';
import { apiOption } from '../api-option';
import { type TableOptions, tableFor } from './counters';

const pageSizeOf = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('--page-size must be 1 to 1000');
  return n;
};

const backfill = new Command('backfill')
  .description(
    'write search items for leads that have none (stored before search, or never changed since capture) and follow items for their followers; one-off, paged, resumable',
  )
  .option('--page-size <n>', 'leads read per page (each page is saved as the checkpoint)', pageSizeOf, 200)
  .option('--restart', 'start from the first lead instead of the saved checkpoint')
  .addOption(apiOption('the local runtime, asked for its table when none is given'))
  .option('--endpoint <url>', 'DynamoDB endpoint (DynamoDB Local); unset on AWS')
  .option('--table <name>', 'table name')
  .action(async (options: TableOptions & { pageSize: number; restart?: boolean }) => {
    const { makeSearchIndexer } = await import('../../functions/adapters/search-indexer');
    const { db, table } = await tableFor(options);
    const indexer = makeSearchIndexer(db, table);
    const saved = options.restart ? undefined : await indexer.checkpoint();
    if (saved?.done) {
      process.stdout.write('search backfill: already complete (pass --restart to walk every lead again)\n');
      return;
    }
    let cursor = saved?.next ?? { stage: 0 };
    const started = Date.now();
    const total = { read: 0, indexed: 0, followItems: 0, pages: 0 };
    for (;;) {
      const page = await indexer.backfillPage(cursor, options.pageSize);
      total.read += page.read;
      total.indexed += page.indexed;
      total.followItems += page.followItems;
      total.pages++;
      await indexer.saveCheckpoint(page.next, new Date().toISOString());
      process.stderr.write(`\rsearch backfill: ${total.read} leads read, ${total.indexed} indexed`);
      if (!page.next) break;
      cursor = page.next;
    }
    process.stderr.write('\n');
    process.stdout.write(
      `search backfill: ${saved?.next ? 'resumed; ' : ''}${total.read} leads read, ${total.indexed} indexed, ${total.followItems} follow items, ${total.pages} pages, ${Date.now() - started} ms\n`,
    );
  });

/** `leadflow search backfill`: the one-off migration that makes every stored lead searchable. */
export const command = new Command('search').description('lead search index').addCommand(backfill);
