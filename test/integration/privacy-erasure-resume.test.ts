import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { makeLocalBlobUrls } from '../../functions/adapters/attachments-local';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { keys } from '../../functions/adapters/keys';
import { makeLocalPrivacyBlobs } from '../../functions/adapters/privacy-blobs';
import { makePrivacyRepository, privacyKeys } from '../../functions/adapters/privacy-repository';
import { makeKeyHasher } from '../../functions/adapters/suppression';
import { captureLead } from '../../functions/core/capture-lead';
import type { BusEvent } from '../../functions/core/events';
import { continueErasure, type ErasureJob, emptyCounts } from '../../functions/core/privacy/erasure';
import { BUILT_IN_SOURCES } from '../../functions/core/sources';
import { freshTable } from '../support/table';

const EMAIL = 'many.leads@resume.example';

describe('an erasure of a person with many leads', () => {
  it('goes in batches (here of two), stops when time runs short, resumes where it stopped, and counts each lead once', async () => {
    const { db, name } = await freshTable('privacy');
    const source = BUILT_IN_SOURCES[0];
    if (!source) throw new Error('no built-in source');
    const batchSize = 2;
    const total = batchSize + 1;
    const capture = {
      store: makeCaptureRepository(db, name),
      // No workflow here: the leads only need to exist (their executions are the e2e test's business).
      workflow: { startLifecycle: async () => undefined },
      clock: { now: () => new Date() },
      ids: { next: () => ulid() },
    };
    for (let i = 0; i < total; i++)
      await captureLead(capture, {
        payload: { email: EMAIL, firstName: 'Manfred', lastName: `Vielfach-${i}` },
        channel: 'API',
        source,
        deliveryId: `d-${i}`,
        actor: { kind: 'user', id: 'rob', source: 'API' },
      });

    const hashKey = makeKeyHasher(db, name);
    const blobDir = mkdtempSync(join(tmpdir(), 'privacy-'));
    const store = makePrivacyRepository(
      db,
      name,
      makeLocalPrivacyBlobs(blobDir, makeLocalBlobUrls('http://127.0.0.1:1')),
      hashKey,
    );
    const holdings = await store.holdings({ keys: [{ on: 'email', value: EMAIL }], leadIds: [] });
    expect(holdings.leadIds).toHaveLength(total);
    const at = new Date().toISOString();
    const job: ErasureJob = await store.createErasure({
      id: `era_${ulid()}`,
      status: 'running',
      reason: 'data-subject-request',
      requestedBy: 'dora',
      requestId: 'req-1',
      createdAt: at,
      updatedAt: at,
      targets: [],
      ...holdings,
      erasedLeadIds: [],
      counts: emptyCounts(),
    });
    const published: BusEvent[] = [];
    // Plenty of time for one batch, then too little: the invocation must stop and say where it is.
    let checks = 0;
    const deps = {
      store,
      executions: { stop: async () => false },
      events: { publish: async (events: BusEvent[]) => void published.push(...events) },
      clock: { now: () => new Date() },
      timeLeftMs: () => (checks++ === 0 ? 60_000 : 1_000),
      batchSize,
    };
    const actor = { kind: 'user' as const, id: 'dora', source: 'API' as const };

    const first = await continueErasure(deps, job, actor);
    expect(first.status).toBe('running');
    expect(first.erasedLeadIds).toHaveLength(batchSize);
    expect((await store.erasure(job.id))?.erasedLeadIds).toHaveLength(batchSize);

    const resumed = await continueErasure({ ...deps, timeLeftMs: () => 60_000 }, first, actor);
    expect(resumed.status).toBe('done');
    expect(resumed.erasedLeadIds).toHaveLength(total);
    expect(resumed.counts.leads).toBe(total);
    // A repeat (a retried request) changes nothing and counts nothing again.
    const again = await continueErasure({ ...deps, timeLeftMs: () => 60_000 }, resumed, actor);
    expect(again.counts).toEqual(resumed.counts);

    // One event per batch of leads and one closing event: ids only.
    expect(published.map((e) => (e.detail.leadIds as string[]).length)).toEqual([batchSize, 1, 0]);
    expect(JSON.stringify(published)).not.toContain('Manfred');
    // The lookup item is gone, its keyed hash is on the suppression list, every lead is pseudonymised.
    expect(
      (await db.send(new GetCommand({ TableName: name, Key: keys.dedupe({ on: 'email', value: EMAIL }) }))).Item,
    ).toBeUndefined();
    const hash = await hashKey({ on: 'email', value: EMAIL });
    expect(
      (await db.send(new GetCommand({ TableName: name, Key: privacyKeys.suppressed({ on: 'email', hash }) }))).Item,
    ).toBeDefined();
    for (const id of holdings.leadIds) {
      const partition = await db.send(
        new QueryCommand({
          TableName: name,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `LEAD#${id}` },
        }),
      );
      const text = JSON.stringify(partition.Items);
      expect(text).not.toContain('Manfred');
      expect(text).not.toContain(EMAIL);
      expect(text).toContain('personal-data-erased');
    }
  });
});
