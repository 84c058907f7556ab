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

type Kind = 'csv' | 'xlsxSharedStrings' | 'xlsxInlineStrings';
const writeLeads = async (kind: Kind, file: string, run: string, rows: number) => {
  if (kind === 'csv') writeCsv(file, run, rows);
  else await writeXlsxLeads(file, run, rows, kind === 'xlsxSharedStrings');
};
const extensionOf = (kind: Kind) => (kind === 'csv' ? 'csv' : 'xlsx');

/**
 * Peak RSS of `leadflow import` (issue 18: ≤ 200 MB at 100,000 rows), both ways:
 * - `--dry-run` on the same leads as CSV, as XLSX with shared strings (as Excel saves) and as XLSX with
 *   inline strings: it reads the whole file, validates every row, asks the runtime for stored duplicates
 *   and forecasts the file's own (`BENCH_IMPORT_MEMORY_ROWS` rows);
 * - the real import (`send`) of a CSV and an XLSX (shared strings) into the local runtime, every row
 *   captured (`BENCH_IMPORT_MEMORY_SEND_ROWS`, default 20,000, 200 at tiny sizes; 0 skips it). Each send imports its own
 *   leads (a file imported before would be answered from its job).
 * `BENCH_IMPORT_MEMORY_BASE_CLI=<another checkout>/bin/leadflow.js` measures that CLI too, each command
 * right before this one, so one run holds both (`base`, and `afterOverBefore` ratios of peak RSS).
 */
export const measureImportMemory = async (
  rt: { url: string },
  rows: number,
  options: { sendRows?: number; baseCli?: string } = {},
) => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-bench-memory-'));
  const sendRows = options.sendRows ?? rows;
  const clis = {
    ...(options.baseCli ? { base: options.baseCli } : {}),
    this: join(PROJECT_ROOT, 'bin', 'leadflow.js'),
  };
  try {
    const stamp = Date.now().toString(36);
    const dryRunFiles: Record<Kind, string> = {
      csv: join(dir, 'leads.csv'),
      xlsxSharedStrings: join(dir, 'leads-shared.xlsx'),
      xlsxInlineStrings: join(dir, 'leads-inline.xlsx'),
    };
    for (const [kind, file] of Object.entries(dryRunFiles)) await writeLeads(kind as Kind, file, `m${stamp}`, rows);
    const measured: Record<'base' | 'this', Record<string, unknown>> = { base: {}, this: {} };
    const run = async (who: keyof typeof clis, args: string[], label: string) => {
      const out = await runWithPeakRss([clis[who] as string, ...args, '--api', rt.url], {
        ...process.env,
        NODE_OPTIONS: '',
      });
      if (out.code !== 0)
        throw new Error(
          `${who} leadflow ${args.join(' ')} exited with ${out.code}: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
      console.log(`  ${label} (${who} CLI): peak RSS ${out.peakRssMb} MB in ${round(out.ms / 1000, 1)} s`);
      return { peakRssMb: out.peakRssMb, seconds: round(out.ms / 1000, 1) };
    };
    for (const [kind, file] of Object.entries(dryRunFiles))
      for (const who of Object.keys(clis) as (keyof typeof clis)[])
        measured[who][kind] = await run(who, ['import', file, '--dry-run'], `${rows} rows, ${kind}, dry run`);
    if (sendRows > 0) {
      for (const who of Object.keys(clis) as (keyof typeof clis)[]) measured[who].send = { rows: sendRows };
      for (const kind of ['csv', 'xlsxSharedStrings'] as const)
        for (const [i, who] of (Object.keys(clis) as (keyof typeof clis)[]).entries()) {
          const file = join(dir, `send-${who}.${extensionOf(kind)}`);
          await writeLeads(kind, file, `s${stamp}${kind === 'csv' ? 'c' : 'x'}${i}`, sendRows);
          (measured[who].send as Record<string, unknown>)[kind] = await run(
            who,
            ['import', file],
            `${sendRows} rows, ${kind}, import`,
          );
          rmSync(file, { force: true });
        }
    }
    const peakOf = (m: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries({ ...m, ...Object.fromEntries(Object.entries(obj(m.send)).map(([k, v]) => [`send.${k}`, v])) })
          .map(([k, v]) => [k, obj(v).peakRssMb])
          .filter(([, v]) => typeof v === 'number'),
      ) as Record<string, number>;
    const after = peakOf(measured.this);
    const before = peakOf(measured.base);
    return {
      rows,
      targetMb: 200,
      ...measured.this,
      ...(options.baseCli
        ? {
            base: { cli: options.baseCli, ...measured.base },
            afterOverBefore: Object.fromEntries(
              Object.entries(after).map(([k, v]) => [k, before[k] ? round(v / (before[k] as number), 2) : undefined]),
            ),
          }
        : {}),
      note: 'peak RSS (VmHWM, sampled every 100 ms) of bin/leadflow.js import --dry-run, and of the import itself (send), against the local runtime (its lifecycle a one-state placeholder); the CLI bundle when it is fresh (npm run build:cli), else tsx',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
