import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { type CaptureDeps, captureLead } from '../core/capture-lead';
import { LeadflowError, MalformedBodyError, NotFoundError, UnsupportedMediaTypeError } from '../core/errors';
import { fromFormFields } from '../core/source-adapters/form';
import { findSource, type SourceConfig } from '../core/sources';
import { headerOf, mediaTypeOf, parseJson, rawBody } from '../http/body';
import { type HttpResult, json, problem, redirect } from '../http/responses';

export type FormHandlerDeps = { capture: CaptureDeps; sources: () => SourceConfig[] };

const corsHeaders = (source: SourceConfig, origin: string | undefined): Record<string, string> =>
  origin && (source.allowedOrigins.includes(origin) || source.allowedOrigins.includes('*'))
    ? { 'access-control-allow-origin': origin, vary: 'origin' }
    : {};

const readFields = (event: APIGatewayProxyEventV2): Record<string, string> => {
  const type = mediaTypeOf(event);
  const body = rawBody(event);
  if (type === 'application/x-www-form-urlencoded') {
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(body)) fields[key] = value;
    return fields;
  }
  if (type === 'application/json') {
    const value = parseJson(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedBodyError('the body must be a JSON object');
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

/** Public website forms. A browser gets a redirect; scripts get JSON. Bots that fill the honeypot get a quiet 202. */
export const makeFormHandler = (deps: FormHandlerDeps) => async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const formId = event.pathParameters?.formId ?? '';
  const source = findSource(deps.sources(), formId, 'form');
  if (!source) throw new NotFoundError('form', formId);
  const cors = corsHeaders(source, headerOf(event, 'origin'));
  const wantsHtml = (headerOf(event, 'accept') ?? '').includes('text/html');
  try {
    const fields = readFields(event);
    const honeypot = source.honeypotField;
    if (honeypot && (fields[honeypot] ?? '').trim() !== '') {
      return wantsHtml && source.redirectUrl ? redirect(source.redirectUrl) : json(202, { status: 'accepted' }, cors);
    }
    const answer = await captureLead(deps.capture, {
      payload: fromFormFields(fields, source.fieldMapping, honeypot ? [honeypot] : []),
      channel: 'FORM',
      source,
      deliveryId: headerOf(event, 'idempotency-key') ?? ulid(),
      actor: { kind: 'source', id: source.id, source: 'FORM' },
    });
    if (wantsHtml && source.redirectUrl) return redirect(source.redirectUrl);
    return json(202, answer, cors);
  } catch (error) {
    // Known problems answer with CORS headers so the page can show them; anything else is a 500 logged by the middleware.
    if (!(error instanceof LeadflowError)) throw error;
    return problem(error, event.rawPath, cors);
  }
};
