import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index';

/** The program with every subcommand of cli/commands/. */
export const buildProgram = async (): Promise<Command> => {
  const program = new Command('leadflow')
    .description('leadflow command line: local tokens, bulk import and more')
    .showHelpAfterError();
  for (const command of COMMANDS) program.addCommand(command);
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
