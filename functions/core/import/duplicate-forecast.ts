import {
  DEFAULT_THRESHOLDS,
  type DedupeKey,
  decide,
  type KeyHolders,
  matchesFrom,
  matchingKeysOf,
  type SimilarityThresholds,
} from '../dedupe';
import type { DuplicatePolicy } from '../lead';
import type { NormalisedLead } from '../normalise';

/** What a file's rows would do to each other under each policy: refused (reject), stored but flagged (create, associate). */
export type DuplicateForecast = {
  /** Rows matching an earlier row exactly (email or phone). */
  exact: number;
  /** Rows matching an earlier row only by similarity, at or above `alert`. */
  similar: number;
  /** Of those, at or above `block`. */
  sure: number;
  /** Per policy: rows refused, and rows stored but listed as (possible) duplicates. */
  byPolicy: Record<DuplicatePolicy, { refused: number; flagged: number }>;
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
 * real import); `create` and `associate` store every row and flag the same ones. Existing leads are
 * not consulted: a dry run reads and writes nothing.
 */
export const makeDuplicateForecast = (thresholds: SimilarityThresholds = DEFAULT_THRESHOLDS) => {
  const store = new Map<string, KeyHolders>();
  const refusedUnderReject = new Set<string>();
  const forecast: DuplicateForecast = {
    exact: 0,
    similar: 0,
    sure: 0,
    byPolicy: {
      reject: { refused: 0, flagged: 0 },
      create: { refused: 0, flagged: 0 },
      associate: { refused: 0, flagged: 0 },
    },
  };
  const id = (k: DedupeKey) => `${k.on}:${k.value}`;

  return {
    add(rowNumber: number, lead: NormalisedLead) {
      const { keys, fingerprint } = matchingKeysOf(`row-${rowNumber}`, lead);
      const holders = keys.flatMap((k) => store.get(id(k)) ?? []);
      // Matched once against every earlier row; what reject would have stored is the rows it did not refuse.
      const matches = matchesFrom(holders, fingerprint, thresholds).filter((m) => m.matchedOn !== 'domain');
      if (matches.length > 0) {
        forecast.byPolicy.create.flagged++;
        if (matches.some((m) => m.matchedOn !== 'similarity')) forecast.exact++;
        else {
          forecast.similar++;
          if (matches.some((m) => (m.score ?? 0) >= thresholds.block)) forecast.sure++;
        }
      }
      const storedUnderReject = matches.filter((m) => !refusedUnderReject.has(m.id));
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
      byPolicy: {
        reject: { ...forecast.byPolicy.reject },
        create: { ...forecast.byPolicy.create },
        associate: { ...forecast.byPolicy.create },
      },
    }),
  };
};
