import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse } from 'csv-parse';
import { MAX_COLUMNS } from '../core/import/column-mapping';
import type { SourceRow } from '../core/import/row-to-lead';
import type { XlsxValue } from './xlsx-rows';

import { ImportFileError } from '../core/import/import-file-error';

export { ImportFileError };

export type FileKind = 'csv' | 'xlsx';
export const MAX_CELL_CHARS = 10_000;

export const kindOf = (path: string): FileKind => {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.xls')
    throw new ImportFileError(
      `${path} is in the old Excel 97-2003 format; open it in Excel and save it as .xlsx or CSV UTF-8`,
    );
  throw new ImportFileError(`${path}: unsupported file type '${ext || '(none)'}'; give a .csv or .xlsx file`);
};

/** SHA-256 of the file's bytes, streamed. */
export const hashFile = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });

const MAGIC: [number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an .xlsx workbook?); give it the .xlsx extension'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel 97-2003 (.xls) or other OLE document; save it as .xlsx or CSV UTF-8'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x1f, 0x8b], 'a gzip archive'],
];

const head = async (path: string, bytes = 8192): Promise<Buffer> => {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw new ImportFileError(`${path} cannot be read: ${(error as Error).message}`);
  } finally {
    await handle.close();
  }
};

const startsWith = (buffer: Buffer, magic: number[]) => magic.every((b, i) => buffer[i] === b);

/** Fails fast on files that are not text at all, before any row is read. */
const sniffCsv = async (path: string): Promise<{ delimiter: string }> => {
  const size = (
    await stat(path).catch((error: Error) => {
      throw new ImportFileError(`${path} cannot be read: ${error.message}`);
    })
  ).size;
  if (size === 0) throw new ImportFileError(`${path} is empty`);
  const first = await head(path);
  if (startsWith(first, [0xff, 0xfe]) || startsWith(first, [0xfe, 0xff])) {
    throw new ImportFileError(`${path} is UTF-16 text; save it as "CSV UTF-8" (or give --encoding) and import again`);
  }
  for (const [magic, what] of MAGIC)
    if (startsWith(first, magic)) throw new ImportFileError(`${path} is not a CSV file: it is ${what}`);
  if (first.includes(0)) throw new ImportFileError(`${path} is not a CSV file: it contains binary data (NUL bytes)`);
  if (first.toString('utf8').trim() === '') throw new ImportFileError(`${path} is empty (only blank lines)`);
  // The header line tells the delimiter: Excel writes ';' where ',' is the decimal separator.
  const line = first.toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  const outsideQuotes = line.replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t']
    .map((d) => [d, outsideQuotes.split(d).length - 1] as const)
    .sort((a, b) => b[1] - a[1]);
  return { delimiter: counts[0] && counts[0][1] > 0 ? counts[0][0] : ',' };
};

/** Decodes bytes strictly: an invalid sequence is an error with its byte offset, never a silent U+FFFD. */
class StrictDecoder extends Transform {
  private readonly decoder: TextDecoder;
  private offset = 0;
  constructor(
    private readonly path: string,
    private readonly encoding: string,
  ) {
    super({ decodeStrings: true, readableObjectMode: false, encoding: 'utf8' });
    try {
      this.decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
    } catch {
      throw new ImportFileError(`unknown encoding '${encoding}'; use utf-8, windows-1252 or iso-8859-1`);
    }
  }
  private fail(chunk: Buffer): ImportFileError {
    // Find the first undecodable byte for the message.
    let at = 0;
    const probe = new TextDecoder(this.encoding, { fatal: true });
    for (let end = 1; end <= chunk.length; end++) {
      try {
        probe.decode(chunk.subarray(at, end), { stream: true });
        at = end;
      } catch {
        break;
      }
    }
    // The decoder notices a broken UTF-8 sequence one byte late: point at the sequence's lead byte.
    let start = at;
    while (start > 0 && ((chunk[start - 1] ?? 0) & 0xc0) === 0x80) start--;
    if (start > 0 && (chunk[start - 1] ?? 0) >= 0xc0 && start === at) start--;
    at = start;
    const byte = chunk[at]?.toString(16).padStart(2, '0') ?? '??';
    return new ImportFileError(
      `${this.path} is not valid ${this.encoding} text (byte 0x${byte} at offset ${this.offset + at}); save it as "CSV UTF-8", or give its encoding with --encoding windows-1252`,
    );
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    try {
      this.push(this.decoder.decode(chunk, { stream: true }));
      this.offset += chunk.length;
      done();
    } catch {
      done(this.fail(chunk));
    }
  }
  override _flush(done: TransformCallback) {
    try {
      this.push(this.decoder.decode());
      done();
    } catch {
      done(new ImportFileError(`${this.path} ends in the middle of a ${this.encoding} character`));
    }
  }
}

const csvMessage = (
  path: string,
  error: Error & { code?: string; lines?: number; record?: string[] },
  headerLength: number,
): string => {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH':
      return `${path} line ${error.lines}: ${error.record?.length ?? '?'} fields where the header has ${headerLength}; every row must have the header's number of columns`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${path}: a quoted field opened near line ${error.lines} is never closed`;
    case 'CSV_MAX_RECORD_SIZE':
      return `${path} line ${error.lines}: a row is larger than 1 MB`;
    default:
      return `${path} is not valid CSV: ${error.message}`;
  }
};

const checkHeader = (path: string, values: string[]) => {
  if (values.length > MAX_COLUMNS)
    throw new ImportFileError(`${path} has ${values.length} columns; a lead file has at most ${MAX_COLUMNS}`);
  if (values.every((v) => v.trim() === ''))
    throw new ImportFileError(`${path}: the first row must be a header naming the columns, but it is empty`);
};

const checkCells = (path: string, rowNumber: number, values: string[], headers: string[]) => {
  values.forEach((v, i) => {
    if (v.length > MAX_CELL_CHARS)
      throw new ImportFileError(
        `${path} row ${rowNumber}, column '${headers[i]}': longer than ${MAX_CELL_CHARS} characters`,
      );
  });
};

async function* readCsv(path: string, encoding: string): AsyncGenerator<SourceRow> {
  const { delimiter } = await sniffCsv(path);
  const parser = parse({
    delimiter,
    bom: true,
    skip_empty_lines: true,
    max_record_size: 1024 * 1024,
    relax_quotes: false,
  });
  // pipeline, not pipe: a decoding error must end the parser's iteration, not leave it waiting.
  pipeline(createReadStream(path), new StrictDecoder(path, encoding), parser, (error) => {
    if (error) parser.destroy(error);
  });
  let headers: string[] | undefined;
  let count = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!headers) {
        headers = record;
        checkHeader(path, headers);
        yield { rowNumber: 1, values: record };
        continue;
      }
      count++;
      if (record.every((v) => v.trim() === '')) continue;
      checkCells(path, count + 1, record, headers);
      yield { rowNumber: count + 1, values: record };
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ImportFileError) throw cause;
    throw new ImportFileError(csvMessage(path, error as Error, headers?.length ?? 0));
  }
  if (!headers) throw new ImportFileError(`${path} is empty`);
}

const dateText = (d: Date) =>
  d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0
    ? d.toISOString().slice(0, 10)
    : d.toISOString();

const columnName = (n: number): string => {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
};

/** A cell as text. Formulas are refused: their cached results may be stale or missing. */
const cellText = (path: string, value: XlsxValue | undefined, ref: string): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if ('formula' in value) {
    throw new ImportFileError(
      `${path}: cell ${ref} holds a formula; imports take values only. In Excel copy the sheet and use Paste Special → Values, then save and import again`,
    );
  }
  if ('error' in value)
    throw new ImportFileError(`${path}: cell ${ref} holds the error ${value.error}; fix or clear it and import again`);
  return String(value);
};

async function* readXlsx(path: string, sheet: string | undefined): AsyncGenerator<SourceRow> {
  const first = await head(path, 4);
  if (first.length === 0) throw new ImportFileError(`${path} is empty`);
  if (!startsWith(first, [0x50, 0x4b, 0x03, 0x04]))
    throw new ImportFileError(
      `${path} is not an .xlsx workbook (it is not a ZIP archive); give a real .xlsx or a CSV file`,
    );
  const fail = (error: unknown) =>
    error instanceof ImportFileError
      ? error
      : new ImportFileError(`${path} is not a readable .xlsx workbook: ${(error as Error).message}`);
  // The XLSX reader (unzipper and its dependencies, saxes) loads with the first workbook, not at every
  // cold start of the import functions: most imports are CSV, and it cost importBatch ~20 ms CPU at init.
  const { openXlsx } = await import('./xlsx-rows');
  const workbook = await openXlsx(path).catch((error: unknown) => {
    throw fail(error);
  });
  const name = sheet ?? workbook.sheets[0];
  if (name === undefined || !workbook.sheets.includes(name))
    throw new ImportFileError(
      sheet
        ? `${path} has no sheet named '${sheet}'; it has: ${workbook.sheets.join(', ')}`
        : `${path} has no worksheet`,
    );
  let headers: string[] | undefined;
  try {
    for await (const row of workbook.rows(name)) {
      const values: string[] = [];
      for (let c = 0; c < row.cells.length; c++)
        values.push(cellText(path, row.cells[c], `${columnName(c + 1)}${row.rowNumber}`).trim());
      if (!headers) {
        if (values.every((v) => v === '')) continue;
        while (values.length > 0 && values[values.length - 1] === '') values.pop();
        headers = values;
        checkHeader(path, headers);
        yield { rowNumber: row.rowNumber, values: headers };
        continue;
      }
      if (values.every((v) => v === '')) continue;
      const beyond = values.findIndex((v, i) => i >= (headers?.length ?? 0) && v !== '');
      if (beyond >= 0)
        throw new ImportFileError(
          `${path}: cell ${columnName(beyond + 1)}${row.rowNumber} has a value but its column has no header`,
        );
      const padded = headers.map((_, i) => values[i] ?? '');
      checkCells(path, row.rowNumber, padded, headers);
      yield { rowNumber: row.rowNumber, values: padded };
    }
  } catch (error) {
    throw fail(error);
  }
  if (!headers) throw new ImportFileError(`${path}: the sheet '${name}' is empty`);
}

export type ReadOptions = { sheet?: string; encoding?: string };

/**
 * Streams a CSV or XLSX file as rows: first the header (its own row number), then every non-empty
 * data row with the row number a spreadsheet shows. Memory stays flat whatever the file's size.
 * Structural problems throw ImportFileError with a message meant for the person importing.
 */
export const readTable = (path: string, options: ReadOptions = {}): AsyncGenerator<SourceRow> =>
  kindOf(path) === 'csv' ? readCsv(path, options.encoding ?? 'utf-8') : readXlsx(path, options.sheet);
