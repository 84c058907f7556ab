import { makeDocumentClient } from '../adapters/aws-clients';
import { makeDueRepository } from '../adapters/due-repository';
import { makeStepsRepository } from '../adapters/steps-repository';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeLeadReader } from '../adapters/lead-repository';
import { makeLeadWriter } from '../adapters/lead-writer';
import { makeExecutionStarter, makeSfnClient } from '../adapters/workflow-client';
import { functionEnv } from '../env/function-env';
import { eventHandler } from '../http/middleware';
import { makeDueSweepHandler } from './handler';

const env = functionEnv('dueSweep');
const table = env.need('table:write').TABLE_NAME;
const db = makeDocumentClient();
const reader = makeLeadReader(db, table);
const writer = makeLeadWriter(db, table);

export const handler = eventHandler(
  makeDueSweepHandler({
    leads: {
      get: (id) => reader.get(id),
      write: (before, patch, audit, options) => writer.write(before, patch, audit, options),
    },
    due: makeDueRepository(db, table),
    steps: makeStepsRepository(db, table),
    executions: makeExecutionStarter(makeSfnClient(), env.need('workflow:start').STATE_MACHINE_ARN),
    publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock: { now: () => new Date() },
  }),
);
