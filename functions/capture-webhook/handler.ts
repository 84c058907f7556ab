import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type CaptureDeps, captureLead } from '../core/capture-lead';
import { announceRejection, countingRejects, type RejectionPorts } from '../core/capture-rejections';
import { captureFacts, measuredCapture } from '../core/metric-facts';
import {
  fieldIssuesOf,
  MalformedBodyError,
  NotFoundError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors';
import { fromGoogleAds, googleAdsLeadSchema } from '../core/source-adapters/google-ads';
import { lookupSource, type SourceProvider } from '../core/source-catalog';
import { makeWebhookAuth } from '../core/webhook-auth';
import type { WebhookSecrets } from '../core/webhook-secret-rotation';
import { headerOf, mediaTypeOf, parseJson, rawBody } from '../http/body';
import { json } from '../http/responses';

export type WebhookHandlerDeps = {
  capture: CaptureDeps;
  /** The seed and the stored sources (a retired one answers 410). */
  sources: SourceProvider;
  secrets: WebhookSecrets;
  /** How long the previous secret is accepted after a rotation. @default DEFAULT_GRACE_SECONDS (24 h) */
  graceSeconds?: number;
  /** Announces rejected deliveries of authenticated senders for the sources report (none when absent). */
  rejections?: RejectionPorts;
};

/** Google's lead id names a delivery; a body without one is named by its hash, so its redelivery is the same delivery. */
const googleDeliveryId = (leadId: unknown, body: string) =>
  typeof leadId === 'string' && leadId.length > 0
    ? `gads:${leadId}`
    : `gads-body:${createHash('sha256').update(body).digest('base64url')}`;

export const makeWebhookHandler = (deps: WebhookHandlerDeps) => {
  const auth = makeWebhookAuth({ secrets: deps.secrets, clock: deps.capture.clock, graceSeconds: deps.graceSeconds });
  return async (event: APIGatewayProxyEventV2) => {
    const sourceId = event.pathParameters?.sourceId ?? '';
    const source = await lookupSource(deps.sources, sourceId, 'webhook');
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
        const { google_key: key, lead_id: leadId } = (typeof raw === 'object' && raw !== null ? raw : {}) as {
          google_key?: unknown;
          lead_id?: unknown;
        };
        const keyed =
          typeof key === 'string' &&
          (await auth.googleKey(source.id, secrets, key).then(
            () => true,
            () => false,
          ));
        if (keyed) {
          const delivery = {
            sourceId: source.id,
            channel: 'WEBHOOK' as const,
            deliveryId: googleDeliveryId(leadId, body),
            campaign: source.campaign,
          };
          await announceRejection(deps.rejections, {
            ...delivery,
            reason: 'invalid',
            status: invalid.status,
            fields: invalid.details.issues?.map((i) => i.field),
          });
          deps.capture.metrics?.record(captureFacts(measured, { error: invalid }, 0));
        }
        throw invalid;
      }
      await auth.googleKey(source.id, secrets, parsed.data.google_key);
      const deliveryId = googleDeliveryId(parsed.data.lead_id, body);
      const answer = await measuredCapture(deps.capture.metrics, measured, () =>
        countingRejects(
          deps.rejections,
          { sourceId: source.id, channel: 'WEBHOOK', deliveryId, campaign: source.campaign },
          () =>
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

    const deliveryId = await auth.standardWebhook(source.id, secrets, body, {
      id: headerOf(event, 'webhook-id'),
      timestamp: headerOf(event, 'webhook-timestamp'),
      signature: headerOf(event, 'webhook-signature'),
    });
    // Past the signature the sender is known: what it sent and we refuse counts as a reject of the source.
    const answer = await measuredCapture(deps.capture.metrics, measured, () =>
      countingRejects(
        deps.rejections,
        { sourceId: source.id, channel: 'WEBHOOK', deliveryId, campaign: source.campaign },
        async () => {
          const payload = parseJson(body);
          if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
            throw new MalformedBodyError('the body must be a JSON object');
          return captureLead(deps.capture, {
            payload,
            channel: 'WEBHOOK',
            source,
            deliveryId,
            actor: { kind: 'source', id: source.id, source: 'WEBHOOK' },
          });
        },
      ),
    );
    return json(202, answer);
  };
};
