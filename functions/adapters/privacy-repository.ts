import { baseItemsOf } from './index-items';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { blockingKeysOf, type DedupeKey, dedupeKeysOf } from '../core/dedupe';
import { fingerprintOf } from '../core/similarity';
import { importObjectKey, rowsObjectKey } from '../core/import/import-objects';
import type { NormalisedLead } from '../core/normalise';
import {
  addCounts,
  emptyCounts,
  type ErasureCounts,
  type ErasureJob,
  type HashedKey,
  type HeldRecord,
  type PrivacyStore,
  type Subject,
} from '../core/privacy/erasure';
import {
  ERASURE_AUDIT_ACTION,
  EXPORT_AUDIT_ACTION,
  type ErasureContext,
  erasureOf,
  kindsOfType,
  mentions,
  type PersonalRecord,
  type PersonValues,
  personValuesOf,
} from '../core/privacy/personal-data';
import { keys, lifecycleKeys, quoteKeys } from './keys';
import { mergeKeys } from './merge-repository';
import { searchEntryKeysOf } from './search-items';
import { TABLE } from './table-definition';
import { isConditionalCheckFailed } from './transaction';
import { queryAllItems } from './query-all';

/** Where objects named by records live: attachments (and exports) in one bucket, import files in the other. */
export type BlobRemover = { remove(store: 'attachments' | 'imports', key: string): Promise<void> };

/** The one-way keyed hash a dedupe key is replaced by (adapters/suppression.ts). */
export type KeyHasher = (key: DedupeKey) => Promise<string>;

export const privacyKeys = {
  erasure: (id: string) => ({ pk: `PRIVACY#ERASURE#${id}`, sk: 'ERASURE' }),
  export: (id: string) => ({ pk: `PRIVACY#EXPORT#${id}`, sk: 'EXPORT' }),
  suppressed: (key: HashedKey) => ({ pk: `SUPPRESSED#${key.on}#${key.hash}`, sk: 'SUPPRESSED' }),
};

const STORAGE_KEYS = ['pk', 'sk'] as const;
const stripKeys = (item: PersonalRecord) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !(STORAGE_KEYS as readonly string[]).includes(k)));

const jobOf = (item: PersonalRecord): ErasureJob => {
  const { pk: _pk, sk: _sk, type: _type, erasedLeadIds, ...rest } = item;
  return {
    ...(rest as Omit<ErasureJob, 'erasedLeadIds'>),
    erasedLeadIds: [...((erasedLeadIds as Set<string> | undefined) ?? [])].sort(),
  };
};

/**
 * Finds and erases a person's records, kind by kind, as the registry in core/privacy/personal-data.ts
 * says: every locator there is followed here. Counters (COUNTERS#…) are never touched: reports keep
 * counting an erased person.
 */
export const makePrivacyRepository = (
  db: DynamoDBDocumentClient,
  table: string,
  blobs: BlobRemover,
  hashKey: KeyHasher,
): PrivacyStore => {
  const get = async (key: { pk: string; sk: string }) =>
    (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item as
      | PersonalRecord
      | undefined;
  const query = async (pk: string, prefix?: string, filter?: { field: string; value: string }) => {
    const items = (await queryAllItems(db, {
      TableName: table,
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ...(filter ? { FilterExpression: '#f = :v', ExpressionAttributeNames: { '#f': filter.field } } : {}),
      ExpressionAttributeValues: {
        ':pk': pk,
        ...(prefix ? { ':prefix': prefix } : {}),
        ...(filter ? { ':v': filter.value } : {}),
      },
      ConsistentRead: true,
    })) as PersonalRecord[];
    return items;
  };

  /** Applies the registry's answer to one stored item; answers what changed. */
  const apply = async (item: PersonalRecord, ctx: ErasureContext): Promise<Partial<ErasureCounts>> => {
    const answer = erasureOf(item, ctx);
    const objectKeys = kindsOfType(item.type).flatMap((k) => k.blobs?.(item) ?? []);
    let blobsRemoved = 0;
    for (const key of objectKeys) {
      await blobs.remove('attachments', key);
      blobsRemoved++;
    }
    if (answer.action === 'delete') {
      await db.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
      return { recordsDeleted: 1, blobsRemoved };
    }
    if (answer.action === 'replace') {
      await db.send(new PutCommand({ TableName: table, Item: answer.record }));
      return { recordsPseudonymised: 1, blobsRemoved };
    }
    return { blobsRemoved };
  };

  const suppress = async (key: DedupeKey, ctx: ErasureContext) => {
    const hashed: HashedKey = { on: key.on, hash: await hashKey(key) };
    await db.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...privacyKeys.suppressed(hashed),
          type: 'suppressed-key',
          ...hashed,
          erasureId: ctx.erasureId,
          at: ctx.at,
        },
      }),
    );
  };

  /**
   * A lookup item drops the erased lead (and the erased contact); a person key (e-mail, phone) left
   * holding nobody goes, and its keyed hash joins the suppression list. A company domain stays.
   */
  const unlinkKey = async (key: DedupeKey, leadId: string, contactIds: string[], ctx: ErasureContext) => {
    const item = await get(keys.dedupe(key));
    if (!item) return {};
    const leadIds = new Set([...((item.leadIds as Set<string> | undefined) ?? [])].filter((id) => id !== leadId));
    const contactGone = typeof item.contactId === 'string' && contactIds.includes(item.contactId);
    if (key.on !== 'domain' && leadIds.size === 0 && (contactGone || !item.contactId)) {
      await suppress(key, ctx);
      await db.send(new DeleteCommand({ TableName: table, Key: keys.dedupe(key) }));
      return { recordsDeleted: 1 };
    }
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.dedupe(key),
        UpdateExpression: `DELETE leadIds :id${contactGone ? ' REMOVE contactId' : ''}`,
        ExpressionAttributeValues: { ':id': new Set([leadId]) },
      }),
    );
    return { recordsPseudonymised: 1 };
  };

  /**
   * A blocking key (fuzzy matching) holds each listed lead's fingerprint, the person's words: the erased
   * lead and its fingerprint leave the item, and an item left holding nobody goes. No suppression hash:
   * a blocking key names a kind of person, not one person.
   */
  const unlinkBlock = async (key: DedupeKey, leadId: string) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const item = await get(keys.dedupe(key));
      if (!item) return {};
      const leadIds = [...((item.leadIds as Set<string> | undefined) ?? [])];
      const fps = (item.fps as { id: string }[] | undefined) ?? [];
      if (!leadIds.includes(leadId) && !fps.some((fp) => fp.id === leadId)) return {};
      const rest = leadIds.filter((id) => id !== leadId);
      try {
        if (rest.length === 0) {
          await db.send(
            new DeleteCommand({
              TableName: table,
              Key: keys.dedupe(key),
              ConditionExpression: 'size(fps) = :n',
              ExpressionAttributeValues: { ':n': fps.length },
            }),
          );
          return { recordsDeleted: 1 };
        }
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.dedupe(key),
            UpdateExpression: 'SET fps = :fps DELETE leadIds :id',
            ConditionExpression: 'size(fps) = :n',
            ExpressionAttributeValues: {
              ':fps': fps.filter((fp) => fp.id !== leadId),
              ':id': new Set([leadId]),
              ':n': fps.length,
            },
          }),
        );
        return { recordsPseudonymised: 1 };
      } catch (error) {
        // A capture added a lead to the key meanwhile: read it again.
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    throw new Error(`blocking key ${key.on} kept changing while an erasure unlinked lead ${leadId}`);
  };

  /** Import rows of the person: the row a lead came from, rows refused as its duplicates, their rejected copies. */
  const importRecords = async (lead: PersonalRecord, partition: PersonalRecord[], person: PersonValues) => {
    const rows: { jobId: string; row: number }[] = [];
    if (lead.channel === 'IMPORT' && typeof lead.deliveryId === 'string') {
      const [jobId, row] = lead.deliveryId.split(':');
      if (jobId && row) rows.push({ jobId, row: Number(row) });
    }
    for (const ref of partition)
      if (ref.type === 'import-ref') rows.push({ jobId: String(ref.jobId), row: Number(ref.rowNumber) });
    const records: PersonalRecord[] = [];
    const files = new Set<string>();
    for (const jobId of new Set(rows.map((r) => r.jobId))) {
      // Any rejected row of the person in a file they came through (a second row of theirs refused as invalid).
      for (const rejected of await query(keys.importJob(jobId).pk, 'REJECTED#'))
        if (mentions(rejected, person)) records.push(rejected);
      const job = await get(keys.importJob(jobId));
      files.add(rowsObjectKey(jobId));
      if (typeof job?.fileName === 'string') files.add(importObjectKey(jobId, job.fileName));
    }
    for (const { jobId, row } of rows) {
      const accepted = await get(keys.importRow(jobId, row));
      if (accepted) records.push(accepted);
      const rejected = await get(keys.importRejected(jobId, row));
      if (rejected && !records.some((r) => r.pk === rejected.pk && r.sk === rejected.sk)) records.push(rejected);
    }
    return { records, files: [...files] };
  };

  const taskRecords = async (lead: PersonalRecord) => {
    const records: PersonalRecord[] = [];
    const runs = Number(lead.approvalRuns ?? 0);
    for (let run = 0; run <= runs; run++)
      for (let step = 0; ; step++) {
        const task = await get(lifecycleKeys.task(`${String(lead.id)}.${run}.${step}`));
        if (!task) break;
        records.push(task);
      }
    return records;
  };

  /** Every version of the lead's quotes (locator `lead-quotes`), and the approval tasks they opened. */
  const quoteRecords = async (partition: PersonalRecord[]) => {
    const records: PersonalRecord[] = [];
    const quoteIds = new Set(
      partition.filter((i) => i.type === 'quote-link' && typeof i.quoteId === 'string').map((i) => String(i.quoteId)),
    );
    for (const quoteId of quoteIds)
      for (const version of await query(quoteKeys.version(quoteId, 1).pk, 'V#')) {
        records.push(version);
        const taskId = (version.approval as PersonalRecord | undefined)?.taskId;
        const task = typeof taskId === 'string' ? await get(lifecycleKeys.task(taskId)) : undefined;
        if (task && !records.some((r) => r.pk === task.pk && r.sk === task.sk)) records.push(task);
      }
    return records;
  };

  /** Merge records the lead took part in (locator `lead-merges`): as survivor, as merged lead, or named by its audit. */
  const mergeRecords = async (lead: PersonalRecord, partition: PersonalRecord[]) => {
    const mergeIds = new Set<string>();
    if (typeof lead.mergeId === 'string') mergeIds.add(lead.mergeId);
    for (const m of (lead.mergedFrom as PersonalRecord[] | undefined) ?? [])
      if (typeof m.mergeId === 'string') mergeIds.add(m.mergeId);
    for (const entry of partition) {
      const mergeId = (entry.data as PersonalRecord | undefined)?.mergeId;
      if (entry.type === 'audit' && typeof mergeId === 'string') mergeIds.add(mergeId);
    }
    const records: PersonalRecord[] = [];
    for (const mergeId of mergeIds) {
      const record = await get(mergeKeys.record(mergeId));
      if (record) records.push(record);
    }
    return records;
  };

  /** Every record of one lead the registry names, with the contact ids it links to. */
  const recordsOfLead = async (lead: PersonalRecord, person: PersonValues) => {
    const leadId = String(lead.id);
    const partition = (await query(keys.lead(leadId).pk)).filter((i) => i.type !== 'lead');
    const linked: PersonalRecord[] = [];
    const delivery =
      typeof lead.sourceId === 'string' && typeof lead.deliveryId === 'string'
        ? await get(keys.delivery(lead.sourceId, lead.deliveryId))
        : undefined;
    if (delivery) linked.push(delivery);
    if (typeof lead.opportunityId === 'string') {
      const opportunity = await get(keys.opportunity(lead.opportunityId));
      if (opportunity) linked.push(opportunity);
    }
    for (const accountId of new Set([lead.accountId, lead.associatedAccountId]))
      if (typeof accountId === 'string') {
        const account = await get(keys.account(accountId));
        if (account) linked.push(account);
      }
    linked.push(...(await query('OUTBOX', 'MSG#', { field: 'leadId', value: leadId })));
    linked.push(...(await taskRecords(lead)));
    linked.push(...(await quoteRecords(partition)));
    linked.push(...(await mergeRecords(lead, partition)));
    const imports = await importRecords(lead, partition, person);
    linked.push(...imports.records);
    for (const entry of partition)
      if (entry.action === EXPORT_AUDIT_ACTION) {
        const exportId = (entry.data as PersonalRecord | undefined)?.exportId;
        const held = typeof exportId === 'string' ? await get(privacyKeys.export(exportId)) : undefined;
        if (held) linked.push(held);
      }
    const contactIds = [lead.contactId, lead.associatedContactId].filter((id): id is string => typeof id === 'string');
    return { partition, linked, contactIds, importFiles: imports.files };
  };

  const eraseContact = async (contactId: string, ctx: { erasureId: string; at: string }) => {
    const contact = await get(keys.contact(contactId));
    if (!contact) return {};
    let counts = emptyCounts();
    const person = personValuesOf([contact]);
    const full: ErasureContext = { ...ctx, person };
    const contactKeys = dedupeKeysOf(contact as unknown as NormalisedLead).filter((k) => k.on !== 'domain');
    for (const key of contactKeys) {
      const item = await get(keys.dedupe(key));
      if (item && item.contactId === contactId) {
        const leadIds = (item.leadIds as Set<string> | undefined) ?? new Set();
        if (leadIds.size === 0) {
          await suppress(key, full);
          await db.send(new DeleteCommand({ TableName: table, Key: keys.dedupe(key) }));
          counts = addCounts(counts, { recordsDeleted: 1 });
        } else {
          await db.send(
            new UpdateCommand({ TableName: table, Key: keys.dedupe(key), UpdateExpression: 'REMOVE contactId' }),
          );
          counts = addCounts(counts, { recordsPseudonymised: 1 });
        }
      }
    }
    // The account keeps the company, not the link to the erased person.
    if (typeof contact.accountId === 'string') {
      await db
        .send(
          new UpdateCommand({
            TableName: table,
            Key: keys.account(contact.accountId),
            UpdateExpression: 'DELETE contactIds :c',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':c': new Set([contactId]) },
          }),
        )
        .catch((error) => {
          if (!isConditionalCheckFailed(error)) throw error;
        });
      counts = addCounts(counts, { recordsPseudonymised: 1 });
    }
    await db.send(new DeleteCommand({ TableName: table, Key: keys.contact(contactId) }));
    return addCounts(counts, { recordsDeleted: 1 });
  };

  return {
    async holdings(subject: Subject) {
      const leadIds = new Set<string>();
      const contactIds = new Set<string>();
      if (subject.keys.length > 0) {
        const out = await db.send(
          new BatchGetCommand({
            RequestItems: { [table]: { Keys: subject.keys.map(keys.dedupe), ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[table] ?? []) {
          for (const id of (item.leadIds as Set<string> | undefined) ?? []) leadIds.add(id);
          if (typeof item.contactId === 'string') contactIds.add(item.contactId);
        }
      }
      for (const id of subject.leadIds) {
        const lead = await get(keys.lead(id));
        if (!lead) continue;
        leadIds.add(id);
        for (const c of [lead.contactId, lead.associatedContactId]) if (typeof c === 'string') contactIds.add(c);
      }
      // A merge keeps one person in two leads: the survivor names the leads merged into it, a merged lead its survivor.
      const merged = [...leadIds];
      for (let i = 0; i < merged.length; i++) {
        const lead = await get(keys.lead(String(merged[i])));
        const related = [
          lead?.mergedInto,
          ...((lead?.mergedFrom as PersonalRecord[] | undefined) ?? []).flatMap((m) =>
            Array.isArray(m.leadIds) ? m.leadIds : [],
          ),
        ];
        for (const id of related)
          if (typeof id === 'string' && !leadIds.has(id)) {
            leadIds.add(id);
            merged.push(id);
          }
      }
      // A contact is the same person: every lead it came from is theirs too.
      for (const contactId of contactIds) {
        const contact = await get(keys.contact(contactId));
        for (const id of (contact?.leadIds as Set<string> | undefined) ?? []) leadIds.add(id);
      }
      for (const id of leadIds) {
        const lead = await get(keys.lead(id));
        for (const c of [lead?.contactId, lead?.associatedContactId]) if (typeof c === 'string') contactIds.add(c);
      }
      const rejectedRows: { jobId: string; rowNumber: number }[] = [];
      for (const key of subject.keys)
        for (const pointer of await query(keys.rejectedBy(key.on, await hashKey(key), '', 0).pk, 'IMPORT#'))
          rejectedRows.push({ jobId: String(pointer.jobId), rowNumber: Number(pointer.rowNumber) });
      return {
        leadIds: [...leadIds].sort(),
        contactIds: [...contactIds].sort(),
        ...(rejectedRows.length ? { rejectedRows } : {}),
      };
    },

    async erasure(id) {
      const item = await get(privacyKeys.erasure(id));
      return item ? jobOf(item) : undefined;
    },

    async createErasure(job) {
      const { erasedLeadIds: _done, ...rest } = job;
      try {
        await db.send(
          new PutCommand({
            TableName: table,
            Item: { ...privacyKeys.erasure(job.id), type: 'erasure', ...rest },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return job;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        const first = await get(privacyKeys.erasure(job.id));
        return first ? jobOf(first) : job;
      }
    },

    async eraseLead(leadId, ctx) {
      for (let attempt = 0; ; attempt++) {
        const lead = await get(keys.lead(leadId));
        if (!lead) return {};
        // The lead is pseudonymised last: once it carries `erased`, everything of it went before.
        if (lead.erased) return {};
        const person = personValuesOf([lead]);
        const full: ErasureContext = { erasureId: ctx.erasureId, at: ctx.at, person };
        let counts = emptyCounts();
        const { partition, linked, contactIds, importFiles } = await recordsOfLead(lead, person);
        for (const item of [...partition, ...linked]) counts = addCounts(counts, await apply(item, full));
        for (const file of importFiles) await blobs.remove('imports', file);
        for (const contactId of contactIds) counts = addCounts(counts, await eraseContact(contactId, ctx));
        for (const key of dedupeKeysOf(lead as unknown as NormalisedLead))
          counts = addCounts(counts, await unlinkKey(key, leadId, contactIds, full));
        for (const key of blockingKeysOf(fingerprintOf(leadId, lead as unknown as NormalisedLead)))
          counts = addCounts(counts, await unlinkBlock(key, leadId));
        // Search items carry the person's words in their keys and text (functions/adapters/search-items.ts).
        const searchKeys = searchEntryKeysOf(lead as unknown as NormalisedLead & { id: string });
        for (const key of searchKeys) await db.send(new DeleteCommand({ TableName: table, Key: key }));
        counts = addCounts(counts, { recordsDeleted: searchKeys.length });
        // The same-submission item holds the capture's answer for its window (functions/adapters/capture-repository.ts).
        if (typeof lead.sameBodyHash === 'string' && typeof lead.sourceId === 'string') {
          await db.send(new DeleteCommand({ TableName: table, Key: keys.sameBody(lead.sourceId, lead.sameBodyHash) }));
          counts = addCounts(counts, { recordsDeleted: 1 });
        }
        // The tombstone: that an erasure happened, by whom, under which request; never what.
        await db.send(
          new PutCommand({
            TableName: table,
            Item: {
              ...keys.audit(leadId, ctx.at, `erasure-${ctx.erasureId}`),
              type: 'audit',
              leadId,
              at: ctx.at,
              actor: ctx.actor,
              action: ERASURE_AUDIT_ACTION,
              data: { erasureId: ctx.erasureId, requestId: ctx.requestId },
            },
          }),
        );
        const answer = erasureOf(lead, full);
        if (answer.action !== 'replace') return counts;
        try {
          await db.send(
            new PutCommand({
              TableName: table,
              Item: { ...answer.record, version: Number(lead.version) + 1, updatedAt: ctx.at },
              // A rep's edit landing meanwhile may have brought new personal data: erase again.
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': lead.version },
            }),
          );
          return addCounts(counts, { leads: 1, recordsPseudonymised: 1 });
        } catch (error) {
          if (!isConditionalCheckFailed(error) || attempt >= 3) throw error;
        }
      }
    },

    eraseContact,

    async eraseRejectedRows(targets, rows = []) {
      let counts = emptyCounts();
      const jobs = new Set<string>();
      const eraseRow = async (jobId: string, rowNumber: number) => {
        const row = await get(keys.importRejected(jobId, rowNumber));
        if (row) {
          await db.send(new DeleteCommand({ TableName: table, Key: { pk: row.pk, sk: row.sk } }));
          counts = addCounts(counts, { recordsDeleted: 1 });
        }
        jobs.add(jobId);
      };
      for (const target of targets)
        for (const pointer of await query(keys.rejectedBy(target.on, target.hash, '', 0).pk, 'IMPORT#')) {
          await eraseRow(String(pointer.jobId), Number(pointer.rowNumber));
          await db.send(new DeleteCommand({ TableName: table, Key: { pk: pointer.pk, sk: pointer.sk } }));
        }
      // Named rows (a replay after a restore): their pointers hold only hashes and ids, and may stay.
      for (const { jobId, rowNumber } of rows) await eraseRow(jobId, rowNumber);
      // The file the rows came from holds them too (as for a person whose lead came from an import).
      for (const jobId of jobs) {
        const job = await get(keys.importJob(jobId));
        const files = [
          rowsObjectKey(jobId),
          ...(typeof job?.fileName === 'string' ? [importObjectKey(jobId, job.fileName)] : []),
        ];
        for (const file of files) await blobs.remove('imports', file);
        counts = addCounts(counts, { blobsRemoved: files.length });
      }
      return counts;
    },

    async recordProgress(id, leadId, counts, at) {
      const c = addCounts(emptyCounts(), counts);
      const out = await db
        .send(
          new UpdateCommand({
            TableName: table,
            Key: privacyKeys.erasure(id),
            UpdateExpression:
              'ADD erasedLeadIds :lead, counts.leads :l, counts.recordsDeleted :d, counts.recordsPseudonymised :p, counts.blobsRemoved :b, counts.executionsStopped :e SET updatedAt = :at',
            // A lead already recorded counts once.
            ConditionExpression: 'attribute_exists(pk) AND NOT contains(erasedLeadIds, :leadId)',
            ExpressionAttributeValues: {
              ':lead': new Set([leadId]),
              ':leadId': leadId,
              ':l': c.leads,
              ':d': c.recordsDeleted,
              ':p': c.recordsPseudonymised,
              ':b': c.blobsRemoved,
              ':e': c.executionsStopped,
              ':at': at,
            },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .catch(async (error) => {
          if (!isConditionalCheckFailed(error)) throw error;
          return { Attributes: await get(privacyKeys.erasure(id)) };
        });
      return jobOf(out.Attributes as PersonalRecord);
    },

    async finish(id, counts, at) {
      const c = addCounts(emptyCounts(), counts);
      const out = await db
        .send(
          new UpdateCommand({
            TableName: table,
            Key: privacyKeys.erasure(id),
            UpdateExpression:
              'SET #status = :done, updatedAt = :at ADD counts.recordsDeleted :d, counts.recordsPseudonymised :p, counts.blobsRemoved :b',
            ConditionExpression: '#status = :running',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':done': 'done',
              ':running': 'running',
              ':at': at,
              ':d': c.recordsDeleted,
              ':p': c.recordsPseudonymised,
              ':b': c.blobsRemoved,
            },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .catch(async (error) => {
          if (!isConditionalCheckFailed(error)) throw error;
          return { Attributes: await get(privacyKeys.erasure(id)) };
        });
      return jobOf(out.Attributes as PersonalRecord);
    },

    async recordExport(entry, actor) {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...privacyKeys.export(entry.id), type: 'privacy-export', ...entry },
        }),
      );
      for (const leadId of entry.leadIds)
        await db.send(
          new PutCommand({
            TableName: table,
            Item: {
              ...keys.audit(leadId, entry.at, `export-${entry.id}`),
              type: 'audit',
              leadId,
              at: entry.at,
              actor,
              action: EXPORT_AUDIT_ACTION,
              data: { exportId: entry.id, requestId: entry.requestId },
            },
          }),
        );
    },

    async leadsInStage(stage, before, limit) {
      const found: { leadId: string; stage: string; updatedAt: string; erased?: unknown }[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: table,
            IndexName: TABLE.indexes.byStage.name,
            KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
            ExpressionAttributeValues: { ':pk': keys.stageIndex(stage, '', '').gsi2pk, ':before': before },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of await baseItemsOf(db, table, out.Items ?? [], ['id', 'stage', 'updatedAt', 'erased']))
          found.push({
            leadId: String(item.id),
            stage: String(item.stage),
            updatedAt: String(item.updatedAt),
            erased: item.erased,
          });
        start = out.LastEvaluatedKey;
      } while (start && found.length < limit);
      return found.slice(0, limit);
    },

    async importsCreatedBefore(before) {
      // The register holds only jobs with something still kept (an entry goes when both rules are done),
      // so every entry before the cut-off is read: one waiting for its files must not starve newer ones.
      return (await query(keys.importRetention('', '').pk))
        .filter((i) => String(i.sk) < before)
        .map((i) => ({
          jobId: String(i.jobId),
          createdAt: String(i.createdAt),
          ...(typeof i.fileName === 'string' ? { fileName: i.fileName } : {}),
          ...(typeof i.filesDeletedAt === 'string' ? { filesDeletedAt: i.filesDeletedAt } : {}),
          ...(typeof i.rejectedRowsDeletedAt === 'string' ? { rejectedRowsDeletedAt: i.rejectedRowsDeletedAt } : {}),
        }));
    },

    async applyImportRetention(entry, due, at) {
      const registerKey = keys.importRetention(entry.createdAt, entry.jobId);
      let blobsRemoved = 0;
      let rejectedRowsDeleted = 0;
      const marks: Record<string, string> = {};
      if (due.files) {
        // The uploaded file and the workflow's normalised copy (the Distributed Map's results age out by the bucket's rule).
        const files = [
          rowsObjectKey(entry.jobId),
          ...(entry.fileName ? [importObjectKey(entry.jobId, entry.fileName)] : []),
        ];
        for (const file of files) await blobs.remove('imports', file);
        blobsRemoved = files.length;
        marks.filesDeletedAt = at;
      }
      if (due.rejectedRows) {
        const rows = await query(keys.importJob(entry.jobId).pk, 'REJECTED#');
        for (let i = 0; i < rows.length; i += 25) {
          let batch: Record<string, unknown>[] | undefined = rows
            .slice(i, i + 25)
            .map((r) => ({ DeleteRequest: { Key: { pk: r.pk, sk: r.sk } } }));
          for (let attempt = 0; batch?.length && attempt < 5; attempt++) {
            const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch as never } }));
            batch = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
          }
          if (batch?.length)
            throw new Error(`rejected rows of import ${entry.jobId} could not all be deleted; the next run retries`);
        }
        rejectedRowsDeleted = rows.length;
        marks.rejectedRowsDeletedAt = at;
      }
      const names = Object.keys(marks);
      if (names.length === 0) return { blobsRemoved, rejectedRowsDeleted };
      // The job says what went and when (its counters keep counting the rows); a job gone already is left gone.
      await db
        .send(
          new UpdateCommand({
            TableName: table,
            Key: keys.importJob(entry.jobId),
            UpdateExpression: `SET ${names.map((_n, i) => `#m${i} = :m${i}`).join(', ')}`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#m${i}`, n])),
            ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:m${i}`, marks[n]])),
          }),
        )
        .catch((error) => {
          if (!isConditionalCheckFailed(error)) throw error;
        });
      const filesGone = Boolean(entry.filesDeletedAt ?? marks.filesDeletedAt);
      const rowsGone = Boolean(entry.rejectedRowsDeletedAt ?? marks.rejectedRowsDeletedAt);
      if (filesGone && rowsGone) await db.send(new DeleteCommand({ TableName: table, Key: registerKey }));
      else
        await db
          .send(
            new UpdateCommand({
              TableName: table,
              Key: registerKey,
              UpdateExpression: `SET ${names.map((_n, i) => `#m${i} = :m${i}`).join(', ')}`,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#m${i}`, n])),
              ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:m${i}`, marks[n]])),
            }),
          )
          .catch((error) => {
            if (!isConditionalCheckFailed(error)) throw error;
          });
      return { blobsRemoved, rejectedRowsDeleted };
    },

    async held({ leadIds, contactIds, rejectedRows }) {
      const held: HeldRecord[] = [];
      // A record two of the person's leads lead to (a merge record, a shared quote) is shown once.
      const seen = new Set<string>();
      const add = (item: PersonalRecord) => {
        const id = `${String(item.pk)}\n${String(item.sk)}`;
        if (seen.has(id)) return;
        seen.add(id);
        for (const kind of kindsOfType(item.type).slice(0, 1)) {
          const record = kind.export?.(item);
          if (record) held.push({ type: String(item.type), label: kind.label, record });
        }
      };
      const contacts = new Set(contactIds);
      for (const leadId of leadIds) {
        const lead = await get(keys.lead(leadId));
        if (!lead) continue;
        add(lead);
        const person = personValuesOf([lead]);
        const found = await recordsOfLead(lead, person);
        for (const item of [...found.partition, ...found.linked]) add(item);
        for (const c of found.contactIds) contacts.add(c);
      }
      for (const contactId of contacts) {
        const contact = await get(keys.contact(contactId));
        if (contact) add(contact);
      }
      for (const { jobId, rowNumber } of rejectedRows ?? []) {
        const row = await get(keys.importRejected(jobId, rowNumber));
        if (row) add(row);
      }
      return held.map((h) => ({ ...h, record: stripKeys(h.record) }));
    },
  };
};
