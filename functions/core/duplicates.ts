import {
  DEFAULT_THRESHOLDS,
  type DedupeKey,
  dedupeKeysOf,
  blockingKeysOf,
  type KeyHolders,
  matchesFrom,
  type SimilarityThresholds,
} from './dedupe';
import type { DuplicateMatch, Lead, Stage } from './lead';
import { fingerprintOf } from './similarity';

/**
 * Duplicates as reps and sales ops see them: the other lead's name, owner, stage, score and the
 * fields that matched, never a bare id.
 */
export type DuplicateEntry = {
  leadId: string;
  /** The person's name (or company, or contact) when the caller may see that lead; absent otherwise. */
  name?: string;
  company?: string;
  owner: string | null;
  stage: Stage;
  matchedOn: DuplicateMatch['matchedOn'];
  score: number;
  fields: string[];
};

/** A lead with an open duplicate set: it matched another lead as a person (exactly or as a possible duplicate) and nobody has resolved that yet. */
export const hasOpenDuplicates = (
  lead: Pick<Lead, 'duplicates' | 'notDuplicates'> & { duplicatesResolvedAt?: string },
): boolean =>
  !lead.duplicatesResolvedAt &&
  lead.duplicates.some(
    (m) => m.kind === 'lead' && m.matchedOn !== 'domain' && !(lead.notDuplicates ?? []).includes(m.id),
  );

/**
 * Flagged in lists: either lead of a pair — the later one by its own matches, the earlier one by the
 * later leads that matched it (`matchedBy`) — unless sales ops said "not a duplicate".
 */
export const isFlagged = (lead: Pick<Lead, 'duplicates' | 'notDuplicates' | 'matchedBy'>): boolean =>
  hasOpenDuplicates(lead) || (lead.matchedBy ?? []).some((id) => !(lead.notDuplicates ?? []).includes(id));

/** The keys to read for a lead's duplicates in both directions (exact person keys and blocking keys). */
export const duplicateKeysOf = (lead: Lead): DedupeKey[] => [
  ...dedupeKeysOf(lead).filter((k) => k.on !== 'domain'),
  ...blockingKeysOf(fingerprintOf(lead.id, lead)),
];

/**
 * The leads a lead duplicates in both directions: those it listed at capture, and those that hold its
 * keys now (later captures that matched it, or leads edited onto its email), scored the same way.
 * The best match per lead, exact ones first, then by score.
 */
export const duplicateMatchesOf = (
  lead: Lead,
  holders: KeyHolders[],
  thresholds: SimilarityThresholds = DEFAULT_THRESHOLDS,
): DuplicateMatch[] => {
  const best = new Map<string, DuplicateMatch>();
  const now = matchesFrom(holders, fingerprintOf(lead.id, lead), thresholds);
  const dismissed = new Set(lead.notDuplicates ?? []);
  for (const m of [...lead.duplicates, ...now]) {
    if (m.kind !== 'lead' || m.matchedOn === 'domain' || m.id === lead.id || dismissed.has(m.id)) continue;
    const seen = best.get(m.id);
    if (!seen || (m.score ?? 1) > (seen.score ?? 1)) best.set(m.id, m);
  }
  return [...best.values()].sort(
    (a, b) =>
      Number(a.matchedOn === 'similarity') - Number(b.matchedOn === 'similarity') ||
      (b.score ?? 1) - (a.score ?? 1) ||
      a.id.localeCompare(b.id),
  );
};

const displayName = (lead: Lead) =>
  [lead.firstName, lead.lastName].filter(Boolean).join(' ') ||
  lead.company ||
  lead.email ||
  lead.phone ||
  'unnamed lead';

/** Entries for the matched leads that still exist; names only for leads `visible` says the caller may see. */
export const duplicateEntriesOf = (
  matches: readonly DuplicateMatch[],
  records: readonly Lead[],
  visible: (lead: Lead) => boolean,
): DuplicateEntry[] =>
  matches.flatMap((m) => {
    const other = records.find((r) => r.id === m.id);
    if (!other) return [];
    const shown = visible(other);
    return [
      {
        leadId: other.id,
        ...(shown ? { name: displayName(other) } : {}),
        ...(shown && other.company ? { company: other.company } : {}),
        owner: other.owner ?? null,
        stage: other.stage,
        matchedOn: m.matchedOn,
        score: m.score ?? 1,
        fields: m.fields ?? [m.matchedOn],
      },
    ];
  });
