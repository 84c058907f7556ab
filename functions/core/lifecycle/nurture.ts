import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';
import type { BusEvent } from '../events';
import type { Actor, AuditEntry, Due, Lead, Nurture } from '../lead';
import { addSeconds, durationSeconds, isIsoDuration } from './duration';
import { type LeadChange, leadEvent } from './transitions';

/**
 * Nurture and recycle. A rep who disqualifies a lead for a reason sales ops mapped to a recycle rule
 * (or keeps it as a contact, when a rule says so) sends it to nurture: it stays Disqualified, holds
 * no execution, and its recycle time sits on the lead (`due`), indexed sparsely and fired by the one
 * scheduled sweep. New activity may bring it back early. A recycled lead goes back to Creation and is
 * scored and routed again by a new execution named `<leadId>-r<n>`.
 */

const duration = lazySchema(() =>
  z.string().refine(isIsoDuration, { message: 'must be an ISO-8601 duration such as P90D' }),
);

const ruleSchema = lazySchema(() =>
  z
    .object({
      /** The disqualification reason this rule applies to (compared as a slug: "No budget" = "no-budget"). */
      reason: z.string().trim().min(1).max(80).optional(),
      /** Applies when the rep keeps the lead as a contact (with `reason`: both must hold). */
      convertToContact: z.boolean().optional(),
      /** How long the lead is nurtured before it comes back to the queue. */
      recycleAfter: duration,
      /** New activity on the lead (an activity recorded, a form revisit) brings it back at once. */
      onActivity: z.boolean().default(true),
    })
    .strict()
    .refine((r) => r.reason !== undefined || r.convertToContact !== undefined, {
      message: 'a rule names a reason, convertToContact, or both',
    }),
);
export type RecycleRule = z.infer<typeof ruleSchema>;

export const nurtureConfigSchema = lazySchema(() => z.object({ rules: z.array(ruleSchema).max(50) }).strict());
export type NurtureConfig = z.infer<typeof nurtureConfigSchema>;

export const DEFAULT_NURTURE: NurtureConfig = {
  rules: [
    { reason: 'no-budget', recycleAfter: 'P90D', onActivity: true },
    { reason: 'bad-timing', recycleAfter: 'P60D', onActivity: true },
    { convertToContact: true, recycleAfter: 'P180D', onActivity: true },
  ],
};

export const nurtureConfig = defineConfig({
  name: 'nurture',
  schema: nurtureConfigSchema,
  defaultValue: DEFAULT_NURTURE,
  description:
    'Recycle rules: which disqualification reasons (or contact conversions) nurture a lead, and for how long',
  editors: ['salesops'],
});

/** "No budget", "no_budget" and "no-budget" are one reason. */
export const reasonSlug = (reason: string): string =>
  reason
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');

/** The first rule that applies to a disqualification, in the order sales ops listed them. */
export const recycleRuleFor = (
  config: NurtureConfig,
  reason: string,
  convertToContact: boolean,
): RecycleRule | undefined =>
  config.rules.find(
    (rule) =>
      (rule.reason === undefined || reasonSlug(rule.reason) === reasonSlug(reason)) &&
      (rule.convertToContact === undefined || rule.convertToContact === convertToContact),
  );

/** The lead as it goes to nurture: fields to add to the disqualification, its audit entry and event. */
export const planNurture = (
  disqualified: Lead,
  rule: RecycleRule,
  convertToContact: boolean,
  actor: Actor,
  now: Date,
): { patch: Partial<Lead>; audit: AuditEntry; event: BusEvent } => {
  const at = now.toISOString();
  const recycleAt = addSeconds(now, durationSeconds(rule.recycleAfter));
  const nurture: Nurture = {
    reason: disqualified.disqualifyReason ?? '',
    since: at,
    recycleAt,
    onActivity: rule.onActivity,
    convertToContact,
  };
  const patch: Partial<Lead> = { nurture, due: { at: recycleAt, kind: 'recycle' }, execution: null };
  return {
    patch,
    audit: {
      at,
      actor,
      action: 'nurtured',
      why: `recycle after ${rule.recycleAfter}${rule.onActivity ? ' or at new activity' : ''}`,
      data: { recycleAt, onActivity: rule.onActivity },
    },
    event: leadEvent('LeadNurtured', { ...disqualified, ...patch }, at, {
      reason: reasonSlug(nurture.reason),
      recycleAt,
      onActivity: rule.onActivity,
      convertToContact,
    }),
  };
};

/** New activity on a nurtured lead whose rule allows it: due at once (the sweep brings it back). */
export const wakeOnActivity = (lead: Pick<Lead, 'nurture' | 'due'>, now: Date): Partial<Lead> | undefined =>
  lead.nurture?.onActivity && lead.due?.kind === 'recycle' && Date.parse(lead.due.at) > now.getTime()
    ? {
        nurture: { ...lead.nurture, wokenAt: now.toISOString() },
        due: { at: now.toISOString(), kind: 'recycle' },
      }
    : undefined;

export const isNurtured = (lead: Pick<Lead, 'stage' | 'nurture'>): boolean =>
  lead.stage === 'Disqualified' && Boolean(lead.nurture);

/** The execution that runs a lead after its `n`th recycle: one name per recycle, so retries start it once. */
export const recycleExecutionName = (leadId: string, n: number) => `${leadId}-r${n}`;

/**
 * A nurtured lead comes back: Creation again (routing runs anew), its history kept, its execution
 * due to start at once (the same sweep starts it, or retries the start after the open-execution limit).
 */
export const planRecycle = (
  lead: Lead,
  now: Date,
): { patch: Partial<Lead>; audit: AuditEntry[]; events: BusEvent[]; executionName: string } => {
  const at = now.toISOString();
  const n = (lead.recycles ?? 0) + 1;
  const trigger = lead.nurture?.wokenAt ? 'activity' : 'timer';
  const executionName = recycleExecutionName(lead.id, n);
  const due: Due = { at, kind: 'start', execution: { name: executionName, input: { leadId: lead.id } } };
  const patch: Partial<Lead> = {
    stage: 'Creation',
    stageEnteredAt: at,
    stageDeadline: undefined,
    escalations: 0,
    parked: false,
    nurture: null,
    recycles: n,
    due,
    approval: null,
    pendingNext: null,
    failure: null,
    execution: { name: executionName, generation: lead.execution?.generation ?? 0, loops: 0 },
  };
  const after = { ...lead, ...patch, version: lead.version + 1 };
  const nurtured = lead.nurture;
  return {
    patch,
    executionName,
    audit: [
      {
        at,
        actor: { kind: 'system', id: 'recycle', source: 'WORKFLOW' },
        action: 'recycled',
        from: 'Disqualified',
        to: 'Creation',
        why: `back from nurture (${nurtured?.reason ?? 'no reason'}) by ${trigger === 'activity' ? 'new activity' : 'its recycle time'}; recycle ${n}`,
        data: { trigger, recycles: n, nurturedSince: nurtured?.since ?? null },
      },
    ],
    events: [
      leadEvent('LeadStageChanged', after, at, { from: 'Disqualified', to: 'Creation', action: 'recycle' }),
      leadEvent('LeadRecycled', after, at, {
        trigger,
        recycles: n,
        reason: reasonSlug(nurtured?.reason ?? ''),
        nurturedSince: nurtured?.since ?? null,
        execution: executionName,
      }),
    ],
  };
};

/** Back-off for a start the open-execution limit refused: 1, 2, 4 … minutes, at most an hour. */
export const startBackoffSeconds = (attempts: number): number => Math.min(3600, 60 * 2 ** Math.max(0, attempts - 1));

/** The `due` that parks a refused start until the sweep tries it again. */
export const parkedStart = (
  previous: Pick<Lead, 'due'>,
  execution: { name: string; input: Record<string, unknown> },
  now: Date,
): Due => {
  const attempts = (previous.due?.kind === 'start' ? (previous.due.attempts ?? 0) : 0) + 1;
  return { at: addSeconds(now, startBackoffSeconds(attempts)), kind: 'start', execution, attempts };
};

/**
 * Every disqualification (a rep's, a bulk one, a step outcome's, an approver's rejection, aging out)
 * checks the recycle rules: one that applies sends the lead to nurture (no execution, a recycle time
 * on the lead). `ruleReason` is the reason the rules are matched on when it is not the lead's own
 * (an approver's rejection carries their comment, and is matched as 'conversion rejected').
 */
export const addNurture = (
  change: LeadChange,
  lead: Lead,
  convertToContact: boolean,
  actor: Actor,
  now: Date,
  config: NurtureConfig | undefined,
  ruleReason?: string,
): boolean => {
  const reason = ruleReason ?? change.patch.disqualifyReason ?? '';
  const rule = config && recycleRuleFor(config, reason, convertToContact);
  if (!rule) return false;
  const nurture = planNurture(
    { ...lead, ...change.patch, version: lead.version + 1 },
    rule,
    convertToContact,
    actor,
    now,
  );
  Object.assign(change.patch, nurture.patch);
  change.audit.push(nurture.audit);
  change.events.push(nurture.event);
  return true;
};
