import { captureDepsFromEnv } from '../adapters/capture-deps';
import { sourcesFromEnv } from '../adapters/source-registry';
import { httpHandler } from '../http/middleware';
import { makeFormHandler } from './handler';

const sources = sourcesFromEnv();
export const handler = httpHandler(makeFormHandler({ capture: captureDepsFromEnv(), sources: () => sources }));
