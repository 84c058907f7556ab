import { createHash } from 'node:crypto';
import { makePrivacyDeps } from '../adapters/privacy-deps';
import { makeRecaptureChecks } from '../adapters/privacy-recapture';
import { readConfig } from '../core/config/config-document';
import { privacyConfig } from '../core/privacy/privacy-config';
import { functionEnv } from '../env/function-env';
import { eventHandler } from '../http/middleware';
import { makePrivacyEventsHandler } from './handler';

const { db, table, hashKey, config, store, executions, events } = makePrivacyDeps(functionEnv('privacyEvents'));

export const handler = eventHandler(
  makePrivacyEventsHandler({
    store,
    executions,
    events,
    clock: { now: () => new Date() },
    policy: async () => (await readConfig(config, privacyConfig)).value,
    ...makeRecaptureChecks(db, table, hashKey),
    replayIdOf: (eventId, replayName) =>
      `era_${createHash('sha256').update(`${replayName}\n${eventId}`).digest('hex').slice(0, 26)}`,
  }),
);
