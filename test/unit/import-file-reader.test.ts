import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readTable } from '../../functions/adapters/import-file-reader';
import type { SourceRow } from '../../functions/core/import/row-to-lead';
import { writeXlsx } from './import-fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leadflow-import-'));
});

const readAll = async (path: string, options = {}) => {
  const rows: SourceRow[] = [];
  for await (const row of readTable(path, options)) rows.push(row);
  return rows;
};
const file = async (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
};

describe('reading CSV files', () => {
  it('streams the header and rows with spreadsheet row numbers, skipping blank lines', async () => {
    const path = await file('ok.csv', '\uFEFFEmail,Name\na@b.io,"Lee, Ann"\n\nc@d.io,"multi\nline"\n');
    expect(await readAll(path)).toEqual([
      { rowNumber: 1, values: ['Email', 'Name'] },
      { rowNumber: 2, values: ['a@b.io', 'Lee, Ann'] },
      { rowNumber: 3, values: ['c@d.io', 'multi\nline'] },
    ]);
  });

  it('detects a semicolon-separated file from its header', async () => {
    const path = await file('semi.csv', 'Email;Budget\na@b.io;1,5\n');
    expect((await readAll(path))[1]?.values).toEqual(['a@b.io', '1,5']);
  });

  it('refuses a file that is not UTF-8, naming the byte and the fix', async () => {
    const path = await file(
      'latin1.csv',
      Buffer.concat([Buffer.from('Email,Name\na@b.io,Ren'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    await expect(readAll(path)).rejects.toThrow(
      /not valid utf-8 text \(byte 0xe9 at offset 21\); save it as "CSV UTF-8"/,
    );
  });

  it('reads a Windows-1252 file when told its encoding', async () => {
    const path = await file(
      'cp1252.csv',
      Buffer.concat([Buffer.from('Email,Name\na@b.io,Ren'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    expect((await readAll(path, { encoding: 'windows-1252' }))[1]?.values).toEqual(['a@b.io', 'René']);
  });

  it('refuses ragged rows, naming the line', async () => {
    const path = await file('ragged.csv', 'Email,Name,Phone\na@b.io,Ann,1\nc@d.io,Bo\n');
    await expect(readAll(path)).rejects.toThrow(/line 3: 2 fields where the header has 3/);
  });

  it('refuses a binary file renamed .csv', async () => {
    const png = await file('image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    const zip = await file('book.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0]));
    const junk = await file('junk.csv', Buffer.from([0x41, 0x00, 0x42, 0x43]));
    await expect(readAll(png)).rejects.toThrow(/not a CSV file: it is a PNG image/);
    await expect(readAll(zip)).rejects.toThrow(/it is a ZIP archive \(an \.xlsx workbook\?\)/);
    await expect(readAll(junk)).rejects.toThrow(/binary data \(NUL bytes\)/);
  });

  it('refuses an empty file and a file of blank lines', async () => {
    await expect(readAll(await file('empty.csv', ''))).rejects.toThrow(/is empty$/);
    await expect(readAll(await file('blank.csv', '\n\n  \n'))).rejects.toThrow(/is empty \(only blank lines\)/);
  });

  it('refuses 10,000 columns at the header', async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
    await expect(readAll(await file('wide.csv', `${header}\n`))).rejects.toThrow(
      /has 10000 columns; a lead file has at most 250/,
    );
  });

  it('refuses UTF-16 text with the fix', async () => {
    await expect(readAll(await file('utf16.csv', Buffer.from('\uFEFFEmail\n', 'utf16le')))).rejects.toThrow(/UTF-16/);
  });
});

describe('reading XLSX workbooks', () => {
  it('streams the first sheet as text: numbers without exponent, dates as ISO dates', async () => {
    const path = join(dir, 'ok.xlsx');
    await writeXlsx(
      path,
      ['Email', 'Phone', 'Since', 'Opt-in'],
      [['a@b.io', 4930123456, new Date(Date.UTC(2026, 0, 5)), true]],
    );
    expect(await readAll(path)).toEqual([
      { rowNumber: 1, values: ['Email', 'Phone', 'Since', 'Opt-in'] },
      { rowNumber: 2, values: ['a@b.io', '4930123456', '2026-01-05', 'TRUE'] },
    ]);
  });

  it('reads the sheet asked for by name, and lists the sheets when it is missing', async () => {
    const path = join(dir, 'named.xlsx');
    await writeXlsx(path, ['Email'], [['a@b.io']], 'Fair 2026');
    expect((await readAll(path, { sheet: 'Fair 2026' }))[1]?.values).toEqual(['a@b.io']);
    await expect(readAll(path, { sheet: 'Other' })).rejects.toThrow(/no sheet named 'Other'; it has: Fair 2026/);
  });

  it('refuses a formula, naming the cell and the fix', async () => {
    const path = join(dir, 'formula.xlsx');
    await writeXlsx(
      path,
      ['Email', 'Name'],
      [
        ['a@b.io', 'Ann'],
        ['c@d.io', { formula: 'A3&"x"', result: 'c@d.iox' }],
      ],
    );
    await expect(readAll(path)).rejects.toThrow(/cell B3 holds a formula; imports take values only/);
  });

  it('refuses a file renamed .xlsx that is not a workbook', async () => {
    await expect(readAll(await file('fake.xlsx', 'Email\na@b.io\n'))).rejects.toThrow(/is not an \.xlsx workbook/);
    await expect(readAll(await file('empty.xlsx', ''))).rejects.toThrow(/is empty/);
  });

  it('refuses a value in a column without header', async () => {
    const path = join(dir, 'beyond.xlsx');
    await writeXlsx(path, ['Email'], [['a@b.io', 'stray']]);
    await expect(readAll(path)).rejects.toThrow(/cell B2 has a value but its column has no header/);
  });
});
