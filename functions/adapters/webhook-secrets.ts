import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { WebhookSecretCreator } from '../core/source-catalog';
import type { WebhookSecretSet, WebhookSecretStore, WebhookSecrets } from '../core/webhook-secret-rotation';
import { localOverrides } from '../env/function-env';

export type { WebhookSecretSet, WebhookSecrets, WebhookSecretStore } from '../core/webhook-secret-rotation';
export { DEFAULT_WEBHOOK_SECRET_PREFIX } from '../core/webhook-secret-rotation';

/** Fixed secrets `{"<sourceId>": "whsec_..."}` without rotation (tests of the capture handler alone). */
export const secretsFromEnv = (raw: string | undefined): WebhookSecrets => {
  const map = raw ? (JSON.parse(raw) as Record<string, string>) : {};
  const sets = new Map(Object.entries(map).map(([id, current]) => [id, { current } as WebhookSecretSet]));
  return { secretsFor: async (sourceId) => sets.get(sourceId) };
};

const CACHE_MS = 5 * 60 * 1000;

/** Locally `SECRETSMANAGER_ENDPOINT` points at the local runtime, which speaks the Secrets Manager protocol. */
export const makeSecretsManagerClient = (endpoint = localOverrides().SECRETSMANAGER_ENDPOINT): SecretsManagerClient =>
  new SecretsManagerClient(
    endpoint
      ? {
          endpoint,
          region: localOverrides().AWS_REGION ?? 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {},
  );

const notFound = (error: unknown) => (error as Error).name === 'ResourceNotFoundException';

/**
 * On AWS: one Secrets Manager secret per source, named `<prefix><sourceId>`. A rotation is a
 * `PutSecretValue`: the new value becomes AWSCURRENT and the replaced one AWSPREVIOUS; the current
 * version's `CreatedDate` is the rotation time. Both are cached for five minutes, so most requests
 * cost no call; a rotation through {@link WebhookSecretStore.rotate} drops this instance's entry
 * at once, and a caller may ask for a younger entry (the capture function does after a signature
 * that no cached secret verifies).
 */
export const secretsFromSecretsManager = (
  prefix: string,
  client = makeSecretsManagerClient(),
  { now = Date.now } = {},
): WebhookSecrets & WebhookSecretStore => {
  const cache = new Map<string, { value: WebhookSecretSet | undefined; at: number }>();
  const read = async (sourceId: string): Promise<WebhookSecretSet | undefined> => {
    const SecretId = `${prefix}${sourceId}`;
    const [current, previous] = await Promise.all([
      client.send(new GetSecretValueCommand({ SecretId })).catch((error) => {
        if (notFound(error)) return undefined;
        throw error;
      }),
      client.send(new GetSecretValueCommand({ SecretId, VersionStage: 'AWSPREVIOUS' })).catch((error) => {
        if (notFound(error)) return undefined;
        throw error;
      }),
    ]);
    if (!current?.SecretString) return undefined;
    return {
      current: current.SecretString,
      ...(previous?.SecretString ? { previous: previous.SecretString } : {}),
      ...(current.CreatedDate ? { rotatedAt: current.CreatedDate } : {}),
    };
  };
  return {
    async secretsFor(sourceId, { maxAgeMs = CACHE_MS } = {}) {
      const hit = cache.get(sourceId);
      if (hit && now() - hit.at < Math.min(maxAgeMs, CACHE_MS)) return hit.value;
      const value = await read(sourceId);
      cache.set(sourceId, { value, at: now() });
      return value;
    },
    async rotate(sourceId, secret, rotationId) {
      // Write only: the rotating function is granted PutSecretValue, not the reading of any value.
      await client.send(
        new PutSecretValueCommand({
          SecretId: `${prefix}${sourceId}`,
          SecretString: secret,
          ClientRequestToken: rotationId,
        }),
      );
      cache.delete(sourceId);
    },
  };
};

/** The secrets the functions use: Secrets Manager under `WEBHOOK_SECRET_PREFIX` (also locally), else fixed ones (`LEADFLOW_WEBHOOK_SECRETS`). */
export const webhookSecrets = (
  prefix: string | undefined,
  fixed?: string,
): WebhookSecrets & Partial<WebhookSecretStore> => (prefix ? secretsFromSecretsManager(prefix) : secretsFromEnv(fixed));

/** The store a rotating function writes to (its `secrets:rotate` need requires the prefix). */
export const webhookSecretStore = (prefix: string): WebhookSecrets & WebhookSecretStore =>
  secretsFromSecretsManager(prefix);

/**
 * Makes a run-time webhook source's secret: `CreateSecret` named `<prefix><sourceId>` (the stack's
 * functions may create secrets under that prefix only). A secret left by an earlier source of that id
 * (a config source removed from leadflow.config.json whose secret stayed) gets the new value as its
 * current version instead, so the value answered is always the live one. `token` makes a retry store it once.
 */
export const webhookSecretCreator = (prefix: string, client = makeSecretsManagerClient()): WebhookSecretCreator => ({
  async create(sourceId, secret, token) {
    const Name = `${prefix}${sourceId}`;
    try {
      await client.send(
        new CreateSecretCommand({
          Name,
          SecretString: secret,
          ClientRequestToken: token,
          Description: `Standard Webhooks secret (whsec_...) of source ${sourceId}, created at run time`,
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ResourceExistsException') throw error;
      await client.send(new PutSecretValueCommand({ SecretId: Name, SecretString: secret, ClientRequestToken: token }));
    }
  },
});
