import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { timestampIssue } from '../dates';
import { ConflictError, fieldIssuesOf, NotFoundError, ValidationError } from '../errors';
import { type BusEvent, makeEvent, snapshotOf } from '../events';
import { type Actor, type AuditEntry, type Lead, OPEN_STAGES } from '../lead';
import { canSee, type Viewer } from '../lead-access';
import { whenSettled } from '../lifecycle/act-on-lead';
import { wakeOnActivity } from '../lifecycle/nurture';
import type { LifecycleConfigPort, StoredLead } from '../lifecycle/ports';
import type { Clock, EventPublisher } from '../ports';
import { nfc, WELL_FORMED } from '../text';
import { rescore } from './score-events';
import { scoreLead, topFactors } from './score-lead';

/**
 * Behaviour that arrives after capture: replies, opens and meetings pushed by reps or integrations
 * (`POST /leads/{id}/activities`), and form revisits noticed by the form capture. Each one is counted
 * once per activity id on `lead.behaviour`, audited on the lead's feed, announced with
 * `LeadActivityRecorded`, and rescores the lead the way an edit does.
 */
export const BUILT_IN_ACTIVITY_TYPES = ['email-reply', 'email-open', 'meeting', 'call', 'form-revisit'] as const;

export const activityRequestSchema = lazySchema(() =>
  z
    .object({
      /** The sender's id for this activity (a message id, a meeting id): a retry with it counts nothing again. */
      activityId: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' }),
      type: z
        .string()
        .min(1)
        .max(60)
        .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { message: 'must be a kebab-case name such as email-reply' }),
      /** When it happened (defaults to when it is recorded). */
      occurredAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).optional(),
      note: z
        .string()
        .trim()
        .max(500)
        .refine(...WELL_FORMED)
        .transform(nfc)
        .optional(),
    })
    .strict(),
);
export type ActivityRequest = z.infer<typeof activityRequestSchema>;

/** What is kept under the activity id: enough to answer a retry the same and to publish its events again. */
export type RecordedActivity = {
  leadId: string;
  activityId: string;
  type: string;
  activityAt: string;
  recordedAt: string;
  by: Actor;
  note?: string;
  /** How many of this type the lead has, this one included. */
  count: number;
  score?: number;
  scoreBand?: string;
  scoreModel?: string;
  topFactors: string[];
  events: BusEvent[];
};

export type ActivityStore = {
  recorded(leadId: string, activityId: string): Promise<RecordedActivity | undefined>;
  /**
   * One transaction: the lead (conditional on its version and its wait token, which stays), the audit
   * entries and the activity record (conditional on its id being new). `'exists'` when the id was taken.
   */
  write(
    before: StoredLead,
    patch: Partial<Lead>,
    audit: AuditEntry[],
    record: RecordedActivity,
  ): Promise<StoredLead | 'exists'>;
};

export type ActivityPorts = {
  leads: { get(id: string): Promise<StoredLead | undefined> };
  activities: ActivityStore;
  config: Pick<LifecycleConfigPort, 'scoring'>;
  publisher: EventPublisher;
  clock: Clock;
};

export type ActivityOutcome = { activity: RecordedActivity; duplicate: boolean };

const MAX_ATTEMPTS = 5;

/** The types a lead may record: the built-in ones and every behaviour the scoring rules name. */
export const activityTypes = (rules: readonly { when: string; event?: string }[]): string[] =>
  [
    ...new Set([
      ...BUILT_IN_ACTIVITY_TYPES,
      ...rules.flatMap((r) => (r.when === 'behaviour' && r.event ? [r.event] : [])),
    ]),
  ].sort();

/** Parses a request body into an activity, with a field and a reason for each problem; `occurredAt` must be a sane time as of `now`. */
export const parseActivity = (body: unknown, knownTypes: readonly string[], now: Date): ActivityRequest => {
  const parsed = activityRequestSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  const late = parsed.data.occurredAt === undefined ? undefined : timestampIssue(parsed.data.occurredAt, now);
  if (late) throw new ValidationError([{ field: 'occurredAt', reason: late }]);
  if (!knownTypes.includes(parsed.data.type)) {
    throw new ValidationError([
      {
        field: 'type',
        reason: `unknown activity type; known: ${knownTypes.join(', ')} (a behaviour rule in /config/scoring adds its event)`,
      },
    ]);
  }
  return parsed.data;
};

const sameActivity = (prior: RecordedActivity, request: ActivityRequest) =>
  prior.type === request.type &&
  (request.occurredAt === undefined || Date.parse(request.occurredAt) === Date.parse(prior.activityAt));

/**
 * Records one activity on a lead and rescores it. Idempotent by activity id: a retry answers the
 * first result (and publishes its events again, which consumers drop by event id); the same id for a
 * different activity is a conflict. Only open leads past Creation take activities.
 */
export const recordActivity = async (
  ports: ActivityPorts,
  request: { leadId: string; activity: ActivityRequest; actor: Actor; viewer?: Viewer },
): Promise<ActivityOutcome> => {
  const { leadId, activity, actor, viewer } = request;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const [lead, prior] = await Promise.all([
      ports.leads.get(leadId),
      ports.activities.recorded(leadId, activity.activityId),
    ]);
    if (!lead || (viewer && !canSee(viewer, lead))) throw new NotFoundError('lead', leadId);
    if (prior) {
      if (!sameActivity(prior, activity)) {
        throw new ConflictError(
          `activity '${activity.activityId}' was already recorded as a ${prior.type} at ${prior.activityAt}; use a new activity id`,
          { activityId: activity.activityId },
        );
      }
      await ports.publisher.publish(prior.events);
      return { activity: prior, duplicate: true };
    }
    if (lead.stage === 'Creation')
      throw new ConflictError(`lead ${leadId} is being scored and routed; try again in a moment`, {
        stage: lead.stage,
        retryable: true,
      });
    const now = ports.clock.now();
    // A nurtured lead whose rule listens for activity takes it, and is due to come back at once.
    const wake = wakeOnActivity(lead, now);
    if (!OPEN_STAGES.includes(lead.stage) && !wake)
      throw new ConflictError(`a ${lead.stage} lead records no more activities`, { stage: lead.stage });

    const at = now.toISOString();
    const activityAt = activity.occurredAt ? new Date(activity.occurredAt).toISOString() : at;
    const count = (lead.behaviour?.[activity.type] ?? 0) + 1;
    const behaviour = { ...(lead.behaviour ?? {}), [activity.type]: count };
    const scoring = await ports.config.scoring();
    const score = scoreLead({ ...lead, behaviour }, scoring.config.value, scoring.model, scoring.config.version);
    const rescored = rescore(lead, score, at);
    const audit: AuditEntry[] = [
      {
        at,
        actor,
        action: 'activity',
        why: `${activity.type} (${count}× in all)${activity.note ? `: ${activity.note}` : ''}`,
        data: { activityId: activity.activityId, type: activity.type, occurredAt: activityAt },
      },
      ...(rescored.moved ? [rescored.audit] : []),
      ...(wake
        ? [{ at, actor, action: 'nurture-woken', why: `${activity.type}: back from nurture at the next sweep` }]
        : []),
    ];
    const after = { ...lead, behaviour, ...rescored.patch, version: lead.version + 1 };
    const events = [
      makeEvent('LeadActivityRecorded', `activity:${leadId}:${activity.activityId}`, at, {
        leadId,
        activityId: activity.activityId,
        type: activity.type,
        activityAt,
        count,
        by: actor.id,
        // Who recorded it, as every change records it: the recorder is not notified of their own activity.
        actor,
        lead: snapshotOf(after),
      }),
      ...rescored.events,
    ];
    const record: RecordedActivity = {
      leadId,
      activityId: activity.activityId,
      type: activity.type,
      activityAt,
      recordedAt: at,
      by: actor,
      ...(activity.note ? { note: activity.note } : {}),
      count,
      score: score.score,
      scoreBand: score.band,
      scoreModel: score.model,
      topFactors: topFactors(score),
      events,
    };
    try {
      const written = await ports.activities.write(lead, { behaviour, ...rescored.patch, ...wake }, audit, record);
      if (written === 'exists') continue;
    } catch (error) {
      // The lead moved on since it was read (an action, the workflow entering a wait): read it again.
      if (error instanceof ConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    await ports.publisher.publish(events);
    return { activity: record, duplicate: false };
  }
  throw new ConflictError(`lead ${leadId} kept changing while the activity was recorded; try again`, {
    retryable: true,
  });
};

/**
 * A website form submitted again by someone who already is a lead (email or phone matched) is a
 * form revisit on their oldest open lead: the one the person first became, which later duplicates
 * point to, so revisits add up on one lead. The activity id is the form delivery's, so a retried
 * submission (same Idempotency-Key) counts once. Answers the lead it was recorded on, if any.
 */
export const recordFormRevisit = async (
  ports: ActivityPorts,
  request: {
    sourceId: string;
    deliveryId: string;
    createdLeadId?: string;
    matches: readonly { kind: string; id: string; matchedOn: string }[];
  },
): Promise<string | undefined> => {
  const candidates = [
    ...new Set(
      request.matches
        .filter((m) => m.kind === 'lead' && (m.matchedOn === 'email' || m.matchedOn === 'phone'))
        .map((m) => m.id),
    ),
  ]
    .filter((id) => id !== request.createdLeadId)
    // Lead ids are ULIDs: the oldest sorts first.
    .sort();
  for (const leadId of candidates) {
    const lead = await ports.leads.get(leadId);
    if (!lead || (!OPEN_STAGES.includes(lead.stage) && !wakeOnActivity(lead, ports.clock.now()))) continue;
    // A lead still being scored and routed takes it a moment later.
    await whenSettled(() =>
      recordActivity(ports, {
        leadId,
        activity: { activityId: `form:${request.sourceId}:${request.deliveryId}`, type: 'form-revisit' },
        actor: { kind: 'source', id: request.sourceId, source: 'FORM' },
      }),
    );
    return leadId;
  }
  return undefined;
};

/** The activity type an inbound capture records on the nurtured lead it woke (forms record `form-revisit`). */
export const INBOUND_CAPTURE_ACTIVITY = 'inbound-capture';

/**
 * A capture (webhook, chatbot, import row) of someone who already is a nurtured lead — an exact email
 * or phone hit — is new activity on that lead: recorded once per delivery (`capture:<source>:<delivery>`)
 * and, when its recycle rule listens for activity, due back at the next sweep. Open leads are left as
 * they are (only forms count a revisit on them). Answers the leads it woke.
 */
export const wakeNurturedMatches = async (
  ports: ActivityPorts,
  request: {
    sourceId: string;
    deliveryId: string;
    channel: Actor['source'];
    createdLeadId?: string;
    matches: readonly { kind: string; id: string; matchedOn: string }[];
  },
): Promise<string[]> => {
  const ids = [
    ...new Set(
      request.matches
        .filter((m) => m.kind === 'lead' && (m.matchedOn === 'email' || m.matchedOn === 'phone'))
        .map((m) => m.id),
    ),
  ].filter((id) => id !== request.createdLeadId);
  const woken: string[] = [];
  for (const leadId of ids) {
    const lead = await ports.leads.get(leadId);
    if (!lead || !wakeOnActivity(lead, ports.clock.now())) continue;
    try {
      await recordActivity(ports, {
        leadId,
        activity: { activityId: `capture:${request.sourceId}:${request.deliveryId}`, type: INBOUND_CAPTURE_ACTIVITY },
        actor: { kind: 'source', id: request.sourceId, source: request.channel },
      });
      woken.push(leadId);
    } catch (error) {
      // Recycled meanwhile (no longer nurtured), or moving: it is back already or the next capture wakes it.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return woken;
};
