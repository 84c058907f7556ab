import { command as counters } from './counters';
import { command as importFile } from './import';
import { command as quote } from './quote';
import { command as report } from './report';
import { command as scoring } from './scoring';
import { command as search } from './search';
import { command as token } from './token';
import { command as webhook } from './webhook';

/** Every subcommand, imported statically so the CLI bundles into one file and starts without a directory scan. */
export const COMMANDS = [counters, importFile, quote, report, scoring, search, token, webhook];
