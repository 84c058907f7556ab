import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';

const points = lazySchema(() => z.number().int().min(-100).max(100));
const reason = lazySchema(() => z.string().trim().min(1).max(80).optional());
const words = lazySchema(() => z.array(z.string().trim().min(1).max(60)).min(1).max(50));

/**
 * One points rule. `when` names what it looks at; `reason` replaces the generated wording
 * ("title contains VP") when sales ops want their own.
 */
export const pointsRuleSchema = lazySchema(() =>
  z.discriminatedUnion('when', [
    z.object({ when: z.literal('titleContains'), keywords: words, points, reason }).strict(),
    z.object({ when: z.literal('freeMail'), points, reason }).strict(),
    z.object({ when: z.literal('companyDomain'), points, reason }).strict(),
    z
      .object({
        when: z.literal('countryIn'),
        countries: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1),
        points,
        reason,
      })
      .strict(),
    z.object({ when: z.literal('sourceIn'), sources: words, points, reason }).strict(),
    z.object({ when: z.literal('campaignIn'), campaigns: words, points, reason }).strict(),
    z.object({ when: z.literal('marketingConsent'), points, reason }).strict(),
    z.object({ when: z.literal('completeness'), atLeast: z.number().min(0).max(1), points, reason }).strict(),
    /** Behaviour recorded on the lead later (form revisits, replies): `points` per occurrence, up to `max`. */
    z
      .object({
        when: z.literal('behaviour'),
        event: z.string().trim().min(1).max(60),
        points,
        max: z.number().int().min(1).max(20),
        reason,
      })
      .strict(),
  ]),
);
export type PointsRule = z.infer<typeof pointsRuleSchema>;

export const BANDS = ['A', 'B', 'C', 'D'] as const;
export type Band = (typeof BANDS)[number];

export const scoringConfigSchema = lazySchema(() =>
  z
    .object({
      /** Points every lead starts with. */
      baseline: z.number().int().min(0).max(100),
      rules: z.array(pointsRuleSchema).max(100),
      /** Lowest score of each band; below C is D. */
      bands: z
        .object({
          A: z.number().int().min(1).max(100),
          B: z.number().int().min(1).max(100),
          C: z.number().int().min(1).max(100),
        })
        .strict()
        .refine((b) => b.A > b.B && b.B > b.C, { message: 'thresholds must fall from A to C (A > B > C)' }),
      /** When a learned model may replace the points model. */
      learned: z
        .object({
          minConversions: z.number().int().min(1).default(200),
          holdoutFraction: z.number().min(0.05).max(0.5).default(0.25),
        })
        .strict()
        .default({ minConversions: 200, holdoutFraction: 0.25 }),
    })
    .strict(),
);
export type ScoringConfig = z.infer<typeof scoringConfigSchema>;

export const DEFAULT_SCORING: ScoringConfig = {
  baseline: 10,
  rules: [
    {
      when: 'titleContains',
      keywords: [
        'VP',
        'Vice President',
        'Chief',
        'CEO',
        'CTO',
        'CFO',
        'COO',
        'CMO',
        'CIO',
        'Founder',
        'President',
        'Owner',
      ],
      points: 18,
    },
    { when: 'titleContains', keywords: ['Director', 'Head'], points: 12 },
    { when: 'titleContains', keywords: ['Manager', 'Lead'], points: 6 },
    { when: 'titleContains', keywords: ['Student', 'Intern'], points: -10 },
    { when: 'companyDomain', points: 10 },
    { when: 'freeMail', points: -9 },
    {
      when: 'countryIn',
      countries: ['US', 'CA', 'GB', 'IE', 'DE', 'AT', 'CH', 'FR', 'NL', 'BE', 'SE', 'DK', 'NO', 'FI'],
      points: 5,
      reason: 'core market',
    },
    { when: 'marketingConsent', points: 5 },
    { when: 'completeness', atLeast: 0.75, points: 10 },
    { when: 'behaviour', event: 'form-revisit', points: 5, max: 3 },
    { when: 'behaviour', event: 'email-reply', points: 12, max: 2 },
  ],
  bands: { A: 70, B: 50, C: 30 },
  learned: { minConversions: 200, holdoutFraction: 0.25 },
};

/** `GET`/`PUT /config/scoring`: the points model sales ops edit. */
export const scoringConfig = defineConfig({
  name: 'scoring',
  schema: scoringConfigSchema,
  defaultValue: DEFAULT_SCORING,
  description:
    'Lead scoring: points rules on fields and behaviour, band thresholds, and when a learned model may take over',
  editors: ['salesops'],
});
