import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Route, routeKey } from '../functions/routes';

export type MatchedRoute = { route: Route; pathParameters: Record<string, string> };

const compile = (path: string) =>
  new RegExp(
    `^${path
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\\?\{([A-Za-z0-9_]+)\\?\}/g, '(?<$1>[^/]+)')
      .replace(/\{([A-Za-z0-9_]+)\}/g, '(?<$1>[^/]+)')}$`,
  );

/** A path segment decoded; a broken escape (`%E0`, `%zz`) is passed on as sent, for the route's id check to refuse. */
const decodedSegment = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Matches like API Gateway: a literal segment beats a parameter. */
export const makeRouteMatcher = (routes: readonly Route[]) => {
  const compiled = routes
    .map((route) => ({
      route,
      regex: compile(route.path),
      literal: route.path.split('/').filter((s) => !s.startsWith('{')).length,
    }))
    .sort((a, b) => b.literal - a.literal);
  return (method: string, path: string): MatchedRoute | 'method-not-allowed' | undefined => {
    let pathMatched = false;
    for (const { route, regex } of compiled) {
      const m = regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const pathParameters = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodedSegment(v)]));
      return { route, pathParameters };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  };
};

const isUtf8 = (bytes: Buffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** The payload format 2.0 event API Gateway HTTP APIs hand to a Lambda integration. */
export const toApiGatewayEvent = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  matched: MatchedRoute,
  claims: Record<string, string> | undefined,
): APIGatewayProxyEventV2 => {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  // API Gateway passes text as is and anything that is not valid UTF-8 as base64.
  const text = isUtf8(body);
  const event = {
    version: '2.0',
    routeKey: routeKey(matched.route),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    cookies: cookies.length > 0 ? cookies : undefined,
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: Object.keys(matched.pathParameters).length > 0 ? matched.pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(matched.route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    body: body.length === 0 ? undefined : text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !text,
  };
  return event as unknown as APIGatewayProxyEventV2;
};
