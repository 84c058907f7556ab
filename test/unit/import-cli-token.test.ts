import { describe, expect, it } from '@jest/globals';
import { buildProgram } from '../../cli/main';
import { verifyDevToken } from '../../local/dev-jwt';

const run = async (args: string[]) => {
  const program = await buildProgram();
  program.exitOverride();
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'leadflow', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out.trim();
};

describe('leadflow token', () => {
  it('prints a token the local server verifies with the user and groups asked for', async () => {
    const token = await run(['token', '--user', 'alice', '--groups', 'rep,manager']);
    const claims = await verifyDevToken(token);
    expect(claims['cognito:username']).toBe('alice');
    expect(claims['cognito:groups']).toEqual(['rep', 'manager']);
  });

  it('rejects a group the user pool does not have', async () => {
    await expect(run(['token', '--user', 'bob', '--groups', 'boss'])).rejects.toThrow(/unknown group\(s\): boss/);
  });
});
