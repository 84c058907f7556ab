import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { type CaptureDeps, captureLead } from '../core/capture-lead';
import { fieldIssuesOf, MalformedBodyError, NotFoundError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError } from '../core/errors';
import { fromGoogleAds, googleAdsLeadSchema } from '../core/source-adapters/google-ads';
import { findSource, type SourceConfig } from '../core/sources';
import type { WebhookSecrets } from '../adapters/webhook-secrets';
import { headerOf, mediaTypeOf, parseJson, rawBody } from '../http/body';
import { json } from '../http/responses';

export type WebhookHandlerDeps = { capture: CaptureDeps; sources: () => SourceConfig[]; secrets: WebhookSecrets };

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Standard Webhooks: HMAC over "{id}.{timestamp}.{body}", ±5 min, rotation lists, constant time. */
const verifyStandardWebhook = (secret: string, body: string, event: APIGatewayProxyEventV2): string => {
  const id = headerOf(event, 'webhook-id');
  const timestamp = headerOf(event, 'webhook-timestamp');
  const signature = headerOf(event, 'webhook-signature');
  const missing = [!id && 'webhook-id', !timestamp && 'webhook-timestamp', !signature && 'webhook-signature'].filter(Boolean);
  if (missing.length > 0) throw new UnauthorizedError(`missing header(s): ${missing.join(', ')}`, String(missing[0]));
  try {
    new Webhook(secret).verify(body, { 'webhook-id': id as string, 'webhook-timestamp': timestamp as string, 'webhook-signature': signature as string }, { jsonParse: false });
  } catch (error) {
    const reason = (error as Error).message;
    const field = /timestamp/i.test(reason) ? 'webhook-timestamp' : 'webhook-signature';
    throw new UnauthorizedError(`signature rejected: ${reason}`, field);
  }
  return id as string;
};

export const makeWebhookHandler = (deps: WebhookHandlerDeps) => async (event: APIGatewayProxyEventV2) => {
  const sourceId = event.pathParameters?.sourceId ?? '';
  const source = findSource(deps.sources(), sourceId, 'webhook');
  const secret = source ? await deps.secrets.secretFor(source.id) : undefined;
  if (!source || !secret) throw new NotFoundError('source', sourceId);
  const body = rawBody(event);
  const type = mediaTypeOf(event);
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(type || '(none)', ['application/json']);

  if (source.adapter === 'google-ads') {
    // Google signs nothing; it sends the configured key inside the body.
    const parsed = googleAdsLeadSchema.safeParse(parseJson(body));
    if (!parsed.success) {
      const keyMissing = parsed.error.issues.some((i) => i.path[0] === 'google_key');
      if (keyMissing) throw new UnauthorizedError('google_key is missing', 'google_key');
      throw new ValidationError(fieldIssuesOf(parsed.error.issues));
    }
    if (!sameSecret(parsed.data.google_key, secret)) throw new UnauthorizedError('google_key does not match', 'google_key');
    const answer = await captureLead(deps.capture, {
      payload: fromGoogleAds(parsed.data),
      channel: 'WEBHOOK',
      source,
      deliveryId: `gads:${parsed.data.lead_id}`,
      actor: { kind: 'source', id: source.id, source: 'WEBHOOK' },
    });
    return json(202, answer);
  }

  const deliveryId = verifyStandardWebhook(secret, body, event);
  const payload = parseJson(body);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new MalformedBodyError('the body must be a JSON object');
  const answer = await captureLead(deps.capture, {
    payload,
    channel: 'WEBHOOK',
    source,
    deliveryId,
    actor: { kind: 'source', id: source.id, source: 'WEBHOOK' },
  });
  return json(202, answer);
};
