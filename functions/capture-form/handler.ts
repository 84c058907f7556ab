import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { type CaptureDeps, captureLead } from '../core/capture-lead';
import { type CaptureOutcome, countingRejects, type RejectionPorts } from '../core/capture-rejections';
import { LeadflowError, MalformedBodyError, NotFoundError, UnsupportedMediaTypeError } from '../core/errors';
import { measuredCapture } from '../core/metric-facts';
import { fromFormFields } from '../core/source-adapters/form';
import type { CaptureAnswer } from '../core/ports';
import { type ActivityPorts, recordFormRevisit } from '../core/scoring/activities';
import { lookupSource, type SourceProvider } from '../core/source-catalog';
import type { SourceConfig } from '../core/sources';
import { headerOf, mediaTypeOf, parseJson, rawBody } from '../http/body';
import { logger } from '../http/observability';
import { type HttpResult, json, problem, redirect } from '../http/responses';

export type FormHandlerDeps = {
  capture: CaptureDeps;
  /** The seed and the stored sources (a retired one answers 410). */
  sources: SourceProvider;
  /** Announces rejected submissions for the sources report (none when absent). */
  rejections?: RejectionPorts;
  /** Records a known person's revisit on their lead (none when absent). */
  activities?: ActivityPorts;
};

const corsHeaders = (source: SourceConfig, origin: string | undefined): Record<string, string> =>
  origin && (source.allowedOrigins.includes(origin) || source.allowedOrigins.includes('*'))
    ? { 'access-control-allow-origin': origin, vary: 'origin' }
    : {};

const readFields = (event: APIGatewayProxyEventV2): Record<string, string> => {
  const type = mediaTypeOf(event);
  const body = rawBody(event);
  if (type === 'application/x-www-form-urlencoded') {
    const fields: Record<string, string> = {};
    // Percent-decoding turns broken UTF-8 into U+FFFD, so only NFC is left to do.
    for (const [key, value] of new URLSearchParams(body)) fields[key.normalize('NFC')] = value.normalize('NFC');
    return fields;
  }
  if (type === 'application/json') {
    const value = parseJson(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new MalformedBodyError('the body must be a JSON object');
    const fields: Record<string, string> = {};
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string') fields[key] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') fields[key] = String(v);
      else if (v !== null) throw new MalformedBodyError(`form field '${key}' must be a string`);
    }
    return fields;
  }
  throw new UnsupportedMediaTypeError(type || '(none)', ['application/x-www-form-urlencoded', 'application/json']);
};

/** A person already known by email or phone filled the form again: a form revisit on their lead (best effort). */
const noteRevisit = async (deps: FormHandlerDeps, source: SourceConfig, deliveryId: string, answer: CaptureAnswer) => {
  if (!deps.activities) return;
  try {
    await recordFormRevisit(deps.activities, {
      sourceId: source.id,
      deliveryId,
      createdLeadId: answer.status === 'created' ? answer.leadId : undefined,
      matches: answer.duplicates,
    });
  } catch (error) {
    // The submission itself is stored; a revisit that could not be counted is logged, not shown to the visitor.
    logger.warn('form revisit not recorded', { error: error as Error, sourceId: source.id, deliveryId });
  }
};

/** Public website forms. A browser gets a redirect; scripts get JSON. Bots that fill the honeypot get a quiet 202. */
export const makeFormHandler =
  (deps: FormHandlerDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const formId = event.pathParameters?.formId ?? '';
    const source = await lookupSource(deps.sources, formId, 'form', 'form');
    if (!source) throw new NotFoundError('form', formId);
    const cors = corsHeaders(source, headerOf(event, 'origin'));
    const wantsHtml = (headerOf(event, 'accept') ?? '').includes('text/html');
    const deliveryId = headerOf(event, 'idempotency-key') ?? ulid();
    const delivery = { sourceId: source.id, channel: 'FORM' as const, deliveryId, campaign: source.campaign };
    try {
      const answer = await measuredCapture(
        deps.capture.metrics,
        { sourceId: source.id, channel: 'FORM', policy: source.duplicatePolicy },
        () =>
          countingRejects(deps.rejections, delivery, async () => {
            const fields = readFields(event);
            const honeypot = source.honeypotField;
            if (honeypot && (fields[honeypot] ?? '').trim() !== '')
              return { leadId: '', status: 'spam', duplicates: [] } as CaptureOutcome;
            return captureLead(deps.capture, {
              payload: fromFormFields(fields, source.fieldMapping, honeypot ? [honeypot] : []),
              channel: 'FORM',
              source,
              deliveryId,
              actor: { kind: 'source', id: source.id, source: 'FORM' },
            });
          }),
      );
      if (answer.status === 'spam')
        return wantsHtml && source.redirectUrl ? redirect(source.redirectUrl) : json(202, { status: 'accepted' }, cors);
      await noteRevisit(deps, source, deliveryId, answer);
      if (wantsHtml && source.redirectUrl) return redirect(source.redirectUrl);
      return json(202, answer, cors);
    } catch (error) {
      // Known problems answer with CORS headers so the page can show them; anything else is a 500 logged by the middleware.
      if (!(error instanceof LeadflowError)) throw error;
      return problem(error, event.rawPath, cors);
    }
  };
