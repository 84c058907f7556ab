import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { readTable } from '../../functions/adapters/import-file-reader';
import { columnIndex, isDateFormat, openXlsx, type XlsxRow } from '../../functions/adapters/xlsx-rows';
import { writeXlsx } from './import-fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leadflow-xlsx-'));
});

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (data: Buffer) => {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A zip archive of the given parts, deflated, in the order given (so a test can put the sheet before its strings). */
const zip = (parts: [string, string][]): Buffer => {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of parts) {
    const data = Buffer.from(text);
    const packed = deflateRawSync(data);
    const fileName = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, packed);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
};

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A one-sheet workbook as Excel lays it out; the sheet part comes before the shared strings. */
const workbook = async (
  name: string,
  sheetData: string,
  { strings = [] as string[], styles = '', date1904 = false } = {},
) => {
  const parts: [string, string][] = [
    [
      '_rels/.rels',
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `<?xml version="1.0"?><workbook ${NS} xmlns:r="${REL}"><workbookPr${date1904 ? ' date1904="1"' : ''}/><sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ],
    [
      'xl/worksheets/sheet1.xml',
      `<?xml version="1.0"?><worksheet ${NS}><sheetData>${sheetData}</sheetData></worksheet>`,
    ],
    ['xl/sharedStrings.xml', `<?xml version="1.0"?><sst ${NS}>${strings.map((s) => `<si>${s}</si>`).join('')}</sst>`],
  ];
  if (styles) parts.push(['xl/styles.xml', `<?xml version="1.0"?><styleSheet ${NS}>${styles}</styleSheet>`]);
  const path = join(dir, name);
  await writeFile(path, zip(parts));
  return path;
};

const rowsOf = async (path: string): Promise<XlsxRow[]> => {
  const book = await openXlsx(path);
  const rows: XlsxRow[] = [];
  for await (const row of book.rows(book.sheets[0] as string)) rows.push(row);
  return rows;
};

const tableOf = async (path: string) => {
  const rows: { rowNumber: number; values: string[] }[] = [];
  for await (const row of readTable(path)) rows.push(row);
  return rows;
};

describe('the lean XLSX row reader', () => {
  it('reads shared strings (rich runs joined, phonetic runs and escapes handled) stored after the sheet', async () => {
    const path = await workbook(
      'shared.xlsx',
      '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' +
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>',
      {
        strings: [
          '<t>Email</t>',
          '<t xml:space="preserve">Name &amp; title</t>',
          '<r><t>a@b</t></r><r><rPr><b/></rPr><t>.io</t></r>',
          '<t>Ann_x000D_Lee</t><rPh sb="0" eb="3"><t>アン</t></rPh>',
        ],
      },
    );
    expect(await rowsOf(path)).toEqual([
      { rowNumber: 1, cells: ['Email', 'Name & title'] },
      { rowNumber: 2, cells: ['a@b.io', 'Ann\rLee'] },
    ]);
  });

  it('reads inline strings, numbers and booleans, and leaves a hole where a column letter is skipped', async () => {
    const path = await workbook(
      'inline.xlsx',
      '<row r="3"><c r="A3" t="inlineStr"><is><t>a@b.io</t></is></c><c r="D3"><v>4930123456</v></c>' +
        '<c r="E3"><v>0.25</v></c><c r="F3" t="b"><v>1</v></c><c r="AA3" t="inlineStr"><is><r><t>x</t></r><r><t>y</t></r></is></c></row>',
    );
    const [row] = await rowsOf(path);
    expect(row?.rowNumber).toBe(3);
    expect(row?.cells.length).toBe(27);
    expect(row?.cells.slice(0, 6)).toEqual(['a@b.io', undefined, undefined, 4930123456, 0.25, true]);
    expect(row?.cells[26]).toBe('xy');
    expect(Object.keys(row?.cells ?? [])).toEqual(['0', '3', '4', '5', '26']);
  });

  it('numbers rows and columns by position when the sheet leaves out their references', async () => {
    const path = await workbook(
      'norefs.xlsx',
      '<row><c t="inlineStr"><is><t>Email</t></is></c><c t="inlineStr"><is><t>Name</t></is></c></row>' +
        '<row><c t="inlineStr"><is><t>a@b.io</t></is></c><c t="inlineStr"><is><t>Ann</t></is></c></row>',
    );
    expect(await rowsOf(path)).toEqual([
      { rowNumber: 1, cells: ['Email', 'Name'] },
      { rowNumber: 2, cells: ['a@b.io', 'Ann'] },
    ]);
  });

  it('turns a number into a date when its style has a date format, built in or custom, and not otherwise', async () => {
    const styles =
      '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd hh:mm"/><numFmt numFmtId="165" formatCode="#,##0 &quot;days&quot;"/></numFmts>' +
      '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="4"/></cellXfs>';
    const cells =
      '<c r="A1" s="1"><v>46027</v></c><c r="B1" s="2"><v>46027.5</v></c><c r="C1" s="3"><v>46027</v></c><c r="D1" s="4"><v>46027</v></c><c r="E1" t="d"><v>2026-01-05T08:30:00Z</v></c>';
    const path = await workbook('dates.xlsx', `<row r="1">${cells}</row>`, { styles });
    expect((await rowsOf(path))[0]?.cells).toEqual([
      new Date(Date.UTC(2026, 0, 5)),
      new Date(Date.UTC(2026, 0, 5, 12)),
      46027,
      46027,
      new Date(Date.UTC(2026, 0, 5, 8, 30)),
    ]);
    const mac = await workbook('dates1904.xlsx', `<row r="1">${cells}</row>`, { styles, date1904: true });
    expect((await rowsOf(mac))[0]?.cells[0]).toEqual(new Date(Date.UTC(2030, 0, 6)));
    expect(isDateFormat('[Red]"day"0')).toBe(false);
    expect(isDateFormat('[$-409]d-mmm-yy')).toBe(true);
  });

  it('reads a workbook exceljs writes with shared strings, through readTable, padding empty cells', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Fair');
    sheet.addRow(['Email', 'Phone', 'Since']);
    sheet.getCell('A2').value = 'a@b.io';
    sheet.getCell('C2').value = new Date(Date.UTC(2026, 0, 5));
    sheet.getCell('B3').value = 4930123456;
    const path = join(dir, 'exceljs.xlsx');
    await book.xlsx.writeFile(path);
    expect(await tableOf(path)).toEqual([
      { rowNumber: 1, values: ['Email', 'Phone', 'Since'] },
      { rowNumber: 2, values: ['a@b.io', '', '2026-01-05'] },
      { rowNumber: 3, values: ['', '4930123456', ''] },
    ]);
  });

  it('gives a clear error for malformed XML, a shared string that does not exist and a truncated archive', async () => {
    const broken = await workbook('broken.xlsx', '<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></row>');
    await expect(tableOf(broken)).rejects.toThrow(
      /broken\.xlsx is not a readable \.xlsx workbook: xl\/worksheets\/sheet1\.xml: 1:\d+: unexpected close tag/,
    );
    const missing = await workbook('missing.xlsx', '<row r="1"><c r="A1" t="s"><v>7</v></c></row>', {
      strings: ['<t>Email</t>'],
    });
    await expect(tableOf(missing)).rejects.toThrow(
      /missing\.xlsx is not a readable \.xlsx workbook: cell A1 refers to shared string 7, but the workbook has 1/,
    );
    const whole = join(dir, 'whole.xlsx');
    await writeXlsx(whole, ['Email'], [['a@b.io']]);
    const truncated = join(dir, 'truncated.xlsx');
    const bytes = await readFile(whole);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(tableOf(truncated)).rejects.toThrow(
      /truncated\.xlsx is not a readable \.xlsx workbook: its ZIP directory cannot be read \(.*\): the file is incomplete or damaged/,
    );
  });

  it('reads column letters as zero-based indexes', () => {
    expect(['A1', 'Z9', 'AA10', 'xfd1', '12'].map(columnIndex)).toEqual([0, 25, 26, 16383, -1]);
  });
});
