import { prepareLead } from '../capture-lead';
import { blockMovesOf, type DedupeKey, dedupeKeysOf } from '../dedupe';
import type { Fingerprint } from '../similarity';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { type AuditEntry, type CanonicalLead, type DuplicateMatch, type Lead, OPEN_STAGES } from '../lead';
import { hasOpenDuplicates } from '../duplicates';
import { canSee, isManager, type Viewer } from '../lead-access';
import { EDITABLE_FIELDS } from '../lifecycle/edit-lead';

/** Fields whose winner the merge request may pick per field (the fields a rep may edit). */
export const MERGE_FIELDS = EDITABLE_FIELDS;
export type MergeField = (typeof MERGE_FIELDS)[number];

/**
 * The most leads one merge takes. Nothing in the design stops at 100 (leads are locked and moved in
 * batches, each batch one transaction); the bound keeps one request inside a Lambda's time budget.
 */
export const MAX_MERGE_LEADS = 500;

/** Days a merge can be undone unless configured (`MERGE_UNDO_DAYS`). */
export const DEFAULT_UNDO_DAYS = 30;

export type MergeRequest = {
  survivorId: string;
  /** Every lead of the set (the survivor may be listed or not). */
  leadIds: string[];
  /** Per field, the lead whose value wins; a field not named keeps the survivor's value. */
  fields: Partial<Record<MergeField, string>>;
};

/** The merge as stored: what it did, and what it needs to be undone. */
export type MergeRecord = {
  mergeId: string;
  survivorId: string;
  mergedIds: string[];
  at: string;
  by: string;
  undoUntil: string;
  status: 'locking' | 'committing' | 'done' | 'released' | 'undoing' | 'undone';
  /** The survivor's fields the merge changed (field → lead the value came from). */
  fields: Partial<Record<MergeField, string>>;
  /** The survivor before and after the merge (without its wait token). */
  survivorBefore: Lead;
  survivorAfter: Lead;
  /** Dedupe keys the survivor was added to by the merge (those of the merged leads it did not hold). */
  keysAdded: DedupeKey[];
  undoneAt?: string;
  undoneBy?: string;
  /** Set when a person's erasure removed the undo data (survivorBefore/After, keysAdded): the merge stays counted, not undoable. */
  erased?: { at: string; erasureId: string };
};

const keyId = (k: DedupeKey) => `${k.on}#${k.value}`;

/** How a merged lead is named on the survivor's feed and items: the person, never an id. */
export const mergedLeadName = (lead: Pick<Lead, 'firstName' | 'lastName' | 'company' | 'email' | 'phone'>) =>
  [lead.firstName, lead.lastName].filter(Boolean).join(' ') ||
  lead.company ||
  lead.email ||
  lead.phone ||
  'unnamed lead';
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Checks the request's shape; nothing is read yet. */
export const validateMergeRequest = (body: unknown): MergeRequest => {
  const issues: { field: string; reason: string }[] = [];
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError([{ field: 'body', reason: 'must be an object with survivor and leads' }]);
  const unknown = Object.keys(b).filter((k) => !['survivor', 'leads', 'fields'].includes(k));
  for (const k of unknown) issues.push({ field: k, reason: 'unknown field; expected survivor, leads, fields' });
  const survivor = b.survivor;
  if (typeof survivor !== 'string' || survivor.length === 0 || survivor.length > 100)
    issues.push({ field: 'survivor', reason: 'must be the id of the lead that remains' });
  const leads = b.leads;
  let ids: string[] = [];
  if (!Array.isArray(leads) || leads.some((id) => typeof id !== 'string' || id.length === 0 || id.length > 100))
    issues.push({ field: 'leads', reason: 'must be a list of lead ids' });
  else {
    ids = [...new Set([...(typeof survivor === 'string' ? [survivor] : []), ...(leads as string[])])];
    if (ids.length < 2) issues.push({ field: 'leads', reason: 'name at least one lead besides the survivor' });
    if (ids.length > MAX_MERGE_LEADS)
      issues.push({ field: 'leads', reason: `at most ${MAX_MERGE_LEADS} leads in one merge` });
  }
  const fields: Partial<Record<MergeField, string>> = {};
  if (b.fields !== undefined) {
    if (typeof b.fields !== 'object' || b.fields === null || Array.isArray(b.fields))
      issues.push({ field: 'fields', reason: 'must map a field name to the id of the lead whose value wins' });
    else
      for (const [field, from] of Object.entries(b.fields)) {
        if (!(MERGE_FIELDS as readonly string[]).includes(field))
          issues.push({
            field: `fields.${field}`,
            reason: `not mergeable; mergeable fields: ${MERGE_FIELDS.join(', ')}`,
          });
        else if (typeof from !== 'string' || !ids.includes(from))
          issues.push({ field: `fields.${field}`, reason: 'must be the id of one of the leads being merged' });
        else fields[field as MergeField] = from;
      }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { survivorId: survivor as string, leadIds: ids, fields };
};

const unionDuplicates = (leads: readonly Lead[], excluded: ReadonlySet<string>): DuplicateMatch[] => {
  const out = new Map<string, DuplicateMatch>();
  for (const lead of leads)
    for (const d of lead.duplicates ?? [])
      if (!(d.kind === 'lead' && excluded.has(d.id))) out.set(`${d.kind}#${d.id}#${d.matchedOn}`, d);
  return [...out.values()];
};

const sumBehaviour = (leads: readonly Lead[]) => {
  const out: Record<string, number> = {};
  for (const lead of leads) for (const [k, n] of Object.entries(lead.behaviour ?? {})) out[k] = (out[k] ?? 0) + n;
  return Object.keys(out).length ? out : undefined;
};

/** A lead's place on blocking keys after a merge or an undo (see `blockMovesOf`). */
export type BlockMove = { leadId: string; added: DedupeKey[]; removed: DedupeKey[]; fingerprint?: Fingerprint };

const blockMove = (leadId: string, before?: Lead, after?: Lead): BlockMove => ({
  leadId,
  ...blockMovesOf(leadId, before as never, after as never),
});

export type MergePlan = {
  survivorAfter: Lead;
  /** Tombstones leave their blocking keys (no longer fuzzy candidates); the survivor's follow its new values. */
  blockMoves: BlockMove[];
  /** The survivor's changed attributes (undefined clears one). */
  survivorPatch: Partial<Lead>;
  /** Whether the survivor stays in the duplicates queue (an open match outside the set). */
  survivorQueued: boolean;
  changedFields: MergeField[];
  survivorAudit: AuditEntry;
  merged: { before: Lead & { taskToken?: string }; name: string; tombstone: Partial<Lead>; audit: AuditEntry }[];
  keysAdded: DedupeKey[];
};

/**
 * Decides a merge on the leads as read: who may, which leads can, and every value the survivor ends
 * with. Refuses (changing nothing) a lead that is already merged, being routed, waiting on an
 * approval, or a converted lead that is not the survivor: a converted lead is a contact already, so
 * the open duplicates merge into it and are associated with its contact and account.
 */
export const planMerge = (
  request: MergeRequest,
  leads: readonly (Lead & { mergeLock?: string; taskToken?: string })[],
  caller: Viewer & { userId: string },
  mergeId: string,
  at: string,
): MergePlan => {
  const byId = new Map(leads.map((l) => [l.id, l]));
  for (const id of request.leadIds) {
    const lead = byId.get(id);
    if (!lead || !canSee(caller, lead)) throw new NotFoundError('lead', id);
  }
  const all = request.leadIds.map((id) => byId.get(id) as Lead & { mergeLock?: string; taskToken?: string });
  if (!isManager(caller)) {
    const foreign = all.filter((l) => l.owner !== caller.userId).map((l) => l.id);
    if (foreign.length > 0)
      throw new ForbiddenError(
        `a rep may merge only leads they own; ask a manager or sales ops for ${foreign.slice(0, 5).join(', ')}`,
      );
  }
  const refusals: {
    leadId: string;
    reason: string;
    approval?: { chainName: string; step: number; taskId?: string };
  }[] = [];
  for (const lead of all) {
    if (lead.mergedInto) refusals.push({ leadId: lead.id, reason: `already merged into ${lead.mergedInto}` });
    else if (lead.mergeLock)
      refusals.push({
        leadId: lead.id,
        reason: `held by merge ${lead.mergeLock}; if it stopped, POST /merges/${lead.mergeLock}/resume finishes or rolls it back`,
      });
    else if (lead.stage === 'Creation') refusals.push({ leadId: lead.id, reason: 'being scored and routed' });
    else if (lead.approval) {
      // Refused, not ended: a merge must not bypass an approval chain (four eyes). The approver decides
      // (reject returns the lead to its stage), then the merge can go ahead.
      const a = lead.approval;
      refusals.push({
        leadId: lead.id,
        reason: `waiting on approval '${a.chainName}' step ${a.stepIndex + 1}${
          a.taskId ? ` (task ${a.taskId}: decide it with POST /tasks/${a.taskId}/decision)` : ' (its task is opening)'
        }; merge it once the approval is decided`,
        approval: { chainName: a.chainName, step: a.stepIndex + 1, ...(a.taskId ? { taskId: a.taskId } : {}) },
      });
    } else if (lead.stage === 'Converted' && lead.id !== request.survivorId)
      refusals.push({ leadId: lead.id, reason: 'converted: choose it as the survivor' });
  }
  if (refusals.length > 0)
    throw new ConflictError(`${refusals.length} of these leads cannot be merged now`, { leads: refusals });
  const survivor = byId.get(request.survivorId) as Lead;
  const others = all.filter((l) => l.id !== survivor.id);
  const picked = Object.entries(request.fields).filter(([, from]) => from !== survivor.id);
  if (survivor.stage === 'Converted' && picked.length > 0)
    throw new ValidationError(
      picked.map(([field]) => ({ field: `fields.${field}`, reason: 'a converted survivor keeps its own values' })),
    );

  // The survivor's canonical fields with the picked values, normalised again (derived domains follow).
  const canonical: Record<string, unknown> = {};
  for (const f of MERGE_FIELDS) {
    const from = byId.get(request.fields[f] ?? survivor.id) as Lead;
    const value = from[f as keyof Lead];
    if (value !== undefined) canonical[f] = value;
  }
  for (const f of ['campaign', 'utm'] as const) if (survivor[f] !== undefined) canonical[f] = survivor[f];
  const normalised = picked.length > 0 ? prepareLead(canonical) : undefined;
  const patch: Partial<Lead> = {};
  if (normalised) {
    for (const f of MERGE_FIELDS) (patch as Record<string, unknown>)[f] = normalised[f as keyof CanonicalLead];
    Object.assign(patch, {
      emailDomain: normalised.emailDomain,
      companyDomain: normalised.companyDomain,
      freeMail: normalised.freeMail,
      leadType: normalised.leadType ?? survivor.leadType,
    });
  }
  const inSet = new Set(all.map((l) => l.id));
  const followers = [
    ...new Set([
      ...(survivor.followers ?? []),
      ...others.flatMap((l) => [...(l.followers ?? []), ...(l.owner ? [l.owner] : [])]),
    ]),
  ].filter((u) => u !== survivor.owner);
  patch.followers = followers.length ? followers : undefined;
  patch.duplicates = unionDuplicates(all, inSet);
  // Pairs inside the set are resolved by the merge; links and dismissals to leads outside it carry over.
  const outside = (ids: (readonly string[] | undefined)[]) => {
    const out = [...new Set(ids.flatMap((l) => l ?? []))].filter((id) => !inSet.has(id));
    return out.length ? out : undefined;
  };
  patch.matchedBy = outside(all.map((l) => l.matchedBy));
  patch.notDuplicates = outside(all.map((l) => l.notDuplicates));
  patch.behaviour = sumBehaviour(all);
  patch.mergedFrom = [
    ...(survivor.mergedFrom ?? []),
    {
      mergeId,
      leadIds: others.map((l) => l.id),
      at,
      names: Object.fromEntries(others.map((l) => [l.id, mergedLeadName(l)])),
    },
  ];
  if (survivor.stage === 'Converted') {
    patch.associatedContactId = survivor.contactId ?? survivor.associatedContactId;
    patch.associatedAccountId = survivor.accountId ?? survivor.associatedAccountId;
  }
  for (const k of Object.keys(patch) as (keyof Lead)[])
    if (same(patch[k], survivor[k])) delete (patch as Record<string, unknown>)[k];

  const survivorAfter = { ...survivor, ...patch, version: survivor.version + 2, updatedAt: at } as Lead;
  for (const [k, v] of Object.entries(survivorAfter))
    if (v === undefined) delete (survivorAfter as Record<string, unknown>)[k];
  const changedFields = MERGE_FIELDS.filter((f) => !same(survivor[f as keyof Lead], survivorAfter[f as keyof Lead]));
  const actor = { kind: 'user' as const, id: caller.userId, source: 'API' as const };

  const survivorKeys = new Set(dedupeKeysOf(survivorAfter as never).map(keyId));
  const beforeKeys = new Set(dedupeKeysOf(survivor as never).map(keyId));
  const keysAdded = new Map<string, DedupeKey>();
  for (const k of [...dedupeKeysOf(survivorAfter as never), ...others.flatMap((l) => dedupeKeysOf(l as never))])
    if (!beforeKeys.has(keyId(k))) keysAdded.set(keyId(k), k);
  void survivorKeys;

  return {
    survivorAfter,
    blockMoves: [
      blockMove(survivor.id, survivor, survivorAfter),
      ...others.map((l) => blockMove(l.id, l, undefined)),
    ].filter((m) => m.added.length + m.removed.length > 0),
    survivorPatch: patch,
    survivorQueued: hasOpenDuplicates(survivorAfter),
    changedFields,
    keysAdded: [...keysAdded.values()],
    survivorAudit: {
      at,
      actor,
      action: 'merged',
      why: `merged ${others.length} lead${others.length === 1 ? '' : 's'} into this one (${others
        .slice(0, 5)
        .map(mergedLeadName)
        .join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''})${
        changedFields.length ? `; took ${changedFields.join(', ')} from them` : ''
      }`,
      data: { mergeId, leadIds: others.map((l) => l.id), fields: changedFields },
    },
    merged: others.map((before) => ({
      before,
      name: mergedLeadName(before),
      tombstone: {
        mergedInto: survivor.id,
        mergedAt: at,
        mergeId,
        ...(survivor.stage === 'Converted'
          ? {
              associatedContactId: survivor.contactId ?? survivor.associatedContactId,
              associatedAccountId: survivor.accountId ?? survivor.associatedAccountId,
            }
          : {}),
      },
      audit: {
        at,
        actor,
        action: 'merged-into',
        why: `merged into ${mergedLeadName(survivor)}`,
        data: { mergeId, survivorId: survivor.id },
      },
    })),
  };
};

/** A field of the survivor changed by the merge and changed again since: undo would overwrite it. */
export type UnmergeConflict = { field: string; beforeMerge: unknown; afterMerge: unknown; now: unknown };

export type UnmergePlan = {
  survivorPatch: Partial<Lead>;
  /** Whether the survivor, back to its own links, is in the duplicates queue. */
  survivorQueued: boolean;
  survivorAudit: AuditEntry;
  restored: { lead: Lead; audit: AuditEntry }[];
  /** Keys the survivor leaves: added by the merge and not held by its values now. */
  keysRemoved: DedupeKey[];
  /** Restored leads join their blocking keys again; the survivor's follow its restored values. */
  blockMoves: BlockMove[];
};

/**
 * Undoes a merge: every merged lead comes back as it was; the survivor's fields the merge changed go
 * back to their pre-merge values, unless changed again since: then 409 names those fields and
 * nothing is written, unless the caller says to `keep` their current values.
 */
export const planUnmerge = (
  record: MergeRecord,
  survivorNow: Lead & { mergedInto?: string; mergeLock?: string },
  tombstones: readonly Lead[],
  caller: Viewer & { userId: string },
  keep: readonly string[],
  now: Date,
): UnmergePlan => {
  if (!isManager(caller) && record.by !== caller.userId)
    throw new ForbiddenError('only who merged, a manager or sales ops may undo a merge');
  if (record.status === 'undone') throw new ConflictError(`merge ${record.mergeId} was undone already`, {});
  if (record.erased)
    throw new ConflictError(`merge ${record.mergeId} cannot be undone: its undo data was erased with a person's data`, {
      erasedAt: record.erased.at,
    });
  if (record.status !== 'done' && record.status !== 'undoing')
    throw new ConflictError(`merge ${record.mergeId} did not finish`, { status: record.status });
  if (now.toISOString() > record.undoUntil)
    throw new ConflictError(`merge ${record.mergeId} could be undone until ${record.undoUntil}`, {
      undoUntil: record.undoUntil,
    });
  if (survivorNow.mergedInto)
    throw new ConflictError(`the survivor was merged into ${survivorNow.mergedInto} since; undo that merge first`, {
      mergedInto: survivorNow.mergedInto,
    });
  if (survivorNow.mergeLock) throw new ConflictError('the survivor is in another merge right now', {});
  const before = record.survivorBefore;
  const after = record.survivorAfter;
  const conflicts: UnmergeConflict[] = [];
  const patch: Partial<Lead> = {};
  const restorable = [
    ...MERGE_FIELDS,
    'emailDomain',
    'companyDomain',
    'freeMail',
    'leadType',
    'associatedContactId',
    'associatedAccountId',
  ] as const;
  for (const f of restorable) {
    const k = f as keyof Lead;
    if (same(before[k], after[k])) continue;
    if (!same(survivorNow[k], after[k])) {
      if ((MERGE_FIELDS as readonly string[]).includes(f) && !keep.includes(f))
        conflicts.push({ field: f, beforeMerge: before[k], afterMerge: after[k], now: survivorNow[k] });
      continue;
    }
    (patch as Record<string, unknown>)[k] = before[k];
  }
  // An undo that stopped half-way has put the survivor back already: it only finishes the leads.
  if (conflicts.length > 0 && record.status === 'done')
    throw new ConflictError(
      `the survivor changed since the merge: ${conflicts.map((c) => c.field).join(', ')}; resend with keep naming the fields whose current values stay`,
      { conflicts },
    );
  // Sets and counts: take out what the merge brought, keep what happened since.
  const addedFollowers = new Set((after.followers ?? []).filter((u) => !(before.followers ?? []).includes(u)));
  const followers = (survivorNow.followers ?? []).filter((u) => !addedFollowers.has(u));
  patch.followers = followers.length ? followers : undefined;
  const dupKey = (d: DuplicateMatch) => `${d.kind}#${d.id}#${d.matchedOn}`;
  const addedDuplicates = new Set(
    (after.duplicates ?? []).filter((d) => !(before.duplicates ?? []).some((b) => dupKey(b) === dupKey(d))).map(dupKey),
  );
  const mergedIds = new Set(record.mergedIds);
  patch.duplicates = [
    ...(survivorNow.duplicates ?? []).filter((d) => !addedDuplicates.has(dupKey(d))),
    ...(before.duplicates ?? []).filter(
      (d) => mergedIds.has(d.id) && !(survivorNow.duplicates ?? []).some((n) => dupKey(n) === dupKey(d)),
    ),
  ];
  const behaviour: Record<string, number> = { ...(survivorNow.behaviour ?? {}) };
  for (const [k, n] of Object.entries(after.behaviour ?? {})) {
    const own = before.behaviour?.[k] ?? 0;
    behaviour[k] = (behaviour[k] ?? 0) - (n - own);
    if (behaviour[k] <= 0) delete behaviour[k];
  }
  patch.behaviour = Object.keys(behaviour).length ? behaviour : undefined;
  for (const f of ['matchedBy', 'notDuplicates'] as const) {
    const added = new Set((after[f] ?? []).filter((id) => !(before[f] ?? []).includes(id)));
    const kept = [...(survivorNow[f] ?? []).filter((id) => !added.has(id)), ...(before[f] ?? [])];
    patch[f] = kept.length ? [...new Set(kept)] : undefined;
  }
  const mergedFrom = (survivorNow.mergedFrom ?? []).filter((m) => m.mergeId !== record.mergeId);
  patch.mergedFrom = mergedFrom.length ? mergedFrom : undefined;
  for (const k of Object.keys(patch) as (keyof Lead)[])
    if (same(patch[k], survivorNow[k])) delete (patch as Record<string, unknown>)[k];

  const at = now.toISOString();
  const actor = { kind: 'user' as const, id: caller.userId, source: 'API' as const };
  const restoredFields = Object.keys(patch).filter((f) => (MERGE_FIELDS as readonly string[]).includes(f));
  const nowKeys = new Set(dedupeKeysOf({ ...survivorNow, ...patch } as never).map(keyId));
  return {
    survivorPatch: patch,
    survivorQueued: hasOpenDuplicates({ ...survivorNow, ...patch } as Lead),
    survivorAudit: {
      at,
      actor,
      action: 'unmerged',
      why: `undid merge ${record.mergeId}: ${record.mergedIds.length} lead${record.mergedIds.length === 1 ? '' : 's'} restored${
        restoredFields.length ? `; ${restoredFields.join(', ')} back to pre-merge values` : ''
      }${keep.length ? `; kept current ${keep.join(', ')}` : ''}`,
      data: { mergeId: record.mergeId, leadIds: record.mergedIds, fields: restoredFields, kept: [...keep] },
    },
    restored: tombstones.map((t) => {
      const {
        mergedInto: _i,
        mergedAt: _a,
        mergeId: _m,
        taskToken: _t,
        mergeLock: _l,
        ...rest
      } = t as Lead & Record<string, unknown>;
      const restarts = (OPEN_STAGES as readonly string[]).includes(t.stage);
      return {
        lead: {
          ...(rest as Lead),
          // The lifecycle restarted for an open lead is named on it before it starts, as a hand-over's or a
          // recycle's is: an erasure (or any stop) finds the running execution by this name.
          ...(restarts
            ? {
                execution: {
                  name: restartName(t.id, record.mergeId),
                  generation: t.execution?.generation ?? 0,
                  loops: 0,
                  ...(t.execution?.name ? { from: t.execution.name } : {}),
                },
              }
            : {}),
          version: t.version + 1,
          updatedAt: at,
        },
        audit: {
          at,
          actor,
          action: 'unmerged',
          why: `restored from merge ${record.mergeId}`,
          data: { mergeId: record.mergeId },
        },
      };
    }),
    keysRemoved: record.keysAdded.filter((k) => !nowKeys.has(keyId(k))),
    blockMoves: [
      blockMove(record.survivorId, survivorNow, { ...survivorNow, ...patch } as Lead),
      ...tombstones.map((t) => blockMove(t.id, undefined, t)),
    ].filter((m) => m.added.length + m.removed.length > 0),
  };
};

/** The execution name of a restored lead's new lifecycle (names are never reused; at most 80 characters). */
export const restartName = (leadId: string, mergeId: string) => `${leadId}--unmerge-${mergeId}`.slice(0, 80);

/** Open and owned: counts toward a rep's load. */
export const countsAsLoad = (lead: Pick<Lead, 'stage' | 'owner'>) =>
  OPEN_STAGES.includes(lead.stage) && lead.owner !== undefined;
