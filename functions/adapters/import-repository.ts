import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DedupeKey } from '../core/dedupe';
import { countsOf, type ImportJob, type ImportStore, type RowOutcome } from '../core/import/import-job';
import { keys } from './keys';
import { type NamedItem, transaction } from './transaction';

/** Row records outlive a delivery's memory so a file re-run months later still adds nothing. */
export const ROW_MEMORY_SECONDS = 90 * 24 * 3600;
/** Rows per transaction: each row is up to two items, plus the job's counter update (limit 100). */
const ROWS_PER_TRANSACTION = 45;

type JobItem = Omit<ImportJob, 'counts'> & {
  created?: number;
  duplicates?: number;
  rejected?: number;
  possibleDuplicates?: number;
};

const jobFromItem = (item: Record<string, unknown>): ImportJob => {
  const {
    pk: _pk,
    sk: _sk,
    type: _type,
    created,
    duplicates,
    rejected,
    possibleDuplicates,
    ...rest
  } = item as JobItem & { pk: string; sk: string; type: string };
  return {
    ...rest,
    counts: {
      created: created ?? 0,
      duplicates: duplicates ?? 0,
      rejected: rejected ?? 0,
      possibleDuplicates: possibleDuplicates ?? 0,
    },
  };
};

const outcomeFromItem = (item: Record<string, unknown>): RowOutcome => {
  const { pk: _pk, sk: _sk, type: _type, jobId: _jobId, expiresAt: _expiresAt, values: _values, ...outcome } = item;
  return outcome as RowOutcome;
};

export const makeImportRepository = (
  db: DynamoDBDocumentClient,
  table: string,
  clock: { now(): Date } = { now: () => new Date() },
  /** The suppression list's keyed hash (adapters/suppression.ts): indexes rejected rows by the person they name. */
  hashKey?: (key: DedupeKey) => Promise<string>,
): ImportStore => {
  const getJob = async (jobId: string) => {
    const out = await db.send(new GetCommand({ TableName: table, Key: keys.importJob(jobId), ConsistentRead: true }));
    return out.Item ? jobFromItem(out.Item) : undefined;
  };

  /**
   * A row refused as a duplicate names the person's existing lead: a pointer on that lead's partition
   * lets an erasure or export of the person find the row (and its rejected copy) by key. Idempotent puts,
   * after the rows are recorded.
   */
  const pointToRows = async (jobId: string, outcomes: RowOutcome[]) => {
    const refs = outcomes
      .filter((o) => o.status !== 'created' && typeof o.leadId === 'string' && o.leadId)
      .map((o) => ({
        PutRequest: {
          Item: {
            ...keys.importRef(String(o.leadId), jobId, o.rowNumber),
            type: 'import-ref',
            jobId,
            rowNumber: o.rowNumber,
            expiresAt: Math.floor(clock.now().getTime() / 1000) + ROW_MEMORY_SECONDS,
          },
        },
      }));
    for (let i = 0; i < refs.length; i += 25) {
      let batch: Record<string, unknown>[] | undefined = refs.slice(i, i + 25);
      for (let attempt = 0; batch?.length && attempt < 5; attempt++) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch as never } }));
        batch = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
      }
    }
  };

  /**
   * A rejected row names no lead: a pointer per e-mail and phone it holds, under their keyed hash (the
   * pointer holds nothing personal), lets an erasure or export of the person find it by key. Idempotent puts.
   */
  const indexRejected = async (jobId: string, personKeys: Map<number, DedupeKey[]>) => {
    if (!hashKey) return;
    const expiresAt = Math.floor(clock.now().getTime() / 1000) + ROW_MEMORY_SECONDS;
    const puts: Record<string, unknown>[] = [];
    for (const [rowNumber, found] of personKeys)
      for (const key of found) {
        const hash = await hashKey(key);
        puts.push({
          PutRequest: {
            Item: {
              ...keys.rejectedBy(key.on, hash, jobId, rowNumber),
              type: 'import-rejected-key',
              jobId,
              rowNumber,
              expiresAt,
            },
          },
        });
      }
    for (let i = 0; i < puts.length; i += 25) {
      let batch: Record<string, unknown>[] | undefined = puts.slice(i, i + 25);
      for (let attempt = 0; batch?.length && attempt < 5; attempt++) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch as never } }));
        batch = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
      }
    }
  };

  const writeChunk = async (jobId: string, outcomes: RowOutcome[], rows: Map<number, string[]>) => {
    await writeRows(jobId, outcomes, rows);
    await pointToRows(jobId, outcomes);
  };

  const writeRows = async (jobId: string, outcomes: RowOutcome[], rows: Map<number, string[]>) => {
    let pending = outcomes;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const expiresAt = Math.floor(clock.now().getTime() / 1000) + ROW_MEMORY_SECONDS;
      const counts = countsOf(pending);
      // A row's items are named after it, so a cancellation says which rows another worker recorded first.
      const items: NamedItem[] = [];
      for (const o of pending) {
        items.push({
          name: `row:${o.rowNumber}`,
          Put: {
            TableName: table,
            Item: { ...keys.importRow(jobId, o.rowNumber), type: 'import-row', jobId, ...o, expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
        if (o.status !== 'created') {
          items.push({
            name: `row:${o.rowNumber}`,
            Put: {
              TableName: table,
              Item: {
                ...keys.importRejected(jobId, o.rowNumber),
                type: 'import-rejected',
                jobId,
                ...o,
                values: rows.get(o.rowNumber) ?? [],
                expiresAt,
              },
            },
          });
        }
      }
      const out = await transaction(db, [
        ...items,
        {
          name: 'job',
          Update: {
            TableName: table,
            Key: keys.importJob(jobId),
            UpdateExpression: 'ADD created :c, duplicates :d, rejected :r, possibleDuplicates :p',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':c': counts.created,
              ':d': counts.duplicates,
              ':r': counts.rejected,
              ':p': counts.possibleDuplicates,
            },
          },
        },
      ]);
      if (out.written) return;
      // Another worker recorded some of these rows first (a retried batch): drop those and count the rest.
      if (attempt >= 5) throw out.error;
      if (out.failed.includes('job')) throw new Error(`import job ${jobId} does not exist`);
      const taken = new Set(out.failed.map((name) => Number(name.slice('row:'.length))));
      if (taken.size === 0 && !out.conflict) throw out.error;
      pending = pending.filter((o) => !taken.has(o.rowNumber));
    }
  };

  return {
    getJob,

    async createJob(job) {
      const { counts, ...rest } = job;
      // With the job, its entry in the retention register: the sweep finds a job's file and rejected rows
      // by creation time there (never a Scan).
      const out = await transaction(db, [
        {
          name: 'job',
          Put: {
            TableName: table,
            Item: { ...keys.importJob(job.jobId), type: 'import-job', ...rest, ...counts },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          name: 'retention',
          Put: {
            TableName: table,
            Item: {
              ...keys.importRetention(job.createdAt, job.jobId),
              type: 'import-retention',
              jobId: job.jobId,
              createdAt: job.createdAt,
              ...(job.fileName ? { fileName: job.fileName } : {}),
            },
          },
        },
      ]);
      if (out.written) return job;
      if (!out.failed.includes('job')) throw out.error;
      const existing = await getJob(job.jobId);
      if (!existing) throw out.error;
      return existing;
    },

    async readOutcomes(jobId, rowNumbers) {
      const found = new Map<number, RowOutcome>();
      for (let i = 0; i < rowNumbers.length; i += 100) {
        let request: Record<string, { Keys: Record<string, string>[]; ConsistentRead: boolean }> | undefined = {
          [table]: { Keys: rowNumbers.slice(i, i + 100).map((n) => keys.importRow(jobId, n)), ConsistentRead: true },
        };
        for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
          const out = await db.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of out.Responses?.[table] ?? []) {
            const outcome = outcomeFromItem(item);
            found.set(outcome.rowNumber, outcome);
          }
          request = out.UnprocessedKeys as typeof request;
          if (attempt > 10) throw new Error('DynamoDB kept returning unprocessed keys');
        }
      }
      return found;
    },

    async recordOutcomes(jobId, outcomes, rows, personKeys) {
      for (let i = 0; i < outcomes.length; i += ROWS_PER_TRANSACTION)
        await writeChunk(jobId, outcomes.slice(i, i + ROWS_PER_TRANSACTION), rows);
      if (hashKey && personKeys?.size) await indexRejected(jobId, personKeys);
    },

    async setTotalRows(jobId, totalRows) {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.importJob(jobId),
          UpdateExpression: 'SET totalRows = :n',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':n': totalRows },
        }),
      );
    },

    async setColumns(jobId, headers, mapping, totalRows) {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.importJob(jobId),
          UpdateExpression: 'SET headers = :h, mapping = :m, totalRows = :n',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':h': headers, ':m': mapping, ':n': totalRows },
        }),
      );
    },

    async fail(jobId, reason) {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.importJob(jobId),
          UpdateExpression: 'SET failure = :r',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':r': reason },
        }),
      );
    },

    async *rejectedRows(jobId) {
      let cursor: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': keys.importJob(jobId).pk, ':prefix': 'REJECTED#' },
            ExclusiveStartKey: cursor,
          }),
        );
        for (const item of out.Items ?? [])
          yield { outcome: outcomeFromItem(item), values: (item.values as string[] | undefined) ?? [] };
        cursor = out.LastEvaluatedKey;
      } while (cursor);
    },
  };
};
