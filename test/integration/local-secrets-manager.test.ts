import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeSecretsManagerClient } from '../../functions/adapters/webhook-secrets';
import { LocalSecretsManager, seedWebhookSecrets, serveSecretsManager } from '../../local/secrets-manager';

/** The local Secrets Manager through the real SDK client: the staging labels, dates, idempotency and errors the adapter relies on. */
describe('local Secrets Manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-sm-'));
  const file = join(dir, 'secrets-manager.json');
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const store = new LocalSecretsManager(file, () => clock);
  let server: Awaited<ReturnType<typeof serveSecretsManager>>;
  let sm: ReturnType<typeof makeSecretsManagerClient>;

  beforeAll(async () => {
    server = await serveSecretsManager(store);
    sm = makeSecretsManagerClient(server.endpoint);
  });
  afterAll(async () => {
    sm?.destroy();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves AWSCURRENT to a put value and AWSPREVIOUS to the one it replaced, with each version dated', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'leadflow/webhooks/a', SecretString: 'one' }));
    clock += 60_000;
    await sm.send(new PutSecretValueCommand({ SecretId: 'leadflow/webhooks/a', SecretString: 'two' }));
    clock += 60_000;
    await sm.send(new PutSecretValueCommand({ SecretId: 'leadflow/webhooks/a', SecretString: 'three' }));

    const current = await sm.send(new GetSecretValueCommand({ SecretId: 'leadflow/webhooks/a' }));
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: 'leadflow/webhooks/a', VersionStage: 'AWSPREVIOUS' }),
    );
    expect([current.SecretString, current.VersionStages, current.CreatedDate?.toISOString()]).toEqual([
      'three',
      ['AWSCURRENT'],
      '2026-11-23T10:02:00.000Z',
    ]);
    expect([previous.SecretString, previous.VersionStages, previous.CreatedDate?.toISOString()]).toEqual([
      'two',
      ['AWSPREVIOUS'],
      '2026-11-23T10:01:00.000Z',
    ]);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: current.ARN }));
    expect(Object.values(described.VersionIdsToStages ?? {}).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
  });

  it('stores a retried put once and refuses the same token with another value, as AWS does', async () => {
    const token = '0f6c7a52-3b8e-4d1f-9a77-1c2d3e4f5a6b';
    await sm.send(
      new PutSecretValueCommand({ SecretId: 'leadflow/webhooks/a', SecretString: 'four', ClientRequestToken: token }),
    );
    await sm.send(
      new PutSecretValueCommand({ SecretId: 'leadflow/webhooks/a', SecretString: 'four', ClientRequestToken: token }),
    );

    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'leadflow/webhooks/a', VersionStage: 'AWSPREVIOUS' })))
        .SecretString,
    ).toBe('three');
    await expect(
      sm.send(
        new PutSecretValueCommand({
          SecretId: 'leadflow/webhooks/a',
          SecretString: 'other',
          ClientRequestToken: token,
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('raises the SDK exceptions for a missing secret, a missing stage and a name taken', async () => {
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'leadflow/webhooks/none' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await sm.send(new CreateSecretCommand({ Name: 'leadflow/webhooks/fresh', SecretString: 'x' }));
    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: 'leadflow/webhooks/fresh', VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'leadflow/webhooks/fresh', SecretString: 'y' })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('keeps rotated values across a restart from its file (owner-only), and seeding never overwrites them', () => {
    const restarted = new LocalSecretsManager(file);
    const seeded = seedWebhookSecrets(restarted, { a: 'development-secret', b: 'b-secret' }, 'leadflow/webhooks/');

    expect(seeded.current()).toEqual({ a: 'four', b: 'b-secret' });
    expect(
      restarted.handle('GetSecretValue', { SecretId: 'leadflow/webhooks/a', VersionStage: 'AWSPREVIOUS' }).SecretString,
    ).toBe('three');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
