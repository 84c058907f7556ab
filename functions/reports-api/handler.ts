import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isCalendarDate } from '../core/dates';
import { ForbiddenError, ValidationError } from '../core/errors';
import type { Clock } from '../core/ports';
import type { Counter } from '../core/reports/counters';
import type { CountersReader } from '../core/reports/ports';
import { toCsv } from '../core/reports/report-rows';
import {
  agingReport,
  daysBetween,
  funnelReport,
  GROUP_BYS,
  type GroupBy,
  type Report,
  repsReport,
  sourcesReport,
} from '../core/reports/reports';
import { callerOf, isManager, requireGroup } from '../http/auth';
import { headerOf } from '../http/body';
import { type HttpResult, json } from '../http/responses';
import { routeBy } from '../http/router';

export type ReportsApiDeps = {
  counters: CountersReader;
  clock: Clock;
  /** Who is available now (from the team directory); reps without an entry show `null`. */
  availability?: () => Promise<Record<string, boolean>>;
};

const DEFAULT_DAYS = 30;

const rangeOf = (event: APIGatewayProxyEventV2, now: Date) => {
  const q = event.queryStringParameters ?? {};
  const to = q.to ?? now.toISOString().slice(0, 10);
  // The default start counts back from `to`, so `to` must be a real day before anything is counted from it.
  if (!isCalendarDate(to))
    throw new ValidationError([{ field: 'to', reason: 'must be a date that exists, YYYY-MM-DD' }]);
  const from =
    q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to, days: daysBetween(from, to) };
};

const wantsCsv = (event: APIGatewayProxyEventV2) =>
  /\btext\/csv\b/i.test(headerOf(event, 'accept') ?? '') || event.queryStringParameters?.format === 'csv';

/** JSON, or CSV when asked with `Accept: text/csv` (a spreadsheet opens it as is). */
const answer = (event: APIGatewayProxyEventV2, report: Report, range: string): HttpResult =>
  wantsCsv(event)
    ? {
        statusCode: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="leadflow-${report.report}-${range}.csv"`,
          vary: 'accept',
        },
        body: toCsv(report),
      }
    : json(200, report, { vary: 'accept' });

/** How many of the oldest open leads are read to find a rep's own oldest ten. */
const OLDEST_FOR_ONE_REP = 100;

/**
 * Whose figures a funnel, aging or reps report counts: everyone's for managers and sales ops (or one
 * rep's with `owner`), and for a rep only their own, asked for with `owner=me` (or their user id).
 */
const ownerScope = (event: APIGatewayProxyEventV2): string | undefined => {
  const caller = callerOf(event);
  const asked = event.queryStringParameters?.owner;
  const owner = asked === 'me' ? caller.userId : asked;
  if (isManager(caller)) return owner;
  if (owner === caller.userId) return owner;
  throw new ForbiddenError(
    asked
      ? 'a rep may read only their own figures (owner=me)'
      : 'this needs one of the groups: manager, salesops (a rep reads their own with owner=me)',
  );
};

/** The counters of one owner's leads (every counter the report reads carries the owner), or all of them. */
const ownedBy = (owner: string | undefined) => (counters: Counter[]) =>
  owner === undefined ? counters : counters.filter((c) => c.dims.owner === owner);

/**
 * GET /reports/funnel|sources|aging|reps for managers and sales ops (a rep: funnel, aging and reps
 * of their own leads). Every figure comes from the
 * analytics counters; only `aging` reads leads, and only the ten oldest through the stage index.
 */
export const makeReportsApi = (deps: ReportsApiDeps) => {
  const guard = (event: APIGatewayProxyEventV2) => requireGroup(callerOf(event), 'manager', 'salesops');
  return routeBy({
    'GET /reports/funnel': async (event) => {
      const mine = ownedBy(ownerScope(event));
      const r = rangeOf(event, deps.clock.now());
      const groupBy = event.queryStringParameters?.groupBy;
      if (groupBy !== undefined && !(GROUP_BYS as readonly string[]).includes(groupBy)) {
        throw new ValidationError([{ field: 'groupBy', reason: `must be one of ${GROUP_BYS.join(', ')}` }]);
      }
      return answer(
        event,
        funnelReport(mine(await deps.counters.read(r.days, { open: false })), r, groupBy as GroupBy | undefined),
        `${r.from}_${r.to}`,
      );
    },
    'GET /reports/sources': async (event) => {
      guard(event);
      const r = rangeOf(event, deps.clock.now());
      const period = event.queryStringParameters?.period ?? 'day';
      if (period !== 'day' && period !== 'week')
        throw new ValidationError([{ field: 'period', reason: 'must be day or week' }]);
      return answer(
        event,
        sourcesReport(await deps.counters.read(r.days, { open: false }), r, period),
        `${r.from}_${r.to}`,
      );
    },
    'GET /reports/aging': async (event) => {
      const owner = ownerScope(event);
      const now = deps.clock.now();
      const [counters, oldest] = await Promise.all([
        deps.counters.read([]),
        deps.counters.oldestOpen(owner === undefined ? 10 : OLDEST_FOR_ONE_REP),
      ]);
      const theirs = owner === undefined ? oldest : oldest.filter((l) => l.owner === owner).slice(0, 10);
      return answer(event, agingReport(ownedBy(owner)(counters), theirs, now), now.toISOString().slice(0, 10));
    },
    'GET /reports/reps': async (event) => {
      const owner = ownerScope(event);
      const r = rangeOf(event, deps.clock.now());
      const [counters, availability] = await Promise.all([
        deps.counters.read(r.days),
        deps.availability?.() ?? Promise.resolve({}),
      ]);
      const report = repsReport(ownedBy(owner)(counters), r, availability);
      const rows = owner === undefined ? report : { ...report, reps: report.reps.filter((x) => x.owner === owner) };
      return answer(event, rows, `${r.from}_${r.to}`);
    },
  });
};
