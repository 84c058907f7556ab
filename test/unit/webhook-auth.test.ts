import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from '@jest/globals';
import { UnauthorizedError } from '../../functions/core/errors';
import {
  checkGoogleKey,
  makeWebhookAuth,
  mayRereadSecrets,
  REFRESH_AFTER_MISS_MS,
  verifyStandardWebhook,
} from '../../functions/core/webhook-auth';
import type { WebhookSecrets, WebhookSecretSet } from '../../functions/core/webhook-secret-rotation';

const OLD = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const NEW = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
const OTHER = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const NOW = new Date('2026-11-23T10:00:00Z');
const body = '{"email":"ann@example.com"}';

// The library checks `webhook-timestamp` against the wall clock (its tolerance is not injectable), so deliveries
// are signed now; the injected clock (NOW) decides only the grace window.
const signed = (secret: string, at = new Date(), id = 'msg_1') => {
  const signature = new Webhook(secret).sign(id, at, body);
  return { id, timestamp: String(Math.floor(at.getTime() / 1000)), signature };
};

/** The secrets port as the store answers it: `cached` until a re-read is asked for, then `fresh`. */
const secretsPort = (cached: WebhookSecretSet, fresh: WebhookSecretSet = cached) => {
  const reads: ({ maxAgeMs?: number } | undefined)[] = [];
  const port: WebhookSecrets = {
    async secretsFor(_sourceId, options) {
      reads.push(options);
      return options?.maxAgeMs !== undefined ? fresh : cached;
    },
  };
  return { port, reads };
};

const fieldOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  return (error as UnauthorizedError).details.issues?.[0]?.field;
};

describe('webhook authentication policy', () => {
  it('accepts a delivery signed with the current secret and answers its webhook-id', async () => {
    const { port, reads } = secretsPort({ current: NEW });
    const auth = makeWebhookAuth({ secrets: port, clock: { now: () => NOW } });
    await expect(auth.standardWebhook('src', { current: NEW }, body, signed(NEW))).resolves.toBe('msg_1');
    expect(reads).toEqual([]);
  });

  it('accepts the previous secret inside the grace window and refuses it after, without a re-read when nothing newer exists', async () => {
    const set = { current: NEW, previous: OLD, rotatedAt: new Date(NOW.getTime() - 3600_000) };
    const { port } = secretsPort(set);
    const inside = makeWebhookAuth({ secrets: port, clock: { now: () => NOW }, graceSeconds: 7200 });
    await expect(inside.standardWebhook('src', set, body, signed(OLD))).resolves.toBe('msg_1');
    const after = makeWebhookAuth({ secrets: port, clock: { now: () => NOW }, graceSeconds: 1800 });
    expect(await fieldOf(after.standardWebhook('src', set, body, signed(OLD)))).toBe('webhook-signature');
  });

  it('uses a 24 h grace window when none is configured, and never the previous secret without a rotation time', async () => {
    const within = { current: NEW, previous: OLD, rotatedAt: new Date(NOW.getTime() - 23 * 3600_000) };
    const undated = { current: NEW, previous: OLD };
    const auth = makeWebhookAuth({ secrets: secretsPort(within).port, clock: { now: () => NOW } });
    await expect(auth.standardWebhook('src', within, body, signed(OLD))).resolves.toBe('msg_1');
    const failClosed = makeWebhookAuth({ secrets: secretsPort(undated).port, clock: { now: () => NOW } });
    expect(await fieldOf(failClosed.standardWebhook('src', undated, body, signed(OLD)))).toBe('webhook-signature');
  });

  it('refuses a timestamp outside five minutes as stale for every secret, and does not re-read the store for it', async () => {
    const { port, reads } = secretsPort({ current: NEW });
    const auth = makeWebhookAuth({ secrets: port, clock: { now: () => NOW } });
    const stale = signed(NEW, new Date(Date.now() - 6 * 60_000));
    expect(await fieldOf(auth.standardWebhook('src', { current: NEW }, body, stale))).toBe('webhook-timestamp');
    expect(reads).toEqual([]);
    // Within the tolerance the same secret signs fine.
    expect(verifyStandardWebhook([NEW], body, signed(NEW, new Date(Date.now() - 4 * 60_000)))).toBe('msg_1');
  });

  it('names the first missing header', () => {
    const attempt = () => verifyStandardWebhook([NEW], body, { id: 'msg_1', signature: 'v1,xyz' });
    expect(attempt).toThrow(/missing header\(s\): webhook-timestamp/);
    expect(mayRereadSecrets(new UnauthorizedError('missing header(s): webhook-id', 'webhook-id'))).toBe(false);
  });

  it('re-reads secrets at most REFRESH_AFTER_MISS_MS old once on a signature miss, and accepts what a rotation elsewhere made current', async () => {
    const cached = { current: OLD };
    const { port, reads } = secretsPort(cached, { current: NEW });
    const auth = makeWebhookAuth({ secrets: port, clock: { now: () => NOW } });
    await expect(auth.standardWebhook('src', cached, body, signed(NEW))).resolves.toBe('msg_1');
    expect(reads).toEqual([{ maxAgeMs: REFRESH_AFTER_MISS_MS }]);
  });

  it('checks once when the re-read answers the same cached secrets, and fails on the signature', async () => {
    const cached = { current: OLD };
    const { port, reads } = secretsPort(cached);
    const auth = makeWebhookAuth({ secrets: port, clock: { now: () => NOW } });
    expect(await fieldOf(auth.standardWebhook('src', cached, body, signed(OTHER)))).toBe('webhook-signature');
    expect(reads).toHaveLength(1);
  });

  it('accepts a Google Ads key equal to an accepted secret, re-reads on a miss, and refuses any other key on google_key', async () => {
    expect(() => checkGoogleKey(['key-1'], 'key-1')).not.toThrow();
    expect(() => checkGoogleKey(['key-1'], 'key-12')).toThrow(UnauthorizedError);
    const { port, reads } = secretsPort({ current: 'old-key' }, { current: 'new-key' });
    const auth = makeWebhookAuth({ secrets: port, clock: { now: () => NOW } });
    await expect(auth.googleKey('src', { current: 'old-key' }, 'new-key')).resolves.toBeUndefined();
    expect(await fieldOf(auth.googleKey('src', { current: 'old-key' }, 'guess'))).toBe('google_key');
    expect(reads).toHaveLength(2);
  });
});
