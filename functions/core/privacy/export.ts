import { type CsvCell, formulaSafeCsv } from '../safe-csv';
import type { HeldRecord, SubjectHoldings } from './erasure';

export type ExportFile = { name: string; contentType: string; body: string };

/** One CSV cell per top-level field; nested values as JSON text (still formula-safe). */
const cellOf = (value: unknown): CsvCell => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Set) return JSON.stringify([...value]);
  return JSON.stringify(value);
};

const slug = (label: string) => label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

const jsonReplacer = (_key: string, value: unknown) => (value instanceof Set ? [...value] : value);

/**
 * A subject-access archive: one JSON document of everything held, grouped by kind of record, and one
 * CSV per kind (formula-safe: a name typed as `=HYPERLINK(…)` shows as text).
 */
export const exportFiles = (
  held: readonly HeldRecord[],
  meta: { exportId: string; at: string; holdings: SubjectHoldings },
): ExportFile[] => {
  const byLabel = new Map<string, HeldRecord[]>();
  for (const h of held) byLabel.set(h.label, [...(byLabel.get(h.label) ?? []), h]);
  const document = {
    exportId: meta.exportId,
    createdAt: meta.at,
    leadIds: meta.holdings.leadIds,
    contactIds: meta.holdings.contactIds,
    records: Object.fromEntries([...byLabel].map(([label, rows]) => [label, rows.map((r) => r.record)])),
  };
  const files: ExportFile[] = [
    { name: 'export.json', contentType: 'application/json', body: JSON.stringify(document, jsonReplacer, 2) },
  ];
  for (const [label, rows] of byLabel) {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r.record)))].sort();
    const lines = [columns, ...rows.map((r) => columns.map((c) => cellOf(r.record[c])))];
    files.push({ name: `${slug(label)}.csv`, contentType: 'text/csv', body: formulaSafeCsv(lines) });
  }
  return files;
};
