import { hasOpenDuplicates } from '../core/duplicates';
import type { Lead } from '../core/lead';
import { keys } from './keys';

/** A lead as stored: the domain object plus its keys and index keys (kept in step on every write). */
export const leadItem = (lead: Lead) => ({
  ...keys.lead(lead.id),
  ...keys.ownerIndex(lead.owner, lead.createdAt, lead.id),
  ...keys.stageIndex(lead.stage, lead.createdAt, lead.id),
  ...(lead.due ? keys.dueIndex(lead.due.at, lead.id) : {}),
  ...(hasOpenDuplicates(lead) ? keys.duplicatesIndex(lead.createdAt, lead.id) : {}),
  type: 'lead',
  ...lead,
});

const STORAGE_FIELDS = new Set([
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'type',
  'taskToken',
  'searchIndexed',
  'gsi4pk',
  'gsi4sk',
  'gsi3pk',
  'gsi3sk',
]);

export const leadFromItem = (item: Record<string, unknown>): Lead =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE_FIELDS.has(k))) as Lead;
