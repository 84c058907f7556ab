import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, it } from '@jest/globals';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { expect } from '../support/expect';
import { useTestRuntime } from '../support/runtime';

const { rt, api } = useTestRuntime();

/** A raw request with a Host header of our choosing (fetch does not let a caller set Host). */
const withHost = (host: string, method: string, path: string, body = '', headers: Record<string, string> = {}) =>
  new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: rt.port,
        method,
        path,
        headers: { host, 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** This machine's first address that is not loopback (where a neighbour on the network would connect). */
const externalAddress = () => {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4');
  if (!found) throw new Error('this machine has no non-loopback IPv4 address to check the binding against');
  return found.address;
};

const connects = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 5000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

describe('request bodies over API Gateway’s 10 MiB limit', () => {
  // Each upload goes on a fresh connection (the 413 closes its own), so what is measured is the answer
  // to the body, not a keep-alive socket the server may be closing at that moment.
  it.each([11, 50])('answers %i MiB with 413 problem+json, not a connection reset, and stores nothing', async (mib) => {
    const before = rt.bus.log.length;
    const res = await fetch(`${rt.url}/webhooks/campaign-demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(mib * 1024 * 1024, 0x20),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 413,
      title: 'Payload Too Large',
      type: expect.stringContaining('payload-too-large'),
    });
    expect(rt.bus.log.length).toBe(before);
    // The connection that carried the 413 did not take the server down with it.
    expect((await withHost(`127.0.0.1:${rt.port}`, 'GET', '/health')).status).toBe(200);
  });
});

describe('DNS rebinding: only loopback Host names are served', () => {
  it.each(['evil.example', `rebind.attacker.example:${3000}`, '192.0.2.10', 'localhost.evil.example'])(
    'refuses Host %s on /_local/token with 421 problem+json',
    async (host) => {
      const res = await withHost(host, 'POST', '/_local/token', JSON.stringify({ user: 'mallory', groups: ['admin'] }));
      expect(res.status).toBe(421);
      expect(res.type).toBe('application/problem+json');
      expect(res.text).not.toContain('token":');
    },
  );

  it('refuses the AWS endpoint (Secrets Manager, PutEvents) to a foreign Host and changes nothing', async () => {
    const before = (await api.events()).length;
    const secret = await withHost(
      'evil.example',
      'POST',
      '/',
      JSON.stringify({ SecretId: 'leadflow/webhooks/campaign-demo' }),
      { 'x-amz-target': 'secretsmanager.GetSecretValue' },
    );
    expect(secret.status).toBe(421);
    expect(secret.text).not.toContain('SecretString');
    const own = await withHost(
      `localhost:${rt.port}`,
      'POST',
      '/',
      JSON.stringify({ SecretId: 'leadflow/webhooks/campaign-demo' }),
      { 'x-amz-target': 'secretsmanager.GetSecretValue' },
    );
    expect(own.text).toContain('SecretString');
    const put = await withHost(
      'evil.example',
      'POST',
      '/',
      JSON.stringify({ Entries: [{ Source: 'leadflow', DetailType: 'LeadCreated', Detail: '{}' }] }),
      { 'x-amz-target': 'AWSEvents.PutEvents' },
    );
    expect(put.status).toBe(421);
    expect((await api.events()).length).toBe(before);
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('serves Host %s with or without a port', async (name) => {
    for (const host of [name, `${name}:${rt.port}`]) {
      const res = await withHost(host, 'POST', '/_local/token', JSON.stringify({ user: 'alice' }));
      expect(res.status, host).toBe(200);
      expect(JSON.parse(res.text).token).toEqual(expect.any(String));
    }
  });
});

describe('everything the runtime starts listens on loopback only', () => {
  it('the HTTP server answers on 127.0.0.1 and refuses connections on the machine’s network address', async () => {
    expect(await connects('127.0.0.1', rt.port)).toBe(true);
    expect(await connects(externalAddress(), rt.port)).toBe(false);
  });

  it('DynamoDB Local answers on 127.0.0.1 and refuses connections on the machine’s network address', async () => {
    const port = Number(new URL(testDynamoEndpoint()).port);
    expect(await connects('127.0.0.1', port)).toBe(true);
    expect(await connects(externalAddress(), port)).toBe(false);
  });
});
