import type { SourceConfig } from '../core/sources';

/**
 * The HTTP API's CORS answer, set once for the stack (lib/leadflow-api.ts, `corsPreflight`) and the
 * local server (local/cors.ts). With it configured, API Gateway answers preflights itself and
 * replaces any CORS header a function returns, so these lists are the whole truth.
 */
export const CORS = {
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
  exposeHeaders: ['location', 'etag'],
  maxAgeSeconds: 3600,
} as const;

/** Website-form origins: a form posting with fetch() from its site needs the API to allow that origin. */
export const formOrigins = (sources: readonly SourceConfig[]): string[] =>
  sources.flatMap((s) => (s.kind === 'form' ? s.allowedOrigins : []));
