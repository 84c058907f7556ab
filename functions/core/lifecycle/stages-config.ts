import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';
import { BANDS } from '../scoring/points-config';
import { isIsoDuration } from './duration';

export const ACTIONS = ['qualify', 'handoff', 'distribute', 'disqualify', 'convert'] as const;
export type RepAction = (typeof ACTIONS)[number];

export const WORKING_STAGES = ['Assigned', 'MarketQualified', 'SalesQualified'] as const;
export type WorkingStage = (typeof WORKING_STAGES)[number];

const duration = lazySchema(() =>
  z.string().refine(isIsoDuration, { message: 'must be an ISO-8601 duration such as PT4H or P2D' }),
);

export const STEP_KINDS = ['call', 'email', 'meeting', 'task', 'review'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
/** Actions a step outcome may lead to (distribute would re-enter the stage and loop). */
export const OUTCOME_ACTIONS = ['qualify', 'handoff', 'disqualify', 'convert'] as const;
export type OutcomeAction = (typeof OUTCOME_ACTIONS)[number];

const outcomeName = lazySchema(() => z.string().trim().min(1).max(60));
const fieldPath = lazySchema(() =>
  z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, {
    message: 'must be a lead field name such as company or jobTitle',
  }),
);

/** One piece of work a rep does in the stage; the lifecycle opens it as the lead enters the stage. */
export const stepSchema = lazySchema(() =>
  z
    .object({
      name: z.string().trim().min(1).max(80),
      kind: z.enum(STEP_KINDS),
      /** Who does it: the lead's owner, the lead's team (any member), or the named `user`. */
      assignee: z.enum(['owner', 'team', 'user']),
      user: z.string().min(1).max(128).optional(),
      /** Due this long after the lead entered the stage, in the team's business hours when it has a calendar. */
      due: z.string().refine(isIsoDuration, { message: 'must be an ISO-8601 duration such as PT4H or P2D' }),
      /** A required step must be done before the lead moves forward (qualify, handoff, convert). */
      required: z.boolean(),
      outcomes: z.array(outcomeName).min(1).max(12),
      /** Outcome → the action the workflow itself takes when that action's criteria are met. */
      actions: z
        .record(
          outcomeName,
          z.object({ action: z.enum(OUTCOME_ACTIONS), reason: z.string().trim().min(1).max(200).optional() }).strict(),
        )
        .optional(),
    })
    .strict()
    .superRefine((step, ctx) => {
      if (step.assignee === 'user' && !step.user)
        ctx.addIssue({ code: 'custom', path: ['user'], message: "name the user when assignee is 'user'" });
      if (new Set(step.outcomes).size !== step.outcomes.length)
        ctx.addIssue({ code: 'custom', path: ['outcomes'], message: 'an outcome is listed twice' });
      for (const outcome of Object.keys(step.actions ?? {}))
        if (!step.outcomes.includes(outcome))
          ctx.addIssue({
            code: 'custom',
            path: ['actions', outcome],
            message: `'${outcome}' is not one of the outcomes`,
          });
    }),
);
export type StepSettings = z.infer<typeof stepSchema>;

/** A condition a transition needs: over the lead's fields, its score band, its activities and step outcomes. */
export const criterionSchema = lazySchema(() =>
  z.union([
    z.object({ field: fieldPath, present: z.literal(true) }).strict(),
    z.object({ field: fieldPath, equals: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
    z.object({ field: fieldPath, in: z.array(z.union([z.string(), z.number()])).min(1) }).strict(),
    /** Band at least this good (A best). */
    z.object({ scoreBand: z.enum(BANDS) }).strict(),
    z.object({ activity: z.string().min(1).max(60), atLeast: z.number().int().min(1).max(1000).optional() }).strict(),
    /** Some step ended with this outcome (in any stage; `step` narrows it to a step name). */
    z.object({ outcome: outcomeName, step: z.string().trim().min(1).max(80).optional() }).strict(),
  ]),
);
export type Criterion = z.infer<typeof criterionSchema>;

const stageSettings = lazySchema(() =>
  z.object({
    /** How long the owner has to act before the lead is aging. */
    sla: duration,
    allowedActions: z.array(z.enum(ACTIONS)).min(1),
    escalation: z.object({
      /** What each escalation does, besides recording it and telling the owner's manager. */
      action: z.enum(['notify-manager', 'reassign-next', 'reassign-queue']),
      maxEscalations: z.number().int().min(0).max(10),
      /** After the last escalation times out too. */
      finalAct: z.enum(['park-manager-queue', 'disqualify']),
    }),
    /** The ordered steps reps work in this stage. */
    steps: z.array(stepSchema).max(20).optional(),
    /** Qualification criteria per action out of this stage: all must be met, or the action is refused (422). */
    criteria: z.partialRecord(z.enum(ACTIONS), z.array(criterionSchema).max(20)).optional(),
  }),
);
export type StageSettings = z.infer<typeof stageSettings>;

export const stagesConfigSchema = lazySchema(() =>
  z
    .object({
      Assigned: stageSettings,
      MarketQualified: stageSettings,
      SalesQualified: stageSettings,
      /**
       * Rep actions that only move the deadline later leave the waiting execution asleep (quiet-action.ts).
       * Cheaper when reps work a lead in one sitting, dearer when each stage's old timer runs out between
       * actions; off (absent) by default, so every action wakes the execution.
       */
      quietActions: z.boolean().optional(),
    })
    .strict(),
);
export type StagesConfig = z.infer<typeof stagesConfigSchema>;

export const DEFAULT_STAGES: StagesConfig = {
  Assigned: {
    sla: 'PT4H',
    allowedActions: ['qualify', 'handoff', 'distribute', 'disqualify'],
    escalation: { action: 'reassign-next', maxEscalations: 2, finalAct: 'park-manager-queue' },
  },
  MarketQualified: {
    sla: 'P2D',
    allowedActions: ['handoff', 'distribute', 'disqualify'],
    escalation: { action: 'notify-manager', maxEscalations: 2, finalAct: 'park-manager-queue' },
  },
  SalesQualified: {
    sla: 'P5D',
    allowedActions: ['convert', 'distribute', 'disqualify'],
    escalation: { action: 'notify-manager', maxEscalations: 3, finalAct: 'disqualify' },
  },
  quietActions: false,
};

export const stagesConfig = defineConfig({
  name: 'stages',
  schema: stagesConfigSchema,
  defaultValue: DEFAULT_STAGES,
  description: 'Per working stage: SLA, allowed rep actions, escalation policy, steps and qualification criteria',
  editors: ['salesops'],
});
