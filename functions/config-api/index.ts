import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { CONFIG_KINDS } from '../core/config/kinds';
import { httpHandler } from '../http/middleware';
import { makeConfigApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('configApi');
const table = env.need('table:read').TABLE_NAME;

export const handler = httpHandler(
  makeConfigApi({
    // The editor's own reads are never cached: it shows what is stored (its saves refresh every cache in the process).
    store: makeConfigRepository(makeDocumentClient(), table, { cacheMs: 0 }),
    kinds: CONFIG_KINDS,
    clock: { now: () => new Date() },
  }),
);
