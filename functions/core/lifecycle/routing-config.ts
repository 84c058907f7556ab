import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';
import { LEAD_TYPES } from '../lead';

const list = lazySchema(() => z.array(z.string().min(1)).min(1));

export const routingConditionSchema = lazySchema(() =>
  z
    .object({
      emailDomain: list.optional(),
      source: list.optional(),
      campaign: list.optional(),
      country: z
        .array(z.string().regex(/^[A-Z]{2}$/, { message: 'ISO 3166-1 alpha-2, upper case' }))
        .min(1)
        .optional(),
      region: list.optional(),
      productInterest: list.optional(),
      leadType: z.array(z.enum(LEAD_TYPES)).min(1).optional(),
      scoreBand: z
        .array(z.enum(['A', 'B', 'C', 'D']))
        .min(1)
        .optional(),
    })
    .strict(),
);
export type RoutingCondition = z.infer<typeof routingConditionSchema>;

export const routingTargetSchema = lazySchema(() =>
  z.union([
    z.object({ rep: z.string().min(1) }).strict(),
    z.object({ team: z.string().min(1), strategy: z.enum(['round-robin', 'least-loaded']) }).strict(),
  ]),
);
export type RoutingTarget = z.infer<typeof routingTargetSchema>;

export const routingConfigSchema = lazySchema(() =>
  z
    .object({
      rules: z.array(
        z
          .object({
            name: z.string().min(1).max(100).optional(),
            when: routingConditionSchema,
            assign: routingTargetSchema,
          })
          .strict(),
      ),
      /** No rule matched, or the matched team has nobody available: the lead waits in this queue. */
      fallbackQueue: z.string().min(1).default('UNASSIGNED'),
      /**
       * Owner affinity: a new lead that duplicates (or possibly duplicates) an open or converted lead
       * goes to that lead's owner, before any rule; off, the rules alone decide.
       */
      ownerAffinity: z.boolean().default(true),
    })
    .strict(),
);
export type RoutingConfig = z.infer<typeof routingConfigSchema>;

export const DEFAULT_ROUTING: RoutingConfig = {
  rules: [{ name: 'everyone to inside sales', when: {}, assign: { team: 'inside-sales', strategy: 'round-robin' } }],
  fallbackQueue: 'UNASSIGNED',
  ownerAffinity: true,
};

export const routingConfig = defineConfig({
  name: 'routing',
  schema: routingConfigSchema,
  defaultValue: DEFAULT_ROUTING,
  description: 'Ordered routing rules and the fallback queue',
  editors: ['salesops'],
});
