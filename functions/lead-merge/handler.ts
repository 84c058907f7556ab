import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import * as z from 'zod';
import { fieldIssuesOf, NotFoundError, ValidationError } from '../core/errors';
import { canSee } from '../core/lead-access';
import { dismissDuplicates } from '../core/merge/dismiss-duplicates';
import { type MergePorts, mergeLeads, mergeView, resumeMerge, unmergeLeads } from '../core/merge/merge-leads';
import { callerOf } from '../http/auth';
import { headerOf, jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

const undoSchema = z.object({ keep: z.array(z.string().min(1).max(100)).max(50).optional() }).strict();

/**
 * A merge's id: fresh, or derived from the caller and their Idempotency-Key, so the same request sent
 * again answers the first merge instead of failing on leads it already merged.
 */
const mergeIdOf = (userId: string, key: string | undefined) =>
  key ? `k${createHash('sha256').update(`${userId}\n${key}`).digest('hex').slice(0, 25)}` : ulid();

/** POST /merges, GET /merges/{mergeId}, POST /merges/{mergeId}/undo and /resume, POST /duplicates/dismissals. */
export const makeLeadMergeApi = (ports: MergePorts) =>
  routeBy({
    'POST /merges': async (event) => {
      const caller = callerOf(event);
      const mergeId = mergeIdOf(caller.userId, headerOf(event, 'idempotency-key'));
      const { record, created } = await mergeLeads(ports, { body: jsonBody(event), caller, mergeId });
      return json(created ? 201 : 200, mergeView(record), { location: `/merges/${record.mergeId}` });
    },

    /** "Not a duplicate": the pairs among these leads leave the queue and the flags for good (audited on each). */
    'POST /duplicates/dismissals': async (event) => {
      const answer = await dismissDuplicates(
        { store: ports.merges, clock: ports.clock },
        { body: jsonBody(event), caller: callerOf(event) },
      );
      return json(200, answer);
    },

    'GET /merges/{mergeId}': async (event) => {
      const caller = callerOf(event);
      const mergeId = event.pathParameters?.mergeId ?? '';
      const record = await ports.merges.record(mergeId);
      const [survivor] = record ? await ports.merges.getMany([record.survivorId]) : [];
      if (!record || !survivor || !canSee(caller, survivor)) throw new NotFoundError('merge', mergeId);
      return json(200, mergeView(record));
    },

    'POST /merges/{mergeId}/resume': async (event) => {
      const { record, action } = await resumeMerge(ports, {
        mergeId: event.pathParameters?.mergeId ?? '',
        caller: callerOf(event),
      });
      return json(200, { ...mergeView(record), resumed: action });
    },

    'POST /merges/{mergeId}/undo': async (event) => {
      const caller = callerOf(event);
      const parsed = undoSchema.safeParse(jsonBody(event, { optional: true }) ?? {});
      if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
      const { record } = await unmergeLeads(ports, {
        mergeId: event.pathParameters?.mergeId ?? '',
        caller,
        keep: parsed.data.keep ?? [],
      });
      return json(200, mergeView(record));
    },
  });
