import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { NotFoundError } from '../core/errors';
import type { HttpResult } from './responses';

export type Route = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

/** One function can serve several routes; API Gateway tells it which in `routeKey`. */
export const routeBy =
  (routes: Record<string, Route>): Route =>
  async (event, context) => {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError('route', event.routeKey);
    return route(event, context);
  };
