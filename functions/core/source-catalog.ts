import * as z from 'zod';
import { lazySchema } from './lazy-schema';
import { ConflictError, type FieldIssue, fieldIssuesOf, GoneError, NotFoundError, ValidationError } from './errors';
import { makeEvent } from './events';
import type { Clock, EventPublisher, IdGenerator } from './ports';
import { BUILT_IN_SOURCES, type SourceConfig, sourceConfigSchema } from './sources';
import { newWebhookSecret } from './webhook-secret-rotation';

/**
 * Sources at run time. `leadflow.config.json` is the seed (version 0 of each source it names); sales
 * ops create, edit and retire sources through the API, each change a new version stored with who and
 * when. A stored source replaces the seed source of the same id; a retired one stays stored (with its
 * history) and answers captures with 410.
 */

/** Kinds sales ops manage at run time; `api` sources (POST /leads?source=) stay in the seed. */
export const RUNTIME_SOURCE_KINDS = ['webhook', 'form', 'chatbot', 'import'] as const;

/** What the API accepts for a source: the seed's schema, strict (a misspelt field is a 422, not silently dropped). */
export const sourceInputSchema = lazySchema(() =>
  z
    .object({
      ...sourceConfigSchema.unwrap().shape,
      kind: z.enum(RUNTIME_SOURCE_KINDS),
    })
    .strict()
    .refine((s) => s.kind !== 'chatbot' || s.botId, {
      message: 'a chatbot source names its Lex bot (botId)',
      path: ['botId'],
    })
    .refine((s) => s.kind === 'chatbot' || s.adapter !== 'lex-v2', {
      message: 'the lex-v2 adapter is for chatbot sources',
      path: ['adapter'],
    }),
);
export type SourceInput = z.infer<typeof sourceInputSchema>;

export type SourceStatus = 'active' | 'retired';

/** One version of a source as stored: the configuration and who made it so. Never a secret. */
export type SourceRecord = {
  id: string;
  /** 1 for the first stored version; the seed is version 0 and is never stored. */
  version: number;
  status: SourceStatus;
  config: SourceConfig;
  updatedAt: string;
  updatedBy: string;
  /** What this version did. */
  change: SourceChange;
};
export type SourceChange = 'created' | 'updated' | 'retired';

/** Port: the stored sources. Writes are conditional on the version read, so one of two racing edits wins. */
export type SourceCatalogStore = {
  /** Every stored source's current version (a handful: one partition, one Query). */
  list(options?: { consistent?: boolean }): Promise<SourceRecord[]>;
  get(id: string): Promise<SourceRecord | undefined>;
  /**
   * Stores `record` as the current version (and in the history, with an audit entry), provided the
   * current stored version is still `record.version - 1` (none stored when that is 0); otherwise
   * throws {@link ConflictError}.
   */
  save(record: SourceRecord): Promise<void>;
  /** Undoes a `created` save whose secret could not be made, and audits why. */
  abandonCreate(record: SourceRecord, reason: string): Promise<void>;
  /** The source's versions, newest first. */
  history(id: string, limit: number): Promise<SourceRecord[]>;
};

/** Port: makes a new webhook source's secret (Secrets Manager `CreateSecret` under the webhook prefix). */
export type WebhookSecretCreator = {
  /** Stores `secret` as the source's first secret; `token` (a UUID) makes a retried call store it once. */
  create(sourceId: string, secret: string, token: string): Promise<void>;
};

/** The sources in force: the seed's, each replaced by its stored version; retired ones apart. */
export type ResolvedSources = {
  active: SourceConfig[];
  retired: { id: string; kind: SourceConfig['kind']; retiredAt: string }[];
};

/** A source as sales ops see it in a list: its configuration and where it stands. */
export type CatalogEntry = {
  config: SourceConfig;
  origin: 'config' | 'api';
  status: SourceStatus;
  version: number;
  updatedAt?: string;
  updatedBy?: string;
};

/** Seed first, in its order, each replaced by its stored version; then sources created at run time, by id. */
export const catalogOf = (seed: readonly SourceConfig[], stored: readonly SourceRecord[]): CatalogEntry[] => {
  const byId = new Map(stored.map((r) => [r.id, r]));
  const entry = (r: SourceRecord, origin: CatalogEntry['origin']): CatalogEntry => ({
    config: r.config,
    origin,
    status: r.status,
    version: r.version,
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
  });
  const seeded = seed.map((s) => {
    const r = byId.get(s.id);
    return r ? entry(r, 'config') : { config: s, origin: 'config' as const, status: 'active' as const, version: 0 };
  });
  const seedIds = new Set(seed.map((s) => s.id));
  const created = stored
    .filter((r) => !seedIds.has(r.id))
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => entry(r, 'api'));
  return [...seeded, ...created];
};

export const resolveSources = (seed: readonly SourceConfig[], stored: readonly SourceRecord[]): ResolvedSources => {
  const catalog = catalogOf(seed, stored);
  return {
    active: catalog.filter((e) => e.status === 'active').map((e) => e.config),
    retired: catalog
      .filter((e) => e.status === 'retired')
      .map((e) => ({ id: e.config.id, kind: e.config.kind, retiredAt: e.updatedAt ?? '' })),
  };
};

export type CatalogDeps = {
  seed: readonly SourceConfig[];
  store: SourceCatalogStore;
  secrets: WebhookSecretCreator;
  bus: EventPublisher;
  clock: Clock;
  /** Secret creation tokens: 32 to 64 characters (a UUID), as Secrets Manager's ClientRequestToken requires. */
  ids: IdGenerator;
  /** @default newWebhookSecret */
  newSecret?: () => string;
};

export type ChangeResult = {
  record: SourceRecord;
  /** A new webhook source's first secret: answered once, never readable again. */
  secret?: string;
  /** What could not follow the stored change (the change stands). */
  failures: { step: 'event'; error: unknown }[];
};

/** The field issues of a source body: dotted paths under `prefix`, one per unknown field (named, not `body`). */
export const sourceInputIssues = (value: unknown, prefix: string[] = []): FieldIssue[] => {
  const parsed = sourceInputSchema.safeParse(value);
  if (parsed.success) return [];
  const issues = parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: [...prefix, ...i.path, key], message: 'is not a source setting' }))
      : [{ path: [...prefix, ...i.path], message: i.message }],
  );
  return fieldIssuesOf(issues).map((i) =>
    i.field === 'body' && prefix.length ? { ...i, field: prefix.join('.') } : i,
  );
};

const parseInput = (value: unknown, prefix: string[] = []): SourceInput => {
  const parsed = sourceInputSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError(sourceInputIssues(value, prefix));
  return parsed.data;
};

const announce = async (deps: CatalogDeps, record: SourceRecord): Promise<ChangeResult['failures']> => {
  const event = makeEvent('SourceChanged', `SourceChanged#${record.id}#${record.version}`, record.updatedAt, {
    sourceId: record.id,
    kind: record.config.kind,
    change: record.change,
    sourceVersion: record.version,
    status: record.status,
    changedBy: record.updatedBy,
    actor: { kind: 'user', id: record.updatedBy, source: 'API' },
  });
  const failures: ChangeResult['failures'] = [];
  await deps.bus.publish([event]).catch((error: unknown) => failures.push({ step: 'event', error }));
  return failures;
};

/** The source as it stands now (stored or seed), or undefined; built-ins are not managed here. */
const currentOf = async (
  deps: Pick<CatalogDeps, 'seed' | 'store'>,
  id: string,
): Promise<{ version: number; status: SourceStatus; config: SourceConfig; updatedAt?: string } | undefined> => {
  const stored = await deps.store.get(id);
  if (stored) return stored;
  const seeded = deps.seed.find((s) => s.id === id);
  return seeded ? { version: 0, status: 'active', config: seeded } : undefined;
};

/**
 * Creates a source. Its id must be new (not in the seed, not stored, not retired: a retired id keeps
 * its history and is not reused). A webhook source gets its first secret, made here and answered once;
 * the stored source comes first, so two creators of one id get one 201 and one 409, and if the secret
 * cannot be stored the source is taken back (and the audit says so).
 */
export const createSource = async (deps: CatalogDeps, body: unknown, by: string): Promise<ChangeResult> => {
  const input = parseInput(body);
  if (BUILT_IN_SOURCES.some((b) => b.id === input.id) || (await currentOf(deps, input.id)))
    throw new ConflictError(`Source '${input.id}' already exists (or existed: a retired id is not reused)`, {
      issues: [{ field: 'id', reason: 'already taken' }],
    });
  const record: SourceRecord = {
    id: input.id,
    version: 1,
    status: 'active',
    config: input,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: by,
    change: 'created',
  };
  await deps.store.save(record);
  let secret: string | undefined;
  if (input.kind === 'webhook') {
    secret = (deps.newSecret ?? newWebhookSecret)();
    try {
      await deps.secrets.create(input.id, secret, deps.ids.next());
    } catch (error) {
      await deps.store.abandonCreate(record, (error as Error).name || 'Error').catch(() => undefined);
      throw error;
    }
  }
  return { record, secret, failures: await announce(deps, record) };
};

/**
 * The version the editor read must be the current one. Asked for only once the source is known to
 * exist, so an unknown id answers 404 whatever the body says.
 */
const expectVersion = (current: { version: number }, expected: number | undefined, id: string) => {
  if (expected === undefined || !Number.isInteger(expected) || expected < 0)
    throw new ValidationError([
      {
        field: 'version',
        reason: 'send the version you read (body "version" or If-Match; 0 for a configured source never changed here)',
      },
    ]);
  if (current.version !== expected)
    throw new ConflictError(
      `Source '${id}' is at version ${current.version}, not ${expected}: someone changed it; reload and decide again`,
      {
        currentVersion: current.version,
        issues: [{ field: 'version', reason: `the current version is ${current.version}` }],
      },
    );
};

const editable = async (deps: Pick<CatalogDeps, 'seed' | 'store'>, id: string, expected: number | undefined) => {
  const current = await currentOf(deps, id);
  if (!current) {
    if (BUILT_IN_SOURCES.some((b) => b.id === id))
      throw new ValidationError([{ field: 'id', reason: `'${id}' is built in; configure it in leadflow.config.json` }]);
    throw new NotFoundError('source', id);
  }
  if (current.status === 'retired') throw new GoneError('source', id, current.updatedAt);
  if (!(RUNTIME_SOURCE_KINDS as readonly string[]).includes(current.config.kind))
    throw new ValidationError([
      { field: 'kind', reason: `sources of kind '${current.config.kind}' are set in leadflow.config.json` },
    ]);
  expectVersion(current, expected, id);
  return current;
};

/** Replaces a source's configuration (id and kind stay), conditional on the version the editor read. */
export const updateSource = async (
  deps: CatalogDeps,
  id: string,
  value: unknown,
  expected: number | undefined,
  by: string,
): Promise<ChangeResult> => {
  const input = parseInput(value, ['value']);
  const current = await editable(deps, id, expected);
  const issues = [
    ...(input.id !== id ? [{ field: 'value.id', reason: `a source keeps its id ('${id}')` }] : []),
    ...(input.kind !== current.config.kind
      ? [{ field: 'value.kind', reason: `a source keeps its kind ('${current.config.kind}'); create a new one` }]
      : []),
  ];
  if (issues.length) throw new ValidationError(issues);
  const record: SourceRecord = {
    id,
    version: current.version + 1,
    status: 'active',
    config: input,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: by,
    change: 'updated',
  };
  await deps.store.save(record);
  return { record, failures: await announce(deps, record) };
};

/** Retires a source: captures are refused with 410 from then on (within the capture cache's age); its history stays. */
export const retireSource = async (
  deps: CatalogDeps,
  id: string,
  expected: number | undefined,
  by: string,
): Promise<ChangeResult> => {
  const current = await editable(deps, id, expected);
  const record: SourceRecord = {
    id,
    version: current.version + 1,
    status: 'retired',
    config: current.config,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: by,
    change: 'retired',
  };
  await deps.store.save(record);
  return { record, failures: await announce(deps, record) };
};

/** The source's versions, newest first, ending with the seed's (version 0) when it came from the configuration. */
export const sourceHistory = async (
  deps: Pick<CatalogDeps, 'seed' | 'store'>,
  id: string,
  limit = 50,
): Promise<
  {
    version: number;
    status: SourceStatus;
    change: SourceChange | 'seeded';
    config: SourceConfig;
    updatedAt?: string;
    updatedBy?: string;
  }[]
> => {
  const stored = await deps.store.history(id, limit);
  const seeded = deps.seed.find((s) => s.id === id);
  if (!stored.length && !seeded) throw new NotFoundError('source', id);
  return [
    ...stored.map((r) => ({
      version: r.version,
      status: r.status,
      change: r.change,
      config: r.config,
      updatedAt: r.updatedAt,
      updatedBy: r.updatedBy,
    })),
    ...(seeded && stored.length < limit
      ? [{ version: 0, status: 'active' as const, change: 'seeded' as const, config: seeded }]
      : []),
  ];
};

/**
 * Where the capture functions get their sources: a plain list (seed only, tests) or the resolved seed +
 * stored. `id` is the source about to be looked up: a cache that does not know it may read again.
 */
export type SourceProvider = (
  id?: string,
) => readonly SourceConfig[] | ResolvedSources | Promise<readonly SourceConfig[] | ResolvedSources>;

/**
 * The active source `id` (of `kind`, when given), or undefined when there is none; a retired one
 * throws {@link GoneError} (410), so a sender learns it should stop rather than retry.
 */
export const lookupSource = async (
  provider: SourceProvider,
  id: string,
  kind?: SourceConfig['kind'],
  what = 'source',
): Promise<SourceConfig | undefined> => {
  const got = await provider(id);
  const resolved: ResolvedSources = Array.isArray(got)
    ? { active: [...(got as readonly SourceConfig[])], retired: [] }
    : (got as ResolvedSources);
  const active = [...resolved.active, ...BUILT_IN_SOURCES].find((s) => s.id === id && (!kind || s.kind === kind));
  if (active) return active;
  const retired = resolved.retired.find((r) => r.id === id && (!kind || r.kind === kind));
  if (retired) throw new GoneError(what, id, retired.retiredAt);
  return undefined;
};

/** The active sources (capture by something other than the id: a chatbot's bot id). */
export const activeSources = async (provider: SourceProvider): Promise<SourceConfig[]> => {
  const got = await provider();
  return Array.isArray(got) ? [...(got as readonly SourceConfig[])] : [...(got as ResolvedSources).active];
};
