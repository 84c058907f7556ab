import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { type CaptureDeps, captureLead } from '../../functions/core/capture-lead';
import type { SourceConfig } from '../../functions/core/sources';
import { freshTable } from '../support/table';

const source = (overrides: Partial<SourceConfig> = {}): SourceConfig => ({
  id: 'campaign-x',
  kind: 'webhook',
  adapter: 'canonical',
  duplicatePolicy: 'create',
  allowedOrigins: [],
  // Races below send one body many times on purpose; the same-body window has its own tests.
  sameBodyWindowSeconds: 0,
  ...overrides,
});

const setup = async () => {
  const table = await freshTable('capture');
  const started: string[] = [];
  let n = 0;
  const deps: CaptureDeps = {
    store: makeCaptureRepository(table.db, table.name),
    workflow: { startLifecycle: async (id) => void started.push(id) },
    clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    ids: { next: () => `L${String(++n).padStart(4, '0')}` },
  };
  return { deps, started };
};

const actor = { kind: 'source', id: 'campaign-x', source: 'WEBHOOK' } as const;

describe('capture against DynamoDB Local', () => {
  it('answers the first result when the same delivery arrives three times at once', async () => {
    const { deps, started } = await setup();
    const request = {
      payload: { email: 'Ann@Acme.com' },
      channel: 'WEBHOOK' as const,
      source: source(),
      deliveryId: 'd-1',
      actor,
    };
    const answers = await Promise.all([
      captureLead(deps, request),
      captureLead(deps, request),
      captureLead(deps, request),
    ]);
    expect(new Set(answers.map((a) => a.leadId)).size).toBe(1);
    expect(answers.every((a) => a.status === 'created')).toBe(true);
    expect(new Set(started)).toEqual(new Set([answers[0]?.leadId]));
  });

  it('finds a duplicate by email case and phone format', async () => {
    const { deps } = await setup();
    const first = await captureLead(deps, {
      payload: { email: 'bob@beta.io', phone: '+49 30 1234567' },
      channel: 'API',
      source: source(),
      deliveryId: 'a',
      actor,
    });
    const byEmail = await captureLead(deps, {
      payload: { email: ' BOB@Beta.IO ' },
      channel: 'API',
      source: source(),
      deliveryId: 'b',
      actor,
    });
    const byPhone = await captureLead(deps, {
      payload: { phone: '030 1234567', country: 'de' },
      channel: 'API',
      source: source(),
      deliveryId: 'c',
      actor,
    });
    expect(byEmail.duplicates).toContainEqual({
      kind: 'lead',
      id: first.leadId,
      matchedOn: 'email',
      value: 'bob@beta.io',
      score: 1,
      fields: ['email'],
    });
    expect(byPhone.duplicates).toContainEqual({
      kind: 'lead',
      id: first.leadId,
      matchedOn: 'phone',
      value: '+49301234567',
      score: 1,
      fields: ['phone'],
    });
  });

  it('rejects a duplicate under the reject policy and stores nothing new', async () => {
    const { deps, started } = await setup();
    const first = await captureLead(deps, {
      payload: { email: 'c@gamma.io' },
      channel: 'API',
      source: source({ duplicatePolicy: 'reject' }),
      deliveryId: 'a',
      actor,
    });
    const second = await captureLead(deps, {
      payload: { email: 'C@gamma.io' },
      channel: 'API',
      source: source({ duplicatePolicy: 'reject' }),
      deliveryId: 'b',
      actor,
    });
    expect(second).toMatchObject({ status: 'duplicate', leadId: first.leadId });
    expect(started).toEqual([first.leadId]);
  });

  it('creates exactly one lead when five deliveries of the same person race under the reject policy', async () => {
    const { deps, started } = await setup();
    const strict = source({ duplicatePolicy: 'reject' });
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        captureLead(deps, {
          payload: { email: `Race@Same.example` },
          channel: 'WEBHOOK',
          source: strict,
          deliveryId: `race-${n}`,
          actor,
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 'created')).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'duplicate')).toHaveLength(4);
    expect(started).toHaveLength(1);
  });

  it('lists every earlier lead as a match when captures of the same person race under the create policy', async () => {
    const { deps } = await setup();
    const answers = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        captureLead(deps, {
          payload: { email: 'twin@same.example' },
          channel: 'WEBHOOK',
          source: source(),
          deliveryId: `twin-${n}`,
          actor,
        }),
      ),
    );
    const matchCounts = answers.map((a) => a.duplicates.length).sort();
    expect(matchCounts).toEqual([0, 1, 2, 3]);
  });

  it('captures a burst of 32 different people from one company without a single failure', async () => {
    const { deps, started } = await setup();
    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, n) =>
        captureLead(deps, {
          payload: { email: `p${n}@burstco.example` },
          channel: 'WEBHOOK',
          source: source(),
          deliveryId: `burst-${n}`,
          actor,
        }),
      ),
    );
    expect(answers.every((a) => a.status === 'created')).toBe(true);
    expect(started).toHaveLength(32);
  });
});
