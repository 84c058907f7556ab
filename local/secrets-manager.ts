import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { DEFAULT_WEBHOOK_SECRET_PREFIX } from '../functions/adapters/webhook-secrets';
import { AwsApiError, answerAwsJson } from './aws-json';

const REGION = 'local';
const ACCOUNT = '000000000000';
const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';

type Version = { versionId: string; secretString: string; createdDate: number; stages: string[] };
type StoredSecret = {
  arn: string;
  name: string;
  description?: string;
  createdDate: number;
  lastChangedDate: number;
  versions: Version[];
};

/** AWS appends six random characters to a secret's ARN; a stable suffix is enough here. */
const arnOf = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-local0`;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * Secrets Manager for the local runtime, on the AWS JSON 1.1 protocol (`X-Amz-Target:
 * secretsmanager.<Action>`), so the deployed adapter (`functions/adapters/webhook-secrets.ts`) runs
 * unchanged against it. It keeps what the adapters rely on: staging labels (a `PutSecretValue` moves
 * AWSCURRENT to the new version and AWSPREVIOUS to the one it replaced, and versions left without a
 * label are dropped, as AWS eventually deprecates them), each version's `CreatedDate`, idempotency by
 * `ClientRequestToken`, and AWS's error types. Persisted as one JSON file when a path is given.
 */
export class LocalSecretsManager {
  private readonly secrets = new Map<string, StoredSecret>();

  constructor(
    private readonly file?: string,
    private readonly now: () => number = Date.now,
  ) {
    if (file && existsSync(file)) {
      for (const s of JSON.parse(readFileSync(file, 'utf8')) as StoredSecret[]) this.secrets.set(s.name, s);
    }
  }

  /** Creates the secret with this value unless it exists: a restart keeps a rotated value. */
  seed(name: string, secretString: string, description?: string): void {
    if (!this.secrets.has(name)) this.create(name, secretString, randomUUID(), description);
  }

  /** The AWSCURRENT value, or undefined (local tools and tests; never served over HTTP). */
  current(name: string): string | undefined {
    return this.secrets.get(name)?.versions.find((v) => v.stages.includes(CURRENT))?.secretString;
  }

  /** Serves one AWS JSON protocol call; throws {@link AwsApiError} as AWS answers. */
  handle(action: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (action) {
      case 'CreateSecret': {
        const name = str(body.Name);
        const value = str(body.SecretString);
        if (!name) throw new AwsApiError('InvalidParameterException', 'Name is required');
        if (!value)
          throw new AwsApiError(
            'InvalidParameterException',
            'the local Secrets Manager stores SecretString values only',
          );
        const token = str(body.ClientRequestToken) ?? randomUUID();
        const existing = this.secrets.get(name);
        if (existing) {
          const same = existing.versions.find((v) => v.versionId === token);
          if (same && same.secretString === value) return { ARN: existing.arn, Name: name, VersionId: token };
          throw new AwsApiError(
            'ResourceExistsException',
            `The operation failed because the secret ${name} already exists.`,
          );
        }
        const created = this.create(name, value, token, str(body.Description));
        return { ARN: created.arn, Name: name, VersionId: token };
      }
      case 'GetSecretValue': {
        const secret = this.find(body.SecretId);
        const versionId = str(body.VersionId);
        const stage = str(body.VersionStage) ?? (versionId ? undefined : CURRENT);
        const version = secret.versions.find(
          (v) => (!versionId || v.versionId === versionId) && (!stage || v.stages.includes(stage)),
        );
        if (!version) {
          throw new AwsApiError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`}`,
          );
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.versionId,
          SecretString: version.secretString,
          VersionStages: [...version.stages],
          CreatedDate: version.createdDate / 1000,
        };
      }
      case 'PutSecretValue': {
        const secret = this.find(body.SecretId);
        const value = str(body.SecretString);
        if (!value)
          throw new AwsApiError(
            'InvalidParameterException',
            'the local Secrets Manager stores SecretString values only',
          );
        const token = str(body.ClientRequestToken) ?? randomUUID();
        const same = secret.versions.find((v) => v.versionId === token);
        if (same) {
          if (same.secretString !== value)
            throw new AwsApiError(
              'ResourceExistsException',
              `A version with VersionId ${token} already exists with a different value.`,
            );
          return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...same.stages] };
        }
        const stages = Array.isArray(body.VersionStages) ? body.VersionStages.map(String) : [CURRENT];
        for (const stage of stages) {
          for (const v of secret.versions) {
            if (!v.stages.includes(stage)) continue;
            v.stages = v.stages.filter((s) => s !== stage);
            // As AWS does: the version that loses AWSCURRENT becomes AWSPREVIOUS.
            if (stage === CURRENT) {
              for (const w of secret.versions) w.stages = w.stages.filter((s) => s !== PREVIOUS);
              v.stages.push(PREVIOUS);
            }
          }
        }
        secret.versions = secret.versions.filter((v) => v.stages.length > 0);
        secret.versions.push({ versionId: token, secretString: value, createdDate: this.now(), stages });
        secret.lastChangedDate = this.now();
        this.save();
        return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: stages };
      }
      case 'DescribeSecret': {
        const secret = this.find(body.SecretId);
        return {
          ARN: secret.arn,
          Name: secret.name,
          Description: secret.description,
          CreatedDate: secret.createdDate / 1000,
          LastChangedDate: secret.lastChangedDate / 1000,
          VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, [...v.stages]])),
        };
      }
      case 'ListSecrets': {
        // Names and metadata only, as on AWS: values are read one by one with GetSecretValue.
        const all = [...this.secrets.values()].sort((a, b) => a.name.localeCompare(b.name));
        return {
          SecretList: all.map((s) => ({
            ARN: s.arn,
            Name: s.name,
            Description: s.description,
            CreatedDate: s.createdDate / 1000,
            LastChangedDate: s.lastChangedDate / 1000,
            SecretVersionsToStages: Object.fromEntries(s.versions.map((v) => [v.versionId, [...v.stages]])),
          })),
        };
      }
      case 'ListSecretVersionIds': {
        const secret = this.find(body.SecretId);
        return {
          ARN: secret.arn,
          Name: secret.name,
          Versions: secret.versions.map((v) => ({
            VersionId: v.versionId,
            VersionStages: [...v.stages],
            CreatedDate: v.createdDate / 1000,
          })),
        };
      }
      default:
        throw new AwsApiError(
          'UnknownOperationException',
          `the local runtime does not implement secretsmanager.${action}`,
        );
    }
  }

  private create(name: string, secretString: string, versionId: string, description?: string): StoredSecret {
    const at = this.now();
    const secret: StoredSecret = {
      arn: arnOf(name),
      name,
      description,
      createdDate: at,
      lastChangedDate: at,
      versions: [{ versionId, secretString, createdDate: at, stages: [CURRENT] }],
    };
    this.secrets.set(name, secret);
    this.save();
    return secret;
  }

  /** By name or ARN, as AWS accepts either for SecretId. */
  private find(secretId: unknown): StoredSecret {
    const id = str(secretId) ?? '';
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
    if (!secret) throw new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    // Write then rename, so a crash mid-write never leaves half a file.
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.secrets.values()], null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/**
 * Creates `<prefix><sourceId>` for each initial secret (the development or `LEADFLOW_WEBHOOK_SECRETS`
 * value) unless it exists, as the stack creates one secret per webhook source. A persisted secret
 * keeps its (possibly rotated) value across restarts.
 */
export const seedWebhookSecrets = (
  store: LocalSecretsManager,
  initial: Record<string, string>,
  prefix = DEFAULT_WEBHOOK_SECRET_PREFIX,
) => {
  for (const [sourceId, secret] of Object.entries(initial))
    store.seed(`${prefix}${sourceId}`, secret, `webhook secret of source ${sourceId} (local)`);
  return {
    prefix,
    /** Each source's current secret, read now. */
    current: (): Record<string, string> =>
      Object.fromEntries(
        Object.keys(initial).map((sourceId) => [sourceId, store.current(`${prefix}${sourceId}`) ?? '']),
      ),
  };
};

/** The store alone on its own port (tests of the adapters without the whole runtime). */
export const serveSecretsManager = async (
  store: LocalSecretsManager,
): Promise<{ endpoint: string; close(): Promise<void> }> => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      void answerAwsJson(res, '1.1', () => {
        if (!target.startsWith('secretsmanager.'))
          throw new AwsApiError('UnknownOperationException', `not a Secrets Manager call: ${target}`);
        return store.handle(
          target.slice('secretsmanager.'.length),
          JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
        );
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
