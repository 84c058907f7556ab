import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export type WebhookSecrets = { secretFor(sourceId: string): Promise<string | undefined> };

/** Locally: `LEADFLOW_WEBHOOK_SECRETS` = {"<sourceId>": "whsec_..."}. */
export const secretsFromEnv = (raw = process.env.LEADFLOW_WEBHOOK_SECRETS): WebhookSecrets => {
  const map = raw ? (JSON.parse(raw) as Record<string, string>) : {};
  return { secretFor: async (sourceId) => map[sourceId] };
};

const CACHE_MS = 5 * 60 * 1000;

/**
 * On AWS: one Secrets Manager secret per source, named `<prefix><sourceId>`. Cached for five minutes
 * so a rotation reaches every warm function within that time while most requests cost no call.
 */
export const secretsFromSecretsManager = (prefix: string, client = new SecretsManagerClient({})): WebhookSecrets => {
  const cache = new Map<string, { value: string | undefined; at: number }>();
  return {
    async secretFor(sourceId) {
      const hit = cache.get(sourceId);
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: `${prefix}${sourceId}` }));
        cache.set(sourceId, { value: out.SecretString, at: Date.now() });
        return out.SecretString;
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
  };
};

export const webhookSecrets = (): WebhookSecrets =>
  process.env.WEBHOOK_SECRET_PREFIX ? secretsFromSecretsManager(process.env.WEBHOOK_SECRET_PREFIX) : secretsFromEnv();
