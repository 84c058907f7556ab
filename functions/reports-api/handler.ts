import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isCalendarDate } from '../core/dates';
import { ValidationError } from '../core/errors';
import type { Clock } from '../core/ports';
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
import { callerOf, requireGroup } from '../http/auth';
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

/**
 * GET /reports/funnel|sources|aging|reps for managers and sales ops. Every figure comes from the
 * analytics counters; only `aging` reads leads, and only the ten oldest through the stage index.
 */
export const makeReportsApi = (deps: ReportsApiDeps) => {
  const guard = (event: APIGatewayProxyEventV2) => requireGroup(callerOf(event), 'manager', 'salesops');
  return routeBy({
    'GET /reports/funnel': async (event) => {
      guard(event);
      const r = rangeOf(event, deps.clock.now());
      const groupBy = event.queryStringParameters?.groupBy;
      if (groupBy !== undefined && !(GROUP_BYS as readonly string[]).includes(groupBy)) {
        throw new ValidationError([{ field: 'groupBy', reason: `must be one of ${GROUP_BYS.join(', ')}` }]);
      }
      return answer(
        event,
        funnelReport(await deps.counters.read(r.days, { open: false }), r, groupBy as GroupBy | undefined),
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
      guard(event);
      const now = deps.clock.now();
      const [counters, oldest] = await Promise.all([deps.counters.read([]), deps.counters.oldestOpen(10)]);
      return answer(event, agingReport(counters, oldest, now), now.toISOString().slice(0, 10));
    },
    'GET /reports/reps': async (event) => {
      guard(event);
      const r = rangeOf(event, deps.clock.now());
      const [counters, availability] = await Promise.all([
        deps.counters.read(r.days),
        deps.availability?.() ?? Promise.resolve({}),
      ]);
      return answer(event, repsReport(counters, r, availability), `${r.from}_${r.to}`);
    },
  });
};
