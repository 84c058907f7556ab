import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { CONFIG_KINDS } from '../core/config/kinds';
import { httpHandler } from '../http/middleware';
import { makeConfigApi } from './handler';

export const handler = httpHandler(
  makeConfigApi({ store: makeConfigRepository(makeDocumentClient(), tableName()), kinds: CONFIG_KINDS, clock: { now: () => new Date() } }),
);
