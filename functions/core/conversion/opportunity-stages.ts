import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';
import { ConflictError } from '../errors';
import type { LeadType } from '../lead';

const stageSchema = lazySchema(() =>
  z
    .object({
      name: z.string().trim().min(1).max(60),
      /** Chance of winning at this stage, in percent. */
      probability: z.number().int().min(0).max(100),
      /** A closed stage ends the opportunity: won or lost. */
      closed: z.enum(['won', 'lost']).optional(),
    })
    .strict(),
);
export type OpportunityStage = z.infer<typeof stageSchema>;

const stageSetSchema = lazySchema(() =>
  z
    .array(stageSchema)
    .min(2)
    .max(20)
    .superRefine((stages, ctx) => {
      const names = new Set<string>();
      stages.forEach((stage, i) => {
        if (names.has(stage.name.toLowerCase()))
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `stage '${stage.name}' appears twice` });
        names.add(stage.name.toLowerCase());
      });
      if (stages[0]?.closed)
        ctx.addIssue({
          code: 'custom',
          path: [0, 'closed'],
          message: 'the first stage must be open (new opportunities start there)',
        });
      if (!stages.some((s) => s.closed === 'won'))
        ctx.addIssue({ code: 'custom', path: [], message: 'a stage set needs a won stage' });
      if (!stages.some((s) => s.closed === 'lost'))
        ctx.addIssue({ code: 'custom', path: [], message: 'a stage set needs a lost stage' });
    }),
);

export const opportunityStagesSchema = lazySchema(() =>
  z.object({ B2B: stageSetSchema, B2C: stageSetSchema }).strict(),
);
export type OpportunityStageSets = z.infer<typeof opportunityStagesSchema>;

export const DEFAULT_OPPORTUNITY_STAGES: OpportunityStageSets = {
  B2B: [
    { name: 'Discovery', probability: 10 },
    { name: 'Solution', probability: 30 },
    { name: 'Proposal', probability: 60 },
    { name: 'Negotiation', probability: 80 },
    { name: 'Closed Won', probability: 100, closed: 'won' },
    { name: 'Closed Lost', probability: 0, closed: 'lost' },
  ],
  B2C: [
    { name: 'Interested', probability: 20 },
    { name: 'Offer', probability: 60 },
    { name: 'Closed Won', probability: 100, closed: 'won' },
    { name: 'Closed Lost', probability: 0, closed: 'lost' },
  ],
};

/** `GET`/`PUT /config/opportunity-stages`: the B2B and B2C stage sets, each stage with a probability. */
export const opportunityStagesKind = defineConfig({
  name: 'opportunity-stages',
  schema: opportunityStagesSchema,
  defaultValue: DEFAULT_OPPORTUNITY_STAGES,
  description: 'Opportunity stage sets (B2B, B2C) with win probabilities; a lead’s type picks its set',
  editors: ['salesops'],
});

export const firstStageOf = (sets: OpportunityStageSets, leadType: LeadType): OpportunityStage => {
  const first = sets[leadType][0];
  if (!first) throw new Error(`stage set ${leadType} is empty`);
  return first;
};

/**
 * Where an opportunity may go from `current`: one step forward or back among the open stages, or to
 * any closed stage. A closed stage is final. An unknown current stage (the set was edited since)
 * may move to any stage of the set, so no opportunity gets stuck.
 */
export const allowedMoves = (set: readonly OpportunityStage[], current: string): string[] => {
  const index = set.findIndex((s) => s.name === current);
  if (index === -1) return set.map((s) => s.name);
  if (set[index]?.closed) return [];
  const open = set.filter((s) => !s.closed);
  const openIndex = open.findIndex((s) => s.name === current);
  const neighbours = [open[openIndex - 1], open[openIndex + 1]]
    .filter((s): s is OpportunityStage => Boolean(s))
    .map((s) => s.name);
  return [...neighbours, ...set.filter((s) => s.closed).map((s) => s.name)];
};

/** The target stage if the move is allowed; a 409 naming the allowed moves otherwise. */
export const moveStage = (set: readonly OpportunityStage[], current: string, target: string): OpportunityStage => {
  const allowed = allowedMoves(set, current);
  const stage = set.find((s) => s.name === target);
  if (!stage || !allowed.includes(target)) {
    throw new ConflictError(`an opportunity in '${current}' cannot move to '${target}'`, {
      currentStage: current,
      allowedStages: allowed,
    });
  }
  return stage;
};
