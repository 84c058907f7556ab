import { activityPorts } from '../adapters/activities-repository';
import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { httpHandler } from '../http/middleware';
import { makeLeadActivitiesApi } from './handler';

export const handler = httpHandler(
  makeLeadActivitiesApi(activityPorts(makeDocumentClient(), tableName(), { config: lifecyclePortsFromEnv().config, publisher: makeEventPublisher(makeEventBridgeClient()) })),
);
