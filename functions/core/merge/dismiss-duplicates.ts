import { hasOpenDuplicates } from '../duplicates';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { AuditEntry, Lead } from '../lead';
import { canSee, isManager, type Viewer } from '../lead-access';
import type { Clock } from '../ports';
import { mergedLeadName } from './merge-plan';

/** Leads one "not a duplicate" decision may name (one transaction: the leads and an audit entry each). */
export const MAX_DISMISS_LEADS = 25;

/** One lead's side of a dismissal: its links to the others gone, the others remembered as not its duplicates. */
export type DismissalWrite = { before: Lead; patch: Partial<Lead>; queued: boolean; audit: AuditEntry };

export type DismissalStore = {
  getMany(ids: readonly string[]): Promise<(Lead & { mergeLock?: string })[]>;
  /** Every lead conditional on the version read, with its audit entry, in one transaction; 409 if one changed. */
  dismiss(writes: readonly DismissalWrite[]): Promise<void>;
};

const validate = (body: unknown): string[] => {
  const leads = (body as { leads?: unknown } | null)?.leads;
  const extra = body && typeof body === 'object' ? Object.keys(body).filter((k) => k !== 'leads') : [];
  if (extra.length)
    throw new ValidationError(extra.map((field) => ({ field, reason: 'unknown field; expected leads' })));
  if (!Array.isArray(leads) || leads.some((id) => typeof id !== 'string' || id.length === 0 || id.length > 100))
    throw new ValidationError([{ field: 'leads', reason: 'must be a list of lead ids' }]);
  const ids = [...new Set(leads as string[])];
  if (ids.length < 2) throw new ValidationError([{ field: 'leads', reason: 'name at least two leads' }]);
  if (ids.length > MAX_DISMISS_LEADS)
    throw new ValidationError([{ field: 'leads', reason: `at most ${MAX_DISMISS_LEADS} leads at once` }]);
  return ids;
};

/**
 * Sales ops (or a manager) say these leads are not duplicates of each other: every pair among them
 * leaves the leads' duplicate links, the queue and the list flags, and is never flagged again (later
 * reads and merges skip it). Each lead gets an audit entry naming the others by name. Saying it again
 * changes nothing.
 */
export const dismissDuplicates = async (
  ports: { store: DismissalStore; clock: Clock },
  request: { body: unknown; caller: Viewer & { userId: string } },
) => {
  const { caller } = request;
  if (!isManager(caller)) throw new ForbiddenError('only sales ops or a manager may mark leads as not duplicates');
  const ids = validate(request.body);
  const leads = await ports.store.getMany(ids);
  for (const id of ids) {
    const lead = leads.find((l) => l.id === id);
    if (!lead || !canSee(caller, lead)) throw new NotFoundError('lead', id);
    if (lead.mergedInto)
      throw new ConflictError(`lead ${id} was merged; its survivor stands for it`, { mergedInto: lead.mergedInto });
    if (lead.mergeLock) throw new ConflictError(`lead ${id} is in a merge right now`, {});
  }
  const at = ports.clock.now().toISOString();
  const writes: DismissalWrite[] = [];
  for (const lead of leads) {
    const others = leads.filter((l) => l.id !== lead.id);
    const otherIds = new Set(others.map((l) => l.id));
    const known = new Set(lead.notDuplicates ?? []);
    if (others.every((o) => known.has(o.id))) continue;
    const matchedBy = (lead.matchedBy ?? []).filter((id) => !otherIds.has(id));
    const patch: Partial<Lead> = {
      duplicates: lead.duplicates.filter((d) => !(d.kind === 'lead' && otherIds.has(d.id))),
      matchedBy: matchedBy.length ? matchedBy : undefined,
      notDuplicates: [...new Set([...(lead.notDuplicates ?? []), ...otherIds])],
    };
    writes.push({
      before: lead,
      patch,
      queued: hasOpenDuplicates({ ...lead, ...patch }),
      audit: {
        at,
        actor: { kind: 'user', id: caller.userId, source: 'API' },
        action: 'not-duplicate',
        why: `not a duplicate of ${others.map(mergedLeadName).join(', ')}`,
        data: { leadIds: [...otherIds] },
      },
    });
  }
  if (writes.length) await ports.store.dismiss(writes);
  return {
    leads: leads.map((l) => ({
      leadId: l.id,
      notDuplicates: writes.find((w) => w.before.id === l.id)?.patch.notDuplicates ?? l.notDuplicates ?? [],
    })),
    changed: writes.length > 0,
  };
};
