import { Webhook } from 'standardwebhooks';
import { ulid } from 'ulid';
import { afterAll, beforeAll } from '@jest/globals';
import { testDynamoEndpoint } from './dynamodb-endpoint';
import { expect } from './expect';
import { signDevToken } from '../../local/dev-jwt';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';

/** The local runtime on the run's DynamoDB Local with a table of its own. */
export const startTestRuntime = async (): Promise<LocalRuntime> =>
  startLocalRuntime({ port: 0, dynamodbEndpoint: testDynamoEndpoint(), tableName: `rt-${ulid().toLowerCase()}` });

export type ApiResponse<T = Record<string, unknown>> = { status: number; headers: Headers; body: T; text: string };

export const client = (rt: LocalRuntime) => {
  const tokens = new Map<string, string>();
  const tokenFor = async (user: string, groups: string[]) => {
    const key = `${user}|${groups.join(',')}`;
    if (!tokens.has(key)) tokens.set(key, await signDevToken({ user, groups }));
    return tokens.get(key) as string;
  };
  const request = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; as?: [string, ...string[]]; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.as) headers.authorization = `Bearer ${await tokenFor(options.as[0], options.as.slice(1))}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${rt.url}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: tests look at `text`
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
  return {
    request,
    /** A Standard Webhooks delivery signed with the source's local secret. */
    webhook: async (
      sourceId: string,
      payload: unknown,
      { id = `msg_${ulid()}`, at = new Date(), secret }: { id?: string; at?: Date; secret?: string } = {},
    ) => {
      const body = JSON.stringify(payload);
      const signature = new Webhook(secret ?? (rt.webhookSecrets[sourceId] as string)).sign(id, at, body);
      return request('POST', `/webhooks/${sourceId}`, {
        raw: body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
      });
    },
    events: async (detailType?: string) =>
      (
        await request<{ 'detail-type': string; detail: Record<string, unknown> }[]>(
          'GET',
          `/_local/events${detailType ? `?detail-type=${detailType}` : ''}`,
        )
      ).body,
  };
};

/**
 * One local runtime for the calling test file, started before its tests and stopped after them.
 * `rt` stands for the runtime once it has started (a read-through proxy, so a file can destructure
 * it at load time); `api` is its client.
 */
export const useTestRuntime = () => {
  let started: LocalRuntime | undefined;
  beforeAll(async () => {
    started = await startTestRuntime();
  });
  afterAll(async () => started?.stop());
  const rt = new Proxy({} as LocalRuntime, {
    get: (_target, key) => {
      if (!started) throw new Error('the test runtime starts in beforeAll: use it inside tests and hooks');
      return Reflect.get(started, key);
    },
  });
  return { rt, api: client(rt) };
};

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export const eventually = async <T>(
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 15_000, everyMs = 100 } = {},
): Promise<T> => {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
};

/** Captures one lead through a signed webhook and checks the answer's status (202 unless told). */
export const postWebhookLead = async (
  rt: LocalRuntime,
  lead: Record<string, unknown>,
  sourceId = 'campaign-demo',
  status = 202,
) => {
  const res = await client(rt).webhook(sourceId, lead);
  expect(res.status, res.text).toBe(status);
  return res.body as { leadId: string };
};
