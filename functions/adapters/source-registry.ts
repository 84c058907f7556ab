import {
  type ResolvedSources,
  resolveSources,
  type SourceCatalogStore,
  type SourceProvider,
} from '../core/source-catalog';
import { BUILT_IN_SOURCES, type SourceConfig, sourcesSchema } from '../core/sources';
import type { FunctionEnv } from '../env/function-env';
import { makeDocumentClient } from './aws-clients';
import { makeSourceCatalogRepository } from './source-catalog-repository';

/** The seed: sources from deployment configuration (leadflow.config.json → LEADFLOW_SOURCES). */
export const sourcesFromEnv = (raw: string | undefined): SourceConfig[] => {
  if (!raw) return [];
  const parsed = sourcesSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`LEADFLOW_SOURCES is invalid: ${parsed.error.message}`);
  return parsed.data;
};

/**
 * How long a function instance trusts the sources it read. Ten seconds: a capture then costs no read
 * for the sources at all on a warm instance (one Query of the small `SOURCES` partition, ~5–10 ms, per
 * instance per ten seconds), while an edit or a retirement reaches every warm instance within ten
 * seconds — the delay sales ops are told about.
 */
export const SOURCE_CACHE_MS = 10_000;
/**
 * A capture for an id the cached sources do not know re-reads them, at most once a second: a source
 * created a moment ago works on its first delivery, and a flood of unknown ids costs one Query a second.
 */
export const SOURCE_MISS_REFRESH_MS = 1_000;

/**
 * The sources the capture functions resolve: the seed, each replaced by its stored version, plus the
 * sources created at run time; retired ones kept apart (410). Cached per instance ({@link SOURCE_CACHE_MS});
 * concurrent misses share one read; when the table cannot be read, the last list read is served.
 */
export const makeSourceResolver = (
  seed: readonly SourceConfig[],
  store: Pick<SourceCatalogStore, 'list'>,
  { maxAgeMs = SOURCE_CACHE_MS, missRefreshMs = SOURCE_MISS_REFRESH_MS, now = Date.now } = {},
): SourceProvider => {
  let cached: { value: ResolvedSources; at: number } | undefined;
  let loading: Promise<ResolvedSources> | undefined;
  const load = (): Promise<ResolvedSources> => {
    loading ??= store
      .list()
      .then(
        (stored) => {
          cached = { value: resolveSources(seed, stored), at: now() };
          return cached.value;
        },
        (error: unknown) => {
          if (cached) return cached.value;
          throw error;
        },
      )
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  const knows = (value: ResolvedSources, id: string) =>
    value.active.some((s) => s.id === id) ||
    value.retired.some((r) => r.id === id) ||
    BUILT_IN_SOURCES.some((s) => s.id === id);
  return async (id?: string) => {
    if (!cached) return load();
    const age = now() - cached.at;
    if (age >= maxAgeMs) return load();
    if (id !== undefined && age >= missRefreshMs && !knows(cached.value, id)) return load();
    return cached.value;
  };
};

/** A capture function's sources: its seed (LEADFLOW_SOURCES) and the stored ones in its table (it needs table:read). */
export const sourcesFromFunctionEnv = (env: FunctionEnv, db = makeDocumentClient()): SourceProvider =>
  makeSourceResolver(
    sourcesFromEnv(env.house.LEADFLOW_SOURCES),
    makeSourceCatalogRepository(db, env.need('table:read').TABLE_NAME),
  );
