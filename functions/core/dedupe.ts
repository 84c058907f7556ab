import type { DuplicateMatch, DuplicatePolicy } from './lead';
import type { NormalisedLead } from './normalise';

/** The values a lead is looked up by. Normalised input in, so case and formatting never matter. */
export type DedupeKey = { on: 'email' | 'phone' | 'domain'; value: string };

export const dedupeKeysOf = (lead: NormalisedLead): DedupeKey[] => {
  const keys: DedupeKey[] = [];
  if (lead.email) keys.push({ on: 'email', value: lead.email });
  if (lead.phone) keys.push({ on: 'phone', value: lead.phone });
  if (lead.companyDomain) keys.push({ on: 'domain', value: lead.companyDomain });
  return keys;
};

/** What the lookup items hold for one key. */
export type KeyHolders = { key: DedupeKey; leadIds: string[]; contactId?: string; accountId?: string };

/** Email and phone identify a person; a domain only identifies a company. */
export const matchesFrom = (holders: KeyHolders[]): DuplicateMatch[] => {
  const matches: DuplicateMatch[] = [];
  for (const { key, leadIds, contactId, accountId } of holders) {
    if (key.on !== 'domain')
      for (const id of [...leadIds].sort()) matches.push({ kind: 'lead', id, matchedOn: key.on, value: key.value });
    if (contactId) matches.push({ kind: 'contact', id: contactId, matchedOn: key.on, value: key.value });
    if (accountId) matches.push({ kind: 'account', id: accountId, matchedOn: key.on, value: key.value });
  }
  return matches;
};

export type DuplicateDecision =
  | { action: 'store'; associate: { accountId?: string; contactId?: string } }
  | { action: 'reject' };

/** A match on domain alone is the same company, not the same person: it never rejects. */
export const decide = (policy: DuplicatePolicy, matches: DuplicateMatch[]): DuplicateDecision => {
  const personMatches = matches.filter((m) => m.matchedOn !== 'domain');
  if (policy === 'reject' && personMatches.length > 0) return { action: 'reject' };
  if (policy === 'associate') {
    const account = matches.find((m) => m.kind === 'account');
    const contact = personMatches.find((m) => m.kind === 'contact');
    return { action: 'store', associate: { accountId: account?.id, contactId: contact?.id } };
  }
  return { action: 'store', associate: {} };
};

export const isDuplicate = (matches: DuplicateMatch[]): boolean => matches.some((m) => m.matchedOn !== 'domain');
