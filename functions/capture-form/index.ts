import { activityPorts } from '../adapters/activities-repository';
import { makeDocumentClient } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { sourcesFromFunctionEnv } from '../adapters/source-registry';
import { httpHandler } from '../http/middleware';
import { logger } from '../http/observability';
import { makeFormHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('captureForm');
const table = env.need('table:read').TABLE_NAME;

// The seed plus the sources sales ops changed at run time, cached ten seconds per instance (source-registry.ts).
const sources = sourcesFromFunctionEnv(env);
const publisher = makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME);
const clock = { now: () => new Date() };
export const handler = httpHandler(
  makeFormHandler({
    capture: captureDepsFromEnv(env),
    sources,
    rejections: {
      publisher,
      clock,
      onError: (error) => logger.warn('rejection not announced', { error: error as Error }),
    },
    activities: activityPorts(makeDocumentClient(), table, {
      config: lifecyclePortsFromEnv(env).config,
      publisher,
      clock,
    }),
  }),
);
