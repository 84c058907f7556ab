import { makeDocumentClient } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeTasksRepository } from '../adapters/tasks-repository';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeCrmRepository } from '../adapters/crm-repository';
import { makeQuotesRepository } from '../adapters/quotes-repository';
import { makeQuoteTimers } from '../adapters/quote-timers';
import { readConfig } from '../core/config/config-document';
import { approvalsConfig } from '../core/lifecycle/approvals-config';
import { makeExecutionStarter, makeSfnClient, makeWorkflowCallback } from '../adapters/workflow-client';
import { makeEmfMetrics } from '../adapters/emf-metrics';
import { httpHandler } from '../http/middleware';
import { metrics } from '../http/observability';
import { makeApprovalTasksApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('approvalTasks');
const table = env.need('table:read').TABLE_NAME;

export const handler = httpHandler(
  makeApprovalTasksApi(
    {
      ...lifecyclePortsFromEnv(env),
      callback: makeWorkflowCallback(makeSfnClient()),
      // A parked lead holds no execution: an action (or a step outcome) on it starts a fresh one.
      executions: makeExecutionStarter(makeSfnClient(), env.need('workflow:start').STATE_MACHINE_ARN),
      publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    },
    makeTasksRepository(makeDocumentClient(), table),
    makeEmfMetrics(metrics),
    {
      quotes: makeQuotesRepository(makeDocumentClient(), table),
      crm: makeCrmRepository(makeDocumentClient(), table),
      tasks: makeTasksRepository(makeDocumentClient(), table),
      approvals: async () =>
        (await readConfig(makeConfigRepository(makeDocumentClient(), table), approvalsConfig)).value,
      publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
      clock: { now: () => new Date() },
      timers: makeQuoteTimers(makeSfnClient(), env.need('quotes:timer').QUOTE_TIMER_STATE_MACHINE_ARN),
    },
  ),
);
