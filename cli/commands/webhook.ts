import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { Webhook } from 'standardwebhooks';
import { apiOption } from '../api-option';

/**
 * The source's current secret, asked of the local runtime the way the capture function asks: it
 * answers the Secrets Manager protocol at its own URL, so a rotation from the console is signed with
 * at once. A deployed API does not speak that protocol: give `--secret` there.
 */
const currentLocalSecret = async (api: string, sourceId: string): Promise<string> => {
  // The SDK loads only when a secret must be asked for: `--secret` and every other command skip it.
  const [{ GetSecretValueCommand }, { DEFAULT_WEBHOOK_SECRET_PREFIX, makeSecretsManagerClient }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('../../functions/adapters/webhook-secrets'),
  ]);
  const client = makeSecretsManagerClient(api);
  try {
    const out = await client.send(
      new GetSecretValueCommand({ SecretId: `${DEFAULT_WEBHOOK_SECRET_PREFIX}${sourceId}` }),
    );
    if (out.SecretString) return out.SecretString;
    throw new Error('the secret has no string value');
  } catch (error) {
    throw new Error(
      `could not read the secret of source '${sourceId}' from the local runtime at ${api} (${(error as Error).name}: ${(error as Error).message}); is \`npm start\` running there? Otherwise give --secret`,
    );
  } finally {
    client.destroy();
  }
};

/**
 * `leadflow webhook <sourceId> <json|@file>`: sends a Standard Webhooks delivery signed the way a
 * campaign platform would, so anyone can try capture with one command.
 */
export const command = new Command('webhook')
  .description('send a signed webhook delivery (Standard Webhooks) to a source, as a campaign platform would')
  .argument('<sourceId>', 'a webhook source from leadflow.config.json')
  .argument('<payload>', 'the JSON body, or @file.json')
  .addOption(apiOption('the API to send to'))
  .option(
    '--secret <whsec>',
    "the source secret (default: the source's current secret, read from the local runtime at --api)",
  )
  .option('--id <webhookId>', 'the delivery id (send the same id twice to see a redelivery answered once)')
  .action(async (sourceId: string, payload: string, options: { api: string; secret?: string; id?: string }) => {
    const body = payload.startsWith('@') ? readFileSync(payload.slice(1), 'utf8') : payload;
    JSON.parse(body);
    const secret = options.secret ?? (await currentLocalSecret(options.api, sourceId));
    const id = options.id ?? `msg_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const at = new Date();
    const res = await fetch(`${options.api}/webhooks/${encodeURIComponent(sourceId)}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, at, body),
      },
      body,
    });
    process.stdout.write(`${res.status} ${await res.text()}\n`);
    if (!res.ok) process.exitCode = 1;
  });
