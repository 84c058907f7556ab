import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBLEM_TYPE_BASE } from '../functions/core/problem';

/** API Gateway HTTP APIs refuse payloads over 10 MiB. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * The request body, or 'too-large' once it passes `limit`. The rest of a body too large is read and
 * dropped rather than the socket destroyed: a client still sending would see a reset, never the 413.
 */
export const readBody = (req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** RFC 9457 problem details for what the local edge itself refuses (the functions map their own errors). */
export const sendProblem = (
  res: ServerResponse,
  status: number,
  code: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: PROBLEM_TYPE_BASE + code, title, status, detail }));
};

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a Host header names this machine's loopback (any port). A page that rebinds its own DNS
 * name to 127.0.0.1 still sends that name as Host, so refusing every other name keeps web pages the
 * developer visits away from the local control plane (tokens, secrets, task tokens, the bus).
 */
export const isLoopbackHost = (host: string | undefined): boolean => {
  if (host === undefined) return true; // HTTP/1.0 without Host: only a local client sends that to a loopback socket
  const name = host.toLowerCase().replace(/:\d+$/, '');
  return LOOPBACK_NAMES.has(name);
};
