import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { fieldIssuesOf, ValidationError } from '../errors';
import { type Actor, CHANNELS, type Channel, type Lead } from '../lead';
import { nfc, WELL_FORMED } from '../text';

/** The purpose a capture's `consent.marketing` answers. */
export const MARKETING_EMAIL = 'marketing-email';

/** One piece of consent evidence: what the person was shown, where, when, and whether they agreed or withdrew. */
export type ConsentRecord = {
  id: string;
  leadId: string;
  purpose: string;
  granted: boolean;
  /** The version of the wording shown; `text` when the wording itself was given instead. */
  textVersion?: string;
  text?: string;
  channel: Channel | 'EMAIL' | 'PHONE' | 'IN_PERSON';
  /** Where: a source id, a form, a campaign, a URL. */
  source: string;
  at: string;
  recordedBy: Actor;
  /** `capture`: the consent the lead arrived with; `api`: recorded afterwards. */
  origin: 'capture' | 'api';
};

const slug = lazySchema(() =>
  z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'a lowercase slug such as marketing-email' }),
);

export const consentRequestSchema = lazySchema(() =>
  z
    .object({
      purpose: slug.default(MARKETING_EMAIL),
      granted: z.boolean(),
      textVersion: z.string().trim().min(1).max(100).optional(),
      text: z
        .string()
        .max(2000)
        .refine(...WELL_FORMED)
        .transform(nfc)
        .optional(),
      channel: z.enum([...CHANNELS, 'EMAIL', 'PHONE', 'IN_PERSON']).default('API'),
      source: z.string().trim().min(1).max(200),
      at: z.iso.datetime({ offset: true }).optional(),
    })
    .strict()
    // Proof of consent names what was shown; a withdrawal needs no wording.
    .refine((r) => !r.granted || Boolean(r.textVersion || r.text), {
      message: 'a consent needs the textVersion (or text) the person was shown',
      path: ['textVersion'],
    }),
);

export const parseConsentRequest = (body: unknown) => {
  const parsed = consentRequestSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssuesOf(parsed.error.issues));
  return parsed.data;
};

/** The consent the lead was captured with, as a record (it lives on the lead itself). */
export const captureConsentOf = (lead: Lead): ConsentRecord | undefined =>
  lead.consent
    ? {
        id: 'capture',
        leadId: lead.id,
        purpose: MARKETING_EMAIL,
        granted: lead.consent.marketing,
        ...(lead.consent.textVersion ? { textVersion: lead.consent.textVersion } : {}),
        ...(lead.consent.text ? { text: lead.consent.text } : {}),
        channel: lead.channel,
        source: lead.sourceId,
        at: lead.consent.capturedAt ?? lead.createdAt,
        recordedBy: lead.createdBy,
        origin: 'capture',
      }
    : undefined;

/** The history, oldest first: the capture's consent, then every recorded change. */
export const consentHistory = (lead: Lead, records: readonly ConsentRecord[]): ConsentRecord[] => {
  const capture = captureConsentOf(lead);
  return [...(capture ? [capture] : []), ...[...records].sort((a, b) => a.at.localeCompare(b.at))];
};

/** Whether the person agrees to `purpose` now: the latest record wins, else the capture's answer, else no. */
export const consentsTo = (lead: Pick<Lead, 'consent' | 'consents'>, purpose = MARKETING_EMAIL): boolean => {
  const current = lead.consents?.[purpose];
  if (current) return current.granted;
  return purpose === MARKETING_EMAIL ? lead.consent?.marketing === true : false;
};

export type ConsentStore = {
  lead(id: string): Promise<Lead | undefined>;
  records(leadId: string): Promise<ConsentRecord[]>;
  /** Stores the record, moves the lead's current consent for its purpose, audits it; conditional on the lead's version. */
  record(lead: Lead, record: ConsentRecord): Promise<Lead>;
};
