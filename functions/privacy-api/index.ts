import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { makeConsentRepository } from '../adapters/consent-repository';
import { makePrivacyDeps } from '../adapters/privacy-deps';
import { readConfig } from '../core/config/config-document';
import { privacyConfig } from '../core/privacy/privacy-config';
import { functionEnv } from '../env/function-env';
import { httpHandler } from '../http/middleware';
import { makePrivacyApi } from './handler';

const { db, table, blobs, hashKey, config, store, executions, events } = makePrivacyDeps(functionEnv('privacyApi'));

export const handler = httpHandler(
  makePrivacyApi({
    store,
    executions,
    events,
    clock: { now: () => new Date() },
    ids: { next: () => ulid() },
    hashKey,
    idForKey: (key) => `era_${createHash('sha256').update(key).digest('hex').slice(0, 26)}`,
    exports: blobs,
    consents: makeConsentRepository(db, table),
    policy: async () => {
      const doc = await readConfig(config, privacyConfig);
      return { version: doc.version, value: doc.value };
    },
  }),
);
