import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { LeadflowError } from '../core/errors';
import { checkPathIds } from './ids';
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

/** Path ids checked at the edge, for every route, before a handler or a store sees them. */
const pathIds = (): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  before: (request) => checkPathIds(request.event),
});

/** The house middleware stack for HTTP routes; error mapping first so it sees every failure, its own included. */
export const httpHandler = <E extends HttpEvent>(lambdaHandler: (event: E, context: Context) => Promise<HttpResult>) =>
  middy<E, HttpResult>()
    .use(problemJson() as unknown as middy.MiddlewareObj<E, HttpResult>)
    .use(pathIds() as unknown as middy.MiddlewareObj<E, HttpResult>)
    .handler(lambdaHandler);
