import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { ConflictError, fieldIssuesOf, ValidationError } from '../core/errors';
import { canSee } from '../core/lead-access';
import { type LeadLister, type ListQuery, listQuerySchema, planList } from '../core/lead-list';
import { leadView } from '../core/lead-view';
import type { StagesConfig } from '../core/lifecycle/stages-config';
import type { TeamsConfig } from '../core/lifecycle/teams-config';
import { allowedActions } from '../core/lifecycle/transitions';
import { formulaSafeCsv } from '../core/safe-csv';
import { followedByFor, type LeadSearch, parseSearch, searchScopesFor } from '../core/search';
import {
  changedView,
  deletableView,
  EXPORT_HEADER,
  exportRow,
  newView,
  openView,
  parseViewInput,
  teamIdOf,
  type ViewsStore,
} from '../core/views';
import { callerOf } from '../http/auth';
import { headerOf, jsonBody } from '../http/body';
import { cursorCodec } from '../http/cursor';
import { json, type HttpResult } from '../http/responses';
import type { Route } from '../http/router';

export type ListsDeps = {
  lister: LeadLister;
  search: LeadSearch;
  views: ViewsStore;
  teams: () => Promise<TeamsConfig>;
  stages: () => Promise<StagesConfig>;
  clock?: () => Date;
};

const LIST_CURSOR = cursorCodec('lead-list');
/** Rows in one export; a larger list is narrowed first (the file says so in its last line). */
export const MAX_EXPORT_ROWS = 5000;

/** The query parameters the list understands beyond the per-owner/per-stage inbox. */
export const LIST_PARAMS = ['team', 'source', 'campaign', 'scoreBand', 'duplicate', 'createdFrom', 'createdTo', 'sort'];

/** A list query from query-string parameters: the same schema as a saved view, so both answer the same leads. */
export const listQueryOf = (q: Record<string, string | undefined>): ListQuery => {
  const raw: Record<string, unknown> = {};
  for (const field of ['owner', 'team', 'stage', 'source', 'campaign', 'scoreBand', 'createdFrom', 'createdTo', 'sort'])
    if (q[field]) raw[field] = q[field];
  if (q.duplicate !== undefined && q.duplicate !== '') {
    if (q.duplicate !== 'true' && q.duplicate !== 'false')
      throw new ValidationError([{ field: 'duplicate', reason: 'must be true or false' }]);
    raw.duplicate = q.duplicate === 'true';
  }
  const parsed = listQuerySchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  return parsed.data;
};

const limitOf = (q: Record<string, string | undefined>, fallback: number, max: number) =>
  Math.min(Math.max(Number(q.limit ?? fallback) || fallback, 1), max);

const wantsCsv = (event: APIGatewayProxyEventV2) =>
  /\btext\/csv\b/i.test(headerOf(event, 'accept') ?? '') || event.queryStringParameters?.format === 'csv';

export const makeListRoutes = (deps: ListsDeps): Record<string, Route> => {
  const now = () => (deps.clock?.() ?? new Date()).toISOString();

  /** One page of a list query as the caller may see it. */
  const page = async (event: APIGatewayProxyEventV2, query: ListQuery, limit: number, cursor?: string) => {
    const caller = callerOf(event);
    const plan = planList(caller, query, await deps.teams());
    // Bound to the caller and the query: a cursor of another filter (or another list) is refused.
    const scope = JSON.stringify([caller.userId, query]);
    const found = await deps.lister.browse(plan, limit, LIST_CURSOR.decode(cursor, scope));
    return { items: found.items.filter((lead) => canSee(caller, lead)), cursor: LIST_CURSOR.encode(found.next, scope) };
  };

  const csvOf = async (event: APIGatewayProxyEventV2, query: ListQuery, name: string): Promise<HttpResult> => {
    const rows = [];
    let cursor: string | undefined;
    do {
      const next = await page(event, query, 100, cursor);
      rows.push(...next.items.map(exportRow));
      cursor = next.cursor;
    } while (cursor && rows.length < MAX_EXPORT_ROWS);
    const lines = [[...EXPORT_HEADER], ...rows.slice(0, MAX_EXPORT_ROWS)];
    if (cursor || rows.length > MAX_EXPORT_ROWS)
      lines.push([`# first ${MAX_EXPORT_ROWS} leads only; narrow the view for the rest`]);
    const file = name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60) || 'leads';
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="leadflow-${file}.csv"`,
      },
      body: formulaSafeCsv(lines),
    };
  };

  const listed = async (event: APIGatewayProxyEventV2, query: ListQuery) => {
    const q = event.queryStringParameters ?? {};
    if (wantsCsv(event)) return csvOf(event, query, 'leads');
    const found = await page(event, query, limitOf(q, 25, 100), q.cursor);
    const stages = await deps.stages();
    return json(200, {
      items: found.items.map((lead) => leadView(lead, allowedActions(lead, stages))),
      cursor: found.cursor,
    });
  };

  const viewId = (event: APIGatewayProxyEventV2) => event.pathParameters?.viewId ?? '';
  const versionOf = (event: APIGatewayProxyEventV2) => {
    const match = headerOf(event, 'if-match');
    if (match === undefined) return undefined;
    const version = Number(match.replace(/"/g, ''));
    if (!Number.isInteger(version) || version < 1)
      throw new ValidationError([{ field: 'if-match', reason: 'must be the version of the view, e.g. "3"' }]);
    return version;
  };
  const viewJson = (status: number, view: object & { version: number }) =>
    json(status, view, { etag: `"${view.version}"` });

  return {
    /** The list behind GET /leads when it is not one owner's or one stage's inbox (see the leads handler). */
    'GET /leads#list': async (event) => listed(event, listQueryOf(event.queryStringParameters ?? {})),

    'GET /search': async (event) => {
      const caller = callerOf(event);
      const q = event.queryStringParameters ?? {};
      const query = parseSearch(q.q ?? '');
      if (!query)
        throw new ValidationError([{ field: 'q', reason: 'type at least one word of two or more letters or digits' }]);
      const teams = await deps.teams();
      const found = await deps.search.search(
        query,
        searchScopesFor(caller, teams),
        limitOf(q, 20, 50),
        followedByFor(caller, teams),
      );
      const stages = await deps.stages();
      // The items were read by scope; the lead as it is now decides (an owner may have changed since).
      const items = found.filter((lead) => canSee(caller, lead));
      return json(200, { items: items.map((lead) => leadView(lead, allowedActions(lead, stages))) });
    },

    'GET /views': async (event) => {
      const caller = callerOf(event);
      const team = teamIdOf(await deps.teams(), caller.userId);
      return json(200, { items: await deps.views.listFor(caller.userId, team) });
    },

    'POST /views': async (event) => {
      const caller = callerOf(event);
      const view = newView(caller, parseViewInput(jsonBody(event)), await deps.teams(), ulid(), now());
      await deps.views.put(view);
      return viewJson(201, view);
    },

    'GET /views/{viewId}': async (event) => {
      const caller = callerOf(event);
      return viewJson(200, openView(caller, await deps.views.get(viewId(event)), viewId(event), await deps.teams()));
    },

    'PUT /views/{viewId}': async (event) => {
      const caller = callerOf(event);
      const teams = await deps.teams();
      const input = parseViewInput(jsonBody(event));
      const before = openView(caller, await deps.views.get(viewId(event)), viewId(event), teams);
      const after = changedView(caller, before, input, teams, now(), versionOf(event));
      if (!(await deps.views.put(after, before)))
        throw new ConflictError(`view ${before.id} was changed by someone else; reload it and try again`);
      return viewJson(200, after);
    },

    'DELETE /views/{viewId}': async (event) => {
      const caller = callerOf(event);
      const view = openView(caller, await deps.views.get(viewId(event)), viewId(event), await deps.teams());
      if (!(await deps.views.delete(deletableView(caller, view))))
        throw new ConflictError(`view ${view.id} was changed by someone else; reload it and try again`);
      return { statusCode: 204, headers: {}, body: '' };
    },

    /** The view's leads as the caller may see them (a shared view shows each member their own). */
    'GET /views/{viewId}/leads': async (event) => {
      const caller = callerOf(event);
      const view = openView(caller, await deps.views.get(viewId(event)), viewId(event), await deps.teams());
      return listed(event, view.query);
    },

    'GET /views/{viewId}/export': async (event) => {
      const caller = callerOf(event);
      const view = openView(caller, await deps.views.get(viewId(event)), viewId(event), await deps.teams());
      return csvOf(event, view.query, view.name);
    },
  };
};
