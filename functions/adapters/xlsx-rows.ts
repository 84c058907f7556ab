import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { type CentralDirectoryEntry, Open } from 'unzipper';

/**
 * A lean, streaming reader of the rows of one .xlsx worksheet. The zip's central directory is read
 * first, so the shared strings (wherever they sit in the archive) are loaded before the sheet, into
 * one UTF-8 buffer with offsets; the sheet's XML is then inflated and parsed as it streams, and each
 * row is handed on as soon as its closing tag is seen. Nothing else of the workbook is kept:
 * memory is the shared strings plus one chunk of XML, whatever the number of rows.
 */

/** A cell as the sheet stores it: text, a number, a boolean, a date (by its number format), or a marker. */
export type XlsxValue = string | number | boolean | Date | { formula: string } | { error: string };
/** `cells[0]` is column A; a column with no cell (or an empty one) is a hole. */
export type XlsxRow = { rowNumber: number; cells: (XlsxValue | undefined)[] };

/** The archive or its XML is not what an .xlsx workbook holds. */
export class XlsxFormatError extends Error {}

export type XlsxWorkbook = {
  /** Worksheet names in the workbook's tab order (chart sheets left out). */
  sheets: string[];
  rows(sheet: string): AsyncGenerator<XlsxRow>;
};

const localName = (name: string) => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

/** Shared strings held once, as UTF-8 bytes in one growing buffer with an offset per string. */
class StringTable {
  private bytes = Buffer.alloc(64 * 1024);
  private offsets = new Uint32Array(4096);
  private used = 0;
  count = 0;
  add(text: string) {
    const length = Buffer.byteLength(text);
    if (this.used + length > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (this.count + 2 > this.offsets.length) {
      const grown = new Uint32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.used += this.bytes.write(text, this.used, 'utf8');
    this.count++;
    this.offsets[this.count] = this.used;
  }
  get(index: number): string | undefined {
    if (!(index >= 0 && index < this.count)) return undefined;
    return this.bytes.toString('utf8', this.offsets[index], this.offsets[index + 1]);
  }
}

/** OOXML escapes characters XML cannot carry as `_xHHHH_` (e.g. `_x000D_` for a carriage return). */
const unescapeOoxml = (text: string) =>
  text.includes('_x')
    ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : text;

type XmlHandlers = {
  open?: (name: string, attributes: Record<string, string>) => void;
  close?: (name: string) => void;
  text?: (text: string) => void;
};

const parserFor = (handlers: XmlHandlers) => {
  const parser = new SaxesParser();
  if (handlers.open) {
    const open = handlers.open;
    parser.on('opentag', (tag: SaxesTagPlain) => open(localName(tag.name), tag.attributes));
  }
  if (handlers.close) {
    const close = handlers.close;
    parser.on('closetag', (tag: SaxesTagPlain) => close(localName(tag.name)));
  }
  if (handlers.text) {
    parser.on('text', handlers.text);
    parser.on('cdata', handlers.text);
  }
  return parser;
};

/** Parses one entry as it inflates, calling `after` between chunks (where a caller can hand on what is ready). */
async function* parseStream(stream: Readable, handlers: XmlHandlers): AsyncGenerator<void> {
  const parser = parserFor(handlers);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parser.write(decoder.write(chunk));
    yield;
  }
  parser.write(decoder.end());
  parser.close();
}

/** Parses one part of the archive; a damaged entry or malformed XML is an error naming the part. */
async function* parsePart(entry: CentralDirectoryEntry, handlers: XmlHandlers): AsyncGenerator<void> {
  try {
    yield* parseStream(entry.stream(), handlers);
  } catch (error) {
    if (error instanceof XlsxFormatError) throw error;
    throw new XlsxFormatError(`${entry.path}: ${(error as Error).message}`);
  }
}

const parseEntry = async (entry: CentralDirectoryEntry, handlers: XmlHandlers) => {
  for await (const _ of parsePart(entry, handlers));
};

type Relationship = { id: string; type: string; target: string };

const readRelationships = async (entry: CentralDirectoryEntry | undefined, base: string): Promise<Relationship[]> => {
  const found: Relationship[] = [];
  if (!entry) return found;
  await parseEntry(entry, {
    open: (name, a) => {
      if (name !== 'Relationship' || !a.Target || a.TargetMode === 'External') return;
      const target = a.Target.startsWith('/') ? a.Target.slice(1) : posix.normalize(posix.join(base, a.Target));
      found.push({ id: a.Id ?? '', type: a.Type ?? '', target });
    },
  });
  return found;
};

const relsOf = (part: string) => posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);

/** Number formats Excel builds in (no numFmt element in styles.xml) that show a date or time. */
const BUILT_IN_DATES = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47,
]);
for (let id = 50; id <= 58; id++) BUILT_IN_DATES.add(id);

/** A custom format shows a date when, outside quoted text and [brackets], it has a date or time part. */
export const isDateFormat = (code: string) => /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));

/** Which cell styles (`s` attribute: an index into cellXfs) show numbers as dates. */
const readDateStyles = async (entry: CentralDirectoryEntry | undefined): Promise<boolean[]> => {
  const dates: boolean[] = [];
  if (!entry) return dates;
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await parseEntry(entry, {
    open: (name, a) => {
      if (name === 'numFmt') custom.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) xfFormats.push(Number(a.numFmtId ?? 0));
    },
    close: (name) => {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  for (const id of xfFormats) {
    const code = custom.get(id);
    dates.push(code !== undefined ? isDateFormat(code) : BUILT_IN_DATES.has(id));
  }
  return dates;
};

const readSharedStrings = async (entry: CentralDirectoryEntry | undefined): Promise<StringTable> => {
  const table = new StringTable();
  if (!entry) return table;
  let inItem = false;
  let inText = false;
  let phonetic = 0;
  let text = '';
  await parseEntry(entry, {
    open: (name) => {
      if (name === 'si') {
        inItem = true;
        text = '';
      } else if (name === 'rPh') phonetic++;
      else if (name === 't' && inItem && phonetic === 0) inText = true;
    },
    close: (name) => {
      if (name === 'si') {
        table.add(unescapeOoxml(text));
        inItem = false;
      } else if (name === 'rPh') phonetic--;
      else if (name === 't') inText = false;
    },
    text: (t) => {
      if (inText) text += t;
    },
  });
  return table;
};

/** Zero-based column of a cell reference (`B7` → 1), or -1 when the reference has no letters. */
export const columnIndex = (ref: string): number => {
  let column = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const code = ref.charCodeAt(i) & ~0x20; // upper-case
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return i === 0 ? -1 : column - 1;
};

const excelDate = (serial: number, date1904: boolean) =>
  new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));

export const openXlsx = async (path: string): Promise<XlsxWorkbook> => {
  const directory = await Open.file(path).catch((error: Error) => {
    throw new XlsxFormatError(
      `its ZIP directory cannot be read (${error.message}): the file is incomplete or damaged; save it again from Excel`,
    );
  });
  const entries = new Map<string, CentralDirectoryEntry>();
  for (const entry of directory.files) entries.set(entry.path.replace(/^\//, '').toLowerCase(), entry);
  const entry = (part: string) => entries.get(part.toLowerCase());

  const rootRels = await readRelationships(entry('_rels/.rels'), '');
  const workbookPart = rootRels.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const workbookEntry = entry(workbookPart);
  if (!workbookEntry) throw new XlsxFormatError(`the archive has no workbook part (${workbookPart})`);
  const rels = await readRelationships(entry(relsOf(workbookPart)), posix.dirname(workbookPart));
  const byId = new Map(rels.map((r) => [r.id, r]));

  const sheets: { name: string; part: string }[] = [];
  let date1904 = false;
  await parseEntry(workbookEntry, {
    open: (name, a) => {
      if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      if (name !== 'sheet') return;
      const rel = byId.get(a['r:id'] ?? Object.entries(a).find(([k]) => localName(k) === 'id')?.[1] ?? '');
      if (rel && !rel.type.endsWith('/worksheet')) return; // a chart sheet or dialog sheet has no rows
      sheets.push({ name: a.name ?? '', part: rel?.target ?? `xl/worksheets/sheet${sheets.length + 1}.xml` });
    },
  });
  const partOf = (type: string, fallback: string) => entry(rels.find((r) => r.type.endsWith(type))?.target ?? fallback);

  return {
    sheets: sheets.map((s) => s.name),
    async *rows(name: string) {
      const sheet = sheets.find((s) => s.name === name);
      const sheetEntry = sheet && entry(sheet.part);
      if (!sheet || !sheetEntry) throw new XlsxFormatError(`the worksheet '${name}' is missing from the archive`);
      // Shared strings and styles first, then the sheet streams against them.
      const strings = await readSharedStrings(partOf('/sharedStrings', 'xl/sharedStrings.xml'));
      const dateStyles = await readDateStyles(partOf('/styles', 'xl/styles.xml'));
      yield* sheetRows(sheetEntry, strings, dateStyles, date1904);
    },
  };
};

async function* sheetRows(
  entry: CentralDirectoryEntry,
  strings: StringTable,
  dateStyles: boolean[],
  date1904: boolean,
): AsyncGenerator<XlsxRow> {
  const ready: XlsxRow[] = [];
  let row: XlsxRow | undefined;
  let lastRow = 0;
  let nextColumn = 0;
  // The cell being read.
  let column = 0;
  let ref = '';
  let type = 'n';
  let style = 0;
  let formula = false;
  let hasValue = false;
  let capture = false;
  let phonetic = 0;
  let inline = false;
  let text = '';

  const cellValue = (): XlsxValue | undefined => {
    if (formula) return { formula: text };
    if (!hasValue) return undefined;
    switch (type) {
      case 's': {
        const index = Number.parseInt(text, 10);
        if (Number.isNaN(index)) return undefined;
        const shared = strings.get(index);
        if (shared === undefined)
          throw new XlsxFormatError(
            `cell ${ref} refers to shared string ${index}, but the workbook has ${strings.count}`,
          );
        return shared;
      }
      case 'inlineStr':
      case 'str':
        return unescapeOoxml(text);
      case 'e':
        return { error: text };
      case 'b':
        return Number.parseInt(text, 10) !== 0;
      case 'd': {
        const date = new Date(text);
        return Number.isNaN(date.getTime()) ? text : date;
      }
      default: {
        if (text.trim() === '') return undefined;
        const number = Number(text);
        if (Number.isNaN(number)) return text;
        return dateStyles[style] ? excelDate(number, date1904) : number;
      }
    }
  };

  const handlers: XmlHandlers = {
    open: (name, a) => {
      switch (name) {
        case 'row':
          lastRow = a.r ? Number.parseInt(a.r, 10) : lastRow + 1;
          row = { rowNumber: lastRow, cells: [] };
          nextColumn = 0;
          break;
        case 'c':
          ref = a.r ?? '';
          column = ref ? columnIndex(ref) : -1;
          if (column < 0) column = nextColumn;
          if (!ref) ref = `#${column + 1}`;
          nextColumn = column + 1;
          type = a.t ?? 'n';
          style = a.s ? Number.parseInt(a.s, 10) : 0;
          formula = false;
          hasValue = false;
          text = '';
          break;
        case 'f':
          formula = true;
          capture = true;
          text = '';
          break;
        case 'v':
          if (!formula) {
            hasValue = true;
            capture = true;
          }
          break;
        case 'is':
          hasValue = true;
          inline = true;
          type = 'inlineStr';
          break;
        case 'rPh':
          phonetic++;
          break;
        case 't':
          if (phonetic === 0 && inline) capture = true;
          break;
      }
    },
    close: (name) => {
      switch (name) {
        case 'f':
        case 'v':
        case 't':
          capture = false;
          break;
        case 'rPh':
          phonetic--;
          break;
        case 'is':
          inline = false;
          break;
        case 'c': {
          const value = cellValue();
          if (row && value !== undefined && value !== '') row.cells[column] = value;
          break;
        }
        case 'row':
          if (row) ready.push(row);
          row = undefined;
          break;
      }
    },
    text: (t) => {
      if (capture) text += t;
    },
  };
  for await (const _ of parsePart(entry, handlers)) if (ready.length > 0) yield* ready.splice(0);
  yield* ready.splice(0);
}
