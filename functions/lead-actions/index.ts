import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeSfnClient, makeWorkflowCallback } from '../adapters/workflow-client';
import { httpHandler } from '../http/middleware';
import { makeLeadActionsApi } from './handler';

export const handler = httpHandler(
  makeLeadActionsApi({ ...lifecyclePortsFromEnv(), callback: makeWorkflowCallback(makeSfnClient()), publisher: makeEventPublisher(makeEventBridgeClient()) }),
);
