import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { hashFile, ImportFileError, readTable } from '../../functions/adapters/import-file-reader';
import {
  type MappingFile,
  MappingError,
  mappingFileSchema,
  type ResolvedMapping,
  resolveMapping,
} from '../../functions/core/import/column-mapping';
import { MAX_ROWS_PER_BATCH, type ImportCounts, type RowOutcome } from '../../functions/core/import/import-job';
import { isReported, reportHeader, reportLine } from '../../functions/core/import/rejected-report';
import { type ExistingMatch, makeDuplicateForecast } from '../../functions/core/import/duplicate-forecast';
import type { SimilarityThresholds } from '../../functions/core/dedupe';
import type { NormalisedLead } from '../../functions/core/normalise';
import { prepareRow, type SourceRow } from '../../functions/core/import/row-to-lead';
import { formulaSafeCsv } from '../../functions/core/safe-csv';
import { signDevToken } from '../../local/dev-jwt';
import { isLocalApi } from '../api-option';
import { type ApiClient, ApiError, makeApiClient } from './api-client';
import { makeProgress } from './progress';
import { describeQueue, readQueue, waitForRouting } from './wait-for-routing';

/** Exit statuses: rejected rows are not a failure; an unreadable file or an unreachable API is. */
export const EXIT = { ok: 0, usage: 1, file: 2, api: 3, interrupted: 130 } as const;

export type ImportOptions = {
  file: string;
  source: string;
  mapping?: string;
  sheet?: string;
  encoding?: string;
  dryRun: boolean;
  api: string;
  token?: string;
  /** On the local runtime, the user the import is credited to (the token is minted for them). */
  as?: string;
  /** Local runtime: wait until the lifecycles the import started are routed (the engine's queue is empty). */
  wait?: boolean;
  /** Rows per request (≤ MAX_ROWS_PER_BATCH). */
  batchSize?: number;
  /** Requests in flight at once (≤ MAX_IN_FLIGHT). @default PIPELINE */
  inFlight?: number;
};

export type ImportIo = { out: NodeJS.WriteStream; err: NodeJS.WriteStream; signal?: AbortSignal };

/** Rows per request by default: small enough to answer well inside a function's timeout on a busy machine. */
const DEFAULT_BATCH_ROWS = 100;
/**
 * Requests in flight at once. On AWS each may run in its own `importsApi` instance, each pacing its
 * lifecycle starts with its own bucket: PIPELINE × IMPORT_API_STARTS_PER_SECOND is what one import starts per second.
 */
export const PIPELINE = 2;
/**
 * `--in-flight` is for the local runtime, which does not pace starts: a million-row bench there gained
 * ~10 % from four requests in flight. Bounded, as each request holds a connection and a batch in memory.
 */
const MAX_IN_FLIGHT = 8;
/** Keep each request well under the API's 256 KiB body limit. */
const MAX_BATCH_BYTES = 200 * 1024;

type JobAnswer = {
  jobId: string;
  status: string;
  counts: ImportCounts;
  processed: number;
  totalRows?: number;
  rejectedReport: string;
};

export const reportPathOf = (file: string) => join(dirname(file), `${basename(file, extname(file))}.rejected.csv`);

const loadMapping = async (path: string | undefined): Promise<MappingFile | undefined> => {
  if (!path) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ImportFileError(`mapping file ${path} cannot be read: ${(error as Error).message}`);
  }
  const parsed = mappingFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ImportFileError(
      `mapping file ${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
};

/** The rejected-rows report is written beside the input, whole or not at all (temp file, then rename). */
const makeReport = (file: string, headers: string[]) => {
  const path = reportPathOf(file);
  const partial = `${path}.partial`;
  const stream = createWriteStream(partial);
  let lines = 0;
  stream.write(formulaSafeCsv([reportHeader(headers)]));
  return {
    path,
    add(outcome: RowOutcome, values: string[]) {
      lines++;
      stream.write(formulaSafeCsv([reportLine(outcome, values)]));
    },
    async finish() {
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      if (lines === 0) {
        await rm(partial, { force: true });
        await rm(path, { force: true });
        return undefined;
      }
      await rename(partial, path);
      return path;
    },
    async abandon() {
      stream.destroy();
      await rm(partial, { force: true });
    },
  };
};

/**
 * The server's report of a finished job, written beside the input like the CLI's own (whole, or none
 * when no row was refused). Re-written through the formula-safe writer, so the file is safe whatever
 * server answered (escaping is idempotent: an escaped cell starts with `'`, not a trigger).
 */
const writeReport = async (file: string, csv: string) => {
  const path = reportPathOf(file);
  const lines = parse(csv, { relax_column_count: true }) as string[][];
  if (lines.length <= 1) {
    await rm(path, { force: true });
    return undefined;
  }
  await writeFile(`${path}.partial`, formulaSafeCsv(lines));
  await rename(`${path}.partial`, path);
  return path;
};

/** First pass: the whole file is read before anything is written, so a malformed file writes nothing. */
const scan = async (
  options: ImportOptions,
  mappingFile: MappingFile | undefined,
  onRow?: (row: SourceRow, headers: string[], mapping: ResolvedMapping) => void | Promise<void>,
) => {
  let headers: string[] | undefined;
  let mapping: ResolvedMapping | undefined;
  let rows = 0;
  for await (const row of readTable(options.file, { sheet: options.sheet, encoding: options.encoding })) {
    if (!headers) {
      headers = row.values;
      mapping = resolveMapping(headers, mappingFile);
      continue;
    }
    rows++;
    if (onRow && mapping) await onRow(row, headers, mapping);
  }
  if (!headers || !mapping) throw new ImportFileError(`${options.file} is empty`);
  if (rows === 0) throw new ImportFileError(`${options.file} has a header but no data rows`);
  return { headers, mapping, rows };
};

const describeMapping = (headers: string[], mapping: ResolvedMapping) =>
  headers.map((h, i) => `${h || `(column ${i + 1})`} → ${mapping.targets[i] ?? 'ignored'}`).join(', ');

const summary = (file: string, total: number, c: ImportCounts) =>
  `${basename(file)}: ${total} rows → ${c.created} created${c.possibleDuplicates ? ` (${c.possibleDuplicates} matching existing people, kept per the source's policy)` : ''}, ${c.duplicates} duplicates refused by the source's policy, ${c.rejected} rejected`;

type ExistingAnswer = {
  sourceId: string;
  policy: string;
  thresholds: SimilarityThresholds;
  checked: number;
  rows: { rowNumber: number; matches: ExistingMatch[] }[];
};

/**
 * The dry run asks the API what each valid row would match among stored records (`POST
 * /imports/duplicates`: the capture's key lookups), with the source's own thresholds, one batch at a
 * time as the file is read, so no more than a batch of rows is held. Unreachable or refused: the
 * forecast covers the file alone and says why (the first failure ends the asking).
 */
const makeExistingChecker = (options: ImportOptions, mappingFile: MappingFile | undefined, headers: string[]) => {
  let api: ApiClient | undefined;
  let answer: Omit<ExistingAnswer, 'rows'> | undefined;
  let failure: string | undefined;
  return {
    get answer() {
      return failure ? undefined : answer;
    },
    get failure() {
      return failure;
    },
    async check(batch: SourceRow[]): Promise<Map<number, ExistingMatch[]>> {
      const byRow = new Map<number, ExistingMatch[]>();
      if (failure || batch.length === 0) return byRow;
      try {
        if (!api) {
          const token =
            options.token ??
            process.env.LEADFLOW_TOKEN ??
            (isLocalApi(options.api)
              ? await signDevToken({ user: localImporter(options), groups: ['salesops'] })
              : undefined);
          if (!token) {
            failure = `${options.api} is not the local runtime: give --token <jwt> (or LEADFLOW_TOKEN)`;
            return byRow;
          }
          api = makeApiClient(options.api, token, { attempts: 2 });
        }
        const got = await api.request<ExistingAnswer>('POST', '/imports/duplicates', {
          source: options.source,
          headers,
          ...(mappingFile ? { mapping: mappingFile } : {}),
          rows: batch,
        });
        const { rows: matched, ...rest } = got;
        answer = { ...rest, checked: (answer?.checked ?? 0) + rest.checked };
        for (const r of matched) byRow.set(r.rowNumber, r.matches);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        failure = error.message;
      }
      return byRow;
    },
  };
};

const dryRun = async (options: ImportOptions, mappingFile: MappingFile | undefined, io: ImportIo): Promise<number> => {
  const invalid: { outcome: RowOutcome; values: string[] }[] = [];
  let valid = 0;
  // Valid rows are checked against the store and forecast a batch at a time as the file is read:
  // only the forecast's keys stay in memory, never the rows (100,000 rows held whole cost ~90 MB).
  let checker: ReturnType<typeof makeExistingChecker> | undefined;
  let forecast: ReturnType<typeof makeDuplicateForecast> | undefined;
  let batch: { row: SourceRow; lead: NormalisedLead }[] = [];
  let bytes = 0;
  const flush = async (headers: string[]) => {
    checker ??= makeExistingChecker(options, mappingFile, headers);
    const byRow = await checker.check(batch.map((v) => v.row));
    forecast ??= makeDuplicateForecast(checker.answer?.thresholds);
    for (const { row, lead } of batch) forecast.add(row.rowNumber, lead, byRow.get(row.rowNumber));
    batch = [];
    bytes = 0;
  };
  const { headers, mapping, rows } = await scan(options, mappingFile, async (row, h, m) => {
    const prepared = prepareRow(h, row, m);
    if (!prepared.ok) {
      invalid.push({
        outcome: { rowNumber: row.rowNumber, status: 'rejected', issues: prepared.issues },
        values: row.values,
      });
      return;
    }
    valid++;
    const size = JSON.stringify(row).length;
    if (batch.length >= DEFAULT_BATCH_ROWS || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) await flush(h);
    batch.push({ row, lead: prepared.lead });
    bytes += size;
  });
  if (batch.length > 0) await flush(headers);
  io.out.write(`columns: ${describeMapping(headers, mapping)}\n`);
  const report = makeReport(options.file, headers);
  for (const { outcome, values } of invalid) report.add(outcome, values);
  const path = await report.finish();
  forecast ??= makeDuplicateForecast();
  const f = forecast.result();
  // A row repeating an email or phone of an earlier valid row is what the forecast counts as an exact
  // match within the file (every valid row is added, with the same keys), so no second set of keys is kept.
  io.out.write(
    `dry run, nothing written: ${rows} rows → ${valid} valid (${f.exact} repeat an email or phone of an earlier row), ${invalid.length} would be rejected\n`,
  );
  const existing = {
    answer: checker?.answer,
    failure: checker ? checker.failure : 'no valid row to look up',
  };
  const t = existing.answer?.thresholds;
  io.out.write(`duplicates within the file: ${f.exact} exact (email/phone), ${f.similar} similar (${f.sure} sure)\n`);
  if (existing.answer && t)
    io.out.write(
      `duplicates of stored leads and contacts (source ${existing.answer.sourceId}, policy ${existing.answer.policy}, thresholds block ${t.block} / alert ${t.alert}): ` +
        `${f.existing.exact} exact (email/phone), ${f.existing.similar} similar (${f.existing.sure} sure)\n`,
    );
  else io.out.write(`stored leads not checked (${existing.failure}); default thresholds used\n`);
  io.out.write(
    `→ policy reject refuses ${f.byPolicy.reject.refused} and flags ${f.byPolicy.reject.flagged}; ` +
      `create and associate store every row and flag ${f.byPolicy.create.flagged}\n`,
  );
  if (path) io.out.write(`rejected rows: ${path}\n`);
  return EXIT.ok;
};

/**
 * Who a local import is credited to: `--as`, else LEADFLOW_USER, else the local sales-ops user. Never
 * the machine's login: the feed would credit the import to "root" or whoever ran the shell.
 */
export const LOCAL_IMPORTER = 'sam';
const localImporter = (options: ImportOptions) => options.as ?? process.env.LEADFLOW_USER ?? LOCAL_IMPORTER;

const send = async (options: ImportOptions, mappingFile: MappingFile | undefined, io: ImportIo): Promise<number> => {
  const [contentHash, scanned] = await Promise.all([hashFile(options.file), scan(options, mappingFile)]);
  const { headers, mapping, rows: total } = scanned;
  io.out.write(`columns: ${describeMapping(headers, mapping)}\n`);

  const token =
    options.token ??
    process.env.LEADFLOW_TOKEN ??
    (isLocalApi(options.api) ? await signDevToken({ user: localImporter(options), groups: ['salesops'] }) : undefined);
  if (!token) throw new ApiError(`${options.api} is not the local runtime: give --token <jwt> (or LEADFLOW_TOKEN)`);
  const api = makeApiClient(options.api, token);
  const job = await api.request<JobAnswer>('POST', '/imports', {
    fileName: basename(options.file),
    contentHash,
    source: options.source,
    headers,
    ...(options.sheet ? { sheet: options.sheet } : {}),
    ...(mappingFile ? { mapping: mappingFile } : {}),
  });
  if (job.status === 'completed' && job.totalRows === total && job.processed === total) {
    // Every row already has its outcome: answer from the job instead of sending the file again.
    io.out.write(`job ${job.jobId} was imported before: all ${total} rows have their outcome; nothing sent\n`);
    const path = await writeReport(options.file, await api.text(job.rejectedReport));
    io.out.write(`${summary(options.file, total, job.counts)}\n`);
    if (path) io.out.write(`rejected rows: ${path}\n`);
    io.out.write(`job ${job.jobId}: ${job.status}\n`);
    return EXIT.ok;
  }
  if (job.processed > 0)
    io.out.write(`resuming job ${job.jobId}: ${job.processed} of ${total} rows were already imported\n`);
  else io.out.write(`job ${job.jobId}\n`);

  const report = makeReport(options.file, headers);
  const progress = makeProgress(total, io.err);
  const batchSize = Math.min(options.batchSize ?? DEFAULT_BATCH_ROWS, MAX_ROWS_PER_BATCH);
  const pipeline = Math.max(1, Math.min(options.inFlight ?? PIPELINE, MAX_IN_FLIGHT));
  let batch: SourceRow[] = [];
  let batchKeys = new Set<string>();
  let bytes = 0;
  let sent = 0;
  let answered = 0;
  let failure: unknown;
  /** Requests in flight, with the person keys (email, phone) of their rows. */
  const inFlight = new Map<Promise<void>, Set<string>>();
  // Answers are taken in the order the batches were sent, so the report lists rows in file order.
  let inOrder: Promise<unknown> = Promise.resolve();
  const post = (rows: SourceRow[], last: boolean) => {
    const answer = api.request<JobAnswer & { results: RowOutcome[] }>('POST', `/imports/${job.jobId}/rows`, {
      rows,
      ...(last ? { totalRows: total } : {}),
    });
    const taken = Promise.all([answer, inOrder]).then(([a]) => {
      const values = new Map(rows.map((r) => [r.rowNumber, r.values]));
      for (const outcome of a.results)
        if (isReported(outcome)) report.add(outcome, values.get(outcome.rowNumber) ?? []);
      answered += rows.length;
      progress.update(answered);
    });
    inOrder = taken.catch(() => undefined);
    return taken.catch((error: unknown) => {
      failure ??= error;
    });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    const keys = batchKeys;
    batch = [];
    batchKeys = new Set();
    bytes = 0;
    // Rows sharing an email or phone are captured in file order: a batch waits for any batch in flight
    // that holds one of its keys. Otherwise `pipeline` batches overlap, so the server is never idle
    // while the CLI reads and sends.
    for (const [pending, pendingKeys] of inFlight) if ([...keys].some((k) => pendingKeys.has(k))) await pending;
    while (inFlight.size >= pipeline) await Promise.race(inFlight.keys());
    if (failure) return;
    sent += rows.length;
    const request = post(rows, sent === total);
    inFlight.set(request, keys);
    void request.finally(() => inFlight.delete(request));
  };
  try {
    let header = true;
    for await (const row of readTable(options.file, { sheet: options.sheet, encoding: options.encoding })) {
      if (header) {
        header = false;
        continue;
      }
      if (io.signal?.aborted || failure) break;
      const size = JSON.stringify(row).length;
      if (batch.length >= batchSize || bytes + size > MAX_BATCH_BYTES) await flush();
      batch.push(row);
      bytes += size;
      const prepared = prepareRow(headers, row, mapping);
      if (prepared.ok) for (const k of prepared.keys) if (k.on !== 'domain') batchKeys.add(`${k.on}:${k.value}`);
    }
    if (!io.signal?.aborted && !failure) await flush();
    await Promise.all(inFlight.keys());
    if (failure) throw failure;
  } catch (error) {
    progress.stop();
    await report.abandon();
    throw error;
  }
  const last = io.signal?.aborted ? job : await api.request<JobAnswer>('GET', `/imports/${job.jobId}`);
  progress.stop();
  if (io.signal?.aborted) {
    await report.abandon();
    io.out.write(
      `interrupted after ${answered} of ${total} rows; run the same command again to resume (rows already imported are not imported twice)\n`,
    );
    return EXIT.interrupted;
  }
  const path = await report.finish();
  io.out.write(`${summary(options.file, total, last.counts)}\n`);
  if (path) io.out.write(`rejected rows: ${path}\n`);
  io.out.write(`job ${job.jobId}: ${last.status}\n`);
  await followRouting(api, options, io);
  return EXIT.ok;
};

/**
 * On the local runtime the lifecycles an import starts queue behind it (local/engine-admission.ts):
 * the CLI says how many, and with `--wait` follows them until every lead is routed and announced.
 */
const followRouting = async (api: ApiClient, options: ImportOptions, io: ImportIo) => {
  if (!options.wait) {
    const h = await readQueue(api);
    if (h?.workflow && h.workflow.queued + h.workflow.running > 0)
      io.out.write(`local engine: ${describeQueue(h.workflow)} (--wait follows them)\n`);
    return;
  }
  const waited = await waitForRouting(api, io.err, { signal: io.signal });
  if (!waited) io.out.write('--wait: not the local runtime; on AWS each lifecycle starts with its row\n');
  else
    io.out.write(
      `routed: ${waited.settled} lifecycle(s) settled in ${waited.seconds} s after the import` +
        `${waited.seconds > 0 ? ` (${Math.round(waited.settled / waited.seconds)}/s)` : ''}\n`,
    );
};

/** `leadflow import`: resolves the exit status and prints every failure as one clear line. */
export const runImport = async (options: ImportOptions, io: ImportIo): Promise<number> => {
  try {
    const mappingFile = await loadMapping(options.mapping);
    return options.dryRun ? await dryRun(options, mappingFile, io) : await send(options, mappingFile, io);
  } catch (error) {
    if (error instanceof ImportFileError) {
      io.err.write(`leadflow import: ${error.message}\nnothing was imported\n`);
      return EXIT.file;
    }
    if (error instanceof MappingError) {
      io.err.write(
        `leadflow import: the columns of ${options.file} cannot be mapped:\n${error.issues.map((i) => `  ${i.field}: ${i.reason}`).join('\n')}\nnothing was imported\n`,
      );
      return EXIT.file;
    }
    if (error instanceof ApiError) {
      io.err.write(`leadflow import: ${error.message}\n`);
      return EXIT.api;
    }
    throw error;
  }
};
