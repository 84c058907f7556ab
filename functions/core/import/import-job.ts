import { createHash } from 'node:crypto';
import { type CaptureDeps, captureLead } from '../capture-lead';
import { measuredCapture } from '../metric-facts';
import type { FieldIssue } from '../errors';
import type { Actor } from '../lead';
import type { SourceConfig } from '../sources';
import type { MappingFile, ResolvedMapping } from './column-mapping';
import { blockingKeysOf, type DedupeKey } from '../dedupe';
import { fingerprintOf } from '../similarity';
import { personKeysOfRow, prepareRow, type SourceRow } from './row-to-lead';

/** Rows per batch request: small enough for a 256 KiB body and one Lambda's time budget. */
export const MAX_ROWS_PER_BATCH = 250;

export type RowStatus = 'created' | 'duplicate' | 'rejected';

/** What happened to one row; stored once per job and row, so a re-run answers the same. */
export type RowOutcome = {
  rowNumber: number;
  status: RowStatus;
  leadId?: string;
  /** Created, but matching an existing person (the source's policy kept it). */
  possibleDuplicate?: boolean;
  duplicates?: { kind: string; id: string; matchedOn: string; value: string }[];
  issues?: FieldIssue[];
};

export type ImportCounts = { created: number; duplicates: number; rejected: number; possibleDuplicates: number };
export const ZERO_COUNTS: ImportCounts = { created: 0, duplicates: 0, rejected: 0, possibleDuplicates: 0 };

export type ImportJob = {
  jobId: string;
  sourceId: string;
  fileName: string;
  contentHash: string;
  headers: string[];
  mapping: ResolvedMapping;
  createdAt: string;
  createdBy: Actor;
  /** Known once the whole file has been read. */
  totalRows?: number;
  /** Kept for files uploaded to S3, whose columns are read later by the workflow. */
  sheet?: string;
  mappingFile?: MappingFile;
  counts: ImportCounts;
  failure?: string;
};

export type ImportStatus = 'running' | 'completed' | 'failed';

export const statusOf = (job: Pick<ImportJob, 'totalRows' | 'counts' | 'failure'>): ImportStatus => {
  if (job.failure) return 'failed';
  const done = job.counts.created + job.counts.duplicates + job.counts.rejected;
  return job.totalRows !== undefined && done >= job.totalRows ? 'completed' : 'running';
};

export const countsOf = (outcomes: readonly RowOutcome[]): ImportCounts => {
  const counts = { ...ZERO_COUNTS };
  for (const o of outcomes) {
    if (o.status === 'created') counts.created++;
    else if (o.status === 'duplicate') counts.duplicates++;
    else counts.rejected++;
    if (o.possibleDuplicate) counts.possibleDuplicates++;
  }
  return counts;
};

/**
 * Same file, same source, same mapping → same job: a re-run or resume continues the job instead of
 * starting a second one. The content hash is the file's SHA-256 (hex).
 */
export const jobIdOf = (
  contentHash: string,
  sourceId: string,
  mapping: MappingFile | undefined,
  sheet?: string,
): string =>
  `imp-${createHash('sha256')
    .update(JSON.stringify([contentHash.toLowerCase(), sourceId, mapping ?? null, sheet ?? null]))
    .digest('hex')
    .slice(0, 32)}`;

/** The delivery id each row is captured under: replays of the row find the first answer. */
export const rowDeliveryId = (jobId: string, rowNumber: number) => `${jobId}:${rowNumber}`;

export type ImportStore = {
  createJob(job: ImportJob): Promise<ImportJob>;
  getJob(jobId: string): Promise<ImportJob | undefined>;
  /** Outcomes already recorded for these rows. */
  readOutcomes(jobId: string, rowNumbers: number[]): Promise<Map<number, RowOutcome>>;
  /** Records outcomes not recorded yet and adds them to the job's counts, exactly once per row. */
  /**
   * Records the rows' outcomes; `personKeys` are the e-mail and phone of rejected rows (no lead of theirs
   * names the row), indexed by keyed hash so an erasure or export of the person finds the row.
   */
  recordOutcomes(
    jobId: string,
    outcomes: RowOutcome[],
    rows: Map<number, string[]>,
    personKeys?: Map<number, DedupeKey[]>,
  ): Promise<void>;
  setTotalRows(jobId: string, totalRows: number): Promise<void>;
  /** For uploaded files: the columns and row count found when the workflow read the file. */
  setColumns(jobId: string, headers: string[], mapping: ResolvedMapping, totalRows: number): Promise<void>;
  fail(jobId: string, reason: string): Promise<void>;
  /** Rejected rows in row order, with the original values. */
  rejectedRows(jobId: string): AsyncIterable<{ outcome: RowOutcome; values: string[] }>;
};

export type ImportBatchDeps = {
  capture: CaptureDeps;
  store: ImportStore;
  /** Rows captured at once. @default 16 */
  concurrency?: number;
  /** Lifecycle starts in flight at once (each still waits for the starter's pacing). @default 16 */
  startConcurrency?: number;
};

/**
 * Runs tasks with at most `limit` at once, but a task never starts before every earlier task that
 * shares one of its keys has finished: two rows with the same email in one batch are captured in
 * file order, so the second one sees the first (duplicates inside the file are caught).
 */
export const runKeyOrdered = async <T>(
  items: { keys: string[]; run: () => Promise<T> }[],
  limit: number,
): Promise<T[]> => {
  const last = new Map<string, Promise<unknown>>();
  let active = 0;
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    if (active < limit) {
      active++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const all = items.map((item) => {
    const before = item.keys.map((k) => last.get(k)).filter((p): p is Promise<unknown> => p !== undefined);
    const done = (async () => {
      await Promise.allSettled(before);
      await acquire();
      try {
        return await item.run();
      } finally {
        release();
      }
    })();
    for (const k of item.keys) last.set(k, done);
    return done;
  });
  return Promise.all(all);
};

export type BatchRequest = { job: ImportJob; source: SourceConfig; rows: SourceRow[]; actor: Actor };

/**
 * Imports one batch of rows: rows already recorded answer their stored outcome; the others are
 * validated and captured like any other lead (delivery id = job + row), then recorded. Safe to
 * repeat, concurrently too: each row is captured once and counted once.
 */
export const importBatch = async (deps: ImportBatchDeps, request: BatchRequest): Promise<RowOutcome[]> => {
  const { job, source, rows, actor } = request;
  // Rows are written first, at the database's speed; their lifecycles follow through the (paced)
  // starter. A row's outcome is recorded only once its lifecycle has started, so a batch that dies
  // in between is captured again, finds its delivery, and starts what is missing (captureLead's ensureStarted).
  const starts: { leadId: string; input: Record<string, unknown> }[] = [];
  const capture: CaptureDeps = {
    ...deps.capture,
    workflow: { startLifecycle: async (leadId, input) => void starts.push({ leadId, input }) },
  };
  const known = await deps.store.readOutcomes(
    job.jobId,
    rows.map((r) => r.rowNumber),
  );
  const fresh = rows.filter((r) => !known.has(r.rowNumber));
  const prepared = fresh.map((row) => ({ row, prepared: prepareRow(job.headers, row, job.mapping) }));
  const outcomes = await runKeyOrdered(
    prepared.map(({ row, prepared: p }) => ({
      // Blocking keys too: similar rows are captured in file order instead of racing for the key item.
      keys: p.ok ? [...p.keys, ...blockingKeysOf(fingerprintOf('', p.lead))].map((k) => `${k.on}:${k.value}`) : [],
      run: async (): Promise<RowOutcome> => {
        if (!p.ok) {
          capture.metrics?.record([{ name: 'CapturesRejected', reason: 'invalid', channel: 'IMPORT' }]);
          return { rowNumber: row.rowNumber, status: 'rejected', issues: p.issues };
        }
        const answer = await measuredCapture(
          capture.metrics,
          { sourceId: source.id, channel: 'IMPORT', policy: source.duplicatePolicy },
          () =>
            captureLead(capture, {
              payload: p.payload,
              channel: 'IMPORT',
              source,
              deliveryId: rowDeliveryId(job.jobId, row.rowNumber),
              actor,
            }),
        );
        const possibleDuplicate =
          answer.status === 'created' && answer.duplicates.some((m) => m.matchedOn !== 'domain');
        return {
          rowNumber: row.rowNumber,
          status: answer.status,
          leadId: answer.leadId || undefined,
          ...(possibleDuplicate ? { possibleDuplicate } : {}),
          ...(answer.duplicates.length > 0 ? { duplicates: answer.duplicates } : {}),
        };
      },
    })),
    deps.concurrency ?? 16,
  );
  await runKeyOrdered(
    starts.map((s) => ({ keys: [], run: () => deps.capture.workflow.startLifecycle(s.leadId, s.input) })),
    deps.startConcurrency ?? 16,
  );
  const rejected = new Set(outcomes.filter((o) => o.status === 'rejected').map((o) => o.rowNumber));
  const personKeys = new Map(
    fresh
      .filter((r) => rejected.has(r.rowNumber))
      .map((r) => [r.rowNumber, personKeysOfRow(job.headers, r, job.mapping)]),
  );
  await deps.store.recordOutcomes(job.jobId, outcomes, new Map(fresh.map((r) => [r.rowNumber, r.values])), personKeys);
  const byRow = new Map(outcomes.map((o) => [o.rowNumber, o]));
  return rows.map(
    (r) =>
      known.get(r.rowNumber) ??
      byRow.get(r.rowNumber) ?? {
        rowNumber: r.rowNumber,
        status: 'rejected',
        issues: [{ field: 'row', reason: 'not processed' }],
      },
  );
};
