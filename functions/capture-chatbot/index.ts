import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeNotesRepository } from '../adapters/notes-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { logger } from '../http/observability';
import { makeChatbotHandler } from './handler';

const sources = sourcesFromEnv();
const clock = { now: () => new Date() };
export const handler = makeChatbotHandler({
  capture: captureDepsFromEnv(),
  sources: () => sources,
  notes: makeNotesRepository(makeDocumentClient(), tableName()),
  clock,
  rejections: { publisher: makeEventPublisher(makeEventBridgeClient()), clock, onError: (error) => logger.warn('rejection not announced', { error: error as Error }) },
});
