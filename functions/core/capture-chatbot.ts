import { createHash } from 'node:crypto';
import { type CaptureDeps, captureLead } from './capture-lead';
import { countingRejects, type RejectionPorts } from './capture-rejections';
import { fieldIssuesOf, LeadflowError, NotFoundError, ValidationError } from './errors';
import type { CollabStore } from './feed/lead-collab';
import { type Actor, canonicalLeadSchema } from './lead';
import { normaliseLead } from './normalise';
import type { CaptureAnswer, Clock } from './ports';
import {
  closeFailed,
  closeFulfilled,
  delegate,
  elicitSlot,
  fromLexSlots,
  type LexEvent,
  type LexResponse,
  lexEventSchema,
  slotForField,
} from './source-adapters/lex-v2';
import { activeSources, type SourceProvider } from './source-catalog';
import type { SourceConfig } from './sources';

export type ChatbotDeps = {
  capture: CaptureDeps;
  /** The seed and the stored sources; a retired chatbot source no longer matches its bot. */
  sources: SourceProvider;
  /** Where the conversation's transcript is kept: a note on the lead's feed. */
  notes: Pick<CollabStore, 'addNote'>;
  clock: Clock;
  /** Announces refused conversations for the sources report (none when absent). */
  rejections?: RejectionPorts;
};

/** The bot keeps the conversation so far in a session attribute, so the whole of it reaches the lead. */
export const TRANSCRIPT_ATTRIBUTE = 'leadflowTranscript';
/** The lead the conversation made (or matched), for the bot to refer to. */
export const LEAD_ID_ATTRIBUTE = 'leadflowLeadId';
const MAX_TRANSCRIPT = 4000;
const DEFAULT_FULFILLED = 'Thank you! A member of our sales team will contact you shortly.';
const ALREADY_KNOWN = 'Thank you! We already have your details, and the person looking after you will be in touch.';

/**
 * One conversation's lead is one delivery: the bot, the session and the intent. Hashed, so a session
 * id a website chose (it may carry anything) is never stored or logged as it came.
 */
export const chatbotDeliveryId = (event: LexEvent) =>
  `lex-${createHash('sha256').update(`${event.bot.id}\n${event.sessionId}\n${event.sessionState.intent.name}`).digest('hex').slice(0, 32)}`;

const findBotSource = (sources: SourceConfig[], botId: string) =>
  sources.find((s) => s.kind === 'chatbot' && s.botId === botId);

const transcriptOf = (event: LexEvent) =>
  [event.sessionState.sessionAttributes?.[TRANSCRIPT_ATTRIBUTE], event.inputTranscript]
    .filter((t) => t?.trim())
    .join('\n')
    .slice(-MAX_TRANSCRIPT);

/** What a person should be asked when a value they gave is not usable; never echoes the value. */
const askAgain = (field: string) =>
  ({
    email: 'That does not look like a valid e-mail address. What is your e-mail address?',
    phone: 'That does not look like a valid phone number. What number can we reach you on (with the country code)?',
    country: 'Which country are you in?',
  })[field] ?? `Sorry, I could not use that answer. Could you give your ${field} again?`;

/** Dialog hook: the filled slots are checked as capture would check them; the first bad one is asked again. */
const validateSlots = (event: LexEvent, source: SourceConfig): LexResponse => {
  const intent = event.sessionState.intent;
  const payload = fromLexSlots(intent, source.slotMapping);
  const parsed = canonicalLeadSchema.safeParse(payload);
  const issues = parsed.success ? normaliseLead(parsed.data).issues : fieldIssuesOf(parsed.error.issues);
  for (const issue of issues) {
    const slot = slotForField(issue.field.split('.')[0] ?? issue.field, intent, source.slotMapping);
    if (slot) return elicitSlot(event, slot, askAgain(issue.field));
  }
  const response = delegate(event);
  response.sessionState.sessionAttributes = {
    ...response.sessionState.sessionAttributes,
    [TRANSCRIPT_ATTRIBUTE]: transcriptOf(event),
  };
  return response;
};

const keepTranscript = async (
  deps: ChatbotDeps,
  source: SourceConfig,
  deliveryId: string,
  answer: CaptureAnswer,
  actor: Actor,
  transcript: string,
) => {
  if (answer.status !== 'created' || !transcript) return;
  await deps.notes.addNote(
    {
      id: `t${deliveryId.slice(4, 29)}`,
      leadId: answer.leadId,
      text: `Chatbot conversation (${source.name ?? source.id}):\n${transcript}`,
      author: actor.id,
      at: deps.clock.now().toISOString(),
    },
    actor,
    { idempotent: true },
  );
};

/**
 * Amazon Lex V2 code hook → lead. A dialog hook checks the slots filled so far; the fulfillment hook
 * captures the lead exactly once per bot, session and intent (a re-sent fulfillment gets the first
 * answer) and closes the conversation saying what happens next.
 */
export const answerLexEvent = async (deps: ChatbotDeps, raw: unknown): Promise<LexResponse> => {
  const parsed = lexEventSchema.safeParse(raw);
  if (!parsed.success)
    throw new ValidationError(fieldIssuesOf(parsed.error.issues), 'Not an Amazon Lex V2 code-hook event');
  const event = parsed.data;
  const source = findBotSource(await activeSources(deps.sources), event.bot.id);
  if (!source) throw new NotFoundError('chatbot source for bot', event.bot.id);
  if (event.invocationSource === 'DialogCodeHook') return validateSlots(event, source);

  const deliveryId = chatbotDeliveryId(event);
  const actor: Actor = { kind: 'source', id: source.id, source: 'CHATBOT' };
  try {
    const answer = await countingRejects(
      deps.rejections,
      { sourceId: source.id, channel: 'CHATBOT', deliveryId, campaign: source.campaign },
      () =>
        captureLead(deps.capture, {
          payload: fromLexSlots(event.sessionState.intent, source.slotMapping),
          channel: 'CHATBOT',
          source,
          deliveryId,
          actor,
        }),
    );
    await keepTranscript(deps, source, deliveryId, answer, actor, transcriptOf(event));
    const response = closeFulfilled(
      event,
      answer.status === 'created' ? (source.fulfilledMessage ?? DEFAULT_FULFILLED) : ALREADY_KNOWN,
    );
    // The bot (or the page around it) may link the conversation to its lead; an id, never personal data.
    if (answer.leadId)
      response.sessionState.sessionAttributes = {
        ...response.sessionState.sessionAttributes,
        [LEAD_ID_ATTRIBUTE]: answer.leadId,
      };
    return response;
  } catch (error) {
    if (error instanceof ValidationError) {
      const fields = (error.details.issues ?? []).map((i) => i.field).join(', ');
      return closeFailed(
        event,
        `Sorry, I could not take your details (${fields}). Please try again or use our contact form.`,
      );
    }
    if (error instanceof LeadflowError && error.status < 500)
      return closeFailed(event, 'Sorry, I could not take your details just now. Please use our contact form.');
    throw error;
  }
};
