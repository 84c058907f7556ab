import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export const FIXTURE_HEADERS = [
  'First Name',
  'Last Name',
  'E-mail',
  'Mobile',
  'Company Name',
  'Country',
  'Opt-in',
  'Booth',
];

export type PlantedFile = {
  rows: string[][];
  /** Spreadsheet row numbers (header = 1) of rows that must be rejected, with the field at fault. */
  invalid: Map<number, string>;
  /** Rows repeating an earlier row's email inside the file. */
  inFileDuplicates: number[];
  /** Rows whose email belongs to a lead that exists before the import. */
  existingDuplicates: number[];
  existingEmails: string[];
};

/**
 * A lead list of `count` rows with planted faults: every 97th row has a bad email, every 101st has
 * neither email nor phone, every 89th repeats the email of the row before it, and every 113th
 * reuses one of `existing` addresses (leads created before the import). Deterministic.
 */
export const plantedLeads = (count: number, existing = 5, tag = 'x'): PlantedFile => {
  const rows: string[][] = [];
  const invalid = new Map<number, string>();
  const inFileDuplicates: number[] = [];
  const existingDuplicates: number[] = [];
  // Phones differ between files with different tags, so one file's leads never match another's by phone.
  const seed = [...tag].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 899, 7);
  const existingEmails = Array.from({ length: existing }, (_, i) => `known${i}.${tag}@existing-co.com`);
  for (let i = 0; i < count; i++) {
    const rowNumber = i + 2;
    let email = `lead${i}.${tag}@company${i % 500}.com`;
    let phone = i % 3 === 0 ? `+49 30 ${10_000_000 + seed * 100_000 + i}` : '';
    if (i % 97 === 96) {
      email = `broken-${i}-at-nowhere`;
      invalid.set(rowNumber, 'email');
    } else if (i % 101 === 100) {
      email = '';
      phone = '';
      invalid.set(rowNumber, 'email');
    } else if (i % 89 === 88 && i > 0) {
      const prev = rows[i - 1];
      if (prev?.[2]?.includes('@') && prev[2] !== '' && !invalid.has(rowNumber - 1)) {
        email = prev[2].toUpperCase();
        phone = '';
        inFileDuplicates.push(rowNumber);
      }
    } else if (i % 113 === 112 && existing > 0) {
      email = existingEmails[i % existing] as string;
      phone = '';
      existingDuplicates.push(rowNumber);
    }
    rows.push([
      `First${i}`,
      `Last${i}`,
      email,
      phone,
      `Company ${i % 500}`,
      i % 2 ? 'DE' : 'FR',
      i % 2 ? 'yes' : 'no',
      `B${i % 40}`,
    ]);
  }
  return { rows, invalid, inFileDuplicates, existingDuplicates, existingEmails };
};

export const writeCsv = async (path: string, headers: string[], rows: string[][]) =>
  writeFile(path, stringify([headers, ...rows]));

/** Streams an .xlsx, so a 100,000-row workbook never sits in memory. */
export const writeXlsx = async (path: string, headers: (string | number)[], rows: unknown[][], sheetName = 'Leads') => {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(headers).commit();
  for (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
};
