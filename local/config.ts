import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SourceConfig, sourcesSchema } from '../functions/core/sources';

export const PROJECT_ROOT = join(import.meta.dirname, '..');

/** The deployment configuration the stack reads too. */
export const loadSources = (): SourceConfig[] => {
  const raw = JSON.parse(readFileSync(join(PROJECT_ROOT, 'leadflow.config.json'), 'utf8')) as { sources?: unknown };
  return sourcesSchema.parse(raw.sources ?? []);
};

/**
 * Local webhook secrets: `LEADFLOW_WEBHOOK_SECRETS` when set, otherwise a stable development secret
 * per source (printed at start) so a fresh clone can sign requests without any setup.
 */
export const localWebhookSecrets = (
  sources: SourceConfig[],
  raw = process.env.LEADFLOW_WEBHOOK_SECRETS,
): Record<string, string> => {
  if (raw) return JSON.parse(raw) as Record<string, string>;
  return Object.fromEntries(
    sources
      .filter((s) => s.kind === 'webhook')
      .map((s) => {
        const key = createHash('sha256').update(`leadflow-local-dev:${s.id}`).digest();
        return [
          s.id,
          s.adapter === 'google-ads' ? `gkey-${key.toString('hex').slice(0, 24)}` : `whsec_${key.toString('base64')}`,
        ];
      }),
  );
};

/** The region and account the local runtime names its ARNs with. */
export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';

/** The quote-expiry state machine's name on the local engine (statemachines/quote-expiry.asl.json). */
export const QUOTE_TIMER_STATE_MACHINE = 'leadflow-quote-expiry';
