import { createWriteStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { ImportFileError } from '../core/import/import-file-error';
import { ROW_COLUMN, valueColumn } from '../core/import/import-objects';
import type { ImportNormaliser } from '../core/import/ports';
import { type ReadOptions, readTable } from './import-file-reader';

/**
 * Reads a CSV or XLSX upload whole (so a malformed file fails before any row is imported) and
 * writes a plain UTF-8 CSV the Distributed Map's CSV ItemReader can read: the original row number,
 * then the values under positional headers (real headers may repeat, be empty or be very long).
 * Only the import reads this file, never a person: values stay exactly as given (no formula
 * escaping, which would turn a phone `+49 …` into `'+49 …` on its way into a lead).
 */
export const normaliseToCsv = (async (
  inPath: string,
  outPath: string,
  options: ReadOptions = {},
): Promise<{ headers: string[]; totalRows: number }> => {
  const out = createWriteStream(outPath);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  let headers: string[] | undefined;
  let totalRows = 0;
  try {
    for await (const row of readTable(inPath, options)) {
      if (!headers) {
        headers = row.values;
        await write(stringify([[ROW_COLUMN, ...headers.map((_, i) => valueColumn(i))]]));
        continue;
      }
      totalRows++;
      await write(stringify([[String(row.rowNumber), ...row.values]]));
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  if (!headers) throw new ImportFileError(`${inPath} is empty`);
  if (totalRows === 0) throw new ImportFileError(`${inPath} has a header but no data rows`);
  return { headers, totalRows };
}) satisfies ImportNormaliser;
