import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { type LeadSnapshot, makeEvent, snapshotOf } from '../events';
import { type Lead, OPEN_STAGES } from '../lead';
import { isManager, type Viewer } from '../lead-access';
import type { LifecyclePorts } from '../lifecycle/ports';
import type { BusEvent } from '../events';
import type { Clock, EventPublisher } from '../ports';
import { rescore } from '../scoring/score-events';
import { scoreLead } from '../scoring/score-lead';
import {
  type MergePlan,
  type MergeRecord,
  planMerge,
  planUnmerge,
  restartName,
  validateMergeRequest,
} from './merge-plan';
import type { MergeStore, MergeWorkflow } from './ports';

export type MergePorts = {
  merges: MergeStore;
  workflow: MergeWorkflow;
  publisher: EventPublisher;
  clock: Clock;
  /** Days a merge can be undone (MERGE_UNDO_DAYS). */
  undoDays: number;
  /** The scoring configuration and model: the survivor is scored again on what it holds after a merge or an undo. */
  scoring?: LifecyclePorts['config']['scoring'];
};

/**
 * The survivor's score on its values after the merge (or the undo): a patch, a note for its audit
 * entry when the score moved, and `LeadScoreChanged` when the band moved.
 */
const rescored = async (ports: MergePorts, before: Lead, after: Lead, at: string) => {
  if (!ports.scoring) return { patch: {}, note: '', events: [] as BusEvent[] };
  const scoring = await ports.scoring();
  const score = scoreLead(after, scoring.config.value, scoring.model ?? null, scoring.config.version);
  const r = rescore({ ...after, score: before.score, scoreBand: before.scoreBand }, score, at);
  return { patch: r.patch, note: r.moved ? `; rescored ${r.audit.why}` : '', events: r.events };
};

/** Folds the new score into the plan: the survivor's patch, its state after, its audit entry. */
const withScore = async (ports: MergePorts, plan: MergePlan, before: Lead, at: string) => {
  const score = await rescored(ports, before, plan.survivorAfter, at);
  return {
    plan: {
      ...plan,
      survivorPatch: { ...plan.survivorPatch, ...score.patch },
      survivorAfter: { ...plan.survivorAfter, ...score.patch },
      survivorAudit: { ...plan.survivorAudit, why: `${plan.survivorAudit.why}${score.note}` },
    },
    events: score.events,
  };
};

type Caller = Viewer & { userId: string };

const snapshot = (lead: Lead): LeadSnapshot => snapshotOf(lead as Lead & LeadSnapshot & Record<string, unknown>);

/** What a merge answers: the record without the before/after copies. */
export const mergeView = (record: MergeRecord) => ({
  mergeId: record.mergeId,
  survivorId: record.survivorId,
  mergedIds: record.mergedIds,
  fields: record.fields,
  at: record.at,
  by: record.by,
  status: record.status,
  undoUntil: record.undoUntil,
  ...(record.undoneAt ? { undoneAt: record.undoneAt, undoneBy: record.undoneBy } : {}),
  // A person's erasure removed its undo data: still counted, no longer undoable.
  ...(record.erased ? { erased: record.erased } : {}),
});

/**
 * Merges any number of leads into a survivor: validated, planned on the leads as read, every lead
 * locked on the version read (one winner among overlapping merges), merged leads tombstoned, the
 * survivor written, their executions ended, and one `LeadsMerged` event.
 */
export const mergeLeads = async (ports: MergePorts, request: { body: unknown; caller: Caller; mergeId: string }) => {
  const { caller, mergeId } = request;
  const existing = await ports.merges.record(mergeId);
  if (existing) {
    // The same request again (same Idempotency-Key): answer the first result, finishing it if it stopped.
    if (existing.by !== caller.userId) throw new ConflictError(`merge ${mergeId} exists already`, {});
    if (existing.status === 'done' || existing.status === 'undone' || existing.status === 'undoing')
      return { record: existing, created: false };
    // Stopped after taking every lead: finish it. Stopped while taking them: give them back and start again.
    if (existing.status === 'committing') return { record: await finishMerge(ports, existing, caller), created: false };
    if (existing.status === 'locking') await ports.merges.release(existing);
  }
  const parsed = validateMergeRequest(request.body);
  const leads = await ports.merges.getMany(parsed.leadIds);
  const now = ports.clock.now();
  const at = now.toISOString();
  const survivorBefore = leads.find((l) => l.id === parsed.survivorId) as Lead & { taskToken?: string };
  const { plan, events } = await withScore(
    ports,
    planMerge(parsed, leads, caller, mergeId, at),
    survivorBefore ?? ({} as Lead),
    at,
  );
  const { taskToken: _t, ...before } = survivorBefore;
  const { taskToken: _t2, ...after } = plan.survivorAfter as Lead & { taskToken?: string; mergeLock?: string };
  delete (before as { mergeLock?: string }).mergeLock;
  delete (after as { mergeLock?: string }).mergeLock;
  const record: MergeRecord = {
    mergeId,
    survivorId: parsed.survivorId,
    mergedIds: plan.merged.map((m) => m.before.id),
    at,
    by: caller.userId,
    undoUntil: new Date(now.getTime() + ports.undoDays * 86_400_000).toISOString(),
    status: 'locking',
    fields: Object.fromEntries(plan.changedFields.map((f) => [f, parsed.fields[f] ?? parsed.survivorId])),
    survivorBefore: before,
    survivorAfter: after,
    keysAdded: plan.keysAdded,
  };
  const { lost } = await ports.merges.lock(
    record,
    leads.map((l) => ({ id: l.id, version: l.version })),
  );
  if (lost.length > 0)
    throw new ConflictError(
      `${lost.length} of these leads changed or joined another merge since they were read; reload them and try again`,
      { leads: lost },
    );
  return { record: await commitMerge(ports, { ...record, status: 'committing' }, plan, events), created: true };
};

/** Writes a merge whose leads are all held, then its one event; the merged leads' executions end. */
const commitMerge = async (
  ports: MergePorts,
  record: MergeRecord,
  plan: MergePlan,
  scoreEvents: BusEvent[],
): Promise<MergeRecord> => {
  await ports.merges.commit(record, plan);
  await ports.publisher.publish([
    makeEvent('LeadsMerged', `merged-${record.mergeId}`, record.at, {
      leadId: record.survivorId,
      mergeId: record.mergeId,
      survivorId: record.survivorId,
      mergedIds: record.mergedIds,
      fields: plan.changedFields,
      by: record.by,
      lead: snapshot(plan.survivorAfter),
      merged: plan.merged.map((m) => snapshot(m.before)),
    }),
    ...scoreEvents,
  ]);
  // Read again: an execution may have entered a wait between the first read and the lock.
  for (const lead of await ports.merges.getMany(record.mergedIds))
    if (lead.taskToken) await ports.workflow.end(lead.taskToken, lead.id);
  return { ...record, status: 'done' };
};

/**
 * Finishes a merge that stopped after taking every lead (`committing`): the plan is made again from the
 * record and the leads as they were before it (a tombstone or a held lead is read without what this
 * merge put on it), and each write, conditional on the merge, is done once.
 */
const finishMerge = async (ports: MergePorts, record: MergeRecord, caller: Caller): Promise<MergeRecord> => {
  const leads = await ports.merges.getMany([record.survivorId, ...record.mergedIds]);
  const before = leads.map((lead) => {
    if (lead.id === record.survivorId) return { ...record.survivorBefore, taskToken: lead.taskToken };
    if (lead.mergeLock !== record.mergeId && lead.mergeId !== record.mergeId) return lead;
    const { mergeLock: _l, mergedInto: _i, mergedAt: _a, mergeId: _m, ...rest } = lead;
    return rest as typeof lead;
  });
  const { plan, events } = await withScore(
    ports,
    planMerge(
      { survivorId: record.survivorId, leadIds: [record.survivorId, ...record.mergedIds], fields: record.fields },
      before,
      { ...caller, userId: record.by },
      record.mergeId,
      record.at,
    ),
    record.survivorBefore,
    record.at,
  );
  return commitMerge(ports, { ...record, status: 'committing' }, plan, events);
};

/**
 * `POST /merges/{id}/resume`: a merge that stopped half-way (its leads answer 409, held by it) is
 * finished when it had taken every lead, or rolled back (every lead given back) when it stopped while
 * taking them. Who merged, a manager or sales ops; a finished or undone merge is answered as it is.
 */
export const resumeMerge = async (ports: MergePorts, request: { mergeId: string; caller: Caller }) => {
  const record = await ports.merges.record(request.mergeId);
  if (!record) throw new NotFoundError('merge', request.mergeId);
  if (record.by !== request.caller.userId && !isManager(request.caller))
    throw new ForbiddenError('only who merged, a manager or sales ops may resume a merge');
  if (record.status === 'committing')
    return { record: await finishMerge(ports, record, request.caller), action: 'finished' };
  if (record.status === 'locking') {
    await ports.merges.release(record);
    return { record: { ...record, status: 'released' as const }, action: 'rolled back' };
  }
  return { record, action: 'none' };
};

export { restartName };

/**
 * Undoes a merge inside its window: conflicts on the survivor answer 409 with the fields (nothing
 * written) unless `keep` names them; every merged lead comes back and its lifecycle restarts at its stage.
 */
export const unmergeLeads = async (
  ports: MergePorts,
  request: { mergeId: string; caller: Caller; keep: readonly string[] },
) => {
  const { mergeId, caller } = request;
  const record = await ports.merges.record(mergeId);
  if (!record) throw new NotFoundError('merge', mergeId);
  const leads = await ports.merges.getMany([record.survivorId, ...record.mergedIds]);
  const survivor = leads.find((l) => l.id === record.survivorId);
  if (!survivor) throw new NotFoundError('lead', record.survivorId);
  const tombstones = leads.filter((l) => l.id !== record.survivorId);
  const now = ports.clock.now();
  const mine = tombstones.filter((t) => t.mergeId === mergeId && t.mergedInto);
  const planned = planUnmerge(record, survivor, mine, caller, request.keep, now);
  // Scored again on its own values and counts, without what the merged leads brought.
  const score = await rescored(
    ports,
    survivor,
    { ...survivor, ...planned.survivorPatch } as Lead,
    planned.survivorAudit.at,
  );
  const plan = {
    ...planned,
    survivorPatch: { ...planned.survivorPatch, ...score.patch },
    survivorAudit: { ...planned.survivorAudit, why: `${planned.survivorAudit.why}${score.note}` },
  };
  await ports.merges.unmerge(record, plan, survivor.version, caller.userId);
  const at = plan.survivorAudit.at;
  const survivorAfter = { ...survivor, ...plan.survivorPatch } as Lead;
  await ports.publisher.publish([
    makeEvent('LeadsUnmerged', `unmerged-${mergeId}`, at, {
      leadId: record.survivorId,
      mergeId,
      survivorId: record.survivorId,
      restoredIds: record.mergedIds,
      by: caller.userId,
      lead: snapshot(survivorAfter),
      restored: plan.restored.map((r) => snapshot(r.lead)),
    }),
    ...score.events,
  ]);
  for (const { lead } of plan.restored)
    if ((OPEN_STAGES as readonly string[]).includes(lead.stage))
      await ports.workflow.restart(lead.id, restartName(lead.id, mergeId));
  return { record: { ...record, status: 'undone' as const, undoneAt: at, undoneBy: caller.userId } };
};
