import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { LeadflowError } from '../core/errors';
import { checkPathIds } from './ids';
import { mapErrorStack } from './mapped-stack';
import { logger, metrics, tracer } from './observability';
import { type HttpResult, problem } from './responses';

type HttpEvent = APIGatewayProxyEventV2;

/** Turns every thrown error into problem+json. Unknown errors are logged and answered as a bare 500. */
const problemJson = (): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: (request) => {
    const { error } = request;
    if (!(error instanceof LeadflowError))
      logger.error('unhandled error', { error: error as Error, path: request.event.rawPath });
    request.response = problem(error, request.event.rawPath);
  },
});

/**
 * A failure's stack names the source files and lines (mapped from the bundle's source map on the
 * error path only; see mapped-stack.ts). Used last, so its onError runs first: before problemJson logs
 * the error, and before an event function's error reaches the Lambda runtime, which prints it.
 */
const mappedStacks = <E, R>(): middy.MiddlewareObj<E, R> => ({
  onError: (request) => mapErrorStack(request.error),
});

/** Path ids checked at the edge, for every route, before a handler or a store sees them. */
const pathIds = (): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  before: (request) => checkPathIds(request.event),
});

/**
 * Powertools, wired once for every function: the logger gets the invocation's context (never the
 * event, which may hold personal data), metrics are flushed after each invocation with a ColdStart
 * count, and the invocation is one X-Ray segment. Responses stay out of the trace: they hold leads.
 */
const observed = <E, R>(handler: middy.MiddyfiedHandler<E, R>) =>
  handler
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(tracer ? [captureLambdaHandler(tracer, { captureResponse: false })] : [])
    .use(logMetrics(metrics, { captureColdStartMetric: true }));

/** The house middleware stack for HTTP routes; error mapping first so it sees every failure, its own included. */
export const httpHandler = <E extends HttpEvent>(lambdaHandler: (event: E, context: Context) => Promise<HttpResult>) =>
  observed(middy<E, HttpResult>())
    .use(problemJson() as unknown as middy.MiddlewareObj<E, HttpResult>)
    .use(pathIds() as unknown as middy.MiddlewareObj<E, HttpResult>)
    .use(mappedStacks<E, HttpResult>())
    .handler(lambdaHandler);

/** The same stack for functions that are not HTTP routes: bus consumers, workflow steps, import steps, schedules. */
export const eventHandler = <E, R>(lambdaHandler: (event: E, context: Context) => Promise<R>) =>
  observed(middy<E, R>()).use(mappedStacks<E, R>()).handler(lambdaHandler);
