import { ConflictError, NotFoundError } from '../errors';
import { type LeadSnapshot, makeEvent, snapshotOf } from '../events';
import { type Lead, OPEN_STAGES } from '../lead';
import type { Viewer } from '../lead-access';
import type { Clock, EventPublisher } from '../ports';
import { type MergeRecord, planMerge, planUnmerge, restartName, validateMergeRequest } from './merge-plan';
import type { MergeStore, MergeWorkflow } from './ports';

export type MergePorts = {
  merges: MergeStore;
  workflow: MergeWorkflow;
  publisher: EventPublisher;
  clock: Clock;
  /** Days a merge can be undone (MERGE_UNDO_DAYS). */
  undoDays: number;
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
    throw new ConflictError(`merge ${mergeId} did not take (${existing.status}); send it again with a new key`, {
      status: existing.status,
    });
  }
  const parsed = validateMergeRequest(request.body);
  const leads = await ports.merges.getMany(parsed.leadIds);
  const now = ports.clock.now();
  const at = now.toISOString();
  const plan = planMerge(parsed, leads, caller, mergeId, at);
  const survivorBefore = leads.find((l) => l.id === parsed.survivorId) as Lead & { taskToken?: string };
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
  await ports.merges.commit({ ...record, status: 'committing' }, plan);
  const done: MergeRecord = { ...record, status: 'done' };
  await ports.publisher.publish([
    makeEvent('LeadsMerged', `merged-${mergeId}`, at, {
      leadId: record.survivorId,
      mergeId,
      survivorId: record.survivorId,
      mergedIds: record.mergedIds,
      fields: plan.changedFields,
      by: caller.userId,
      lead: snapshot(plan.survivorAfter),
      merged: plan.merged.map((m) => snapshot(m.before)),
    }),
  ]);
  // Read again: an execution may have entered a wait between the first read and the lock.
  for (const lead of await ports.merges.getMany(record.mergedIds))
    if (lead.taskToken) await ports.workflow.end(lead.taskToken, lead.id);
  return { record: done, created: true };
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
  const plan = planUnmerge(record, survivor, mine, caller, request.keep, now);
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
  ]);
  for (const { lead } of plan.restored)
    if ((OPEN_STAGES as readonly string[]).includes(lead.stage))
      await ports.workflow.restart(lead.id, restartName(lead.id, mergeId));
  return { record: { ...record, status: 'undone' as const, undoneAt: at, undoneBy: caller.userId } };
};
