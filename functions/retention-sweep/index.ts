import { ulid } from 'ulid';
import { makePrivacyDeps } from '../adapters/privacy-deps';
import { readConfig } from '../core/config/config-document';
import { privacyConfig } from '../core/privacy/privacy-config';
import { functionEnv } from '../env/function-env';
import { eventHandler } from '../http/middleware';
import { makeRetentionSweepHandler } from './handler';

const { config, store, executions, events } = makePrivacyDeps(functionEnv('retentionSweep'));

export const handler = eventHandler(
  makeRetentionSweepHandler({
    store,
    executions,
    events,
    clock: { now: () => new Date() },
    policy: async () => {
      const doc = await readConfig(config, privacyConfig);
      return { version: doc.version, value: doc.value };
    },
    newErasureId: () => `era_${ulid()}`,
  }),
);
