import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { type CanonicalLead, canonicalLeadSchema } from '../lead';

/**
 * Amazon Lex V2 code-hook events, as Lex invokes the function (no HTTP, no signature). Only the fields
 * leadflow reads are declared; Lex adds fields without changing `messageVersion`, so unknown ones pass.
 */
const slotValueSchema = lazySchema(() =>
  z.looseObject({
    originalValue: z.string().optional(),
    interpretedValue: z.string().optional(),
    resolvedValues: z.array(z.string()).optional(),
  }),
);
export const lexSlotSchema = lazySchema(() =>
  z.looseObject({ shape: z.string().optional(), value: slotValueSchema.optional() }).nullable(),
);
export type LexSlot = z.infer<typeof lexSlotSchema>;

export const lexIntentSchema = lazySchema(() =>
  z.looseObject({
    name: z.string().min(1),
    slots: z.record(z.string(), lexSlotSchema).optional(),
    state: z.string().optional(),
    confirmationState: z.string().optional(),
  }),
);
export type LexIntent = z.infer<typeof lexIntentSchema>;

export const lexEventSchema = lazySchema(() =>
  z.looseObject({
    messageVersion: z.string().optional(),
    invocationSource: z.enum(['DialogCodeHook', 'FulfillmentCodeHook']),
    sessionId: z.string().min(1).max(200),
    inputTranscript: z.string().optional(),
    bot: z.looseObject({
      id: z.string().min(1),
      name: z.string().optional(),
      aliasId: z.string().optional(),
      localeId: z.string().optional(),
    }),
    sessionState: z.looseObject({
      intent: lexIntentSchema,
      sessionAttributes: z.record(z.string(), z.string()).optional(),
    }),
  }),
);
export type LexEvent = z.infer<typeof lexEventSchema>;

export type LexMessage = { contentType: 'PlainText'; content: string };
export type LexResponse = {
  sessionState: {
    sessionAttributes?: Record<string, string>;
    dialogAction: { type: 'Close' | 'ElicitSlot' | 'Delegate'; slotToElicit?: string };
    intent: LexIntent;
  };
  messages?: LexMessage[];
};

/** The value Lex settled on: its interpretation, else its first resolution, else what the person typed. */
export const slotValue = (slot: LexSlot | undefined): string | undefined => {
  const v = slot?.value;
  const value = v?.interpretedValue ?? v?.resolvedValues?.[0] ?? v?.originalValue;
  return value?.trim() ? value.trim() : undefined;
};

const NUMERIC_FIELDS = new Set(['expectedValue']);

/**
 * Slots → the canonical lead by the source's mapping (slot name → field, dotted for `utm.*`,
 * `custom:<key>` for a custom field). Slots the mapping does not name are kept as custom fields.
 */
export const fromLexSlots = (intent: LexIntent, mapping: Record<string, string> = {}): CanonicalLead => {
  const lead: Record<string, unknown> = {};
  const utm: Record<string, string> = {};
  const custom: Record<string, string> = {};
  for (const [slotName, slot] of Object.entries(intent.slots ?? {})) {
    const value = slotValue(slot);
    if (value === undefined) continue;
    const field = mapping[slotName] ?? slotName;
    if (field.startsWith('custom:')) custom[field.slice(7).slice(0, 100)] = value.slice(0, 2000);
    else if (field.startsWith('utm.')) utm[field.slice(4)] = value;
    else if (NUMERIC_FIELDS.has(field) && Number.isFinite(Number(value))) lead[field] = Number(value);
    else if (CANONICAL_FIELDS.has(field)) lead[field] = value;
    else custom[slotName.slice(0, 100)] = value.slice(0, 2000);
  }
  custom.lexIntent = intent.name;
  if (Object.keys(utm).length > 0) lead.utm = utm;
  return { ...lead, customFields: custom } as CanonicalLead;
};

/** Fields a slot fills as they are; `utm.*`, consent and custom fields are nested and handled apart. */
const CANONICAL_FIELDS = new Set(
  Object.keys(canonicalLeadSchema.unwrap().shape).filter(
    (field) => !['utm', 'consent', 'customFields'].includes(field),
  ),
);

/** Which slot a canonical field comes from, so a dialog hook can ask for that slot again. */
export const slotForField = (
  field: string,
  intent: LexIntent,
  mapping: Record<string, string> = {},
): string | undefined => Object.keys(intent.slots ?? {}).find((slot) => (mapping[slot] ?? slot) === field);

const withIntent = (intent: LexIntent, state: string, slots?: LexIntent['slots']): LexIntent => ({
  name: intent.name,
  slots: slots ?? intent.slots ?? {},
  state,
  confirmationState: intent.confirmationState ?? 'None',
});

/** The conversation ends and the intent is fulfilled, with what happens next in words. */
export const closeFulfilled = (event: LexEvent, message: string): LexResponse => ({
  sessionState: {
    sessionAttributes: event.sessionState.sessionAttributes ?? {},
    dialogAction: { type: 'Close' },
    intent: withIntent(event.sessionState.intent, 'Fulfilled'),
  },
  messages: [{ contentType: 'PlainText', content: message }],
});

/** The intent could not be fulfilled (the lead was refused); the conversation ends politely. */
export const closeFailed = (event: LexEvent, message: string): LexResponse => ({
  sessionState: {
    sessionAttributes: event.sessionState.sessionAttributes ?? {},
    dialogAction: { type: 'Close' },
    intent: withIntent(event.sessionState.intent, 'Failed'),
  },
  messages: [{ contentType: 'PlainText', content: message }],
});

/** Ask again for one slot: its value is cleared so Lex prompts for it. */
export const elicitSlot = (event: LexEvent, slot: string, message: string): LexResponse => ({
  sessionState: {
    sessionAttributes: event.sessionState.sessionAttributes ?? {},
    dialogAction: { type: 'ElicitSlot', slotToElicit: slot },
    intent: withIntent(event.sessionState.intent, 'InProgress', {
      ...(event.sessionState.intent.slots ?? {}),
      [slot]: null,
    }),
  },
  messages: [{ contentType: 'PlainText', content: message }],
});

/** Every filled slot is valid: let the bot go on with its own prompts. */
export const delegate = (event: LexEvent): LexResponse => ({
  sessionState: {
    sessionAttributes: event.sessionState.sessionAttributes ?? {},
    dialogAction: { type: 'Delegate' },
    intent: withIntent(event.sessionState.intent, 'InProgress'),
  },
});
