import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { type CaptureDeps, captureLead } from '../core/capture-lead';
import { announceRejection, countingRejects, type RejectionPorts } from '../core/capture-rejections';
import { fieldIssuesOf, MalformedBodyError, NotFoundError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError } from '../core/errors';
import { captureFacts, measuredCapture } from '../core/metric-facts';
import { fromGoogleAds, googleAdsLeadSchema } from '../core/source-adapters/google-ads';
import { findSource, type SourceConfig } from '../core/sources';
import { acceptedSecrets, DEFAULT_GRACE_SECONDS, type WebhookSecrets, type WebhookSecretSet } from '../core/webhook-secret-rotation';
import { headerOf, mediaTypeOf, parseJson, rawBody } from '../http/body';
import { json } from '../http/responses';

export type WebhookHandlerDeps = {
  capture: CaptureDeps;
  sources: () => SourceConfig[];
  secrets: WebhookSecrets;
  /** How long the previous secret is accepted after a rotation. @default DEFAULT_GRACE_SECONDS (24 h) */
  graceSeconds?: number;
  /** Announces rejected deliveries of authenticated senders for the sources report (none when absent). */
  rejections?: RejectionPorts;
};

/**
 * A signature no cached secret verifies asks the store again when the cached secrets are older than
 * this, so a rotation made by another function is seen within seconds instead of the cache's five
 * minutes, while a flood of bad signatures costs at most one read per source every 5 s per instance.
 */
const REFRESH_AFTER_MISS_MS = 5_000;

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Standard Webhooks: HMAC over "{id}.{timestamp}.{body}", ±5 min, rotation lists, constant time; any of `secrets` may have signed. */
const verifyStandardWebhook = (secrets: string[], body: string, event: APIGatewayProxyEventV2): string => {
  const id = headerOf(event, 'webhook-id');
  const timestamp = headerOf(event, 'webhook-timestamp');
  const signature = headerOf(event, 'webhook-signature');
  const missing = [!id && 'webhook-id', !timestamp && 'webhook-timestamp', !signature && 'webhook-signature'].filter(Boolean);
  if (missing.length > 0) throw new UnauthorizedError(`missing header(s): ${missing.join(', ')}`, String(missing[0]));
  let reason = 'No matching signature found';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, { 'webhook-id': id as string, 'webhook-timestamp': timestamp as string, 'webhook-signature': signature as string }, { jsonParse: false });
      return id as string;
    } catch (error) {
      reason = (error as Error).message;
      // A stale or future timestamp is stale for every secret.
      if (/timestamp/i.test(reason)) throw new UnauthorizedError(`signature rejected: ${reason}`, 'webhook-timestamp');
    }
  }
  throw new UnauthorizedError(`signature rejected: ${reason}`, 'webhook-signature');
};

/** Verifies with the cached secrets; on a miss, once more with secrets at most 5 s old (a rotation elsewhere). */
const withSecrets = async <T>(deps: WebhookHandlerDeps, sourceId: string, first: WebhookSecretSet, check: (accepted: string[]) => T): Promise<T> => {
  const accepted = (set: WebhookSecretSet) => acceptedSecrets(set, deps.capture.clock.now(), deps.graceSeconds ?? DEFAULT_GRACE_SECONDS);
  try {
    return check(accepted(first));
  } catch (error) {
    // Only a signature or key that matched no secret can be cured by newer secrets.
    const field = error instanceof UnauthorizedError ? error.details.issues?.[0]?.field : undefined;
    if (field !== 'webhook-signature' && field !== 'google_key') throw error;
    const fresher = await deps.secrets.secretsFor(sourceId, { maxAgeMs: REFRESH_AFTER_MISS_MS });
    if (!fresher || fresher === first) throw error;
    return check(accepted(fresher));
  }
};

/** Google signs nothing; it sends the configured key inside the body, which must be one of the accepted secrets. */
const googleKeyCheck = (key: string) => (accepted: string[]) => {
  if (!accepted.some((secret) => sameSecret(key, secret))) throw new UnauthorizedError('google_key does not match', 'google_key');
};

/** Google's lead id names a delivery; a body without one is named by its hash, so its redelivery is the same delivery. */
const googleDeliveryId = (leadId: unknown, body: string) =>
  typeof leadId === 'string' && leadId.length > 0 ? `gads:${leadId}` : `gads-body:${createHash('sha256').update(body).digest('base64url')}`;

export const makeWebhookHandler = (deps: WebhookHandlerDeps) => async (event: APIGatewayProxyEventV2) => {
  const sourceId = event.pathParameters?.sourceId ?? '';
  const source = findSource(deps.sources(), sourceId, 'webhook');
  const secrets = source ? await deps.secrets.secretsFor(source.id) : undefined;
  if (!source || !secrets) throw new NotFoundError('source', sourceId);
  const body = rawBody(event);
  const type = mediaTypeOf(event);
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(type || '(none)', ['application/json']);
  const measured = { sourceId: source.id, channel: 'WEBHOOK' as const, policy: source.duplicatePolicy };

  if (source.adapter === 'google-ads') {
    // Google signs nothing; it sends the configured key inside the body.
    const raw = parseJson(body);
    const parsed = googleAdsLeadSchema.safeParse(raw);
    if (!parsed.success) {
      const keyMissing = parsed.error.issues.some((i) => i.path[0] === 'google_key');
      if (keyMissing) throw new UnauthorizedError('google_key is missing', 'google_key');
      const invalid = new ValidationError(fieldIssuesOf(parsed.error.issues));
      // A reject of the source only when the body carries its key; otherwise it is anyone's and counts nowhere.
      const { google_key: key, lead_id: leadId } = (typeof raw === 'object' && raw !== null ? raw : {}) as { google_key?: unknown; lead_id?: unknown };
      const keyed =
        typeof key === 'string' &&
        (await withSecrets(deps, source.id, secrets, googleKeyCheck(key)).then(
          () => true,
          () => false,
        ));
      if (keyed) {
        const delivery = { sourceId: source.id, channel: 'WEBHOOK' as const, deliveryId: googleDeliveryId(leadId, body), campaign: source.campaign };
        await announceRejection(deps.rejections, { ...delivery, reason: 'invalid', status: invalid.status, fields: invalid.details.issues?.map((i) => i.field) });
        deps.capture.metrics?.record(captureFacts(measured, { error: invalid }, 0));
      }
      throw invalid;
    }
    await withSecrets(deps, source.id, secrets, googleKeyCheck(parsed.data.google_key));
    const deliveryId = googleDeliveryId(parsed.data.lead_id, body);
    const answer = await measuredCapture(deps.capture.metrics, measured, () =>
      countingRejects(deps.rejections, { sourceId: source.id, channel: 'WEBHOOK', deliveryId, campaign: source.campaign }, () =>
        captureLead(deps.capture, {
          payload: fromGoogleAds(parsed.data),
          channel: 'WEBHOOK',
          source,
          deliveryId,
          actor: { kind: 'source', id: source.id, source: 'WEBHOOK' },
        }),
      ),
    );
    return json(202, answer);
  }

  const deliveryId = await withSecrets(deps, source.id, secrets, (accepted) => verifyStandardWebhook(accepted, body, event));
  // Past the signature the sender is known: what it sent and we refuse counts as a reject of the source.
  const answer = await measuredCapture(deps.capture.metrics, measured, () =>
    countingRejects(deps.rejections, { sourceId: source.id, channel: 'WEBHOOK', deliveryId, campaign: source.campaign }, async () => {
      const payload = parseJson(body);
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new MalformedBodyError('the body must be a JSON object');
      return captureLead(deps.capture, {
        payload,
        channel: 'WEBHOOK',
        source,
        deliveryId,
        actor: { kind: 'source', id: source.id, source: 'WEBHOOK' },
      });
    }),
  );
  return json(202, answer);
};
