import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeTasksRepository } from '../adapters/tasks-repository';
import { makeSfnClient, makeWorkflowCallback } from '../adapters/workflow-client';
import { makeEmfMetrics } from '../adapters/emf-metrics';
import { httpHandler } from '../http/middleware';
import { metrics } from '../http/observability';
import { makeApprovalTasksApi } from './handler';

export const handler = httpHandler(
  makeApprovalTasksApi(
    { ...lifecyclePortsFromEnv(), callback: makeWorkflowCallback(makeSfnClient()), publisher: makeEventPublisher(makeEventBridgeClient()) },
    makeTasksRepository(makeDocumentClient(), tableName()),
    makeEmfMetrics(metrics),
  ),
);
