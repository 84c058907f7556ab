import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeLeadWriter } from '../adapters/lead-writer';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeSfnClient, makeWorkflowCallback } from '../adapters/workflow-client';
import { httpHandler } from '../http/middleware';
import { makeLeadActionsApi } from './handler';

const writer = makeLeadWriter(makeDocumentClient(), tableName());

export const handler = httpHandler(
  makeLeadActionsApi({
    ...lifecyclePortsFromEnv(),
    callback: makeWorkflowCallback(makeSfnClient()),
    publisher: makeEventPublisher(makeEventBridgeClient()),
    writeWithKeys: (before, patch, audit, added, removed) => writer.write(before, patch, audit, { keepToken: true, extra: writer.keyMoves(before.id, added, removed) }),
  }),
);
