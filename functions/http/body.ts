import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MalformedBodyError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors';
import { wellFormedJson } from '../core/text';

export const MAX_BODY_BYTES = 256 * 1024;

export const headerOf = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

export const mediaTypeOf = (event: APIGatewayProxyEventV2): string =>
  (headerOf(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** The body exactly as sent (signatures are computed over these bytes). */
export const rawBody = (event: APIGatewayProxyEventV2): string => {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  if (!event.isBase64Encoded) return raw;
  const decoded = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoded.decode(bytes);
  } catch {
    throw new MalformedBodyError('the body is not valid UTF-8');
  }
};

/**
 * JSON as every route reads it: syntax checked, and every string (keys too) well-formed Unicode in
 * NFC, so no text the API accepts can later be served as JSON a strict parser refuses.
 */
export const parseJson = (text: string): unknown => {
  if (text.trim() === '') throw new MalformedBodyError('the body is empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MalformedBodyError(`the body is not valid JSON: ${(error as Error).message}`);
  }
  const checked = wellFormedJson(value);
  if (checked.issues.length > 0)
    throw new ValidationError(checked.issues, 'The request holds text that is not well-formed Unicode');
  return checked.value;
};

/** JSON bodies for authenticated routes: right media type, size, syntax, and an object. */
export const jsonBody = (event: APIGatewayProxyEventV2, { optional = false } = {}): unknown => {
  const text = rawBody(event);
  if (optional && text.trim() === '') return {};
  const type = mediaTypeOf(event);
  if (type !== 'application/json' && !type.endsWith('+json'))
    throw new UnsupportedMediaTypeError(type || '(none)', ['application/json']);
  const value = parseJson(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedBodyError('the body must be a JSON object');
  return value;
};
