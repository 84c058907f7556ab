import { dedupeKeysOf, type DedupeKey } from '../dedupe';
import { type FieldIssue, ValidationError } from '../errors';
import { prepareLead } from '../capture-lead';
import { type NormalisedLead, normaliseEmail, normalisePhone } from '../normalise';
import type { ColumnTarget, ResolvedMapping, TargetField } from './column-mapping';

/** One data row as read from the file. `rowNumber` counts like a spreadsheet: the header is row 1. */
export type SourceRow = { rowNumber: number; values: string[] };

const TRUE = new Set(['yes', 'y', 'true', '1', 'x', 'ja', 'oui', 'opted in', 'optin', 'granted']);
const FALSE = new Set(['no', 'n', 'false', '0', 'nein', 'non', 'opted out', 'optout', 'denied']);

const parseBoolean = (value: string): boolean | undefined => {
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
};

/** "1200", "1,200.50", "1 200" — never guesses between decimal commas and thousands separators. */
const parseAmount = (value: string): number | undefined => {
  const v = value
    .trim()
    .replace(/^[$€£]\s*/, '')
    .replace(/\s/g, '');
  const plain = /^\d+(\.\d+)?$/.test(v) ? v : /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(v) ? v.replace(/,/g, '') : undefined;
  return plain === undefined ? undefined : Number(plain);
};

/** "Ann Lee" → Ann / Lee; "Lee, Ann" → Ann / Lee; a single word is the last name. */
const splitName = (full: string): { firstName?: string; lastName?: string } => {
  const v = full.trim().replace(/\s+/g, ' ');
  if (v.includes(',')) {
    const [last, first] = v.split(',', 2).map((s) => s.trim());
    return { firstName: first || undefined, lastName: last || undefined };
  }
  const at = v.lastIndexOf(' ');
  return at < 0 ? { lastName: v } : { firstName: v.slice(0, at), lastName: v.slice(at + 1) };
};

/**
 * Turns one row into the canonical payload the capture core validates. Empty cells are absent
 * fields; cells that cannot be converted (a consent of "maybe") are reported per field.
 */
export const rowToPayload = (
  headers: readonly string[],
  row: SourceRow,
  mapping: ResolvedMapping,
): { payload: Record<string, unknown>; issues: FieldIssue[] } => {
  const payload: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  const nested = (group: 'utm' | 'consent') => {
    const existing = payload[group];
    if (typeof existing === 'object' && existing !== null) return existing as Record<string, unknown>;
    const created: Record<string, unknown> = {};
    payload[group] = created;
    return created;
  };
  const custom: Record<string, string> = {};

  const put = (target: Exclude<ColumnTarget, null>, raw: string, header: string) => {
    const value = raw.trim();
    if (value === '') return;
    if (target.startsWith('custom:')) {
      custom[target.slice('custom:'.length)] = value;
      return;
    }
    const field = target as TargetField;
    switch (field) {
      case 'fullName':
        Object.assign(payload, splitName(value));
        return;
      case 'expectedValue': {
        const amount = parseAmount(value);
        if (amount === undefined)
          issues.push({ field: 'expectedValue', reason: `'${header}' is not a number: ${value.slice(0, 40)}` });
        else payload.expectedValue = amount;
        return;
      }
      case 'consent.marketing': {
        const yes = parseBoolean(value);
        if (yes === undefined)
          issues.push({
            field: 'consent.marketing',
            reason: `'${header}' must be yes or no, got ${value.slice(0, 40)}`,
          });
        else nested('consent').marketing = yes;
        return;
      }
      case 'leadType':
        payload.leadType = value.toUpperCase();
        return;
      default:
        if (field.startsWith('utm.') || field.startsWith('consent.')) {
          const [group, key] = field.split('.') as ['utm' | 'consent', string];
          nested(group)[key] = value;
        } else payload[field] = value;
    }
  };

  mapping.targets.forEach((target, index) => {
    if (target !== null) put(target, row.values[index] ?? '', headers[index] ?? `column ${index + 1}`);
  });
  for (const [field, value] of Object.entries(mapping.defaults) as [TargetField, string][]) {
    const present = field.includes('.')
      ? (payload[field.split('.')[0] as string] as Record<string, unknown> | undefined)?.[field.split('.')[1] as string]
      : payload[field];
    if (present === undefined) put(field, value, `default ${field}`);
  }
  // A consent date without a consent answer is not consent.
  const consent = payload.consent as Record<string, unknown> | undefined;
  if (consent && consent.marketing === undefined) {
    issues.push({ field: 'consent.marketing', reason: 'a consent date was given without a yes/no consent column' });
  }
  if (Object.keys(custom).length > 0) payload.customFields = custom;
  return { payload, issues };
};

export type PreparedRow =
  | { rowNumber: number; ok: true; payload: Record<string, unknown>; lead: NormalisedLead; keys: DedupeKey[] }
  | { rowNumber: number; ok: false; issues: FieldIssue[] };

/** The same validation and normalisation every channel gets (`prepareLead`), plus the file's own conversions. */
export const prepareRow = (headers: readonly string[], row: SourceRow, mapping: ResolvedMapping): PreparedRow => {
  const { payload, issues } = rowToPayload(headers, row, mapping);
  try {
    const lead = prepareLead(payload);
    if (issues.length > 0) return { rowNumber: row.rowNumber, ok: false, issues };
    return { rowNumber: row.rowNumber, ok: true, payload, lead, keys: dedupeKeysOf(lead) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const all = [...issues, ...(error.details.issues ?? [])];
    return { rowNumber: row.rowNumber, ok: false, issues: all };
  }
};

/**
 * The e-mail and phone a row names, normalised as the duplicate check does, even when the row is
 * rejected (another field was invalid): what lets an erasure or export of that person find the row.
 */
export const personKeysOfRow = (headers: readonly string[], row: SourceRow, mapping: ResolvedMapping): DedupeKey[] => {
  const { payload } = rowToPayload(headers, row, mapping);
  const keys: DedupeKey[] = [];
  if (typeof payload.email === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(payload.email.trim()))
    keys.push({ on: 'email', value: normaliseEmail(payload.email) });
  if (typeof payload.phone === 'string') {
    const phone = normalisePhone(payload.phone, typeof payload.country === 'string' ? payload.country : undefined);
    if (phone) keys.push({ on: 'phone', value: phone });
  }
  return keys;
};
