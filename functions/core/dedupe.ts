import type { DuplicateMatch, DuplicatePolicy } from './lead';
import type { NormalisedLead } from './normalise';
import { blockingValuesOf, type Fingerprint, fingerprintOf, similarity } from './similarity';

/**
 * The values a lead is looked up by. Normalised input in, so case and formatting never matter.
 * `block` keys are blocking keys for fuzzy matching: their items carry each lead's fingerprint.
 */
export type DedupeKey = { on: 'email' | 'phone' | 'domain' | 'block'; value: string };

/**
 * A blocking key or a company domain listing this many leads is saturated, and a new lead is no longer
 * added to it (nor conditioned on it), so neither item grows without bound. A blocking key's name is
 * then too common to tell people apart; a new lead is still scored against the leads it lists. A
 * domain's list decides nothing (the item is read for the account a conversion left on it); unbounded,
 * every capture from a big customer rewrote it (26 bytes per lead, 2 write units per KB), and past
 * ~15,000 leads DynamoDB's 400 KB item limit would refuse the capture. An earlier lead's list of the
 * later leads that matched it (`matchedBy`, on the lead item) stops at the same bound.
 */
export const MAX_LISTED_LEADS = 50;

export const dedupeKeysOf = (lead: NormalisedLead): DedupeKey[] => {
  const keys: DedupeKey[] = [];
  if (lead.email) keys.push({ on: 'email', value: lead.email });
  if (lead.phone) keys.push({ on: 'phone', value: lead.phone });
  if (lead.companyDomain) keys.push({ on: 'domain', value: lead.companyDomain });
  return keys;
};

/** The blocking keys of a lead (name variants, last name at company); see similarity.ts. */
export const blockingKeysOf = (fingerprint: Fingerprint): DedupeKey[] =>
  blockingValuesOf(fingerprint).map((value) => ({ on: 'block', value }));

/** Exact keys and blocking keys of a lead about to be stored, with the fingerprint its blocking keys carry. */
export const matchingKeysOf = (id: string, lead: NormalisedLead) => {
  const fingerprint = fingerprintOf(id, lead);
  return { fingerprint, keys: [...dedupeKeysOf(lead), ...blockingKeysOf(fingerprint)] };
};

/**
 * How a lead's place on its blocking keys changes when its fields do (an edit, a merge, an undo):
 * the keys it leaves, and the keys it must be (re)written to with its new fingerprint — every key it
 * holds when the fingerprint changed, since each blocking item carries the fingerprint. Without
 * `after` the lead leaves them all (a tombstone); without `before` it joins them all (a restored lead).
 */
export const blockMovesOf = (
  id: string,
  before: NormalisedLead | undefined,
  after: NormalisedLead | undefined,
): { added: DedupeKey[]; removed: DedupeKey[]; fingerprint?: Fingerprint } => {
  const was = before ? fingerprintOf(id, before) : undefined;
  const now = after ? fingerprintOf(id, after) : undefined;
  const old = was ? blockingKeysOf(was) : [];
  const next = now ? blockingKeysOf(now) : [];
  const held = new Set(old.map((k) => k.value));
  const changed = JSON.stringify(was) !== JSON.stringify(now);
  return {
    added: next.filter((k) => changed || !held.has(k.value)),
    removed: old.filter((k) => !next.some((n) => n.value === k.value)),
    ...(now ? { fingerprint: now } : {}),
  };
};

/** What the lookup items hold for one key (blocking keys: the fingerprints of the leads listed). */
export type KeyHolders = {
  key: DedupeKey;
  leadIds: string[];
  contactId?: string;
  accountId?: string;
  fingerprints?: Fingerprint[];
};

/** Per source: at or above `block` a similar lead is a duplicate (policy reject), at or above `alert` a possible one. */
export type SimilarityThresholds = { block: number; alert: number };
export const DEFAULT_THRESHOLDS: SimilarityThresholds = { block: 0.92, alert: 0.8 };

/**
 * Email and phone identify a person; a domain only identifies a company. Without `self`, only exact
 * keys match; with it, the leads met on blocking keys are scored and those at or above `alert` listed
 * as `similarity` matches (a lead already matched exactly is not listed twice), best first.
 */
export const matchesFrom = (
  holders: KeyHolders[],
  self?: Fingerprint,
  thresholds: SimilarityThresholds = DEFAULT_THRESHOLDS,
): DuplicateMatch[] => {
  const matches: DuplicateMatch[] = [];
  for (const { key, leadIds, contactId, accountId } of holders) {
    if (key.on === 'block') continue;
    const exact = key.on !== 'domain' ? { score: 1, fields: [key.on] } : {};
    if (key.on !== 'domain')
      for (const id of [...leadIds].sort())
        matches.push({ kind: 'lead', id, matchedOn: key.on, value: key.value, ...exact });
    if (contactId) matches.push({ kind: 'contact', id: contactId, matchedOn: key.on, value: key.value, ...exact });
    if (accountId) matches.push({ kind: 'account', id: accountId, matchedOn: key.on, value: key.value, ...exact });
  }
  if (!self) return matches;
  const exactLeads = new Set(matches.filter((m) => m.kind === 'lead').map((m) => m.id));
  const similar = new Map<string, DuplicateMatch>();
  const related: DuplicateMatch[] = [];
  const tried = new Set<string>();
  for (const { key, leadIds, fingerprints } of holders) {
    if (key.on !== 'block') continue;
    // Newest first: an edited lead's fingerprint is appended again, and its latest one counts.
    for (const fp of [...(fingerprints ?? [])].reverse()) {
      // A fingerprint whose lead left the key (merged, edited) no longer counts.
      // Each candidate once, however many blocking keys it shares with this lead.
      if (fp.id === self.id || exactLeads.has(fp.id) || tried.has(fp.id) || !leadIds.includes(fp.id)) continue;
      tried.add(fp.id);
      const { score, fields } = similarity(self, fp);
      if (score >= thresholds.alert) {
        similar.set(fp.id, {
          kind: 'lead',
          id: fp.id,
          matchedOn: 'similarity',
          value: fields.join('+'),
          score,
          fields,
        });
        // A converted lead's fingerprint names the contact and account it became: the similar person is them too.
        const via = { matchedOn: 'similarity' as const, value: fields.join('+'), score, fields };
        if (fp.contactId && !matches.some((m) => m.kind === 'contact' && m.id === fp.contactId))
          related.push({ kind: 'contact', id: fp.contactId, ...via });
        if (fp.accountId && !matches.some((m) => m.kind === 'account' && m.id === fp.accountId))
          related.push({ kind: 'account', id: fp.accountId, ...via });
      }
    }
  }
  const best = (a: DuplicateMatch, b: DuplicateMatch) => (b.score ?? 0) - (a.score ?? 0) || a.id.localeCompare(b.id);
  const ranked = [...similar.values()].sort(best);
  const records = new Map<string, DuplicateMatch>();
  for (const m of related.sort(best)) if (!records.has(`${m.kind}#${m.id}`)) records.set(`${m.kind}#${m.id}`, m);
  return [...matches, ...ranked, ...records.values()];
};

export type DuplicateDecision =
  | { action: 'store'; associate: { accountId?: string; contactId?: string } }
  | { action: 'reject' };

/** A person match: an exact email/phone, or a similar lead at or above the block threshold. */
const isPersonMatch = (m: DuplicateMatch, thresholds: SimilarityThresholds) =>
  m.matchedOn === 'similarity' ? (m.score ?? 0) >= thresholds.block : m.matchedOn !== 'domain';

/**
 * A match on domain alone is the same company, not the same person: it never rejects. A similar
 * lead below `block` is a possible duplicate: listed, never rejected, never associated.
 */
export const decide = (
  policy: DuplicatePolicy,
  matches: DuplicateMatch[],
  thresholds: SimilarityThresholds = DEFAULT_THRESHOLDS,
): DuplicateDecision => {
  const personMatches = matches.filter((m) => isPersonMatch(m, thresholds));
  if (policy === 'reject' && personMatches.length > 0) return { action: 'reject' };
  if (policy === 'associate') {
    // A similar person's account only when they are the same person (at or above `block`).
    const account = matches.find(
      (m) => m.kind === 'account' && (m.matchedOn !== 'similarity' || (m.score ?? 0) >= thresholds.block),
    );
    const contact = personMatches.find((m) => m.kind === 'contact');
    return { action: 'store', associate: { accountId: account?.id, contactId: contact?.id } };
  }
  return { action: 'store', associate: {} };
};

/** Listed as a duplicate or a possible one (a domain alone is neither). */
export const isDuplicate = (matches: DuplicateMatch[]): boolean => matches.some((m) => m.matchedOn !== 'domain');
