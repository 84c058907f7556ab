import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from './errors';
import { makeEvent } from './events';
import type { Clock, EventPublisher, IdGenerator } from './ports';
import { findSource, type SourceConfig } from './sources';

/**
 * A source's secrets as the store holds them: the current one and, after a rotation, the one it
 * replaced with the time of the rotation (when the current one was stored).
 */
export type WebhookSecretSet = { current: string; previous?: string; rotatedAt?: Date };

/** Port: where the capture function reads a source's secrets. */
export type WebhookSecrets = {
  /**
   * The source's secrets, or undefined when it has none. Served from a cache younger than `maxAgeMs`
   * (the store's default when omitted); the same object is answered while the cache holds.
   */
  secretsFor(sourceId: string, options?: { maxAgeMs?: number }): Promise<WebhookSecretSet | undefined>;
};

/** Port: where a rotation stores the new secret; the one it replaces stays readable as the previous one. */
export type WebhookSecretStore = {
  /** Stores `secret` as the current one; `rotationId` (a UUID) makes a retried call store it once. */
  rotate(sourceId: string, secret: string, rotationId: string): Promise<void>;
};

/** Secrets Manager name prefix of the webhook secrets (`<prefix><sourceId>`), unless configured; the stack and the local runtime share it. */
export const DEFAULT_WEBHOOK_SECRET_PREFIX = 'leadflow/webhooks/';

/** How long the previous secret is still accepted after a rotation, unless configured. */
export const DEFAULT_GRACE_SECONDS = 24 * 60 * 60;
/** Longest accepted grace window: Secrets Manager keeps one previous version, a week is plenty to switch. */
export const MAX_GRACE_SECONDS = 7 * 24 * 60 * 60;

/** `WEBHOOK_SECRET_GRACE_SECONDS` (0 … a week); the default when unset; a bad value fails at start rather than weakening checks. */
export const graceSecondsFrom = (raw: string | undefined): number => {
  if (raw === undefined || raw === '') return DEFAULT_GRACE_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > MAX_GRACE_SECONDS) {
    throw new Error(
      `WEBHOOK_SECRET_GRACE_SECONDS must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}, received ${JSON.stringify(raw)}`,
    );
  }
  return value;
};

/** Until when the previous secret is accepted, for a rotation at `rotatedAt`. */
export const previousValidUntil = (rotatedAt: Date, graceSeconds: number): Date =>
  new Date(rotatedAt.getTime() + graceSeconds * 1000);

/**
 * The secrets a delivery may be signed with at `now`: the current one, then the previous one while
 * the grace window after the rotation is open. Without a known rotation time the previous one is
 * refused (fail closed).
 */
export const acceptedSecrets = (set: WebhookSecretSet, now: Date, graceSeconds: number): string[] => {
  const previousOpen =
    set.previous !== undefined &&
    set.rotatedAt !== undefined &&
    now.getTime() < previousValidUntil(set.rotatedAt, graceSeconds).getTime();
  return previousOpen && set.previous !== undefined && set.previous !== set.current
    ? [set.current, set.previous]
    : [set.current];
};

/** A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes (the spec asks for 24 to 64). */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** One rotation as the audit keeps it: who, when, which source, until when the previous secret works. Never the secret. */
export type SecretRotation = {
  sourceId: string;
  rotationId: string;
  at: string;
  by: string;
  previousValidUntil: string;
};

/** Port: each source's latest rotation and its audit trail. */
export type SourceAuditLog = {
  /** The source's latest rotation (read consistently), if any. */
  lastRotation(sourceId: string): Promise<SecretRotation | undefined>;
  /** The latest rotation of each source that has one. */
  lastRotations(sourceIds: readonly string[]): Promise<Map<string, SecretRotation>>;
  /**
   * Makes `rotation` the source's latest and appends its audit entry, in one transaction, provided the
   * latest is still `seenRotationId` (undefined: none); otherwise throws {@link ConflictError}.
   */
  beginRotation(rotation: SecretRotation, seenRotationId: string | undefined): Promise<void>;
  /** After the store refused the secret: the latest goes back to `previous`, and the audit says the rotation failed. */
  abandonRotation(rotation: SecretRotation, previous: SecretRotation | undefined, reason: string): Promise<void>;
};

export type RotationDeps = {
  sources: readonly SourceConfig[];
  store: WebhookSecretStore;
  audit: SourceAuditLog;
  bus: EventPublisher;
  clock: Clock;
  /** Rotation ids: 32 to 64 characters (a UUID), as Secrets Manager's ClientRequestToken requires. */
  ids: IdGenerator;
  graceSeconds: number;
  /** @default newWebhookSecret */
  newSecret?: () => string;
};

export type RotationResult = {
  rotation: SecretRotation;
  secret: string;
  /** What could not be done after the secret was stored (the secret is answered anyway: it is live and shown only once). */
  failures: { step: 'event'; error: unknown }[];
};

/**
 * Rotates a webhook source's secret: a new `whsec_` value becomes current, the replaced one is still
 * accepted for the grace window.
 *
 * 1. While the secret before the current one is still accepted, a rotation would drop it at once
 *    (the store keeps one previous version): refused with 409 unless `dropPrevious`.
 * 2. The audit entry and the source's latest rotation are written first, conditionally on the latest
 *    rotation read in 1, so two people rotating at once cannot both succeed (one gets 409), and no
 *    rotation is ever stored unaudited.
 * 3. The store takes the secret (the commit point). If it refuses, 2 is undone and the audit says so.
 * 4. `WebhookSecretRotated` is published (without the secret); its failure is reported, not thrown,
 *    because the caller must receive a secret that is already live.
 */
export const rotateWebhookSecret = async (
  deps: RotationDeps,
  sourceId: string,
  by: string,
  options: { dropPrevious?: boolean } = {},
): Promise<RotationResult> => {
  const source = findSource([...deps.sources], sourceId, 'webhook');
  if (!source) throw new NotFoundError('webhook source', sourceId);
  const last = await deps.audit.lastRotation(source.id);
  // Taken before the store records the version, so the announced end of the window is never later than the real one.
  const at = deps.clock.now();
  if (last && Date.parse(last.previousValidUntil) > at.getTime() && !options.dropPrevious) {
    const reason = `the secret before the current one is still accepted until ${last.previousValidUntil}; rotating again now stops it at once`;
    throw new ConflictError(
      `Source '${source.id}' was rotated at ${last.at} by ${last.by}: ${reason}. Send {"dropPrevious": true} to rotate anyway.`,
      {
        previousValidUntil: last.previousValidUntil,
        issues: [{ field: 'dropPrevious', reason }],
      },
    );
  }
  const secret = (deps.newSecret ?? newWebhookSecret)();
  const rotation: SecretRotation = {
    sourceId: source.id,
    rotationId: deps.ids.next(),
    at: at.toISOString(),
    by,
    previousValidUntil: previousValidUntil(at, deps.graceSeconds).toISOString(),
  };
  await deps.audit.beginRotation(rotation, last?.rotationId);
  try {
    await deps.store.rotate(source.id, secret, rotation.rotationId);
  } catch (error) {
    await deps.audit.abandonRotation(rotation, last, (error as Error).name || 'Error').catch(() => undefined);
    throw error;
  }
  const event = makeEvent(
    'WebhookSecretRotated',
    `WebhookSecretRotated#${source.id}#${rotation.rotationId}`,
    rotation.at,
    {
      sourceId: source.id,
      rotatedBy: by,
      previousValidUntil: rotation.previousValidUntil,
      actor: { kind: 'user', id: by, source: 'API' },
    },
  );
  const failures: RotationResult['failures'] = [];
  await deps.bus.publish([event]).catch((error: unknown) => failures.push({ step: 'event', error }));
  return { rotation, secret, failures };
};
