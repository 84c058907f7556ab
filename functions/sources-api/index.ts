import { sourcesFromEnv } from '../adapters/source-registry';
import { httpHandler } from '../http/middleware';
import { makeSourcesApi } from './handler';

export const handler = httpHandler(makeSourcesApi({ sources: sourcesFromEnv() }));
