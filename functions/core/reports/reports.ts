import { isCalendarDate } from '../dates';
import { ValidationError } from '../errors';
import { AGE_BUCKETS, type AgeBucket, type Counter, DURATION_EDGES_HOURS, NONE } from './counters';

/** The stages a lead walks on its way to a win, in order; rates are taken between neighbours. */
export const FUNNEL_PATH = ['Creation', 'Assigned', 'MarketQualified', 'SalesQualified', 'Converted'] as const;
export const GROUP_BYS = ['source', 'campaign', 'owner', 'country'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export type Duration = { count: number; medianHours: number | null; p90Hours: number | null };

const sum = (counters: readonly Counter[], metric: string, where: (c: Counter) => boolean = () => true) =>
  counters.reduce((n, c) => (c.metric === metric && where(c) ? n + c.n : n), 0);
const rate = (num: number, den: number) => (den === 0 ? null : Math.round((num / den) * 10_000) / 10_000);

/**
 * Median and p90 from a duration histogram, as the upper edge (hours) of the bucket holding the
 * quantile; null when there is no data or it falls in the open-ended last bucket.
 */
export const quantiles = (histogram: readonly Counter[]): Duration => {
  const counts = new Map<string, number>();
  for (const c of histogram) counts.set(c.dims.bucket ?? '', (counts.get(c.dims.bucket ?? '') ?? 0) + c.n);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const at = (q: number): number | null => {
    if (total === 0) return null;
    let cumulative = 0;
    for (let i = 0; i <= DURATION_EDGES_HOURS.length; i++) {
      cumulative += counts.get(`b${String(i).padStart(2, '0')}`) ?? 0;
      if (cumulative >= q * total) return DURATION_EDGES_HOURS[i] ?? null;
    }
    return null;
  };
  return { count: total, medianHours: at(0.5), p90Hours: at(0.9) };
};

/** Days from `from` to `to` inclusive (YYYY-MM-DD); at most `maxDays` so a report's cost stays bounded. */
export const daysBetween = (from: string, to: string, maxDays = 400): string[] => {
  const issues = [];
  if (!isCalendarDate(from)) issues.push({ field: 'from', reason: 'must be a date that exists, YYYY-MM-DD' });
  if (!isCalendarDate(to)) issues.push({ field: 'to', reason: 'must be a date that exists, YYYY-MM-DD' });
  if (issues.length) throw new ValidationError(issues);
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
    if (days.length > maxDays)
      throw new ValidationError([{ field: 'to', reason: `a report spans at most ${maxDays} days` }]);
  }
  if (days.length === 0) throw new ValidationError([{ field: 'to', reason: 'must not be before from' }]);
  return days;
};

// ---------------------------------------------------------------- funnel

export type FunnelGroup = {
  group: string;
  created: number;
  reached: Record<string, number>;
  converted: number;
  disqualified: number;
  disqualifiedByReason: Record<string, number>;
  /** Share of leads reaching each stage that reached the next one. */
  stageConversion: { from: string; to: string; rate: number | null }[];
  conversionRate: number | null;
  timeInStage: Record<string, Duration>;
};
export type FunnelReport = {
  report: 'funnel';
  from: string;
  to: string;
  groupBy: GroupBy | null;
  groups: FunnelGroup[];
};

export const funnelReport = (
  counters: readonly Counter[],
  range: { from: string; to: string },
  groupBy?: GroupBy,
): FunnelReport => {
  const cohort = counters.filter((c) => c.family === 'cohort' && c.day >= range.from && c.day <= range.to);
  const keyOf = (c: Counter) => (groupBy ? (c.dims[groupBy] ?? NONE) : 'all');
  const groups = [...new Set(cohort.map(keyOf))].sort();
  if (groups.length === 0) groups.push(groupBy ? NONE : 'all');
  return {
    report: 'funnel',
    from: range.from,
    to: range.to,
    groupBy: groupBy ?? null,
    groups: groups.map((group) => {
      const mine = cohort.filter((c) => keyOf(c) === group);
      const reached = Object.fromEntries(
        ['Creation', 'Assigned', 'MarketQualified', 'SalesQualified', 'Converted', 'Disqualified'].map((stage) => [
          stage,
          sum(mine, 'reached', (c) => c.dims.stage === stage),
        ]),
      );
      const byReason: Record<string, number> = {};
      for (const c of mine)
        if (c.metric === 'disqualifiedReason')
          byReason[c.dims.reason ?? NONE] = (byReason[c.dims.reason ?? NONE] ?? 0) + c.n;
      const created = sum(mine, 'created');
      const timeInStage = Object.fromEntries(
        FUNNEL_PATH.slice(0, -1).map((stage) => [
          stage,
          quantiles(mine.filter((c) => c.metric === 'stageTime' && c.dims.stage === stage)),
        ]),
      );
      return {
        group,
        created,
        reached,
        converted: reached.Converted ?? 0,
        disqualified: reached.Disqualified ?? 0,
        disqualifiedByReason: byReason,
        stageConversion: FUNNEL_PATH.slice(1).map((to, i) => {
          const from = FUNNEL_PATH[i] ?? 'Creation';
          return { from, to, rate: rate(reached[to] ?? 0, reached[from] ?? 0) };
        }),
        conversionRate: rate(reached.Converted ?? 0, created),
        timeInStage,
      };
    }),
  };
};

// ---------------------------------------------------------------- sources

/** What arrived through a source or a channel, and how much of it was new and accepted. */
export type DeliveryCounts = {
  /** Deliveries: leads created plus deliveries rejected. */
  received: number;
  created: number;
  /** Created leads matching a known person, plus deliveries refused as duplicates. */
  duplicates: number;
  duplicateShare: number | null;
  rejected: number;
  rejectShare: number | null;
};
export type SourceRow = { period: string; source: string; campaign: string } & DeliveryCounts & {
    converted: number;
    conversionRate: number | null;
  };
export type ChannelRow = { channel: string } & DeliveryCounts & {
    /** Rejects by reason: invalid, malformed, duplicate, spam. */
    rejectedByReason: Record<string, number>;
  };
export type SourcesReport = {
  report: 'sources';
  from: string;
  to: string;
  period: 'day' | 'week';
  rows: SourceRow[];
  channels: ChannelRow[];
};

/** Monday of the ISO week holding `day`. */
export const weekOf = (day: string): string => {
  const t = Date.parse(`${day}T00:00:00Z`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - weekday * 86_400_000).toISOString().slice(0, 10);
};

/**
 * Per period × source × campaign and per channel: deliveries received (created + rejected), the
 * share of duplicates and of rejects among them, and conversions of the created leads (cohort).
 */
export const sourcesReport = (
  counters: readonly Counter[],
  range: { from: string; to: string },
  period: 'day' | 'week' = 'day',
): SourcesReport => {
  const inRange = counters.filter(
    (c) => (c.family === 'cohort' || c.family === 'rejects') && c.day >= range.from && c.day <= range.to,
  );
  const rows = new Map<string, SourceRow>();
  const channels = new Map<string, ChannelRow>();
  for (const c of inRange) {
    const created = c.family === 'cohort' && c.metric === 'created';
    const rejected = c.family === 'rejects' && c.metric === 'rejected';
    const converted = c.family === 'cohort' && c.metric === 'reached' && c.dims.stage === 'Converted';
    if (!created && !rejected && !converted) continue;
    const duplicate = (created && c.dims.duplicate === 'yes') || (rejected && c.dims.reason === 'duplicate');
    const p = period === 'week' ? weekOf(c.day) : c.day;
    const source = c.dims.source ?? NONE;
    const campaign = c.dims.campaign ?? NONE;
    const key = `${p}|${source}|${campaign}`;
    const row = rows.get(key) ?? {
      period: p,
      source,
      campaign,
      received: 0,
      created: 0,
      duplicates: 0,
      duplicateShare: null,
      rejected: 0,
      rejectShare: null,
      converted: 0,
      conversionRate: null,
    };
    if (converted) row.converted += c.n;
    else {
      row.received += c.n;
      if (created) row.created += c.n;
      else row.rejected += c.n;
      if (duplicate) row.duplicates += c.n;
      const channel = c.dims.channel ?? NONE;
      const ch = channels.get(channel) ?? {
        channel,
        received: 0,
        created: 0,
        duplicates: 0,
        duplicateShare: null,
        rejected: 0,
        rejectShare: null,
        rejectedByReason: {},
      };
      ch.received += c.n;
      if (created) ch.created += c.n;
      else {
        ch.rejected += c.n;
        const reason = c.dims.reason ?? NONE;
        ch.rejectedByReason[reason] = (ch.rejectedByReason[reason] ?? 0) + c.n;
      }
      if (duplicate) ch.duplicates += c.n;
      channels.set(channel, ch);
    }
    rows.set(key, row);
  }
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  return {
    report: 'sources',
    from: range.from,
    to: range.to,
    period,
    rows: byKey(rows).map((r) => ({
      ...r,
      duplicateShare: rate(r.duplicates, r.received),
      rejectShare: rate(r.rejected, r.received),
      conversionRate: rate(r.converted, r.created),
    })),
    channels: byKey(channels).map((r) => ({
      ...r,
      duplicateShare: rate(r.duplicates, r.received),
      rejectShare: rate(r.rejected, r.received),
    })),
  };
};

// ---------------------------------------------------------------- aging

export type BucketCounts = Record<AgeBucket, number> & { total: number };
export type OldLead = {
  id: string;
  stage: string;
  owner: string;
  team: string;
  createdAt: string;
  ageDays: number;
  escalations: number;
  link: string;
};
export type AgingReport = {
  report: 'aging';
  asOf: string;
  byStage: ({ stage: string } & BucketCounts)[];
  byOwner: ({ owner: string } & BucketCounts)[];
  byTeam: ({ team: string } & BucketCounts)[];
  oldest: OldLead[];
};

const emptyBuckets = (): BucketCounts => ({
  'within-sla': 0,
  'over-sla': 0,
  'escalated-1': 0,
  'escalated-2': 0,
  'escalated-3+': 0,
  total: 0,
});

export const agingReport = (
  counters: readonly Counter[],
  oldest: readonly Omit<OldLead, 'ageDays' | 'link'>[],
  asOf: Date,
): AgingReport => {
  const open = counters.filter((c) => c.family === 'open' && c.metric === 'open' && c.n > 0);
  const tableBy = (dim: 'stage' | 'owner' | 'team') => {
    const rows = new Map<string, BucketCounts>();
    for (const c of open) {
      const key = c.dims[dim] ?? NONE;
      const row = rows.get(key) ?? emptyBuckets();
      const bucket = (AGE_BUCKETS as readonly string[]).includes(c.dims.bucket ?? '')
        ? (c.dims.bucket as AgeBucket)
        : 'within-sla';
      row[bucket] += c.n;
      row.total += c.n;
      rows.set(key, row);
    }
    return [...rows.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  const stageOrder = (s: string) => FUNNEL_PATH.indexOf(s as (typeof FUNNEL_PATH)[number]);
  return {
    report: 'aging',
    asOf: asOf.toISOString(),
    byStage: tableBy('stage')
      .sort(([a], [b]) => stageOrder(a) - stageOrder(b))
      .map(([stage, counts]) => ({ stage, ...counts })),
    byOwner: tableBy('owner').map(([owner, counts]) => ({ owner, ...counts })),
    byTeam: tableBy('team').map(([team, counts]) => ({ team, ...counts })),
    oldest: [...oldest]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .slice(0, 10)
      .map((l) => ({
        ...l,
        ageDays: Math.floor((asOf.getTime() - Date.parse(l.createdAt)) / 86_400_000),
        link: `/leads/${l.id}`,
      })),
  };
};

// ---------------------------------------------------------------- reps

export type RepRow = {
  owner: string;
  open: number;
  assigned: number;
  firstResponse: Duration;
  converted: number;
  disqualified: number;
  escalations: number;
  available: boolean | null;
};
export type RepsReport = { report: 'reps'; from: string; to: string; reps: RepRow[] };

export const repsReport = (
  counters: readonly Counter[],
  range: { from: string; to: string },
  availability: Readonly<Record<string, boolean>> = {},
): RepsReport => {
  const activity = counters.filter((c) => c.family === 'activity' && c.day >= range.from && c.day <= range.to);
  const open = counters.filter((c) => c.family === 'open' && c.metric === 'open');
  // Known team members appear even on a quiet day, with zeros.
  const owners = [
    ...new Set([...[...activity, ...open].map((c) => c.dims.owner ?? NONE), ...Object.keys(availability)]),
  ]
    .filter((o) => o !== NONE)
    .sort();
  return {
    report: 'reps',
    from: range.from,
    to: range.to,
    reps: owners.map((owner) => {
      const mine = activity.filter((c) => c.dims.owner === owner);
      return {
        owner,
        open: sum(open, 'open', (c) => c.dims.owner === owner),
        assigned: sum(mine, 'assigned'),
        firstResponse: quantiles(mine.filter((c) => c.metric === 'firstResponse')),
        converted: sum(mine, 'converted'),
        disqualified: sum(mine, 'disqualified'),
        escalations: sum(mine, 'escalations'),
        available: availability[owner] ?? null,
      };
    }),
  };
};

export type Report = FunnelReport | SourcesReport | AgingReport | RepsReport;
