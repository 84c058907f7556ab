import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS } from '../functions/http/cors';

/**
 * What API Gateway does for an HTTP API with `corsPreflight` (lib/leadflow-api.ts): it answers
 * OPTIONS preflights itself, and on every other response it sets the CORS headers for an allowed
 * origin and drops those the function returned. Without origins, responses pass through unchanged.
 */
export const makeCors = (origins: readonly string[]) => {
  const allowedOrigin = (origin: string | undefined) => {
    if (!origin || origins.length === 0) return undefined;
    if (origins.includes('*')) return '*';
    return origins.includes(origin) ? origin : undefined;
  };
  return {
    /** Answers a preflight; false for any other request. */
    preflight(req: IncomingMessage, res: ServerResponse): boolean {
      if (req.method !== 'OPTIONS' || origins.length === 0 || !req.headers['access-control-request-method'])
        return false;
      const origin = allowedOrigin(req.headers.origin);
      res.writeHead(
        204,
        origin
          ? {
              'access-control-allow-origin': origin,
              'access-control-allow-methods': '*',
              'access-control-allow-headers': CORS.allowHeaders.join(','),
              'access-control-max-age': String(CORS.maxAgeSeconds),
              vary: 'origin',
            }
          : {},
      );
      res.end();
      return true;
    },
    /** The headers of a function's response as the browser gets them through the API. */
    responseHeaders<T>(req: IncomingMessage, headers: Record<string, T>): Record<string, T | string> {
      if (origins.length === 0) return headers;
      const kept: Record<string, T | string> = Object.fromEntries(
        Object.entries(headers).filter(([name]) => !name.toLowerCase().startsWith('access-control-')),
      );
      const origin = allowedOrigin(req.headers.origin);
      if (origin)
        Object.assign(kept, {
          'access-control-allow-origin': origin,
          'access-control-expose-headers': CORS.exposeHeaders.join(','),
          vary: 'origin',
        });
      return kept;
    },
  };
};
