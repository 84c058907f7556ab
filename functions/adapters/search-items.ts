import type { Lead } from '../core/lead';
import { type SearchableLead, searchScopesOf, searchText, searchTokens } from '../core/search';
import { keys } from './keys';
import type { WriteItem } from './transaction';

type Indexed = SearchableLead & Pick<Lead, 'owner'>;

const entriesOf = (lead: Indexed) => {
  const tokens = searchTokens(lead);
  const text = searchText(tokens);
  return {
    text,
    keys: searchScopesOf(lead).flatMap((scope) => tokens.map((token) => keys.searchEntry(scope, token, lead.id))),
  };
};

/** The keys of every search item a lead holds now (an erasure deletes them all). */
export const searchEntryKeysOf = (lead: Indexed) => entriesOf(lead).keys;

/** Every search item of a new lead (capture, import). */
export const searchItemPuts = (table: string, lead: Indexed) => {
  const { text, keys: all } = entriesOf(lead);
  return all.map((key) => ({
    Put: { TableName: table, Item: { ...key, type: 'search', leadId: lead.id, text } },
  }));
};

const id = (key: { pk: string; sk: string }) => `${key.pk}|${key.sk}`;

/**
 * The search items a lead write adds and removes, for the same transaction as the lead: on capture
 * (or a lead not yet indexed: `before` undefined) every item; on a change only when a searchable field
 * or the owner moved (a stage move, a score, a follower write none). An item carries the lead's folded
 * words, so a query of several words filters on them; when they change every item is written again.
 */
export const searchItemWrites = (table: string, before: Indexed | undefined, after: Indexed): WriteItem[] => {
  const next = entriesOf(after);
  const prior = before ? entriesOf(before) : undefined;
  const textChanged = prior?.text !== next.text;
  const priorIds = new Set((prior?.keys ?? []).map(id));
  const nextIds = new Set(next.keys.map(id));
  const puts = next.keys
    .filter((key) => textChanged || !priorIds.has(id(key)))
    .map((key) => ({
      Put: { TableName: table, Item: { ...key, type: 'search', leadId: after.id, text: next.text } },
    }));
  const deletes = (prior?.keys ?? [])
    .filter((key) => !nextIds.has(id(key)))
    .map((key) => ({ Delete: { TableName: table, Key: key } }));
  return [...puts, ...deletes];
};

/** The follow item of each follower of a lead (ids only): what lists and search read for "leads I follow". */
export const followItemPuts = (table: string, lead: Pick<Lead, 'id' | 'createdAt' | 'followers'>) =>
  (lead.followers ?? []).map((user) => ({
    Put: {
      TableName: table,
      Item: { ...keys.followed(user, lead.createdAt, lead.id), type: 'follow', leadId: lead.id },
    },
  }));
