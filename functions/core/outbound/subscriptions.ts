import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { DETAIL_TYPES, type DetailType } from '../events';
import { schemeProblem } from './address-policy';

/** An integration's subscription: where to POST which events, signed with its own secret. */
export type Subscription = {
  id: string;
  url: string;
  eventTypes: (DetailType | '*')[];
  description?: string;
  /** A marketing integration: it gets a lead's events only while the person consents to marketing e-mail. */
  marketing?: boolean;
  createdAt: string;
  createdBy: string;
};
export type StoredSubscription = Subscription & { secret: string };

export type DeliveryRecord = {
  subscriptionId: string;
  eventId: string;
  detailType: string;
  at: string;
  outcome: 'delivered' | 'failed';
  attempts: number;
  status?: number;
  error?: string;
  durationMs: number;
};

/**
 * `POST /config/subscriptions` body. The scheme is checked here (https, or http where `allowHttp`);
 * where the URL may point is decided on its resolved addresses (address-policy `urlTargetProblem`),
 * which needs DNS and so runs after parsing.
 */
export const subscriptionRequestSchema = (allowHttp: boolean) =>
  z
    .object({
      url: z
        .url()
        .max(2000)
        .refine(
          (raw) => {
            // zod runs refinements even after its own URL check failed; a bad URL is that check's message.
            if (!URL.canParse(raw)) return true;
            return schemeProblem(new URL(raw), { allowHttp, allowPrivate: false }) === undefined;
          },
          {
            message: allowHttp
              ? 'must be an http(s) URL without credentials'
              : 'must be an https URL without credentials',
          },
        ),
      eventTypes: z
        .array(z.enum([...DETAIL_TYPES, '*']))
        .min(1)
        .max(DETAIL_TYPES.length + 1),
      description: z.string().trim().max(500).optional(),
      marketing: z.boolean().optional(),
    })
    .strict();

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export const wants = (subscription: Subscription, detailType: string) =>
  subscription.eventTypes.includes('*') || (subscription.eventTypes as string[]).includes(detailType);

/** A marketing subscription gets an event about a lead only while the person consents to marketing (withdrawal stops it). */
export const consentAllows = (subscription: Subscription, detail: Record<string, unknown>) => {
  if (!subscription.marketing) return true;
  const lead = detail.lead as { marketingConsent?: unknown } | undefined;
  return lead?.marketingConsent === true;
};
