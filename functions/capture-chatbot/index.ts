import { makeDocumentClient } from '../adapters/aws-clients';
import { captureDepsWithWake } from '../adapters/capture-deps';
import { lifecyclePortsFromEnv } from '../adapters/lifecycle-ports';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeNotesRepository } from '../adapters/notes-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { functionEnv } from '../env/function-env';
import { logger } from '../http/observability';
import { makeChatbotHandler } from './handler';

const env = functionEnv('captureChatbot');
const sources = sourcesFromEnv(env.house.LEADFLOW_SOURCES);
const clock = { now: () => new Date() };
export const handler = makeChatbotHandler({
  // An inbound capture of someone in nurture wakes their lead.
  capture: captureDepsWithWake(env, {
    config: lifecyclePortsFromEnv(env).config,
    publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
  }),
  sources: () => sources,
  notes: makeNotesRepository(makeDocumentClient(), env.need('table:read').TABLE_NAME),
  clock,
  rejections: {
    publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock,
    onError: (error) => logger.warn('rejection not announced', { error: error as Error }),
  },
});
