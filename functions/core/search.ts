import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { Lead } from './lead';
import { type TeamScopes, type Viewer, visibleOwners } from './lead-access';

/**
 * Lead search on key items (no scan, no cluster): every lead has one small item per searchable token
 * and per visibility scope; a query reads the items whose token starts with the typed word, in the
 * scopes the caller may see, and stops after a page. What a query costs depends on the page size and
 * on how many tokens share the typed prefix, not on how many leads the table holds.
 */

/** Latin letters that are not a base letter plus a mark, so NFKD leaves them as they are. */
const LETTERS: Record<string, string> = {
  ß: 'ss',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
  ħ: 'h',
};
const OTHER_LETTERS = new RegExp(`[${Object.keys(LETTERS).join('')}]`, 'g');

/** Lower-case, accents and compatibility forms folded ("Ångström" → "angstrom", "Ørsted" → "orsted", "ﬁ" → "fi"). */
export const foldText = (value: string): string =>
  value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(OTHER_LETTERS, (c) => LETTERS[c] ?? c)
    .normalize('NFC');

/** The characters that make up a token; everything else separates tokens. */
const WORD = /[\p{L}\p{N}]+/gu;

/** A typed word must have this many characters (the items are partitioned on the first two). */
export const MIN_QUERY_CHARS = 2;
/** Tokens longer than this are cut (no one types a 40-character prefix, and keys stay short). */
const MAX_TOKEN_CHARS = 40;
/** At most this many tokens per lead are indexed (a very long company name is not a reason for 100 writes). */
export const MAX_TOKENS = 16;

const words = (value: string | undefined): string[] => (value ? (foldText(value).match(WORD) ?? []) : []);

const clip = (token: string) => token.slice(0, MAX_TOKEN_CHARS);

/** Phone numbers are searched by their digits: "+49 151 2345" and "4915..." are the same number. */
const digitsOf = (value: string | undefined) => (value ?? '').replace(/\D/g, '');

export type SearchableLead = Pick<Lead, 'id' | 'firstName' | 'lastName' | 'email' | 'phone' | 'company'>;

/**
 * The tokens a lead is found by: each word of its name and company, its e-mail address whole and
 * its words, its phone digits (and its national number, so "0151…" typed as "151…" matches), its id.
 */
export const searchTokens = (lead: SearchableLead): string[] => {
  const tokens: string[] = [];
  const add = (token: string) => {
    if (token.length >= MIN_QUERY_CHARS) tokens.push(clip(token));
  };
  // A short number inside a name or an address ("anna.12", "Acme 3") finds nothing anyone types.
  const addWord = (word: string) => {
    if (!/^\d{1,3}$/.test(word)) add(word);
  };
  for (const w of [...words(lead.firstName), ...words(lead.lastName)]) addWord(w);
  if (lead.email) {
    // The whole address (its local part is a prefix of it), the local part's words ("ann.smith") and
    // the domain's labels but its last ("acme", "corp", not "com").
    const email = foldText(lead.email.trim());
    add(email);
    const [local, domain] = email.split('@');
    for (const w of [...words(local), ...words(domain).slice(0, -1)]) addWord(w);
  }
  const digits = digitsOf(lead.phone);
  if (digits) {
    add(digits);
    // People type the national number: E.164 without its country code.
    const national = lead.phone ? parsePhoneNumberFromString(lead.phone)?.nationalNumber : undefined;
    if (national && national !== digits) add(national);
  }
  for (const w of words(lead.company)) addWord(w);
  add(lead.id.toLowerCase());
  return [...new Set(tokens)].slice(0, MAX_TOKENS);
};

/** The lead's folded words in one string, kept on each item so a query of several words checks the others. */
export const searchText = (tokens: readonly string[]): string => ` ${tokens.join(' ')} `;

/** Where a lead's items live: every lead in `all`, and in its owner's scope (or the unassigned one). */
export const searchScopesOf = (lead: Pick<Lead, 'owner'>): string[] => [
  'ALL',
  lead.owner ? `OWNER#${lead.owner}` : 'UNASSIGNED',
];

/**
 * The scopes a viewer's query reads, mirroring `visibleOwners` (the lists read the same owners):
 * sales ops every lead; a manager their own, the queue and their teams' members' leads (or every lead
 * with `managersSee: all`); a rep their own and the queue. Followed leads come from `followedByFor`
 * (their follow items, not a scope: following writes no search item).
 */
export const searchScopesFor = (viewer: Viewer, teams: TeamScopes): string[] => {
  const owners = visibleOwners(viewer, teams);
  return owners === 'all' ? ['ALL'] : owners.map((o) => (o === 'UNASSIGNED' ? 'UNASSIGNED' : `OWNER#${o}`));
};

/** Whose followed leads a viewer's search adds: anyone's whose scopes are not every lead. */
export const followedByFor = (viewer: Viewer, teams: TeamScopes): string | undefined =>
  visibleOwners(viewer, teams) === 'all' ? undefined : viewer.userId;

export type SearchQuery = {
  /** The word whose items are read (the longest typed word: the fewest items share its prefix). */
  lead: string;
  /** The other words: each must start one of a found lead's words. */
  others: string[];
};

/**
 * The typed text as a query: folded words; a typed phone number ("+49 151 23") becomes one token of
 * its digits; an e-mail address stays whole. Undefined when no word has MIN_QUERY_CHARS characters.
 */
export const parseSearch = (text: string): SearchQuery | undefined => {
  const trimmed = text.trim();
  let tokens: string[];
  if (/^[+()\d\s./-]+$/.test(trimmed) && digitsOf(trimmed).length >= MIN_QUERY_CHARS) {
    // "00 49 …" is an international prefix, "0151 …" a national trunk prefix: neither is in E.164.
    tokens = [digitsOf(trimmed).replace(/^00?/, '')];
  } else {
    tokens = [];
    for (const part of foldText(trimmed).split(/\s+/)) {
      if (part.includes('@')) tokens.push(part);
      else tokens.push(...(part.match(WORD) ?? []));
    }
  }
  const usable = [...new Set(tokens.map(clip).filter((t) => t.length >= MIN_QUERY_CHARS))].slice(0, 5);
  if (usable.length === 0) return undefined;
  const lead = usable.reduce((a, b) => (b.length > a.length ? b : a));
  return { lead, others: usable.filter((t) => t !== lead) };
};

/** Whether a lead's search text holds a word starting with each of `others` (the check a store may also filter with). */
export const matchesOthers = (text: string, others: readonly string[]): boolean =>
  others.every((o) => text.includes(` ${o}`));

/** Finds leads by a parsed query in the given scopes: at most `limit` leads, each once, as stored now. */
export type LeadSearch = {
  search(query: SearchQuery, scopes: readonly string[], limit: number, followedBy?: string): Promise<Lead[]>;
};
