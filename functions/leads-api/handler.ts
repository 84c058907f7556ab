import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { type CaptureDeps, captureLead } from '../core/capture-lead';
import { measuredCapture } from '../core/metric-facts';
import { NotFoundError, ValidationError } from '../core/errors';
import { STAGES, type Stage } from '../core/lead';
import { DEFAULT_THRESHOLDS } from '../core/dedupe';
import { duplicateEntriesOf, duplicateKeysOf, duplicateMatchesOf, isFlagged } from '../core/duplicates';
import { canSee, visibleOwners } from '../core/lead-access';
import { leadView } from '../core/lead-view';
import type { ApprovalsConfig } from '../core/lifecycle/approvals-config';
import { pendingApprovalOf } from '../core/lifecycle/pending-approval';
import type { ApprovalTaskRecord } from '../core/lifecycle/ports';
import type { StagesConfig } from '../core/lifecycle/stages-config';
import { checklists } from '../core/lifecycle/stage-steps';
import { allowedActions } from '../core/lifecycle/transitions';
import type { Lead } from '../core/lead';
import type { DuplicatesReader, LeadReader } from '../core/ports';
import { lookupSource, type SourceProvider } from '../core/source-catalog';
import { type Caller, callerOf, isManager, requireGroup } from '../http/auth';
import { headerOf, jsonBody } from '../http/body';
import { json } from '../http/responses';
import { cursorCodec } from '../http/cursor';
import { routeBy } from '../http/router';
import { LIST_PARAMS, type ListsDeps, makeListRoutes } from './lists';

export type LeadsApiDeps = {
  capture: CaptureDeps;
  leads: LeadReader;
  /** The seed and the sources sales ops added at run time. */
  sources: SourceProvider;
  stages: () => Promise<StagesConfig>;
  /** For a lead waiting on approval: the chain and its open task, so the view says who and since when. */
  approvals?: () => Promise<ApprovalsConfig>;
  tasks?: { get(taskId: string): Promise<ApprovalTaskRecord | undefined> };
  /** Search, lists across partitions, saved views and their export. */
  lists: Omit<ListsDeps, 'stages'>;
  /** The duplicates views (lead page panel, sales ops queue); without it, leads show none. */
  duplicates?: DuplicatesReader;
};

const LEADS_CURSOR = cursorCodec('leads');
const DUPLICATES_CURSOR = cursorCodec('duplicates');

const pathId = (event: APIGatewayProxyEventV2) => event.pathParameters?.id ?? '';

export const makeLeadsApi = (deps: LeadsApiDeps) => {
  const { 'GET /leads#list': listAll, ...listRoutes } = makeListRoutes({ ...deps.lists, stages: deps.stages });
  /** The lead's source's thresholds; a source retired since the capture scores with the defaults. */
  const thresholdsOf = async (lead: Lead) =>
    (await lookupSource(deps.sources, lead.sourceId).catch(() => undefined))?.duplicateThresholds ?? DEFAULT_THRESHOLDS;

  /** One lead's duplicates in both directions, with names, owners, stages, scores: two batched reads. */
  const duplicateLeadsOf = async (lead: Lead, caller: Caller) => {
    if (!deps.duplicates) return [];
    const matches = duplicateMatchesOf(
      lead,
      await deps.duplicates.holders(duplicateKeysOf(lead)),
      await thresholdsOf(lead),
    );
    const records = await deps.duplicates.leads(matches.map((m) => m.id));
    return duplicateEntriesOf(matches, records, (other) => canSee(caller, other));
  };

  return routeBy({
    ...listRoutes,
    'POST /leads': async (event) => {
      const caller = callerOf(event);
      const body = jsonBody(event);
      const requested = event.queryStringParameters?.source;
      const source = await lookupSource(deps.sources, requested ?? 'manual', 'api');
      if (!source) throw new NotFoundError('source', requested ?? 'manual');
      const answer = await measuredCapture(
        deps.capture.metrics,
        { sourceId: source.id, channel: 'API', policy: source.duplicatePolicy },
        () =>
          captureLead(deps.capture, {
            payload: body,
            channel: 'API',
            source,
            deliveryId: headerOf(event, 'idempotency-key') ?? ulid(),
            actor: { kind: 'user', id: caller.userId, source: 'API' },
          }),
      );
      return json(202, answer, { location: `/leads/${answer.leadId}` });
    },

    'GET /leads/{id}': async (event) => {
      const caller = callerOf(event);
      const lead = await deps.leads.get(pathId(event));
      if (!lead || !canSee(caller, lead)) throw new NotFoundError('lead', pathId(event));
      // A merged lead answers where it went: 307 (not 308) because the merge can be undone.
      if (lead.mergedInto)
        return json(
          307,
          { id: lead.id, mergedInto: lead.mergedInto, mergeId: lead.mergeId, mergedAt: lead.mergedAt },
          { location: `/leads/${lead.mergedInto}` },
        );
      const taskId = lead.approval?.taskId;
      const pending = lead.approval
        ? pendingApprovalOf(lead, await deps.approvals?.(), taskId ? await deps.tasks?.get(taskId) : undefined)
        : null;
      const stages = await deps.stages();
      const allowed = allowedActions(lead, stages);
      const [audit, duplicateLeads] = await Promise.all([deps.leads.audit(lead.id), duplicateLeadsOf(lead, caller)]);
      return json(200, {
        ...leadView(lead, allowed, pending),
        checklist: checklists(lead, stages, allowed),
        duplicate: duplicateLeads.length > 0,
        duplicateLeads,
        audit,
      });
    },

    /** Sales ops' queue: leads with an open duplicate set, newest first, each with the leads it duplicates. */
    'GET /duplicates': async (event) => {
      const caller = callerOf(event);
      requireGroup(caller, 'salesops', 'manager');
      const q = event.queryStringParameters ?? {};
      const limit = Math.min(Math.max(Number(q.limit ?? 25) || 25, 1), 100);
      if (!deps.duplicates) return json(200, { items: [] });
      const page = await deps.duplicates.openSets(limit, DUPLICATES_CURSOR.decode(q.cursor, 'open'));
      const matches = await Promise.all(
        page.items.map(async (lead) => ({ lead, matches: duplicateMatchesOf(lead, [], await thresholdsOf(lead)) })),
      );
      const records = await deps.duplicates.leads(matches.flatMap((m) => m.matches.map((d) => d.id)));
      return json(200, {
        items: matches.map(({ lead, matches }) => ({
          leadId: lead.id,
          name: [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.company || lead.email || lead.phone,
          ...(lead.company ? { company: lead.company } : {}),
          owner: lead.owner ?? null,
          stage: lead.stage,
          createdAt: lead.createdAt,
          duplicates: duplicateEntriesOf(matches, records, (other) => canSee(caller, other)),
        })),
        cursor: DUPLICATES_CURSOR.encode(page.next, 'open'),
      });
    },

    'GET /leads': async (event, context) => {
      const caller = callerOf(event);
      const q = event.queryStringParameters ?? {};
      const limit = Math.min(Math.max(Number(q.limit ?? 25) || 25, 1), 100);
      // Without an owner or a stage, or with any filter the inbox lists do not know, it is the full list.
      if ((!q.owner && !q.stage) || LIST_PARAMS.some((p) => q[p] !== undefined) || q.format === 'csv')
        return (listAll as NonNullable<typeof listAll>)(event, context);
      const owner = q.owner === 'me' ? caller.userId : q.owner;
      if (q.stage && !(STAGES as readonly string[]).includes(q.stage)) {
        throw new ValidationError([{ field: 'stage', reason: `must be one of ${STAGES.join(', ')}` }]);
      }
      // The owners the caller's lists cover (core/lead-access): a rep their own and the queue, a manager
      // also their teams' members', sales ops everyone.
      const visible = visibleOwners(caller, await deps.lists.teams());
      const covered = (lead: Lead) =>
        visible === 'all' ||
        visible.includes(lead.owner ?? 'UNASSIGNED') ||
        (lead.followers ?? []).includes(caller.userId);
      if (owner && visible !== 'all' && !visible.includes(owner)) throw new NotFoundError('owner', owner);
      const filter = {
        stage: owner ? q.stage : undefined,
        agingAt: q.aging === 'true' ? new Date().toISOString() : undefined,
        visibleTo: isManager(caller) ? undefined : caller.userId,
      };
      const by = owner ? { owner } : { stage: q.stage as Stage };
      // Bound to what was listed: a cursor of another owner's or stage's list (or of a feed) is refused.
      const scope = owner ? `owner:${owner}` : `stage:${q.stage}`;
      const page = await deps.leads.list(by, limit, LEADS_CURSOR.decode(q.cursor, scope), filter);
      const items = page.items.filter((lead) => canSee(caller, lead) && covered(lead));
      const stages = await deps.stages();
      return json(200, {
        items: items.map((lead) => ({
          ...leadView(lead, allowedActions(lead, stages)),
          duplicate: isFlagged(lead),
        })),
        cursor: LEADS_CURSOR.encode(page.next, scope),
      });
    },
  });
};
