import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { parseLine, quoteLine } from '../../cli/commands/quote';
import { buildProgram } from '../../cli/main';

const QUOTE = {
  id: 'Q-2026-000007',
  version: 1,
  status: 'draft',
  currency: 'EUR',
  totals: { netMinor: 1_215_000, totalMinor: 1_445_850 },
  approval: { status: 'pending', taskId: 'quote-Q-2026-000007-v1-r1-s0' },
};

describe('leadflow quote', () => {
  it('reads --line SKU:QTY[:DISCOUNT] and refuses anything else, naming the flag', () => {
    expect(parseLine('LF-PRO:10:15', parseLine('ONBOARD:2'))).toEqual([
      { sku: 'ONBOARD', quantity: 2 },
      { sku: 'LF-PRO', quantity: 10, discountPercent: 15 },
    ]);
    expect(parseLine('LF-PRO:1:12.5')).toEqual([{ sku: 'LF-PRO', quantity: 1, discountPercent: 12.5 }]);
    for (const bad of ['LF-PRO', 'LF-PRO:x', 'LF-PRO:1:15%', ':1', 'LF PRO:1'])
      expect(() => parseLine(bad)).toThrow(/SKU:QTY/);
  });

  it('creates and sends through the API with a token minted for --as, and prints one line per quote', async () => {
    const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        const send = req.url?.endsWith('/actions/send');
        res
          .writeHead(send ? 202 : 201, { 'content-type': 'application/json' })
          .end(JSON.stringify(send ? { quote: QUOTE, approvalPending: true } : QUOTE));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => {
      out.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      const program = await buildProgram();
      await program.parseAsync(
        ['quote', 'create', 'L1', '--line', 'LF-PRO:10:15', '--line', 'ONBOARD:2', '--api', api, '--as', 'bob'],
        { from: 'user' },
      );
      await (await buildProgram()).parseAsync(['quote', 'send', QUOTE.id, '--api', api], { from: 'user' });
    } finally {
      process.stdout.write = write;
      server.close();
    }
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /leads/L1/quotes',
      `POST /quotes/${QUOTE.id}/actions/send`,
    ]);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      lines: [
        { sku: 'LF-PRO', quantity: 10, discountPercent: 15 },
        { sku: 'ONBOARD', quantity: 2 },
      ],
    });
    const claims = JSON.parse(Buffer.from(String(seen[0]?.auth).split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'bob' });
    expect(out.join('')).toBe(
      `${quoteLine(QUOTE)}\n202 ${quoteLine(QUOTE)}\nwaits on approval: send again once it is approved\n`,
    );
    expect(quoteLine(QUOTE)).toBe(
      'Q-2026-000007 v1 · draft · EUR total 1445850 (net 1215000, minor units) · approval pending (task quote-Q-2026-000007-v1-r1-s0)',
    );
  });
});
