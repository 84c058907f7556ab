import { makeDocumentClient } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeLeadWriter } from '../adapters/lead-writer';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeExecutionStarter, makeSfnClient, makeWorkflowCallback } from '../adapters/workflow-client';
import { httpHandler } from '../http/middleware';
import { makeLeadActionsApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('leadActions');
const table = env.need('table:read').TABLE_NAME;

const writer = makeLeadWriter(makeDocumentClient(), table);

export const handler = httpHandler(
  makeLeadActionsApi({
    ...lifecyclePortsFromEnv(env),
    callback: makeWorkflowCallback(makeSfnClient()),
    // A parked lead holds no execution: an action on it starts a fresh one.
    executions: makeExecutionStarter(makeSfnClient(), env.need('workflow:start').STATE_MACHINE_ARN),
    publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    writeWithKeys: (before, patch, audit, added, removed, fingerprint) =>
      writer.write(before, patch, audit, {
        keepToken: true,
        extra: writer.keyMoves(before.id, added, removed, fingerprint),
      }),
  }),
);
