import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from '@jest/globals';
import { makeApiClient } from '../../cli/import/api-client';
import { isDrained, waitForRouting } from '../../cli/import/wait-for-routing';

/** `leadflow import --wait` polls `GET /health` until the local engine's queue is empty. */
let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

const serve = async (answer: (n: number) => unknown) => {
  let n = 0;
  const listening = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer(n++)));
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return makeApiClient(`http://127.0.0.1:${(listening.address() as AddressInfo).port}`, 't', { attempts: 1 });
};

const text = (stream: PassThrough) => stream.read()?.toString() ?? '';

describe('leadflow import --wait', () => {
  it('follows the queue until nothing is queued, running or being delivered, and counts what settled', async () => {
    // Three polls with work left (queued, then running, then a bus delivery), then drained.
    const states = [
      { queued: 4, running: 2, inFlight: 0, settled: 10 },
      { queued: 0, running: 1, inFlight: 0, settled: 15 },
      { queued: 0, running: 0, inFlight: 3, settled: 16 },
      { queued: 0, running: 0, inFlight: 0, settled: 16 },
    ];
    const api = await serve((n) => {
      const s = states[Math.min(n, states.length - 1)] ?? states[0];
      return {
        status: 'ok',
        mode: 'local',
        workflow: {
          queued: s?.queued,
          running: s?.running,
          waitingOnTask: 5,
          settled: s?.settled,
          drainPerSecond: 3,
          drainSeconds: 2,
        },
        bus: { inFlight: s?.inFlight },
      };
    });
    const out = new PassThrough();
    const waited = await waitForRouting(api, out as never, { pollMs: 5, everyMs: 0 });
    expect(waited?.settled).toBe(6);
    const lines = text(out).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('routing: 4 lifecycle(s) queued, 2 running, 3/s, ~2 s left');
  });

  it('answers undefined (nothing to wait for) when the API is not the local runtime', async () => {
    const api = await serve(() => ({ message: 'Not Found' }));
    expect(await waitForRouting(api, new PassThrough() as never, { pollMs: 5 })).toBeUndefined();
  });

  it('counts an event delivery still in flight as work left', () => {
    expect(
      isDrained({
        workflow: { queued: 0, running: 0, waitingOnTask: 9, settled: 1, drainPerSecond: 0, drainSeconds: 0 },
        bus: { inFlight: 1 },
      }),
    ).toBe(false);
    expect(
      isDrained({
        workflow: { queued: 0, running: 0, waitingOnTask: 9, settled: 1, drainPerSecond: 0, drainSeconds: 0 },
        bus: { inFlight: 0 },
      }),
    ).toBe(true);
  });
});
