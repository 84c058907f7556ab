import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import type { CaptureDeps } from '../core/capture-lead';
import { fieldIssuesOf, NotFoundError, ValidationError } from '../core/errors';
import { MAX_COLUMNS, MappingError, mappingFileSchema, resolveMapping } from '../core/import/column-mapping';
import {
  type ImportJob,
  type ImportStore,
  importBatch,
  jobIdOf,
  MAX_ROWS_PER_BATCH,
  statusOf,
  ZERO_COUNTS,
} from '../core/import/import-job';
import { reportHeader, reportLine } from '../core/import/rejected-report';
import { existingKeysOf, existingMatchesOf } from '../core/import/duplicate-forecast';
import { prepareRow } from '../core/import/row-to-lead';
import { DEFAULT_THRESHOLDS } from '../core/dedupe';
import type { DuplicatesReader } from '../core/ports';
import type { ImportUploads } from '../core/import/ports';
import { formulaSafeCsv } from '../core/safe-csv';
import type { Clock } from '../core/ports';
import { lookupSource, type SourceProvider } from '../core/source-catalog';
import { type Caller, callerOf, isManager } from '../http/auth';
import { jsonBody } from '../http/body';
import { type HttpResult, json } from '../http/responses';
import { routeBy } from '../http/router';

export type ImportsApiDeps = {
  capture: CaptureDeps;
  store: ImportStore;
  /** The seed and the stored sources (a retired one answers 410). */
  sources: SourceProvider;
  clock: Clock;
  uploads?: ImportUploads;
  /** Rows captured at once within a batch. */
  concurrency?: number;
  /** The dry run's lookup of stored leads: the capture's key items, batched reads. */
  duplicates?: Pick<DuplicatesReader, 'holders'>;
};

const MAX_CELL = 10_000;

const createSchema = z
  .object({
    fileName: z.string().trim().min(1).max(255),
    contentHash: z.string().regex(/^[0-9a-f]{64}$/i, { message: 'must be the SHA-256 of the file, in hex' }),
    source: z.string().min(1).max(63).default('import'),
    sheet: z.string().max(100).optional(),
    headers: z
      .array(z.string().max(500))
      .max(MAX_COLUMNS, { message: `at most ${MAX_COLUMNS} columns are accepted` })
      .optional(),
    mapping: z.unknown().optional(),
  })
  .strict();

const rowsSchema = z
  .object({
    rows: z
      .array(
        z
          .object({ rowNumber: z.number().int().min(2), values: z.array(z.string().max(MAX_CELL)).max(MAX_COLUMNS) })
          .strict(),
      )
      .max(MAX_ROWS_PER_BATCH, { message: `at most ${MAX_ROWS_PER_BATCH} rows per request` }),
    totalRows: z.number().int().min(0).optional(),
  })
  .strict();

/** A dry run's batch: the file's header, its mapping, and up to MAX_ROWS_PER_BATCH rows. */
const duplicatesSchema = z
  .object({
    source: z.string().min(1).max(63).default('import'),
    headers: z
      .array(z.string().max(500))
      .min(1)
      .max(MAX_COLUMNS, { message: `at most ${MAX_COLUMNS} columns are accepted` }),
    mapping: z.unknown().optional(),
    rows: rowsSchema.shape.rows,
  })
  .strict();

const jobView = (job: ImportJob) => ({
  jobId: job.jobId,
  status: statusOf(job),
  sourceId: job.sourceId,
  fileName: job.fileName,
  createdAt: job.createdAt,
  createdBy: job.createdBy.id,
  totalRows: job.totalRows,
  counts: job.counts,
  processed: job.counts.created + job.counts.duplicates + job.counts.rejected,
  columns: job.headers.map((header, i) => ({ header, field: job.mapping.targets[i] ?? null })),
  failure: job.failure,
  rejectedReport: `/imports/${job.jobId}/rejected`,
});

export const makeImportsApi = (deps: ImportsApiDeps) => {
  /** The job as its owner (or a manager / sales ops) may see it; anyone else gets 404. */
  const visibleJob = async (caller: Caller, jobId: string) => {
    const job = await deps.store.getJob(jobId);
    if (!job || (job.createdBy.id !== caller.userId && !isManager(caller))) throw new NotFoundError('import', jobId);
    return job;
  };
  const jobIdOfPath = (event: APIGatewayProxyEventV2) => event.pathParameters?.id ?? '';

  /**
   * A request's import source (404 when unknown, 410 when retired) and how its columns map (the mapping
   * file's and the mapping's problems as 422 naming the field); no headers, no mapping yet.
   */
  const sourceAndMapping = async (body: { source: string; mapping?: unknown; headers?: string[] }) => {
    const source = await lookupSource(deps.sources, body.source, 'import', 'import source');
    if (!source) throw new NotFoundError('import source', body.source);
    const mappingFile = body.mapping === undefined ? undefined : mappingFileSchema.safeParse(body.mapping);
    if (mappingFile && !mappingFile.success)
      throw new ValidationError(
        fieldIssuesOf(mappingFile.error.issues.map((i) => ({ ...i, path: ['mapping', ...i.path] }))),
      );
    let mapping: ImportJob['mapping'] = { targets: [], defaults: {} };
    try {
      if (body.headers) mapping = resolveMapping(body.headers, mappingFile?.data);
    } catch (error) {
      if (error instanceof MappingError)
        throw new ValidationError(error.issues, 'The file\u2019s columns cannot be mapped');
      throw error;
    }
    return { source, mappingFile: mappingFile?.data, mapping };
  };

  return routeBy({
    'POST /imports': async (event) => {
      const caller = callerOf(event);
      const parsed = createSchema.safeParse(jsonBody(event));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      const body = parsed.data;
      const { source, mappingFile, mapping } = await sourceAndMapping(body);
      const jobId = jobIdOf(body.contentHash, source.id, mappingFile, body.sheet);
      const createdAt = deps.clock.now().toISOString();
      const job = await deps.store.createJob({
        jobId,
        sourceId: source.id,
        fileName: body.fileName,
        contentHash: body.contentHash.toLowerCase(),
        headers: body.headers ?? [],
        mapping,
        ...(body.sheet ? { sheet: body.sheet } : {}),
        ...(mappingFile ? { mappingFile } : {}),
        createdAt,
        createdBy: { kind: 'user', id: caller.userId, source: 'IMPORT' },
        counts: { ...ZERO_COUNTS },
      });
      if (job.createdBy.id !== caller.userId && !isManager(caller)) throw new NotFoundError('import', jobId);
      const uploadUrl = deps.uploads ? await deps.uploads.uploadUrl(jobId, body.fileName, body.contentHash) : undefined;
      const fresh =
        job.createdAt === createdAt &&
        job.createdBy.id === caller.userId &&
        job.counts.created + job.counts.rejected + job.counts.duplicates === 0;
      return json(
        fresh ? 201 : 200,
        { ...jobView(job), ...(uploadUrl ? { uploadUrl } : {}) },
        { location: `/imports/${jobId}` },
      );
    },

    'POST /imports/{id}/rows': async (event) => {
      const caller = callerOf(event);
      const job = await visibleJob(caller, jobIdOfPath(event));
      const parsed = rowsSchema.safeParse(jsonBody(event));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      const ragged = parsed.data.rows.find((r) => r.values.length !== job.headers.length);
      if (ragged)
        throw new ValidationError([
          {
            field: `rows.${ragged.rowNumber}`,
            reason: `has ${ragged.values.length} values; the header has ${job.headers.length} columns`,
          },
        ]);
      const source = await lookupSource(deps.sources, job.sourceId, 'import', 'import source');
      if (!source) throw new NotFoundError('import source', job.sourceId);
      const results = await importBatch(
        { capture: deps.capture, store: deps.store, concurrency: deps.concurrency },
        { job, source, rows: parsed.data.rows, actor: { kind: 'user', id: caller.userId, source: 'IMPORT' } },
      );
      if (parsed.data.totalRows !== undefined) await deps.store.setTotalRows(job.jobId, parsed.data.totalRows);
      const after = (await deps.store.getJob(job.jobId)) ?? job;
      return json(200, { ...jobView(after), results });
    },

    /**
     * The dry run's forecast against what is stored: each row matched as its capture would be (the
     * source's policy and thresholds, its exact and blocking keys read in batches; no scan). Writes
     * nothing and names no stored lead: per row, the kind, how it matched, the score and the fields.
     */
    'POST /imports/duplicates': async (event) => {
      callerOf(event);
      const parsed = duplicatesSchema.safeParse(jsonBody(event));
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      const body = parsed.data;
      const { source, mapping } = await sourceAndMapping(body);
      const valid = body.rows.flatMap((row) => {
        const prepared = prepareRow(body.headers, row, mapping);
        return prepared.ok ? [{ rowNumber: row.rowNumber, lead: prepared.lead }] : [];
      });
      const { keys, perRow } = existingKeysOf(valid);
      const thresholds = source.duplicateThresholds ?? DEFAULT_THRESHOLDS;
      if (!deps.duplicates) throw new Error('importsApi: the duplicates reader is not wired');
      const holders = keys.length ? await deps.duplicates.holders(keys) : [];
      return json(200, {
        sourceId: source.id,
        policy: source.duplicatePolicy,
        thresholds,
        checked: valid.length,
        rows: existingMatchesOf(perRow, holders, thresholds),
      });
    },

    'GET /imports/{id}': async (event) => json(200, jobView(await visibleJob(callerOf(event), jobIdOfPath(event)))),

    'GET /imports/{id}/rejected': async (event): Promise<HttpResult> => {
      const job = await visibleJob(callerOf(event), jobIdOfPath(event));
      const lines: string[][] = [reportHeader(job.headers)];
      for await (const { outcome, values } of deps.store.rejectedRows(job.jobId))
        lines.push(reportLine(outcome, values));
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${job.jobId}.rejected.csv"`,
        },
        body: formulaSafeCsv(lines),
      };
    },
  });
};
