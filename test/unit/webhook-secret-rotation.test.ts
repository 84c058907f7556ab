import fc from 'fast-check';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import {
  acceptedSecrets,
  DEFAULT_GRACE_SECONDS,
  graceSecondsFrom,
  newWebhookSecret,
} from '../../functions/core/webhook-secret-rotation';

const rotatedAt = new Date('2026-11-23T10:00:00Z');

describe('webhook secret rotation', () => {
  it('accepts the previous secret strictly inside the grace window and never without a rotation time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 * 86400 }),
        fc.integer({ min: -10, max: 8 * 86400 }),
        (grace, afterSeconds) => {
          const now = new Date(rotatedAt.getTime() + afterSeconds * 1000);
          const accepted = acceptedSecrets({ current: 'new', previous: 'old', rotatedAt }, now, grace);
          const undated = acceptedSecrets({ current: 'new', previous: 'old' }, now, grace);
          return accepted[0] === 'new' && accepted.includes('old') === afterSeconds < grace && undated.length === 1;
        },
      ),
    );
  });

  it('reads the grace window from the environment: 24 h by default, 0 to a week, anything else refused', () => {
    expect(graceSecondsFrom(undefined)).toBe(DEFAULT_GRACE_SECONDS);
    expect(graceSecondsFrom('')).toBe(86400);
    expect(graceSecondsFrom('0')).toBe(0);
    expect(graceSecondsFrom('604800')).toBe(604800);
    for (const bad of ['-1', '1.5', '604801', 'a day'])
      expect(() => graceSecondsFrom(bad), bad).toThrow(/WEBHOOK_SECRET_GRACE_SECONDS/);
  });

  it('makes Standard Webhooks secrets of 32 random bytes, never the same twice', () => {
    const secrets = Array.from({ length: 50 }, newWebhookSecret);
    for (const s of secrets) expect(Buffer.from(s.replace(/^whsec_/, ''), 'base64')).toHaveLength(32);
    expect(new Set(secrets).size).toBe(50);
  });
});
