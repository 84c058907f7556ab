import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { describe, expect, it } from '@jest/globals';
import { defaultApiUrl, parseApiUrl } from '../../cli/api-option';
import { buildProgram } from '../../cli/main';

const run = promisify(execFile);
const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

const allCommands = (c: Command): Command[] => [c, ...c.commands.flatMap(allCommands)];

/** A receiver on a free loopback port that records the first request it gets. */
const receiver = async () => {
  const got: { path?: string; headers?: IncomingHttpHeaders } = {};
  const server = createServer((req, res) => {
    got.path = req.url;
    got.headers = req.headers;
    req.resume();
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"created"}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { got, port: (server.address() as AddressInfo).port, close: () => server.close() };
};

describe('where the CLI sends its calls', () => {
  it('takes LEADFLOW_API_URL first, then the local runtime on PORT, then :3000', () => {
    expect(defaultApiUrl({ LEADFLOW_API_URL: 'https://api.example', PORT: '4000' })).toBe('https://api.example');
    expect(defaultApiUrl({ PORT: '4000' })).toBe('http://127.0.0.1:4000');
    expect(defaultApiUrl({})).toBe('http://127.0.0.1:3000');
  });

  it('refuses an --api that is not an http(s) URL and names the flag to fix', () => {
    expect(() => parseApiUrl('localhost:3000')).toThrow(/--api http:\/\/host:port/);
    expect(() => parseApiUrl('not a url')).toThrow(/--api/);
    expect(parseApiUrl('http://127.0.0.1:4000/')).toBe('http://127.0.0.1:4000');
  });

  it('gives every subcommand that calls the API the same --api option and default', async () => {
    const withApi = allCommands(await buildProgram()).filter((c) => c.options.some((o) => o.long === '--api'));
    expect(withApi.map((c) => c.name()).sort()).toEqual(
      [
        'backfill',
        'create',
        'import',
        'list',
        'model',
        'rebuild',
        'report',
        'send',
        'status',
        'train',
        'webhook',
      ].sort(),
    );
    for (const c of withApi)
      expect(c.options.find((o) => o.long === '--api')?.defaultValue).toBe(parseApiUrl(defaultApiUrl()));
  });

  it('sends a webhook to the runtime on PORT when no --api is given, through the compiled command', async () => {
    await run(process.execPath, ['--import', 'tsx', 'scripts/build-cli.ts']);
    const r = await receiver();
    try {
      const env = { ...process.env, PORT: String(r.port), LEADFLOW_API_URL: '' };
      const { stdout } = await run(
        process.execPath,
        ['bin/leadflow.js', 'webhook', 'campaign-demo', '{"email":"x@example.com"}', '--secret', SECRET],
        { env },
      );
      expect(stdout).toContain('202');
      expect(r.got.path).toBe('/webhooks/campaign-demo');
      expect(r.got.headers?.['webhook-signature']).toMatch(/^v1,/);
    } finally {
      r.close();
    }
  }, 60_000);
});
