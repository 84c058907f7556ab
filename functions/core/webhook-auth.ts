import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from './errors';
import type { Clock } from './ports';
import {
  acceptedSecrets,
  DEFAULT_GRACE_SECONDS,
  type WebhookSecrets,
  type WebhookSecretSet,
} from './webhook-secret-rotation';

/**
 * How a webhook sender proves who it is, decided here and only here:
 * - which secrets count: the current one, and the previous one while the grace window after a
 *   rotation is open (acceptedSecrets; fail closed without a rotation time);
 * - Standard Webhooks: HMAC over "{id}.{timestamp}.{body}", constant-time, any accepted secret may
 *   have signed; the timestamp must be within the library's tolerance (±5 minutes) for every secret;
 * - Google Ads lead forms sign nothing: the configured key travels in the body and must equal an
 *   accepted secret (constant-time);
 * - a signature or key that matched no cached secret is checked once more against secrets at most
 *   REFRESH_AFTER_MISS_MS old (a rotation made by another function); nothing else is retried.
 */

/**
 * A signature no cached secret verifies asks the store again when the cached secrets are older than
 * this, so a rotation made by another function is seen within seconds instead of the cache's five
 * minutes, while a flood of bad signatures costs at most one read per source every 5 s per instance.
 */
export const REFRESH_AFTER_MISS_MS = 5_000;

/** The Standard Webhooks library's window around `webhook-timestamp`; not configurable there, named here. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export type StandardWebhookHeaders = { id?: string; timestamp?: string; signature?: string };

export type WebhookAuthDeps = {
  secrets: WebhookSecrets;
  clock: Clock;
  /** How long the previous secret is accepted after a rotation. @default DEFAULT_GRACE_SECONDS (24 h) */
  graceSeconds?: number;
};

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Verifies a Standard Webhooks delivery against `secrets`; answers its `webhook-id`. */
export const verifyStandardWebhook = (
  secrets: readonly string[],
  body: string,
  headers: StandardWebhookHeaders,
): string => {
  const { id, timestamp, signature } = headers;
  const missing = [!id && 'webhook-id', !timestamp && 'webhook-timestamp', !signature && 'webhook-signature'].filter(
    (m): m is string => Boolean(m),
  );
  if (!id || !timestamp || !signature)
    throw new UnauthorizedError(`missing header(s): ${missing.join(', ')}`, String(missing[0]));
  let reason = 'No matching signature found';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(
        body,
        { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
        { jsonParse: false },
      );
      return id;
    } catch (error) {
      reason = (error as Error).message;
      // A stale or future timestamp is stale for every secret.
      if (/timestamp/i.test(reason)) throw new UnauthorizedError(`signature rejected: ${reason}`, 'webhook-timestamp');
    }
  }
  throw new UnauthorizedError(`signature rejected: ${reason}`, 'webhook-signature');
};

/** Google signs nothing; it sends the configured key inside the body, which must be one of the accepted secrets. */
export const checkGoogleKey = (secrets: readonly string[], key: string): void => {
  if (!secrets.some((secret) => sameSecret(key, secret)))
    throw new UnauthorizedError('google_key does not match', 'google_key');
};

/** Only a signature or key that matched no secret can be cured by newer secrets; a stale timestamp or a missing header cannot. */
export const mayRereadSecrets = (error: unknown): boolean => {
  const field = error instanceof UnauthorizedError ? error.details.issues?.[0]?.field : undefined;
  return field === 'webhook-signature' || field === 'google_key';
};

export type WebhookAuth = {
  /** The delivery's `webhook-id` when a secret of the source signed it; UnauthorizedError naming the header otherwise. */
  standardWebhook(
    sourceId: string,
    secrets: WebhookSecretSet,
    body: string,
    headers: StandardWebhookHeaders,
  ): Promise<string>;
  /** Resolves when `key` is an accepted secret of the source; UnauthorizedError on `google_key` otherwise. */
  googleKey(sourceId: string, secrets: WebhookSecretSet, key: string): Promise<void>;
};

/** The webhook authentication of one function: checks run against a source's accepted secrets, re-read once on a miss. */
export const makeWebhookAuth = (deps: WebhookAuthDeps): WebhookAuth => {
  const accepted = (set: WebhookSecretSet) =>
    acceptedSecrets(set, deps.clock.now(), deps.graceSeconds ?? DEFAULT_GRACE_SECONDS);

  /** Runs `check` with the cached secrets; on a miss, once more with secrets at most REFRESH_AFTER_MISS_MS old. */
  const withSecrets = async <T>(
    sourceId: string,
    first: WebhookSecretSet,
    check: (secrets: string[]) => T,
  ): Promise<T> => {
    try {
      return check(accepted(first));
    } catch (error) {
      if (!mayRereadSecrets(error)) throw error;
      const fresher = await deps.secrets.secretsFor(sourceId, { maxAgeMs: REFRESH_AFTER_MISS_MS });
      if (!fresher || fresher === first) throw error;
      return check(accepted(fresher));
    }
  };

  return {
    standardWebhook: (sourceId, secrets, body, headers) =>
      withSecrets(sourceId, secrets, (accepted) => verifyStandardWebhook(accepted, body, headers)),
    googleKey: (sourceId, secrets, key) => withSecrets(sourceId, secrets, (accepted) => checkGoogleKey(accepted, key)),
  };
};
