import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeImportRepository } from '../../functions/adapters/import-repository';
import { keys } from '../../functions/adapters/keys';
import { makePrivacyRepository } from '../../functions/adapters/privacy-repository';
import { makeKeyHasher } from '../../functions/adapters/suppression';
import { captureLead } from '../../functions/core/capture-lead';
import type { ImportJob } from '../../functions/core/import/import-job';
import { type PrivacyPolicy, privacyConfig } from '../../functions/core/privacy/privacy-config';
import { BUILT_IN_SOURCES } from '../../functions/core/sources';
import { makeRetentionSweepHandler, RETENTION_ACTOR } from '../../functions/retention-sweep/handler';
import { freshTable } from '../support/table';

const NOW = new Date('2026-12-07T03:00:00.000Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

describe('the scheduled retention sweep', () => {
  it('anonymises idle leads and deletes import files and rejected rows past their days, by the configuration at run time', async () => {
    const { db, name } = await freshTable('retention');
    const source = BUILT_IN_SOURCES[0];
    if (!source) throw new Error('no built-in source');

    // A lead untouched for eight months, and a fresh one.
    const capture = (at: Date, email: string) =>
      captureLead(
        {
          store: makeCaptureRepository(db, name),
          workflow: { startLifecycle: async () => undefined },
          clock: { now: () => at },
          ids: { next: () => ulid() },
        },
        {
          payload: { email, firstName: 'Rita', lastName: 'Retention' },
          channel: 'API',
          source,
          deliveryId: `d-${email}`,
          actor: { kind: 'user', id: 'rob', source: 'API' },
        },
      );
    const idle = await capture(daysAgo(240), 'rita.idle@retention.example');
    const fresh = await capture(daysAgo(3), 'rita.fresh@retention.example');
    const idleId = String((idle as { leadId?: string }).leadId);
    const freshId = String((fresh as { leadId?: string }).leadId);

    // Two imports, 40 and 10 days old, each with a rejected row holding someone's raw values.
    const imports = async (ageDays: number) => {
      const jobId = `imp-${ulid().toLowerCase().padEnd(32, '0').slice(0, 32)}`;
      const at = daysAgo(ageDays);
      const store = makeImportRepository(db, name, { now: () => at });
      const job: ImportJob = {
        jobId,
        sourceId: 'csv-import',
        fileName: 'fair leads.csv',
        contentHash: 'h',
        headers: ['email'],
        mapping: {} as never,
        createdAt: at.toISOString(),
        createdBy: { kind: 'user', id: 'rob', source: 'API' },
        counts: { created: 0, duplicates: 0, rejected: 0, possibleDuplicates: 0 },
      };
      await store.createJob(job);
      await store.recordOutcomes(
        jobId,
        [{ rowNumber: 2, status: 'rejected', issues: [{ field: 'email', reason: 'not a valid email address' }] }],
        new Map([[2, ['rita.rejected@@retention.example']]]),
      );
      return jobId;
    };
    const old = await imports(40);
    const recent = await imports(10);

    const removed: string[] = [];
    const hashKey = makeKeyHasher(db, name);
    const store = makePrivacyRepository(
      db,
      name,
      // Locally there are no import files (rows are posted); the port records what S3 would be told to delete.
      { remove: async (bucket, key) => void removed.push(`${bucket}:${key}`) },
      hashKey,
    );
    let policy: PrivacyPolicy = {
      ...privacyConfig.defaultValue,
      retention: { ...privacyConfig.defaultValue.retention, anonymiseIdleAfterMonths: 6 },
    };
    const published: unknown[] = [];
    const sweep = makeRetentionSweepHandler({
      store,
      executions: { stop: async () => false },
      events: { publish: async (events) => void published.push(...events) },
      clock: { now: () => NOW },
      policy: async () => ({ version: 3, value: policy }),
      newErasureId: () => `era_${ulid()}`,
    });
    const rejectedRows = async (jobId: string) =>
      (
        await db.send(
          new QueryCommand({
            TableName: name,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
            ExpressionAttributeValues: { ':pk': keys.importJob(jobId).pk, ':r': 'REJECTED#' },
          }),
        )
      ).Items ?? [];
    const register = async () =>
      (
        await db.send(
          new QueryCommand({
            TableName: name,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'RETENTION#IMPORTS' },
          }),
        )
      ).Items ?? [];
    expect((await register()).map((i) => i.jobId)).toEqual([old, recent]);

    const first = await sweep({});
    expect(first).toMatchObject({
      policyVersion: 3,
      leads: 1,
      erasure: { status: 'done' },
      imports: { jobs: 1, blobsRemoved: 2, rejectedRowsDeleted: 1 },
    });
    // The idle lead is anonymised under the retention actor; the fresh one is untouched.
    const idleAfter = (await db.send(new GetCommand({ TableName: name, Key: keys.lead(idleId) }))).Item;
    expect(idleAfter?.erased).toBeDefined();
    expect(idleAfter?.email).toBeUndefined();
    const erasure = (
      await db.send(
        new GetCommand({ TableName: name, Key: { pk: `PRIVACY#ERASURE#${first.erasure?.id}`, sk: 'ERASURE' } }),
      )
    ).Item;
    expect(erasure).toMatchObject({ reason: 'retention', requestedBy: RETENTION_ACTOR.id });
    expect((await db.send(new GetCommand({ TableName: name, Key: keys.lead(freshId) }))).Item?.email).toBe(
      'rita.fresh@retention.example',
    );
    // The 40-day-old import lost its file, its normalised copy and its rejected row; its counters stay.
    expect(removed.sort()).toEqual([`imports:import-work/${old}/rows.csv`, `imports:imports/${old}/fair_leads.csv`]);
    expect(await rejectedRows(old)).toEqual([]);
    const oldJob = (await db.send(new GetCommand({ TableName: name, Key: keys.importJob(old) }))).Item;
    expect(oldJob).toMatchObject({ rejected: 1, filesDeletedAt: NOW.toISOString() });
    expect(oldJob?.rejectedRowsDeletedAt).toBe(NOW.toISOString());
    expect(await rejectedRows(recent)).toHaveLength(1);
    expect((await register()).map((i) => i.jobId)).toEqual([recent]);

    // A repeat finds nothing more to do.
    expect(await sweep({})).toMatchObject({ leads: 0, imports: { jobs: 0 } });

    // Sales ops shortens the rejected-rows period at run time: the next sweep applies it, no deploy.
    policy = { ...policy, retention: { ...policy.retention, deleteRejectedRowsAfterDays: 7 } };
    removed.length = 0;
    expect(await sweep({})).toMatchObject({ imports: { jobs: 1, blobsRemoved: 0, rejectedRowsDeleted: 1 } });
    expect(await rejectedRows(recent)).toEqual([]);
    expect(removed).toEqual([]);
    // Its file is kept until its own days are up; the register remembers what went.
    expect(await register()).toEqual([
      expect.objectContaining({ jobId: recent, rejectedRowsDeletedAt: NOW.toISOString() }),
    ]);
    expect(JSON.stringify(published)).not.toContain('retention.example');
  });
});
