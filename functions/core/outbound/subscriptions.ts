import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { DETAIL_TYPES, type DetailType } from '../events';

/** An integration's subscription: where to POST which events, signed with its own secret. */
export type Subscription = {
  id: string;
  url: string;
  eventTypes: (DetailType | '*')[];
  description?: string;
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

/** Loopback, private, link-local and unique-local addresses (and names for them). */
export const PRIVATE_HOST = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|0\.0\.0\.0|\[?::1\]?$|\[?f[cd][0-9a-f]{2}:|\[?fe80:)/i;

/**
 * `POST /config/subscriptions` body. https only, and never to a private or link-local address (the
 * function must not become a way into the VPC or the metadata endpoint), unless `allowInsecure`
 * (the local runtime, whose test receivers listen on http://127.0.0.1).
 */
export const subscriptionRequestSchema = (allowInsecure: boolean) =>
  z
    .object({
      url: z
        .url()
        .max(2000)
        .refine((raw) => {
          // zod runs refinements even after its own URL check failed; a bad URL is that check's message.
          if (!URL.canParse(raw)) return true;
          const url = new URL(raw);
          if (allowInsecure) return url.protocol === 'https:' || url.protocol === 'http:';
          return url.protocol === 'https:' && !PRIVATE_HOST.test(url.hostname);
        }, { message: allowInsecure ? 'must be an http(s) URL' : 'must be an https URL on a public host' }),
      eventTypes: z.array(z.enum([...DETAIL_TYPES, '*'])).min(1).max(DETAIL_TYPES.length + 1),
      description: z.string().trim().max(500).optional(),
    })
    .strict();

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export const wants = (subscription: Subscription, detailType: string) =>
  subscription.eventTypes.includes('*') || (subscription.eventTypes as string[]).includes(detailType);
