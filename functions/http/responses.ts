import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { RetryLaterError } from '../core/errors';
import { toProblem } from '../core/problem';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const problem = (error: unknown, instance?: string, headers: Record<string, string> = {}): HttpResult => {
  const details = toProblem(error, instance);
  // RFC 9110: a 503 says when to come back, so well-behaved senders retry instead of giving up.
  const retryAfter: Record<string, string> =
    error instanceof RetryLaterError ? { 'retry-after': String(error.retryAfterSeconds) } : {};
  return {
    statusCode: details.status,
    headers: { 'content-type': 'application/problem+json', ...retryAfter, ...headers },
    body: JSON.stringify(details),
  };
};

export const redirect = (location: string): HttpResult => ({ statusCode: 303, headers: { location }, body: '' });
