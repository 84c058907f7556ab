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
      let res: Response;
      try {
        res = await fetch(new URL(path, baseUrl), {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        if (cause?.code === 'ECONNREFUSED') {
          lastError = `cannot reach ${baseUrl} (connection refused); is \`npm start\` running?`;
          // Nobody is listening: a couple of quick retries cover a restart, more would only keep the user waiting.
          if (attempt >= 2) break;
        } else lastError = `cannot reach ${baseUrl}: ${cause?.message ?? (error as Error).message}`;
        continue;
      }
      const text = await res.text();
      if (res.ok) return text;
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
