import { activityPorts } from '../adapters/activities-repository';
import { makeDocumentClient } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { httpHandler } from '../http/middleware';
import { makeLeadActivitiesApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('leadActivities');
const table = env.need('table:read').TABLE_NAME;

export const handler = httpHandler(
  makeLeadActivitiesApi(
    activityPorts(makeDocumentClient(), table, {
      config: lifecyclePortsFromEnv(env).config,
      publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    }),
  ),
);
