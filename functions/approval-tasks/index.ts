import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeTasksRepository } from '../adapters/tasks-repository';
import { makeSfnClient, makeWorkflowCallback } from '../adapters/workflow-client';
import { httpHandler } from '../http/middleware';
import { makeApprovalTasksApi } from './handler';

export const handler = httpHandler(
  makeApprovalTasksApi(
    { ...lifecyclePortsFromEnv(), callback: makeWorkflowCallback(makeSfnClient()), publisher: makeEventPublisher(makeEventBridgeClient()) },
    makeTasksRepository(makeDocumentClient(), tableName()),
  ),
);
