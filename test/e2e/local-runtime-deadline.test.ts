import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { client } from '../support/runtime';

const DEADLINE_MS = 3000;
let dynamodb: DynamoDbLocal;
let rt: LocalRuntime;

// A DynamoDB Local of this file's own: pausing the shared one would stall every other test file.
beforeAll(async () => {
  dynamodb = await startDynamoDbLocal();
  rt = await startLocalRuntime({
    port: 0,
    dynamodbEndpoint: dynamodb.endpoint,
    tableName: `deadline-${ulid().toLowerCase()}`,
    requestDeadlineMs: DEADLINE_MS,
  });
}, 300_000);
afterAll(async () => {
  if (dynamodb?.pid) process.kill(dynamodb.pid, 'SIGCONT');
  await rt?.stop();
  await dynamodb?.stop();
}, 60_000);

describe('a stalled store', () => {
  it('answers 503 problem+json with Retry-After at the request deadline instead of hanging, and serves again once the store is back', async () => {
    const api = client(rt);
    // A lead read is a GetItem each time (nothing cached), so it needs the store.
    const readLead = () => api.request('GET', `/leads/${ulid()}`, { as: ['maria', 'manager'] });
    expect((await readLead()).status).toBe(404);
    const pid = dynamodb.pid;
    if (pid === undefined) throw new Error('DynamoDB Local has no pid');

    process.kill(pid, 'SIGSTOP');
    const started = Date.now();
    let stalled: Awaited<ReturnType<typeof api.request>>;
    try {
      stalled = await readLead();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const took = Date.now() - started;

    expect(stalled.status).toBe(503);
    expect(stalled.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(stalled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(stalled.body).toMatchObject({ status: 503, type: expect.stringContaining('timeout') });
    expect(took).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    // The deadline, plus room for a machine shared by many processes; without one the request never ends.
    expect(took).toBeLessThan(DEADLINE_MS + 5000);

    expect((await readLead()).status).toBe(404);
  }, 300_000);
});
