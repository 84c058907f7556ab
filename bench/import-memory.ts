import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { PROJECT_ROOT } from '../local/config';
import { runWithPeakRss, writeCsv } from './import';
import { benchPayload } from './lead-factory';
import { round } from './stats';

const HEADER = ['First Name', 'Last Name', 'Email', 'Phone', 'Company', 'Job Title', 'Country'];

/**
 * The bench's lead list as a workbook, streamed row by row. `sharedStrings: true` is how Excel saves
 * (every text once in sharedStrings.xml, which exceljs writes after the sheet); false writes inline strings.
 */
export const writeXlsxLeads = async (file: string, run: string, rows: number, sharedStrings: boolean) => {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useSharedStrings: sharedStrings,
    useStyles: false,
  });
  const sheet = book.addWorksheet('Leads');
  sheet.addRow(HEADER).commit();
  for (let i = 0; i < rows; i++) {
    const p = benchPayload(run, i);
    sheet.addRow([p.firstName, p.lastName, p.email, p.phone, p.company, p.jobTitle, p.country]).commit();
  }
  sheet.commit();
  await book.commit();
};

/**
 * Peak RSS of `leadflow import --dry-run` (issue 18: ≤ 200 MB at 100,000 rows) on the same leads as
 * CSV, as XLSX with shared strings (as Excel saves) and as XLSX with inline strings. The dry run reads
 * the whole file, validates every row, asks the runtime for stored duplicates and forecasts the file's
 * own, so it is the CLI's heaviest path on one file. `BENCH_IMPORT_MEMORY_ROWS` changes the size.
 */
export const measureImportMemory = async (rt: { url: string }, rows: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-bench-memory-'));
  try {
    const run = `m${Date.now().toString(36)}`;
    const files = {
      csv: join(dir, 'leads.csv'),
      xlsxSharedStrings: join(dir, 'leads-shared.xlsx'),
      xlsxInlineStrings: join(dir, 'leads-inline.xlsx'),
    };
    writeCsv(files.csv, run, rows);
    await writeXlsxLeads(files.xlsxSharedStrings, run, rows, true);
    await writeXlsxLeads(files.xlsxInlineStrings, run, rows, false);
    const result: Record<string, unknown> = { rows, targetMb: 200 };
    for (const [kind, file] of Object.entries(files)) {
      const out = await runWithPeakRss(
        [join(PROJECT_ROOT, 'bin', 'leadflow.js'), 'import', file, '--dry-run', '--api', rt.url],
        { ...process.env, NODE_OPTIONS: '' },
      );
      if (out.code !== 0)
        throw new Error(
          `leadflow import --dry-run ${kind} exited with ${out.code}: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
      result[kind] = { peakRssMb: out.peakRssMb, seconds: round(out.ms / 1000, 1) };
      console.log(`  ${rows} rows, ${kind}: dry run peak RSS ${out.peakRssMb} MB in ${round(out.ms / 1000, 1)} s`);
    }
    result.note =
      'peak RSS (VmHWM, sampled every 100 ms) of bin/leadflow.js import --dry-run against the local runtime; the CLI bundle when it is fresh (npm run build:cli), else tsx';
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
