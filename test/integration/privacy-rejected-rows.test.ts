import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeBatchedCaptureStore } from '../../functions/adapters/import-capture-store';
import { makeImportRepository } from '../../functions/adapters/import-repository';
import { keys } from '../../functions/adapters/keys';
import { makePrivacyRepository } from '../../functions/adapters/privacy-repository';
import { makeKeyHasher } from '../../functions/adapters/suppression';
import { continueErasure, emptyCounts, erasedEvent, parseSubject } from '../../functions/core/privacy/erasure';
import { makePrivacyEventsHandler } from '../../functions/privacy-events/handler';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { makeImportsApi } from '../../functions/imports-api/handler';
import { apiCaller } from '../support/api-call';
import { freshTable } from '../support/table';

const source: SourceConfig = {
  id: 'tradeshow',
  kind: 'import',
  adapter: 'canonical',
  duplicatePolicy: 'reject',
  allowedOrigins: [],
};
const NOW = new Date('2026-12-07T03:00:00Z');
const EMAIL = 'dana.rejected@northwind.example';

describe('a person whose only trace is a rejected import row', () => {
  it('is found by the keyed hash of their e-mail, exported, and erased (row, pointer and import files)', async () => {
    const { db, name } = await freshTable('rejected');
    const hashKey = makeKeyHasher(db, name);
    let n = 0;
    const api = httpHandler(
      makeImportsApi({
        capture: {
          store: makeBatchedCaptureStore(db, name),
          workflow: { startLifecycle: async () => undefined },
          clock: { now: () => NOW },
          ids: { next: () => `L${String(++n).padStart(6, '0')}` },
        },
        store: makeImportRepository(db, name, { now: () => NOW }, hashKey),
        sources: () => [source],
        clock: { now: () => NOW },
      }),
    );
    const call = apiCaller(api, { user: 'alice', groups: ['rep'] });
    const job = await call('POST /imports', {
      fileName: 'fair.csv',
      contentHash: createHash('sha256').update('fair').digest('hex'),
      source: 'tradeshow',
      headers: ['First Name', 'Last Name', 'E-mail', 'Mobile', 'Expected Value'],
    });
    expect(job.status).toBe(201);
    const jobId = String(job.body.jobId);
    // Dana's row is refused for another field (her e-mail is fine); Bob's for his e-mail.
    const rows = await call(
      'POST /imports/{id}/rows',
      {
        rows: [
          { rowNumber: 2, values: ['Dana', 'Reject', 'Dana.Rejected@Northwind.example', '', 'a lot'] },
          { rowNumber: 3, values: ['Bob', 'Ray', 'not-an-email', '', ''] },
        ],
        totalRows: 2,
      },
      jobId,
    );
    expect(rows.body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'rejected']);

    const removed: string[] = [];
    const store = makePrivacyRepository(db, name, { remove: async (b, k) => void removed.push(`${b}:${k}`) }, hashKey);
    const { subject } = parseSubject({ email: EMAIL });
    const holdings = await store.holdings(subject);
    expect(holdings).toEqual({ leadIds: [], contactIds: [], rejectedRows: [{ jobId, rowNumber: 2 }] });
    // The export shows the row as it was refused.
    const held = await store.held(holdings);
    expect(held.map((h) => h.label)).toEqual(['rejected import rows']);
    expect(JSON.stringify(held)).toContain('Dana.Rejected@Northwind.example');

    const before = await db.send(
      new QueryCommand({
        TableName: name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.importJob(jobId).pk },
      }),
    );
    const at = NOW.toISOString();
    const erasure = await store.createErasure({
      id: 'era_rejected',
      status: 'running',
      reason: 'data-subject-request',
      requestedBy: 'dora',
      requestId: 'req-1',
      createdAt: at,
      updatedAt: at,
      targets: [{ on: 'email', hash: await hashKey({ on: 'email', value: EMAIL }) }],
      leadIds: [],
      contactIds: [],
      rejectedRows: holdings.rejectedRows,
      erasedLeadIds: [],
      counts: emptyCounts(),
    });
    const done = await continueErasure(
      {
        store,
        executions: { stop: async () => false },
        events: { publish: async () => undefined },
        clock: { now: () => NOW },
        timeLeftMs: () => 60_000,
      },
      erasure,
      { kind: 'user', id: 'dora', source: 'API' },
    );
    expect(done).toMatchObject({ status: 'done', counts: { recordsDeleted: 1, blobsRemoved: 2 } });
    expect(removed.sort()).toEqual([`imports:import-work/${jobId}/rows.csv`, `imports:imports/${jobId}/fair.csv`]);
    const partition = await db.send(
      new QueryCommand({
        TableName: name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.importJob(jobId).pk },
      }),
    );
    const text = JSON.stringify(partition.Items);
    expect(text.toLowerCase()).not.toContain('dana');
    // Bob's rejected row stays; the job still counts both.
    expect(text).toContain('not-an-email');
    expect((await db.send(new GetCommand({ TableName: name, Key: keys.importJob(jobId) }))).Item?.rejected).toBe(2);
    expect((await store.holdings(subject)).rejectedRows).toBeUndefined();

    // The closing event names the row (ids only); a table restored to before the erasure gets it back,
    // and replaying the archived event erases it again.
    expect(erasedEvent(done, [], at, 0).detail).toMatchObject({ importRows: [{ jobId, rowNumber: 2 }] });
    const rowKey = keys.importRejected(jobId, 2);
    const restoredRow = (before.Items ?? []).find((i) => i.pk === rowKey.pk && i.sk === rowKey.sk);
    expect(JSON.stringify(restoredRow)).toContain('Dana.Rejected');
    await db.send(new PutCommand({ TableName: name, Item: restoredRow }));
    const replay = makePrivacyEventsHandler({
      store,
      executions: { stop: async () => false },
      events: { publish: async () => undefined },
      clock: { now: () => NOW },
      policy: async () => ({}) as never,
      personKeysOf: async () => undefined,
      isSuppressed: async () => false,
      flagPreviouslyErased: async () => undefined,
      replayIdOf: (eventId, replayName) => `era_replay_${replayName}_${eventId.replace(/\W/g, '')}`,
    });
    const event = erasedEvent(done, [], at, 0);
    await replay({ 'detail-type': 'PersonalDataErased', 'replay-name': 'after-restore', detail: event.detail });
    expect((await db.send(new GetCommand({ TableName: name, Key: rowKey }))).Item).toBeUndefined();
  });
});
