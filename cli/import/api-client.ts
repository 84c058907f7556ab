import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

/** The API answered with an error, or could not be reached after retries. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Problem = { title?: string; detail?: string; errors?: { field: string; reason: string }[] };

const describeProblem = (status: number, text: string): string => {
  try {
    const p = JSON.parse(text) as Problem;
    const fields = (p.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.field}: ${e.reason}`)
      .join('; ');
    return `${status} ${p.title ?? ''}: ${p.detail ?? ''}${fields ? ` (${fields})` : ''}`.trim();
  } catch {
    return `${status}: ${text.slice(0, 200)}`;
  }
};

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export type ApiClient = {
  request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  text(path: string): Promise<string>;
};

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * One HTTP exchange on node:http(s) with kept-alive sockets. Not fetch: an import sends a thousand
 * batches, and fetch's per-request objects grew the CLI's heap by ~60 MB over 1,000 requests where
 * node:http grows it by ~10 MB (and answers several times faster).
 */
const exchange = (
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method,
        agent: https ? agents.https : agents.http,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });

/**
 * A small JSON client for the leadflow API. Every call the import makes is idempotent, so network
 * failures, throttling and 5xx answers are retried with exponential backoff.
 */
export const makeApiClient = (
  baseUrl: string,
  token: string,
  { attempts = 6, timeoutMs = 120_000 } = {},
): ApiClient => {
  const call = async (method: string, path: string, body?: unknown): Promise<string> => {
    let lastError = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(Math.min(8000, 250 * 2 ** attempt));
      let res: { status: number; text: string };
      try {
        res = await exchange(
          new URL(path, baseUrl),
          method,
          {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body === undefined ? undefined : JSON.stringify(body),
          timeoutMs,
        );
      } catch (error) {
        const cause = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
        const code = cause.code ?? cause.cause?.code;
        if (code === 'ECONNREFUSED') {
          lastError = `cannot reach ${baseUrl} (connection refused); is \`npm start\` running?`;
          // Nobody is listening: a couple of quick retries cover a restart, more would only keep the user waiting.
          if (attempt >= 2) break;
        } else lastError = `cannot reach ${baseUrl}: ${cause.message ?? String(error)}`;
        continue;
      }
      const { text } = res;
      const ok = res.status >= 200 && res.status < 300;
      if (ok) return text;
      lastError = describeProblem(res.status, text);
      if (!RETRYABLE.has(res.status)) throw new ApiError(`${method} ${path} → ${lastError}`, res.status);
    }
    throw new ApiError(`${method} ${path} failed: ${lastError}`);
  };
  return {
    request: async <T>(method: 'GET' | 'POST', path: string, body?: unknown) =>
      JSON.parse(await call(method, path, body)) as T,
    text: (path: string) => call('GET', path),
  };
};
