import * as z from 'zod';
import { lazySchema } from './lazy-schema';

/** A source is one sender of leads: a campaign platform, a website form, manual entry or an import. */
export const sourceConfigSchema = lazySchema(() =>
  z
    .object({
      id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
      name: z.string().min(1).optional(),
      kind: z.enum(['webhook', 'form', 'api', 'import', 'chatbot']),
      /** Payload format for webhooks. */
      adapter: z.enum(['canonical', 'google-ads', 'lex-v2']).default('canonical'),
      duplicatePolicy: z.enum(['reject', 'create', 'associate']).default('create'),
      /** Fuzzy matching: at or above `block` a similar lead is a duplicate (rejected under `reject`), at or above `alert` a possible one. */
      duplicateThresholds: z
        .object({ block: z.number().min(0).max(1), alert: z.number().min(0).max(1) })
        .strict()
        .refine((t) => t.alert <= t.block, { message: 'alert must not be above block', path: ['alert'] })
        .optional(),
      /** The same body from this source within this many seconds is the same delivery (0: off). Default 600. */
      sameBodyWindowSeconds: z.number().int().min(0).max(86_400).optional(),
      campaign: z.string().optional(),
      /** Forms: form field name → canonical field (dotted for utm/consent). */
      fieldMapping: z.record(z.string(), z.string()).optional(),
      allowedOrigins: z.array(z.string()).default([]),
      redirectUrl: z.string().url().optional(),
      honeypotField: z.string().optional(),
      /** Chatbots: the Amazon Lex V2 bot whose code hook delivers here (`bot.id` in its events). */
      botId: z
        .string()
        .regex(/^[A-Za-z0-9]{1,20}$/)
        .optional(),
      /** Chatbots: bot alias ARNs allowed to invoke the code-hook function (its resource policy on AWS). */
      botAliasArns: z
        .array(z.string().regex(/^arn:aws[a-z-]*:lex:[a-z0-9-]+:\d{12}:bot-alias\/[A-Za-z0-9]+\/[A-Za-z0-9]+$/))
        .optional(),
      /** Chatbots: slot name → canonical field (dotted for utm, `custom:<key>` for a custom field); unnamed slots keep their name. */
      slotMapping: z.record(z.string(), z.string()).optional(),
      /** Chatbots: what the bot says once the lead is stored. */
      fulfilledMessage: z.string().max(500).optional(),
    })
    .refine((s) => s.kind !== 'chatbot' || s.botId, {
      message: 'a chatbot source names its Lex bot (botId)',
      path: ['botId'],
    }),
);
export type SourceConfig = z.infer<typeof sourceConfigSchema>;

export const sourcesSchema = lazySchema(() => z.array(sourceConfigSchema));

/** Manual entry and imports need no configuration; they use these unless configured otherwise. */
export const BUILT_IN_SOURCES: SourceConfig[] = [
  { id: 'manual', kind: 'api', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
  { id: 'import', kind: 'import', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
];

export const findSource = (
  sources: SourceConfig[],
  id: string,
  kind?: SourceConfig['kind'],
): SourceConfig | undefined => [...sources, ...BUILT_IN_SOURCES].find((s) => s.id === id && (!kind || s.kind === kind));
