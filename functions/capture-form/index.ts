import { activityPorts } from '../adapters/activities-repository';
import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { sourcesFromEnv } from '../adapters/source-registry';
import { httpHandler } from '../http/middleware';
import { logger } from '../http/observability';
import { makeFormHandler } from './handler';

const sources = sourcesFromEnv();
const publisher = makeEventPublisher(makeEventBridgeClient());
const clock = { now: () => new Date() };
export const handler = httpHandler(
  makeFormHandler({
    capture: captureDepsFromEnv(),
    sources: () => sources,
    rejections: { publisher, clock, onError: (error) => logger.warn('rejection not announced', { error: error as Error }) },
    activities: activityPorts(makeDocumentClient(), tableName(), { config: lifecyclePortsFromEnv().config, publisher, clock }),
  }),
);
