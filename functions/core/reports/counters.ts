import { type LeadSnapshot, EVENT_SOURCE } from '../events';
import { OPEN_STAGES, STAGES } from '../lead';

/**
 * Analytics counters, kept incrementally from bus events. Every figure a report shows is a sum of
 * counters keyed by day and a few dimensions, so a report costs days × dimensions, never leads.
 *
 * Families:
 * - `cohort`: keyed by the day the lead was created (funnel and sources follow a cohort of leads);
 * - `activity`: keyed by the day something happened (reps: assignments, first responses, outcomes);
 * - `open`: a gauge of open leads per stage, owner, team and age bucket (no day; for aging);
 * - `rejects`: deliveries refused at capture (`CaptureRejected`), by the day they arrived, per source,
 *   campaign, channel and reason. No lead exists for them, so no tally either.
 */
export type CounterFamily = 'cohort' | 'activity' | 'open' | 'rejects';
export type Dims = Record<string, string>;
export type Counter = { family: CounterFamily; day: string; metric: string; dims: Dims; n: number };

/** What the consumer needs of a bus event (EventBridge's envelope or a `BusEvent`). */
export type CountableEvent = {
  detailType: string;
  source?: string;
  detail: {
    eventId: string;
    occurredAt: string;
    leadId?: string;
    lead?: LeadSnapshot;
    from?: unknown;
    to?: unknown;
    reason?: unknown;
    owner?: unknown;
    escalations?: unknown;
    duplicates?: unknown;
    decision?: unknown;
    sourceId?: unknown;
    channel?: unknown;
    campaign?: unknown;
    by?: unknown;
  };
};

/** The consumer's running knowledge of one lead: enough to correct counters whatever order events arrive in. */
export type LeadTally = {
  leadId: string;
  version: number;
  cohort?: { day: string; source: string; campaign: string; country: string; channel: string };
  /** First entry into each stage (earliest known) and who owned the lead then. */
  reached: Record<string, StageEntry>;
  /** First exit from each stage (earliest known). */
  left: Record<string, string>;
  /**
   * Every entry into each stage (distinct times, sorted) and every exit from it: paired into stays,
   * so a lead that returns to a stage counts each stay. Absent on tallies written before they were
   * kept; `reached` and `left` then stand for one stay.
   */
  entries?: Record<string, StageEntry[]>;
  exits?: Record<string, string[]>;
  assigned?: { at: string; owner: string };
  firstActionAt?: string;
  /** The latest snapshot seen, by (occurredAt, stage order, escalations); it alone drives the open gauge. */
  latest?: { at: string; rank: number; stage: string; owner: string; team: string; bucket: AgeBucket };
};

export type StageEntry = { at: string; owner: string; seenAt: string };

export type AgeBucket = 'within-sla' | 'over-sla' | 'escalated-1' | 'escalated-2' | 'escalated-3+';
export const AGE_BUCKETS: readonly AgeBucket[] = [
  'within-sla',
  'over-sla',
  'escalated-1',
  'escalated-2',
  'escalated-3+',
];

/** Upper edges (hours) of the duration histograms; the last bucket is open-ended. */
export const DURATION_EDGES_HOURS = [1, 4, 8, 24, 48, 72, 168, 336, 720] as const;
export const durationBucket = (ms: number): string => {
  const hours = Math.max(0, ms) / 3_600_000;
  const i = DURATION_EDGES_HOURS.findIndex((edge) => hours <= edge);
  return `b${String(i === -1 ? DURATION_EDGES_HOURS.length : i).padStart(2, '0')}`;
};

export const NONE = '-';
export const dayOf = (iso: string): string => iso.slice(0, 10);
const clean = (value: unknown): string =>
  typeof value === 'string' && value.length > 0 ? value.replace(/[#|]/g, '_') : NONE;

/** One string per counter: the storage key and the merge key. Dimensions sorted so order never matters. */
const DIM_ORDER = [
  'stage',
  'source',
  'campaign',
  'country',
  'owner',
  'team',
  'channel',
  'duplicate',
  'reason',
  'bucket',
];
export const counterKey = (c: Pick<Counter, 'family' | 'day' | 'metric' | 'dims'>): string => {
  // A fixed order for the known dimensions: sorting keys per counter dominated a rebuild's time.
  let key = `${c.family}|${c.day}|${c.metric}`;
  let found = 0;
  for (const k of DIM_ORDER) {
    const v = c.dims[k];
    if (v !== undefined) {
      key += `|${k}=${v}`;
      found++;
    }
  }
  if (found === Object.keys(c.dims).length) return key;
  for (const k of Object.keys(c.dims).sort()) if (!DIM_ORDER.includes(k)) key += `|${k}=${c.dims[k]}`;
  return key;
};

const bucketOf = (escalations: number, aging: boolean): AgeBucket =>
  escalations >= 3
    ? 'escalated-3+'
    : escalations === 2
      ? 'escalated-2'
      : escalations === 1
        ? 'escalated-1'
        : aging
          ? 'over-sla'
          : 'within-sla';

const laterThan = (a: { at: string; rank: number }, b: { at: string; rank: number } | undefined) =>
  !b || a.at > b.at || (a.at === b.at && a.rank > b.rank);

const entriesOf = (t: LeadTally, stage: string): readonly StageEntry[] => {
  const reached = t.reached[stage];
  return t.entries?.[stage] ?? (reached ? [reached] : []);
};
const exitsOf = (t: LeadTally, stage: string): readonly string[] => {
  const left = t.left[stage];
  return t.exits?.[stage] ?? (left !== undefined ? [left] : []);
};

/**
 * Pairs a stage's entries and exits (both sorted) into stays. A stay runs from the earliest entry
 * since the previous exit to the next exit: a new owner or a restarted SLA clock (distribute,
 * escalation) is the same stay, a return after an exit is a new one. An entry at the very instant
 * of an exit belongs to the stay that follows it (approval rejected: exit and re-entry at once),
 * unless no earlier entry is left for that exit (created and assigned in the same millisecond).
 */
export const staysOf = (
  entries: readonly StageEntry[],
  exits: readonly string[],
): { entry: StageEntry; exit: string }[] => {
  const stays: { entry: StageEntry; exit: string }[] = [];
  let i = 0;
  let since = '';
  for (const exit of exits) {
    while (i < entries.length && (entries[i] as StageEntry).at < since) i++;
    const entry = entries[i];
    if (entry && entry.at <= exit) {
      stays.push({ entry, exit });
      i++;
      while (i < entries.length && (entries[i] as StageEntry).at < exit) i++;
    }
    since = exit;
  }
  return stays;
};

/** Counters a tally stands for. Diffing them before and after an event keeps counters right under any order. */
const derived = (t: LeadTally): Counter[] => {
  const out: Counter[] = [];
  const cohort = t.cohort;
  if (cohort) {
    const base = { source: cohort.source, campaign: cohort.campaign, country: cohort.country };
    for (const [stage, r] of Object.entries(t.reached)) {
      out.push({
        family: 'cohort',
        day: cohort.day,
        metric: 'reached',
        dims: { ...base, owner: r.owner, stage },
        n: 1,
      });
      for (const stay of staysOf(entriesOf(t, stage), exitsOf(t, stage))) {
        const bucket = durationBucket(Date.parse(stay.exit) - Date.parse(stay.entry.at));
        out.push({
          family: 'cohort',
          day: cohort.day,
          metric: 'stageTime',
          dims: { ...base, owner: stay.entry.owner, stage, bucket },
          n: 1,
        });
      }
    }
  }
  for (const outcome of ['Converted', 'Disqualified'] as const) {
    const r = t.reached[outcome];
    if (r)
      out.push({
        family: 'activity',
        day: dayOf(r.at),
        metric: outcome === 'Converted' ? 'converted' : 'disqualified',
        dims: { owner: r.owner },
        n: 1,
      });
  }
  if (t.assigned && t.firstActionAt && t.firstActionAt >= t.assigned.at) {
    const bucket = durationBucket(Date.parse(t.firstActionAt) - Date.parse(t.assigned.at));
    out.push({
      family: 'activity',
      day: dayOf(t.firstActionAt),
      metric: 'firstResponse',
      dims: { owner: t.assigned.owner, bucket },
      n: 1,
    });
  }
  const l = t.latest;
  if (l && (OPEN_STAGES as readonly string[]).includes(l.stage)) {
    out.push({
      family: 'open',
      day: NONE,
      metric: 'open',
      dims: { stage: l.stage, owner: l.owner, team: l.team, bucket: l.bucket },
      n: 1,
    });
  }
  return out;
};

/** Adds counters with the same key; drops zeros. */
export const mergeCounters = (counters: readonly Counter[]): Counter[] => {
  const byKey = new Map<string, Counter>();
  for (const c of counters) {
    const key = counterKey(c);
    const prior = byKey.get(key);
    byKey.set(key, prior ? { ...prior, n: prior.n + c.n } : { ...c });
  }
  return [...byKey.values()].filter((c) => c.n !== 0);
};

const minIso = (a: string | undefined, b: string) => (a === undefined || b < a ? b : a);

/**
 * Folds one event into a lead's tally and answers the counter increments it causes. Pure: the
 * consumer stores the tally and the increments in one transaction with the event's marker, so each
 * event counts once; reordered events converge on the same figures because increments are the
 * difference between what the tally stood for before and after.
 */
export const tallyEvent = (
  before: LeadTally | undefined,
  event: CountableEvent,
): { tally?: LeadTally; increments: Counter[] } => {
  const { tally, local } = foldIntoTally(before, event);
  if (!tally) return { tally, increments: local };
  return {
    tally,
    increments: mergeCounters([
      ...local,
      ...derived(tally),
      ...(before ? derived(before) : []).map((c) => ({ ...c, n: -c.n })),
    ]),
  };
};

/** The tally after the event, and the counters the event adds by itself (not derived from the tally). */
const foldIntoTally = (
  before: LeadTally | undefined,
  event: CountableEvent,
): { tally?: LeadTally; local: Counter[] } => {
  const { detail, detailType } = event;
  const snapshot = detail.lead;
  const leadId = snapshot?.id ?? detail.leadId;
  const local: Counter[] = [];
  if (detailType === 'CaptureRejected') {
    const dims = {
      source: clean(detail.sourceId),
      campaign: clean(detail.campaign),
      channel: clean(detail.channel),
      reason: clean(detail.reason),
    };
    local.push({ family: 'rejects', day: dayOf(detail.occurredAt), metric: 'rejected', dims, n: 1 });
  }
  if (!leadId || !snapshot) return { tally: before, local };

  // A copy one level deep: the tally's leaves are replaced, never mutated (structuredClone is 10× slower).
  const t: LeadTally = before
    ? {
        ...before,
        reached: { ...before.reached },
        left: { ...before.left },
        // A tally from before every stay was kept: its first entry and exit are what it knew.
        entries: {
          ...(before.entries ?? Object.fromEntries(Object.entries(before.reached).map(([stage, r]) => [stage, [r]]))),
        },
        exits: {
          ...(before.exits ?? Object.fromEntries(Object.entries(before.left).map(([stage, at]) => [stage, [at]]))),
        },
      }
    : { leadId, version: 0, reached: {}, left: {}, entries: {}, exits: {} };
  const entries = t.entries as Record<string, StageEntry[]>;
  const exits = t.exits as Record<string, string[]>;
  t.cohort ??= {
    day: dayOf(snapshot.createdAt),
    source: clean(snapshot.sourceId),
    campaign: clean(snapshot.campaign),
    country: clean(snapshot.country),
    channel: clean(snapshot.channel),
  };
  const owner = clean(snapshot.owner);
  const cohortDims = { source: t.cohort.source, campaign: t.cohort.campaign, country: t.cohort.country };

  // What the snapshot tells about stages: the lead is in `stage` since `stageEnteredAt`.
  // The earliest entry wins; for the same entry, the owner told by the earliest event wins (order-free).
  const reach = (stage: string, at: string, by: string) => {
    const prior = t.reached[stage];
    const seenAt = detail.occurredAt;
    if (!prior || at < prior.at || (at === prior.at && seenAt < prior.seenAt))
      t.reached[stage] = { at, owner: by, seenAt };
    const list = entries[stage] ?? [];
    const same = list.findIndex((e) => e.at === at);
    if (same === -1) entries[stage] = [...list, { at, owner: by, seenAt }].sort((a, b) => a.at.localeCompare(b.at));
    else if (seenAt < (list[same] as StageEntry).seenAt)
      entries[stage] = list.map((e, i) => (i === same ? { at, owner: by, seenAt } : e));
  };
  const leave = (stage: string, at: string) => {
    t.left[stage] = minIso(t.left[stage], at);
    const list = exits[stage] ?? [];
    if (!list.includes(at)) exits[stage] = [...list, at].sort();
  };
  reach('Creation', snapshot.createdAt, NONE);
  reach(snapshot.stage, snapshot.stageEnteredAt, owner);

  switch (detailType) {
    case 'LeadCreated': {
      // The lifecycle sends the number of matches; an array of matches is accepted too.
      const matches = Array.isArray(detail.duplicates)
        ? detail.duplicates.length
        : typeof detail.duplicates === 'number'
          ? detail.duplicates
          : 0;
      const duplicate = matches > 0 ? 'yes' : 'no';
      local.push({
        family: 'cohort',
        day: t.cohort.day,
        metric: 'created',
        dims: { ...cohortDims, owner, channel: t.cohort.channel, duplicate },
        n: 1,
      });
      break;
    }
    case 'LeadStageChanged': {
      if (typeof detail.from === 'string') {
        // A request that keeps the stage (from = to, e.g. convert-requested) is an action but no exit.
        if (detail.to !== detail.from) leave(detail.from, detail.occurredAt);
        if (detail.from !== 'Creation') t.firstActionAt = minIso(t.firstActionAt, detail.occurredAt);
      }
      break;
    }
    case 'LeadAssigned': {
      const to = typeof detail.owner === 'string' ? clean(detail.owner) : owner;
      if (!t.assigned || detail.occurredAt < t.assigned.at) t.assigned = { at: detail.occurredAt, owner: to };
      local.push({ family: 'activity', day: dayOf(detail.occurredAt), metric: 'assigned', dims: { owner: to }, n: 1 });
      break;
    }
    case 'LeadDisqualified': {
      t.firstActionAt = minIso(t.firstActionAt, detail.occurredAt);
      const reason = clean(detail.reason);
      local.push({
        family: 'cohort',
        day: t.cohort.day,
        metric: 'disqualifiedReason',
        dims: { ...cohortDims, owner, reason },
        n: 1,
      });
      break;
    }
    case 'LeadActivityRecorded': {
      // The owner logging a call, a meeting or a reply has responded, even before moving the stage.
      if (typeof detail.by === 'string' && detail.by === snapshot.owner)
        t.firstActionAt = minIso(t.firstActionAt, detail.occurredAt);
      break;
    }
    case 'ApprovalDecided': {
      // A rejected conversion returns the lead to its stage (no stage change is announced): that
      // stay ends and a new one starts at the decision (the snapshot's stageEnteredAt).
      if (detail.decision === 'reject' && (OPEN_STAGES as readonly string[]).includes(snapshot.stage))
        leave(snapshot.stage, detail.occurredAt);
      break;
    }
    case 'LeadAging': {
      local.push({ family: 'activity', day: dayOf(detail.occurredAt), metric: 'escalations', dims: { owner }, n: 1 });
      break;
    }
  }

  const escalations =
    typeof snapshot.escalations === 'number'
      ? snapshot.escalations
      : typeof detail.escalations === 'number'
        ? detail.escalations
        : 0;
  const candidate = {
    at: detail.occurredAt,
    rank:
      STAGES.indexOf(snapshot.stage as (typeof STAGES)[number]) * 100 +
      escalations * 2 +
      (detailType === 'LeadAging' ? 1 : 0),
    stage: snapshot.stage,
    owner,
    team: clean(snapshot.team),
    bucket: bucketOf(escalations, detailType === 'LeadAging'),
  };
  // A merged lead is a tombstone: it stops counting as open until its merge is undone (a later snapshot).
  if (detailType === MERGED_AWAY) candidate.stage = 'Merged';
  if (laterThan(candidate, t.latest)) t.latest = candidate;

  return { tally: { ...t, version: (before?.version ?? 0) + 1 }, local };
};

/** The part of a `LeadsMerged` event about one merged lead (never on the bus; the counters split it off). */
export const MERGED_AWAY = 'LeadMergedAway';
/** The part of a `LeadsUnmerged` event about one restored lead. */
export const RESTORED = 'LeadRestored';

const isSnapshot = (value: unknown): value is LeadSnapshot =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as LeadSnapshot).id === 'string' &&
  typeof (value as LeadSnapshot).stage === 'string';

/**
 * A merge or its undo concerns many leads; a tally is one lead's. Such an event is counted as itself
 * (the survivor) and one part per merged or restored lead, each with its own id, so each counts once.
 */
export const countablePartsOf = (event: CountableEvent): CountableEvent[] => {
  const detail = event.detail as CountableEvent['detail'] & { merged?: unknown; restored?: unknown };
  const [list, type] =
    event.detailType === 'LeadsMerged'
      ? [detail.merged, MERGED_AWAY]
      : event.detailType === 'LeadsUnmerged'
        ? [detail.restored, RESTORED]
        : [undefined, ''];
  if (!Array.isArray(list)) return [event];
  return [
    event,
    ...list.filter(isSnapshot).map((lead) => ({
      detailType: type,
      source: event.source,
      detail: { eventId: `${detail.eventId}#${lead.id}`, occurredAt: detail.occurredAt, leadId: lead.id, lead },
    })),
  ];
};

/** True for events the counters consume (everything leadflow puts on the bus). */
export const isCountable = (event: { source?: string }) => event.source === undefined || event.source === EVENT_SOURCE;

/**
 * Folds a whole history in memory: what a rebuild writes, and what tests compare live counters to.
 * Duplicated deliveries (same eventId) are counted once.
 */
export const foldEvents = (
  events: readonly CountableEvent[],
): { counters: Counter[]; tallies: LeadTally[]; eventIds: string[]; eventIdsByLead: Record<string, string[]> } => {
  const seen = new Set<string>();
  const eventIdsByLead: Record<string, string[]> = {};
  const tallies = new Map<string, LeadTally>();
  const totals = new Map<string, Counter>();
  const add = (c: Counter) => {
    const key = counterKey(c);
    const prior = totals.get(key);
    totals.set(key, prior ? { ...prior, n: prior.n + c.n } : c);
  };
  for (const event of events.flatMap(countablePartsOf)) {
    if (!isCountable(event) || seen.has(event.detail.eventId)) continue;
    seen.add(event.detail.eventId);
    const leadId = event.detail.lead?.id ?? event.detail.leadId;
    const { tally, local } = foldIntoTally(leadId ? tallies.get(leadId) : undefined, event);
    if (tally) tallies.set(tally.leadId, tally);
    // As the consumer marks them: an event carrying its lead's snapshot on that lead's tally.
    if (tally && event.detail.lead)
      eventIdsByLead[tally.leadId] = [...(eventIdsByLead[tally.leadId] ?? []), event.detail.eventId];
    for (const c of local) add(c);
  }
  // The per-event differences telescope: what the final tallies stand for is their sum.
  for (const tally of tallies.values()) for (const c of derived(tally)) add(c);
  return {
    counters: [...totals.values()].filter((c) => c.n !== 0),
    tallies: [...tallies.values()],
    eventIds: [...seen],
    eventIdsByLead,
  };
};
