import * as z from 'zod';
import { defineConfig } from '../config/config-document';
import { isIsoDuration } from './duration';

export const ACTIONS = ['qualify', 'handoff', 'distribute', 'disqualify', 'convert'] as const;
export type RepAction = (typeof ACTIONS)[number];

export const WORKING_STAGES = ['Assigned', 'MarketQualified', 'SalesQualified'] as const;
export type WorkingStage = (typeof WORKING_STAGES)[number];

const duration = z.string().refine(isIsoDuration, { message: 'must be an ISO-8601 duration such as PT4H or P2D' });

const stageSettings = z.object({
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
});
export type StageSettings = z.infer<typeof stageSettings>;

export const stagesConfigSchema = z
  .object({ Assigned: stageSettings, MarketQualified: stageSettings, SalesQualified: stageSettings })
  .strict();
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
};

export const stagesConfig = defineConfig({
  name: 'stages',
  schema: stagesConfigSchema,
  defaultValue: DEFAULT_STAGES,
  description: 'Per working stage: SLA, allowed rep actions, escalation policy',
  editors: ['salesops'],
});
