import { describe, expect, it } from '@jest/globals';
import { makeSourceResolver } from '../../functions/adapters/source-registry';
import { GoneError, ValidationError } from '../../functions/core/errors';
import {
  catalogOf,
  createSource,
  lookupSource,
  resolveSources,
  type SourceRecord,
  sourceInputIssues,
  sourceInputSchema,
} from '../../functions/core/source-catalog';
import type { SourceConfig } from '../../functions/core/sources';

const base = { adapter: 'canonical' as const, duplicatePolicy: 'create' as const, allowedOrigins: [] as string[] };
const SEED: SourceConfig[] = [
  { ...base, id: 'campaign-demo', kind: 'webhook' },
  { ...base, id: 'contact-us', kind: 'form' },
];
const record = (
  id: string,
  version: number,
  config: Partial<SourceConfig>,
  status: SourceRecord['status'] = 'active',
) =>
  ({
    id,
    version,
    status,
    config: { ...base, id, kind: 'webhook', ...config },
    updatedAt: `2026-12-01T10:00:0${version}.000Z`,
    updatedBy: 'sam',
    change: status === 'retired' ? 'retired' : version === 1 ? 'created' : 'updated',
  }) as SourceRecord;

const issuesOf = (value: unknown) => sourceInputIssues(value).map((i) => i.field);

describe('source input validation', () => {
  it('accepts the seed shape for the kinds sales ops manage, with the same defaults', () => {
    expect(sourceInputSchema.parse({ id: 'partner-y', kind: 'webhook' })).toEqual({
      id: 'partner-y',
      kind: 'webhook',
      adapter: 'canonical',
      duplicatePolicy: 'create',
      allowedOrigins: [],
    });
  });

  it('names each bad field: the id shape, a kind kept in the seed, an unknown field, a chatbot without its bot', () => {
    expect(issuesOf({ id: 'Has Spaces', kind: 'webhook' })).toEqual(['id']);
    expect(issuesOf({ id: 'manual-2', kind: 'api' })).toEqual(['kind']);
    expect(issuesOf({ id: 'x', kind: 'form', secret: 'whsec_x' })).toEqual(['secret']);
    expect(issuesOf({ id: 'bot-1', kind: 'chatbot' })).toEqual(['botId']);
    expect(issuesOf({ id: 'hook', kind: 'webhook', adapter: 'lex-v2' })).toEqual(['adapter']);
    expect(issuesOf({ id: 'f', kind: 'form', redirectUrl: 'not a url' })).toEqual(['redirectUrl']);
  });

  it('refuses a create with a 422 naming the fields and writes nothing', async () => {
    const saved: SourceRecord[] = [];
    const deps = {
      seed: SEED,
      store: {
        list: async () => saved,
        get: async () => undefined,
        save: async (r: SourceRecord) => void saved.push(r),
        abandonCreate: async () => undefined,
        history: async () => [],
      },
      secrets: { create: async () => undefined },
      bus: { publish: async () => undefined },
      clock: { now: () => new Date('2026-12-01T10:00:00Z') },
      ids: { next: () => '00000000-0000-4000-8000-000000000000' },
    };
    const error = await createSource(deps, { id: 'UPPER', kind: 'webhook', duplicatePolicy: 'maybe' }, 'sam').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.issues?.map((i) => i.field).sort()).toEqual(['duplicatePolicy', 'id']);
    expect(saved).toEqual([]);
  });
});

describe('resolving sources from the seed and the stored ones', () => {
  it('lets a stored version replace the seed source of its id, appends created ones, and keeps retired ones apart', () => {
    const stored = [
      record('campaign-demo', 2, { duplicatePolicy: 'reject' }),
      record('contact-us', 1, { kind: 'form' }, 'retired'),
      record('partner-y', 1, {}),
    ];
    const resolved = resolveSources(SEED, stored);
    expect(resolved.active.map((s) => `${s.id}:${s.duplicatePolicy}`)).toEqual([
      'campaign-demo:reject',
      'partner-y:create',
    ]);
    expect(resolved.retired).toEqual([{ id: 'contact-us', kind: 'form', retiredAt: '2026-12-01T10:00:01.000Z' }]);
    expect(catalogOf(SEED, stored).map((e) => `${e.config.id}@${e.version}:${e.origin}:${e.status}`)).toEqual([
      'campaign-demo@2:config:active',
      'contact-us@1:config:retired',
      'partner-y@1:api:active',
    ]);
  });

  it('finds an active source by id and kind, answers 410 for a retired one and nothing for an unknown one', async () => {
    const provider = () => resolveSources(SEED, [record('contact-us', 1, { kind: 'form' }, 'retired')]);
    expect((await lookupSource(provider, 'campaign-demo', 'webhook'))?.id).toBe('campaign-demo');
    expect(await lookupSource(provider, 'campaign-demo', 'form')).toBeUndefined();
    expect(await lookupSource(provider, 'nobody', 'webhook')).toBeUndefined();
    const gone = await lookupSource(provider, 'contact-us', 'form', 'form').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GoneError);
    expect((gone as GoneError).status).toBe(410);
    // The built-ins need no configuration, and a plain list (the seed alone) still works.
    expect((await lookupSource(() => SEED, 'manual', 'api'))?.id).toBe('manual');
  });
});

describe('the capture functions’ source cache', () => {
  const setup = () => {
    let clock = 0;
    let reads = 0;
    let stored: SourceRecord[] = [];
    let failing = false;
    const resolver = makeSourceResolver(
      SEED,
      {
        list: async () => {
          reads++;
          if (failing) throw new Error('table unavailable');
          return stored;
        },
      },
      { maxAgeMs: 10_000, missRefreshMs: 1_000, now: () => clock },
    );
    return {
      resolver,
      reads: () => reads,
      tick: (ms: number) => {
        clock += ms;
      },
      store: (records: SourceRecord[]) => {
        stored = records;
      },
      fail: (on: boolean) => {
        failing = on;
      },
    };
  };

  it('reads once per ten seconds for known ids, so a retirement takes effect within that age', async () => {
    const t = setup();
    await lookupSource(t.resolver, 'campaign-demo', 'webhook');
    t.store([record('campaign-demo', 1, {}, 'retired')]);
    t.tick(9_999);
    expect((await lookupSource(t.resolver, 'campaign-demo', 'webhook'))?.id).toBe('campaign-demo');
    expect(t.reads()).toBe(1);
    t.tick(1);
    await expect(lookupSource(t.resolver, 'campaign-demo', 'webhook')).rejects.toBeInstanceOf(GoneError);
    expect(t.reads()).toBe(2);
  });

  it('re-reads for an unknown id at most once a second, so a new source works at once and a flood of bad ids stays cheap', async () => {
    const t = setup();
    await lookupSource(t.resolver, 'campaign-demo', 'webhook');
    t.store([record('partner-y', 1, {})]);
    t.tick(500);
    expect(await lookupSource(t.resolver, 'partner-y', 'webhook')).toBeUndefined();
    expect(t.reads()).toBe(1);
    t.tick(500);
    expect((await lookupSource(t.resolver, 'partner-y', 'webhook'))?.id).toBe('partner-y');
    for (const id of ['nope-1', 'nope-2', 'nope-3']) await lookupSource(t.resolver, id, 'webhook');
    expect(t.reads()).toBe(2);
  });

  it('serves the last list read while the table cannot be read, and fails when it never could', async () => {
    const t = setup();
    await lookupSource(t.resolver, 'campaign-demo', 'webhook');
    t.fail(true);
    t.tick(20_000);
    expect((await lookupSource(t.resolver, 'campaign-demo', 'webhook'))?.id).toBe('campaign-demo');
    const cold = setup();
    cold.fail(true);
    await expect(lookupSource(cold.resolver, 'campaign-demo', 'webhook')).rejects.toThrow('table unavailable');
  });

  it('shares one read among concurrent lookups', async () => {
    const t = setup();
    await Promise.all(['a', 'b', 'campaign-demo', 'contact-us'].map((id) => lookupSource(t.resolver, id)));
    expect(t.reads()).toBe(1);
  });
});
