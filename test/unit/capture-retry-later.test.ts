import { describe, expect, it } from '@jest/globals';
import { captureLead } from '../../functions/core/capture-lead';
import { RetryLaterError } from '../../functions/core/errors';
import type { CaptureStore } from '../../functions/core/ports';
import { problem } from '../../functions/http/responses';

/**
 * A store that loses every write without saying to whom: the lasting TransactionConflict real
 * DynamoDB can raise and DynamoDB Local never does, so it is stood in for here (a port, not an SDK mock).
 */
const alwaysContended = (): CaptureStore & { writes: number } => {
  const store = {
    writes: 0,
    lookup: async () => ({ holders: [] }),
    createLead: async () => {
      store.writes++;
      return { written: false as const, raced: true as const };
    },
  };
  return store;
};

describe('capture under contention that never clears', () => {
  it('gives up after its budget with a 503 that says when to come back, never a bare 500', async () => {
    const store = alwaysContended();
    const deps = {
      store,
      workflow: { startLifecycle: async () => {} },
      clock: { now: () => new Date('2026-12-01T10:00:00Z') },
      ids: { next: () => 'L1' },
    };
    const request = {
      payload: { email: 'ann@acme.example' },
      channel: 'WEBHOOK' as const,
      source: {
        id: 's',
        kind: 'webhook' as const,
        adapter: 'canonical' as const,
        duplicatePolicy: 'create' as const,
        allowedOrigins: [],
      },
      deliveryId: 'd1',
      actor: { kind: 'source' as const, id: 's', source: 'WEBHOOK' as const },
    };

    const error = await captureLead(deps, request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryLaterError);
    expect(store.writes).toBeGreaterThan(1);
    const response = problem(error, '/webhooks/s');
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(JSON.parse(String(response.body))).toMatchObject({
      status: 503,
      type: 'https://leadflow.dev/problems/retry-later',
      title: 'Service Unavailable',
    });
  });
});
