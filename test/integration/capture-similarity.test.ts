import { describe, expect, it } from '@jest/globals';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { keys } from '../../functions/adapters/keys';
import { type CaptureDeps, captureLead } from '../../functions/core/capture-lead';
import type { SourceConfig } from '../../functions/core/sources';
import { freshTable } from '../support/table';

const source = (overrides: Partial<SourceConfig> = {}): SourceConfig => ({
  id: 'fair-2026',
  kind: 'webhook',
  adapter: 'canonical',
  duplicatePolicy: 'create',
  allowedOrigins: [],
  ...overrides,
});

const setup = async (start = '2026-11-23T10:00:00Z') => {
  const table = await freshTable('similar');
  const started: string[] = [];
  let now = new Date(start);
  let n = 0;
  let reads = 0;
  const store = makeCaptureRepository(table.db, table.name);
  const deps: CaptureDeps = {
    store: {
      lookup: (...args) => {
        reads++;
        return store.lookup(...args);
      },
      createLead: (write) => store.createLead(write),
    },
    workflow: { startLifecycle: async (id) => void started.push(id) },
    clock: { now: () => now },
    ids: { next: () => `L${String(++n).padStart(4, '0')}` },
  };
  const capture = (payload: unknown, deliveryId: string, src = source()) =>
    captureLead(deps, { payload, channel: 'WEBHOOK', source: src, deliveryId, actor });
  const stored = async (id: string) =>
    (await table.db.send(new GetCommand({ TableName: table.name, Key: keys.lead(id) }))).Item;
  return {
    capture,
    stored,
    started,
    lookups: () => reads,
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
};

const actor = { kind: 'source', id: 'fair-2026', source: 'WEBHOOK' } as const;
const JON = { firstName: 'Jon', lastName: 'Smith', email: 'jon@acme.example' };
const JONATHAN = { firstName: 'Jonathan', lastName: 'Smith', company: 'ACME Inc.', phone: '+1 415 555 0100' };

describe('similarity matching on capture (DynamoDB Local)', () => {
  it('lists Jonathan Smith, ACME Inc. as a possible duplicate of Jon Smith <jon@acme.example>, in one lookup each', async () => {
    const { capture, stored, lookups } = await setup();
    const first = await capture(JON, 'd1');
    const second = await capture(JONATHAN, 'd2');
    expect(second.status).toBe('created');
    expect(second.duplicates).toEqual([
      expect.objectContaining({
        kind: 'lead',
        id: first.leadId,
        matchedOn: 'similarity',
        fields: ['name', 'company', 'email'],
      }),
    ]);
    const score = second.duplicates[0]?.score ?? 0;
    expect(score).toBeGreaterThanOrEqual(0.8);
    expect(score).toBeLessThan(0.92);
    expect((await stored(second.leadId))?.duplicates).toEqual(second.duplicates);
    // The candidates' fields came with the blocking keys: no read beyond the one lookup per capture.
    expect(lookups()).toBe(2);
  });

  it('under reject: a possible duplicate is stored and listed, a sure one (same phone too) is refused', async () => {
    const { capture } = await setup();
    const strict = source({ duplicatePolicy: 'reject' });
    const first = await capture({ ...JON, phone: '+1 (415) 555-0100' }, 'd1', strict);
    // A different phone: only name and company agree → listed, created.
    const possible = await capture({ ...JONATHAN, phone: '+1 415 555 0199' }, 'd2', strict);
    expect(possible.status).toBe('created');
    expect(possible.duplicates.map((d) => d.id)).toContain(first.leadId);
    // No exact key shared, but company and the phone's local number agree too: a sure duplicate of the first.
    const sure = await capture({ ...JONATHAN, phone: '+1 650 555 0100' }, 'd3', strict);
    expect(sure).toMatchObject({ status: 'duplicate', leadId: first.leadId });
    expect(sure.duplicates[0]).toMatchObject({
      matchedOn: 'similarity',
      fields: ['name', 'company', 'phone', 'email'],
    });
  });

  it('two similar people captured at once under reject with a low block threshold: exactly one stored', async () => {
    const { capture } = await setup();
    const strict = source({ duplicatePolicy: 'reject', duplicateThresholds: { block: 0.8, alert: 0.7 } });
    const answers = await Promise.all([capture(JON, 'r1', strict), capture(JONATHAN, 'r2', strict)]);
    expect(answers.map((a) => a.status).sort()).toEqual(['created', 'duplicate']);
    const created = answers.find((a) => a.status === 'created');
    expect(answers.find((a) => a.status === 'duplicate')?.leadId).toBe(created?.leadId);
  });
});

describe('the same body twice is one delivery', () => {
  it('an identical body under a new delivery id within the window gets the first answer; one lead, one start', async () => {
    const { capture, started, advance } = await setup();
    const body = { email: 'dana@reyes.example', firstName: 'Dana', lastName: 'Reyes' };
    const first = await capture(body, 'click-1');
    advance(0.3);
    const again = await capture({ lastName: 'Reyes', firstName: 'Dana', email: 'dana@reyes.example' }, 'click-2');
    expect(again).toEqual(first);
    expect(new Set(started)).toEqual(new Set([first.leadId]));
  });

  it('two identical bodies at once make one lead', async () => {
    const { capture } = await setup();
    const body = { email: 'greta@nordic.example', firstName: 'Greta', lastName: 'Lindqvist' };
    const answers = await Promise.all([capture(body, 'a'), capture(body, 'b'), capture(body, 'c')]);
    expect(new Set(answers.map((a) => a.leadId)).size).toBe(1);
    expect(answers.every((a) => a.status === 'created')).toBe(true);
  });

  it('after the window, or with another body, or from another source, it is a new delivery', async () => {
    const { capture, advance } = await setup();
    const body = { email: 'ann@acme.example' };
    const first = await capture(body, 'x1', source({ sameBodyWindowSeconds: 60 }));
    const otherSource = await capture(body, 'x2', source({ id: 'other' }));
    expect(otherSource.leadId).not.toBe(first.leadId);
    const otherBody = await capture({ ...body, firstName: 'Ann' }, 'x3', source({ sameBodyWindowSeconds: 60 }));
    expect(otherBody.leadId).not.toBe(first.leadId);
    advance(61);
    const later = await capture(body, 'x4', source({ sameBodyWindowSeconds: 60 }));
    expect(later.leadId).not.toBe(first.leadId);
    // And the window starts again from that one.
    advance(1);
    expect((await capture(body, 'x5', source({ sameBodyWindowSeconds: 60 }))).leadId).toBe(later.leadId);
  });
});
