import { makeDocumentClient } from '../adapters/aws-clients';
import { captureDepsWithWake } from '../adapters/capture-deps';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeNotesRepository } from '../adapters/notes-repository';
import { sourcesFromFunctionEnv } from '../adapters/source-registry';
import { functionEnv } from '../env/function-env';
import { logger } from '../http/observability';
import { makeChatbotHandler } from './handler';

const env = functionEnv('captureChatbot');
// The seed plus the sources sales ops changed at run time, cached ten seconds per instance (source-registry.ts).
const sources = sourcesFromFunctionEnv(env);
const clock = { now: () => new Date() };
const publisher = makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME);
export const handler = makeChatbotHandler({
  // An inbound capture of someone in nurture wakes their lead.
  capture: captureDepsWithWake(env, publisher),
  sources,
  notes: makeNotesRepository(makeDocumentClient(), env.need('table:read').TABLE_NAME),
  clock,
  rejections: {
    publisher,
    clock,
    onError: (error) => logger.warn('rejection not announced', { error: error as Error }),
  },
});
