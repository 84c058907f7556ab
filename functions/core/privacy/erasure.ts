import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import type { DedupeKey } from '../dedupe';
import { type FieldIssue, fieldIssuesOf, ValidationError } from '../errors';
import { type BusEvent, makeEvent } from '../events';
import type { Actor } from '../lead';
import { normaliseEmail, normalisePhone } from '../normalise';
import type { Clock, EventPublisher } from '../ports';
import type { PersonalRecord } from './personal-data';
import type { ImportRetentionDue, ImportRetentionEntry } from './retention';

/** Who a privacy request is about: an e-mail, a phone or a lead id (any of them, at least one). */
export const subjectRequestSchema = lazySchema(() =>
  z
    .object({
      email: z.string().trim().max(254).email({ message: 'not a valid email address' }).optional(),
      phone: z.string().trim().min(3).max(40).optional(),
      /** ISO country for a phone given without its international prefix. */
      country: z
        .string()
        .regex(/^[A-Za-z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code' })
        .optional(),
      leadId: z.string().trim().min(1).max(100).optional(),
      /** Why: never free text (it would be personal data kept forever in the log). */
      reason: z
        .enum(['data-subject-request', 'retention', 'legal-obligation', 'restore-replay'])
        .default('data-subject-request'),
    })
    .strict()
    .refine((r) => Boolean(r.email || r.phone || r.leadId), {
      message: 'give at least one of email, phone or leadId',
      path: ['email'],
    }),
);

export type SubjectRequest = z.infer<typeof subjectRequestSchema>;

/** The normalised keys of a request: the same values the duplicate check stores, so a lookup finds them. */
export type Subject = { keys: DedupeKey[]; leadIds: string[]; email?: string; phone?: string };

export const parseSubject = (body: unknown): { request: SubjectRequest; subject: Subject } => {
  const parsed = subjectRequestSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  const request = parsed.data;
  const issues: FieldIssue[] = [];
  const keys: DedupeKey[] = [];
  const email = request.email ? normaliseEmail(request.email) : undefined;
  if (email) keys.push({ on: 'email', value: email });
  let phone: string | undefined;
  if (request.phone) {
    phone = normalisePhone(request.phone, request.country) ?? undefined;
    if (phone) keys.push({ on: 'phone', value: phone });
    else issues.push({ field: 'phone', reason: 'not a valid phone number (use +<country code>…, or give country)' });
  }
  if (issues.length) throw new ValidationError(issues);
  return { request, subject: { keys, leadIds: request.leadId ? [request.leadId] : [], email, phone } };
};

/** A subject's dedupe key as stored on the suppression list and in the erasure log: a one-way keyed hash. */
export type HashedKey = { on: DedupeKey['on']; hash: string };

export type ErasureStatus = 'running' | 'done';

export type ErasureCounts = {
  leads: number;
  recordsDeleted: number;
  recordsPseudonymised: number;
  blobsRemoved: number;
  executionsStopped: number;
};

/** One rejected import row, by its job and row number (no values). */
export type RejectedRowRef = { jobId: string; rowNumber: number };

/** The erasure log entry: ids and hashes only, never what was erased. It is also the progress record. */
export type ErasureJob = {
  id: string;
  status: ErasureStatus;
  reason: SubjectRequest['reason'];
  requestedBy: string;
  requestId: string;
  createdAt: string;
  updatedAt: string;
  targets: HashedKey[];
  /** Every lead found for the subject when the erasure started (more found on a resume are added). */
  leadIds: string[];
  contactIds: string[];
  /**
   * Rejected import rows of the subject that no lead of theirs points at (ids only), found when the
   * erasure started: the closing event carries them, so a replay after a restore erases them again.
   */
  rejectedRows?: RejectedRowRef[];
  /** Leads done so far: the progress, and what a resume skips. */
  erasedLeadIds: string[];
  counts: ErasureCounts;
};

export const emptyCounts = (): ErasureCounts => ({
  leads: 0,
  recordsDeleted: 0,
  recordsPseudonymised: 0,
  blobsRemoved: 0,
  executionsStopped: 0,
});

export const addCounts = (a: ErasureCounts, b: Partial<ErasureCounts>): ErasureCounts => ({
  leads: a.leads + (b.leads ?? 0),
  recordsDeleted: a.recordsDeleted + (b.recordsDeleted ?? 0),
  recordsPseudonymised: a.recordsPseudonymised + (b.recordsPseudonymised ?? 0),
  blobsRemoved: a.blobsRemoved + (b.blobsRemoved ?? 0),
  executionsStopped: a.executionsStopped + (b.executionsStopped ?? 0),
});

export const progressOf = (job: ErasureJob) => ({
  id: job.id,
  status: job.status,
  reason: job.reason,
  requestedBy: job.requestedBy,
  requestId: job.requestId,
  createdAt: job.createdAt,
  updatedAt: job.updatedAt,
  progress: { leadsTotal: job.leadIds.length, leadsErased: job.erasedLeadIds.length },
  counts: job.counts,
});

/** What was found for a subject through the dedupe lookup items (and the lead id asked for). */
export type SubjectHoldings = {
  leadIds: string[];
  contactIds: string[];
  /** Rejected import rows naming the subject's e-mail or phone that no lead of theirs points at. */
  rejectedRows?: RejectedRowRef[];
};

/** The person's records, found through the registry's locators, for an export (or to show what is held). */
export type HeldRecord = { type: string; label: string; record: PersonalRecord };

export type PrivacyStore = {
  /** Leads and contacts holding the subject's keys (the duplicate check's lookup items), plus the lead asked for. */
  holdings(subject: Subject): Promise<SubjectHoldings>;
  erasure(id: string): Promise<ErasureJob | undefined>;
  /** Creates the log entry once: a retried request with the same id finds the first. */
  createErasure(job: ErasureJob): Promise<ErasureJob>;
  /** Erases everything of one lead (idempotent), and answers what it did. */
  eraseLead(
    leadId: string,
    ctx: { erasureId: string; at: string; actor: Actor; requestId: string },
  ): Promise<Partial<ErasureCounts>>;
  /**
   * Deletes the rejected import rows filed under the subject's hashed keys (rows that produced no lead,
   * so no lead leads to them), their pointers, and the import files holding them; and the rows named
   * in `rows` (a replay, whose log entry has no keys), with their files. Idempotent.
   */
  eraseRejectedRows(targets: HashedKey[], rows?: RejectedRowRef[]): Promise<Partial<ErasureCounts>>;
  /** Erases a contact no remaining lead points at (converted and then the lead was erased), with its links. */
  eraseContact(contactId: string, ctx: { erasureId: string; at: string }): Promise<Partial<ErasureCounts>>;
  /** Records one lead done (progress) with its counts; a lead recorded twice counts once. */
  recordProgress(id: string, leadId: string, counts: Partial<ErasureCounts>, at: string): Promise<ErasureJob>;
  finish(id: string, counts: Partial<ErasureCounts>, at: string): Promise<ErasureJob>;
  /** Audits an export: its log entry (ids and object keys only) and an audit entry on each lead. */
  recordExport(entry: ExportLogEntry, actor: Actor): Promise<void>;
  /**
   * Leads in `stage` created before `before` (oldest first, at most `limit`): an idle or long-disqualified
   * lead was created before its cut-off, so the stage index's sort key bounds the query.
   */
  leadsInStage(
    stage: string,
    before: string,
    limit: number,
  ): Promise<{ leadId: string; stage: string; updatedAt: string; erased?: unknown }[]>;
  /** Everything held about the subject's leads and contacts, by registry kind. */
  held(holdings: SubjectHoldings): Promise<HeldRecord[]>;
  /** Import jobs created before `before` whose files or rejected rows are still kept (oldest first). */
  importsCreatedBefore(before: string): Promise<ImportRetentionEntry[]>;
  /**
   * Deletes what is due of one import job (its uploaded file and the workflow's normalised copy; its
   * rejected rows), records it on the job, and drops the job from the register when nothing is left. Idempotent.
   */
  applyImportRetention(
    entry: ImportRetentionEntry,
    due: ImportRetentionDue,
    at: string,
  ): Promise<{ blobsRemoved: number; rejectedRowsDeleted: number }>;
};

export type ExportLogEntry = {
  id: string;
  at: string;
  by: string;
  requestId: string;
  leadIds: string[];
  objectKeys: string[];
};

export type ExecutionStopper = { stop(leadId: string): Promise<boolean> };

export type ErasureDeps = {
  store: PrivacyStore;
  executions: ExecutionStopper;
  events: EventPublisher;
  clock: Clock;
  /** Milliseconds left to this invocation; the loop stops a batch early enough to record its progress. */
  timeLeftMs: () => number;
  /** Leads between progress checks (ERASURE_BATCH unless told). */
  batchSize?: number;
};

/** Leads erased between progress checks of the time budget. */
export const ERASURE_BATCH = 10;
const SAFETY_MS = 5_000;

export const erasedEvent = (job: ErasureJob, leadIds: string[], at: string, batch: number): BusEvent =>
  makeEvent('PersonalDataErased', `${job.id}:${batch}`, at, {
    erasureId: job.id,
    reason: job.reason,
    leadIds,
    contactIds: batch === 0 ? job.contactIds : [],
    ...(batch === 0 && job.rejectedRows?.length ? { importRows: job.rejectedRows } : {}),
  });

/**
 * Runs (or resumes) an erasure: each lead not yet done is erased, its execution stopped, its progress
 * recorded; when every lead is done the contacts go and the log entry is closed. Stops early when the
 * invocation runs short of time: the next call resumes where this one stopped.
 */
export const continueErasure = async (deps: ErasureDeps, start: ErasureJob, actor: Actor): Promise<ErasureJob> => {
  let job = start;
  if (job.status === 'done') return job;
  const pending = job.leadIds.filter((id) => !job.erasedLeadIds.includes(id));
  const size = deps.batchSize ?? ERASURE_BATCH;
  // Batch numbers continue over a resume (1, 2, …; 0 is the closing event), so event ids never repeat.
  const offset = Math.ceil(job.erasedLeadIds.length / size);
  for (let i = 0; i < pending.length; i += size) {
    if (deps.timeLeftMs() < SAFETY_MS) return job;
    const batch = pending.slice(i, i + size);
    for (const leadId of batch) {
      const at = deps.clock.now().toISOString();
      const stopped = await deps.executions.stop(leadId);
      const counts = await deps.store.eraseLead(leadId, { erasureId: job.id, at, actor, requestId: job.requestId });
      job = await deps.store.recordProgress(job.id, leadId, { ...counts, executionsStopped: stopped ? 1 : 0 }, at);
    }
    await deps.events.publish([erasedEvent(job, batch, deps.clock.now().toISOString(), offset + i / size + 1)]);
  }
  let contactCounts: ErasureCounts = emptyCounts();
  const at = deps.clock.now().toISOString();
  for (const contactId of job.contactIds)
    contactCounts = addCounts(contactCounts, await deps.store.eraseContact(contactId, { erasureId: job.id, at }));
  if (job.targets.length > 0 || job.rejectedRows?.length)
    contactCounts = addCounts(contactCounts, await deps.store.eraseRejectedRows(job.targets, job.rejectedRows));
  job = await deps.store.finish(job.id, contactCounts, at);
  await deps.events.publish([erasedEvent(job, [], at, 0)]);
  return job;
};
