import type { FieldIssue } from './errors';

/**
 * A lone UTF-16 surrogate: valid in a JS string (and in JSON's `\ud800` escape) but not Unicode, so
 * whoever reads it back as UTF-8 or with a strict JSON parser gets an error or U+FFFD. With the `u`
 * flag a surrogate *pair* is one code point and does not match.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

export const isWellFormed = (value: string): boolean => !LONE_SURROGATE.test(value);

export const NOT_WELL_FORMED = 'is not well-formed Unicode (it holds a lone UTF-16 surrogate)';

/**
 * Every string of a parsed JSON value, keys included, checked to be well-formed Unicode and brought
 * to NFC, so "é" typed as one code point or as e + accent is stored, compared and deduplicated as one
 * text. Answers the value with its strings normalised, and one issue per malformed string (its path).
 */
export const wellFormedJson = (value: unknown): { value: unknown; issues: FieldIssue[] } => {
  const issues: FieldIssue[] = [];
  const visit = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') {
      if (!isWellFormed(node)) issues.push({ field: path.join('.') || 'body', reason: NOT_WELL_FORMED });
      return node.normalize('NFC');
    }
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, String(i)]));
    if (node === null || typeof node !== 'object') return node;
    const entries: [string, unknown][] = [];
    for (const [key, item] of Object.entries(node)) {
      if (!isWellFormed(key)) {
        issues.push({
          field: [...path, key.replace(LONE_SURROGATES, '\ufffd')].join('.'),
          reason: `the field name ${NOT_WELL_FORMED}`,
        });
        continue;
      }
      entries.push([key.normalize('NFC'), visit(item, [...path, key])]);
    }
    // fromEntries defines own properties, so a "__proto__" key stays a key and never a prototype.
    return Object.fromEntries(entries);
  };
  const normalised = visit(value, []);
  return { value: normalised, issues };
};

/** The text rule for zod schemas: `.refine(...WELL_FORMED).transform(nfc)` after a string's own checks. */
export const WELL_FORMED = [isWellFormed, { message: NOT_WELL_FORMED }] as const;
export const nfc = (value: string): string => value.normalize('NFC');
