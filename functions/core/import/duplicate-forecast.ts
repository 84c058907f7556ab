import {
  DEFAULT_THRESHOLDS,
  type DedupeKey,
  decide,
  type KeyHolders,
  matchesFrom,
  matchingKeysOf,
  type SimilarityThresholds,
} from '../dedupe';
import type { DuplicateMatch, DuplicatePolicy } from '../lead';
import type { NormalisedLead } from '../normalise';

/** What a file's rows would do to each other under each policy: refused (reject), stored but flagged (create, associate). */
export type DuplicateForecast = {
  /** Rows matching an earlier row exactly (email or phone). */
  exact: number;
  /** Rows matching an earlier row only by similarity, at or above `alert`. */
  similar: number;
  /** Of those, at or above `block`. */
  sure: number;
  /** Rows matching leads (or contacts) already stored, by their best match (`exact` email/phone, else `similar`; `sure` at or above `block`). */
  existing: { exact: number; similar: number; sure: number };
  /** Per policy: rows refused, and rows stored but listed as (possible) duplicates, against the file and the store. */
  byPolicy: Record<DuplicatePolicy, { refused: number; flagged: number }>;
};

/** A match of a row against what is stored, as the dry run is told it: no ids, no values. */
export type ExistingMatch = Pick<DuplicateMatch, 'kind' | 'matchedOn'> & { score: number; fields: string[] };

/** The keys a batch of rows is looked up by: the capture's exact and blocking keys, each once. */
export const existingKeysOf = (rows: readonly { rowNumber: number; lead: NormalisedLead }[]) => {
  const all = new Map<string, DedupeKey>();
  const perRow = rows.map(({ rowNumber, lead }) => {
    const { keys, fingerprint } = matchingKeysOf(`row-${rowNumber}`, lead);
    for (const k of keys) all.set(`${k.on}:${k.value}`, k);
    return { rowNumber, keys, fingerprint };
  });
  return { keys: [...all.values()], perRow };
};

/**
 * What each row would match among stored leads, contacts and accounts, scored as a capture of that row
 * would be (the source's thresholds, the holders of its own keys): person matches only, no ids.
 */
export const existingMatchesOf = (
  perRow: ReturnType<typeof existingKeysOf>['perRow'],
  holders: readonly KeyHolders[],
  thresholds: SimilarityThresholds,
): { rowNumber: number; matches: ExistingMatch[] }[] => {
  const byKey = new Map(holders.map((h) => [`${h.key.on}:${h.key.value}`, h]));
  return perRow.flatMap(({ rowNumber, keys, fingerprint }) => {
    const mine = keys.flatMap((k) => byKey.get(`${k.on}:${k.value}`) ?? []);
    const matches = matchesFrom(mine, fingerprint, thresholds)
      .filter((m) => m.matchedOn !== 'domain')
      .map((m) => ({ kind: m.kind, matchedOn: m.matchedOn, score: m.score ?? 1, fields: m.fields ?? [m.matchedOn] }));
    return matches.length ? [{ rowNumber, matches }] : [];
  });
};

/**
 * Rows a forecast blocking key compares with: fewer than a capture's 50, so a file of common names
 * stays a second's work (10,000 rows: ~1 s more); it is a forecast, and says so.
 */
export const FORECAST_BLOCK_ROWS = 10;

/**
 * The dry run's duplicate forecast within a file, with the capture's own matching: each valid row is
 * matched against the rows before it through the same exact and blocking keys, held in memory (one
 * entry per key). Under `reject` a refused row is not stored, so later rows do not meet it (as on a
 * real import); `create` and `associate` store every row and flag the same ones. A row's matches
 * among stored records (`existing`, from `POST /imports/duplicates`: the capture's own key lookups,
 * read in batches) join its in-file matches, so each policy's figures cover both. The dry run writes nothing.
 */
export const makeDuplicateForecast = (thresholds: SimilarityThresholds = DEFAULT_THRESHOLDS) => {
  const store = new Map<string, KeyHolders>();
  const refusedUnderReject = new Set<string>();
  const forecast: DuplicateForecast = {
    exact: 0,
    similar: 0,
    sure: 0,
    existing: { exact: 0, similar: 0, sure: 0 },
    byPolicy: {
      reject: { refused: 0, flagged: 0 },
      create: { refused: 0, flagged: 0 },
      associate: { refused: 0, flagged: 0 },
    },
  };
  const id = (k: DedupeKey) => `${k.on}:${k.value}`;

  return {
    add(rowNumber: number, lead: NormalisedLead, existing: readonly ExistingMatch[] = []) {
      const { keys, fingerprint } = matchingKeysOf(`row-${rowNumber}`, lead);
      const holders = keys.flatMap((k) => store.get(id(k)) ?? []);
      // Matched once against every earlier row; what reject would have stored is the rows it did not refuse.
      const matches = matchesFrom(holders, fingerprint, thresholds).filter((m) => m.matchedOn !== 'domain');
      const stored: DuplicateMatch[] = existing.map((m, i) => ({ ...m, id: `stored-${i}`, value: '' }));
      if (stored.length > 0) {
        if (stored.some((m) => m.matchedOn !== 'similarity')) forecast.existing.exact++;
        else {
          forecast.existing.similar++;
          if (stored.some((m) => (m.score ?? 0) >= thresholds.block)) forecast.existing.sure++;
        }
      }
      if (matches.length > 0 || stored.length > 0) forecast.byPolicy.create.flagged++;
      if (matches.length > 0) {
        if (matches.some((m) => m.matchedOn !== 'similarity')) forecast.exact++;
        else {
          forecast.similar++;
          if (matches.some((m) => (m.score ?? 0) >= thresholds.block)) forecast.sure++;
        }
      }
      const storedUnderReject = [...matches.filter((m) => !refusedUnderReject.has(m.id)), ...stored];
      if (decide('reject', storedUnderReject, thresholds).action === 'reject') {
        forecast.byPolicy.reject.refused++;
        refusedUnderReject.add(fingerprint.id);
      } else if (storedUnderReject.length > 0) forecast.byPolicy.reject.flagged++;

      for (const k of keys) {
        if (k.on === 'domain') continue;
        const h = store.get(id(k)) ?? { key: k, leadIds: [], ...(k.on === 'block' ? { fingerprints: [] } : {}) };
        if (k.on === 'block' && h.leadIds.length >= FORECAST_BLOCK_ROWS) continue;
        h.leadIds.push(fingerprint.id);
        h.fingerprints?.push(fingerprint);
        store.set(id(k), h);
      }
    },
    result: (): DuplicateForecast => ({
      ...forecast,
      existing: { ...forecast.existing },
      byPolicy: {
        reject: { ...forecast.byPolicy.reject },
        create: { ...forecast.byPolicy.create },
        associate: { ...forecast.byPolicy.create },
      },
    }),
  };
};
