import { OPEN_STAGES, type Actor } from '../lead';
import {
  continueErasure,
  emptyCounts,
  type ErasureDeps,
  type ErasureJob,
  type PrivacyStore,
  progressOf,
} from './erasure';
import { monthsBefore, type PrivacyPolicy, type RetentionCandidate, retentionRuleFor } from './privacy-config';

/** Leads one retention run looks at (and erases); the next run takes the rest. */
export const RETENTION_BATCH = 500;
/** Import jobs one retention run looks at; the next run takes the rest. */
export const IMPORT_RETENTION_BATCH = 200;

const DAY_MS = 86_400_000;

/** The instant N days before `now`. */
export const daysBefore = (now: Date, n: number): Date => new Date(now.getTime() - n * DAY_MS);

/**
 * An import job as the retention register holds it (`RETENTION#IMPORTS`, sorted by creation time): what
 * of it is still kept. Written when the job is created, deleted once both its files and its rejected rows went.
 */
export type ImportRetentionEntry = {
  jobId: string;
  createdAt: string;
  fileName?: string;
  filesDeletedAt?: string;
  rejectedRowsDeletedAt?: string;
};

/** What the import rules do to one job now: delete its files, its rejected rows, both, or nothing yet. */
export type ImportRetentionDue = { jobId: string; createdAt: string; files: boolean; rejectedRows: boolean };

/** Whether a job's files and rejected rows are past their days (and not gone already). */
export const importRetentionDue = (
  entry: ImportRetentionEntry,
  rules: PrivacyPolicy['retention'],
  now: Date,
): ImportRetentionDue => {
  const created = new Date(entry.createdAt);
  return {
    jobId: entry.jobId,
    createdAt: entry.createdAt,
    files: !entry.filesDeletedAt && created < daysBefore(now, rules.deleteImportFilesAfterDays),
    rejectedRows: !entry.rejectedRowsDeletedAt && created < daysBefore(now, rules.deleteRejectedRowsAfterDays),
  };
};

/** What retention reads and deletes (the privacy store's part for it). */
export type RetentionStore = Pick<PrivacyStore, 'leadsInStage' | 'importsCreatedBefore' | 'applyImportRetention'>;

/** The leads the lead rules catch now (a disqualified lead by its rule only; converted and erased leads never). */
export const retentionCandidates = async (
  store: Pick<RetentionStore, 'leadsInStage'>,
  rules: PrivacyPolicy['retention'],
  now: Date,
  limit = RETENTION_BATCH,
): Promise<RetentionCandidate[]> => {
  const stages: { stage: string; months: number }[] = [];
  if (rules.anonymiseDisqualifiedAfterMonths !== null)
    stages.push({ stage: 'Disqualified', months: rules.anonymiseDisqualifiedAfterMonths });
  if (rules.anonymiseIdleAfterMonths !== null)
    for (const stage of OPEN_STAGES) stages.push({ stage, months: rules.anonymiseIdleAfterMonths });
  const candidates: RetentionCandidate[] = [];
  for (const { stage, months } of stages) {
    if (candidates.length >= limit) break;
    const before = monthsBefore(now, months).toISOString();
    for (const lead of await store.leadsInStage(stage, before, limit - candidates.length)) {
      const rule = retentionRuleFor(lead, rules, now);
      if (rule) candidates.push({ leadId: lead.leadId, stage: lead.stage, updatedAt: lead.updatedAt, rule });
    }
  }
  return candidates;
};

/** The import jobs the file and rejected-row rules catch now. */
export const importRetentionCandidates = async (
  store: Pick<RetentionStore, 'importsCreatedBefore'>,
  rules: PrivacyPolicy['retention'],
  now: Date,
  limit = IMPORT_RETENTION_BATCH,
): Promise<{ entry: ImportRetentionEntry; due: ImportRetentionDue }[]> => {
  const days = Math.min(rules.deleteImportFilesAfterDays, rules.deleteRejectedRowsAfterDays);
  const entries = await store.importsCreatedBefore(daysBefore(now, days).toISOString());
  return entries
    .map((entry) => ({ entry, due: importRetentionDue(entry, rules, now) }))
    .filter(({ due }) => due.files || due.rejectedRows)
    .slice(0, limit);
};

export type RetentionRun = {
  dryRun: boolean;
  policyVersion: number;
  rules: PrivacyPolicy['retention'];
  leads: RetentionCandidate[];
  imports: ImportRetentionDue[];
  importFilesAfterDays: number;
  rejectedRowsAfterDays: number;
  /** Applied: what the import rules removed. */
  importsRemoved?: { jobs: number; blobsRemoved: number; rejectedRowsDeleted: number };
  erasure?: ReturnType<typeof progressOf>;
};

/**
 * One retention run, as `POST /privacy/retention` and the scheduled sweep both make it: what the lead
 * rules catch (anonymised as one erasure, reason `retention`) and what the import rules catch (files
 * and rejected rows deleted). A dry run answers the same and changes nothing.
 */
export const runRetention = async (
  deps: ErasureDeps & {
    policy: () => Promise<{ version: number; value: PrivacyPolicy }>;
    newErasureId: () => string;
  },
  request: { dryRun: boolean; actor: Actor; requestedBy: string; requestId: string },
): Promise<{ run: RetentionRun; job?: ErasureJob }> => {
  const policy = await deps.policy();
  const rules = policy.value.retention;
  const now = deps.clock.now();
  const leads = await retentionCandidates(deps.store, rules, now);
  const imports = await importRetentionCandidates(deps.store, rules, now);
  const run: RetentionRun = {
    dryRun: request.dryRun,
    policyVersion: policy.version,
    rules,
    leads,
    imports: imports.map((i) => i.due),
    importFilesAfterDays: rules.deleteImportFilesAfterDays,
    rejectedRowsAfterDays: rules.deleteRejectedRowsAfterDays,
  };
  if (request.dryRun) return { run };
  const at = now.toISOString();
  const removed = { jobs: 0, blobsRemoved: 0, rejectedRowsDeleted: 0 };
  for (const { entry, due } of imports) {
    const out = await deps.store.applyImportRetention(entry, due, at);
    removed.jobs++;
    removed.blobsRemoved += out.blobsRemoved;
    removed.rejectedRowsDeleted += out.rejectedRowsDeleted;
  }
  run.importsRemoved = removed;
  if (leads.length === 0) return { run };
  let job = await deps.store.createErasure({
    id: deps.newErasureId(),
    status: 'running',
    reason: 'retention',
    requestedBy: request.requestedBy,
    requestId: request.requestId,
    createdAt: at,
    updatedAt: at,
    targets: [],
    leadIds: leads.map((c) => c.leadId),
    contactIds: [],
    erasedLeadIds: [],
    counts: emptyCounts(),
  });
  job = await continueErasure(deps, job, request.actor);
  run.erasure = progressOf(job);
  return { run, job };
};
