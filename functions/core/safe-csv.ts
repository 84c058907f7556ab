import { stringify } from 'csv-stringify/sync';

export type CsvCell = string | number | boolean | null | undefined;

/**
 * First characters that make a spreadsheet run a cell as a formula (OWASP "CSV injection"),
 * including the full-width forms some spreadsheets fold into them.
 */
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'] as const;

/**
 * The one CSV writer for every file a person opens (reports, rejected-rows reports, API and CLI
 * alike): RFC 4180 quoting, and any text cell — header cells included — that starts with a formula
 * trigger is prefixed with `'` (csv-stringify's `escape_formulas`), so it shows as text instead of
 * running. A number the product computed stays a number, negative ones too; text that merely looks
 * like one (`-5` typed into a form) is text and is escaped; a lone `-` is left as it is. Booleans are written `true`/`false`,
 * empty cells for null.
 */
export const formulaSafeCsv = (
  lines: readonly (readonly CsvCell[])[],
  { windows = false }: { windows?: boolean } = {},
): string =>
  stringify(
    lines.map((line) => [...line]),
    {
      escape_formulas: true,
      // A lone `-` (the reports' "none") is no formula, and stays readable.
      cast: { boolean: (v) => String(v), string: (v) => (v === '-' ? { value: v, escape_formulas: false } : v) },
      ...(windows ? { record_delimiter: 'windows' } : {}),
    },
  );
