import { Command } from 'commander';
import { signDevToken } from '../../local/dev-jwt';

const GROUPS = ['rep', 'manager', 'salesops'];

/** `leadflow token --user alice --groups rep,manager`: a token the local server accepts (never the deployed API). */
export const command = new Command('token')
  .description('print a local development token (accepted by `npm start` only)')
  .requiredOption('--user <name>', 'user name (cognito:username)')
  .option('--groups <list>', `comma-separated groups: ${GROUPS.join(', ')}`, 'rep')
  .option('--ttl <seconds>', 'lifetime in seconds', '43200')
  .action(async (options: { user: string; groups: string; ttl: string }) => {
    const groups = options.groups
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    const unknown = groups.filter((g) => !GROUPS.includes(g));
    if (unknown.length > 0) throw new Error(`unknown group(s): ${unknown.join(', ')}; use ${GROUPS.join(', ')}`);
    const ttlSeconds = Number(options.ttl);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new Error(`--ttl must be a positive whole number of seconds, got '${options.ttl}'`);
    process.stdout.write(`${await signDevToken({ user: options.user, groups, ttlSeconds })}\n`);
  });
