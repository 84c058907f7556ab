import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';

const COMMANDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'commands');

/** The program, with every module in cli/commands/ that exports `command` (a commander Command) added to it. */
export const buildProgram = async (): Promise<Command> => {
  const program = new Command('leadflow').description('leadflow command line: local tokens, bulk import and more').showHelpAfterError();
  const files = (await readdir(COMMANDS_DIR)).filter((f) => /\.ts$/.test(f) && !f.endsWith('.test.ts') && !f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(COMMANDS_DIR, file)).href)) as { command?: unknown };
    if (mod.command instanceof Command) program.addCommand(mod.command);
  }
  return program;
};

/** Runs the CLI and resolves the exit status (commands set `process.exitCode` for their own outcomes). */
export const main = async (argv: string[]): Promise<number> => {
  const program = await buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`leadflow: ${(error as Error).message}\n`);
    return 1;
  }
};
