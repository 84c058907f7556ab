import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { LeadflowError } from '../core/errors';
import { logger } from './observability';
import { type HttpResult, problem } from './responses';

type HttpEvent = APIGatewayProxyEventV2;

/** Turns every thrown error into problem+json. Unknown errors are logged and answered as a bare 500. */
const problemJson = (): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: (request) => {
    const { error } = request;
    if (!(error instanceof LeadflowError)) logger.error('unhandled error', { error: error as Error, path: request.event.rawPath });
    request.response = problem(error, request.event.rawPath);
  },
});

/** The house middleware stack for HTTP routes; error mapping last so it sees every failure. */
export const httpHandler = <E extends HttpEvent>(lambdaHandler: (event: E, context: Context) => Promise<HttpResult>) =>
  middy<E, HttpResult>()
    .use(problemJson() as unknown as middy.MiddlewareObj<E, HttpResult>)
    .handler(lambdaHandler);
