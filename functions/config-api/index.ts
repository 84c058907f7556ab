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
    store: makeConfigRepository(makeDocumentClient(), table),
    kinds: CONFIG_KINDS,
    clock: { now: () => new Date() },
  }),
);
