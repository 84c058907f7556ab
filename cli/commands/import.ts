import { Command, Option } from 'commander';
import { apiOption } from '../api-option';

/** `leadflow import <file>`: bulk import of a CSV or XLSX lead list through the API. */
export const command = new Command('import')
  .description('import leads from a .csv or .xlsx file (safe to re-run: rows already imported are not imported twice)')
  .argument('<file>', 'a .csv (UTF-8) or .xlsx file whose first row names the columns')
  .option('--source <id>', 'import source (its duplicate policy applies)', 'import')
  .option(
    '--mapping <file>',
    'JSON mapping: {"<header>": "<field>" | "custom:<key>" | null} or {"columns": {…}, "defaults": {…}}',
  )
  .option('--sheet <name>', 'worksheet of an .xlsx file (default: the first)')
  .option('--encoding <name>', 'text encoding of a CSV file', 'utf-8')
  .option('--dry-run', 'validate and write the rejected-rows report without importing', false)
  .option(
    '--wait',
    'local runtime: after the rows are in, wait until every lead is routed and announced, showing the queue',
    false,
  )
  .addOption(apiOption())
  .option('--token <jwt>', 'bearer token (minted automatically for the local runtime)')
  .option('--as <user>', 'local runtime only: the user the import is credited to (default: LEADFLOW_USER, else sam)')
  .addOption(new Option('--batch-size <rows>', 'rows per request').default('100').hideHelp())
  .addOption(new Option('--in-flight <requests>', 'requests in flight at once').default('2').hideHelp())
  .action(
    async (
      file: string,
      options: {
        source: string;
        mapping?: string;
        sheet?: string;
        encoding: string;
        dryRun: boolean;
        wait: boolean;
        api: string;
        token?: string;
        as?: string;
        batchSize: string;
        inFlight: string;
      },
    ) => {
      // Loaded when the command runs: the file readers and validation are heavy for every other `leadflow` call.
      const { EXIT, runImport } = await import('../import/run-import');
      // The CLI's peak memory: an import allocates fast and keeps little (cli/import/heap-growth.ts).
      (await import('../import/heap-growth')).boundHeapGrowth();
      const controller = new AbortController();
      // Ctrl-C finishes the batch in flight, then stops; running the command again resumes.
      const onSigint = () => (controller.signal.aborted ? process.exit(EXIT.interrupted) : controller.abort());
      process.on('SIGINT', onSigint);
      try {
        process.exitCode = await runImport(
          {
            file,
            ...options,
            batchSize: Number(options.batchSize) || undefined,
            inFlight: Number(options.inFlight) || undefined,
          },
          { out: process.stdout, err: process.stderr, signal: controller.signal },
        );
      } finally {
        process.off('SIGINT', onSigint);
      }
    },
  );
