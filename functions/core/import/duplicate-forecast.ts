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
import type { Fingerprint } from '../similarity';
import { makeKeyTable } from './key-table';

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

/** A row's fingerprint as the forecast holds it: its fields in one string ('' where absent, as `fingerprintOf` omits empty ones). */
const packFingerprint = (fp: Fingerprint) =>
  JSON.stringify([fp.first ?? '', fp.last ?? '', fp.company ?? '', fp.phone ?? '', fp.email ?? '']);
const unpackFingerprint = (id: string, packed: string): Fingerprint => {
  const [first, last, company, phone, email] = JSON.parse(packed) as string[];
  return {
    id,
    ...(first ? { first } : {}),
    ...(last ? { last } : {}),
    ...(company ? { company } : {}),
    ...(phone ? { phone } : {}),
    ...(email ? { email } : {}),
  };
};
const rowId = (rowNumber: number) => `row-${rowNumber}`;

/**
 * The dry run's duplicate forecast within a file, with the capture's own matching: each valid row is
 * matched against the rows before it through the same exact and blocking keys, held in memory (one
 * entry per key). Under `reject` a refused row is not stored, so later rows do not meet it (as on a
 * real import); `create` and `associate` store every row and flag the same ones. A row's matches
 * among stored records (`existing`, from `POST /imports/duplicates`: the capture's own key lookups,
 * read in batches) join its in-file matches, so each policy's figures cover both. The dry run writes nothing.
 *
 * Held compactly, because a file has ~5 keys per row: each key once as bytes in a `KeyTable` whose
 * value is the first row holding it (later rows of a shared key in a small side map), and each row's
 * fingerprint once as one string, only when a blocking key lists the row. The holders a row is matched
 * against are rebuilt from these as `matchesFrom` has always received them, so the figures are the same.
 */
export const makeDuplicateForecast = (thresholds: SimilarityThresholds = DEFAULT_THRESHOLDS) => {
  const keyTable = makeKeyTable();
  /** Rows after the first holding a key, by entry (a shared email, phone or name). */
  const moreRows = new Map<number, number[]>();
  const fingerprints = new Map<number, string>();
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
  const rowsOf = (entry: number) => [keyTable.value(entry), ...(moreRows.get(entry) ?? [])];
  const holderOf = (k: DedupeKey): KeyHolders[] => {
    const entry = k.on === 'domain' ? -1 : keyTable.find(id(k));
    if (entry < 0) return [];
    const rows = rowsOf(entry);
    const leadIds = rows.map(rowId);
    if (k.on !== 'block') return [{ key: k, leadIds }];
    return [
      { key: k, leadIds, fingerprints: rows.map((r) => unpackFingerprint(rowId(r), fingerprints.get(r) ?? '[]')) },
    ];
  };
  const hold = (k: DedupeKey, rowNumber: number, fingerprint: Fingerprint) => {
    const entry = keyTable.find(id(k));
    if (entry < 0) keyTable.add(id(k), rowNumber);
    else {
      const more = moreRows.get(entry) ?? [];
      if (k.on === 'block' && more.length + 1 >= FORECAST_BLOCK_ROWS) return;
      more.push(rowNumber);
      moreRows.set(entry, more);
    }
    if (k.on === 'block' && !fingerprints.has(rowNumber)) fingerprints.set(rowNumber, packFingerprint(fingerprint));
  };

  return {
    add(rowNumber: number, lead: NormalisedLead, existing: readonly ExistingMatch[] = []) {
      const { keys, fingerprint } = matchingKeysOf(`row-${rowNumber}`, lead);
      const holders = keys.flatMap(holderOf);
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

      for (const k of keys) if (k.on !== 'domain') hold(k, rowNumber, fingerprint);
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
