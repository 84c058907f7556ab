import type { IncomingMessage, ServerResponse } from 'node:http';
import { FUNCTIONS, type FunctionName, ROUTES } from '../functions/routes';
import { makeRouteMatcher, toApiGatewayEvent } from './api-gateway-event';
import type { makeCors } from './cors';
import { verifyDevToken } from './dev-jwt';
import type { makeEngineAdmission } from './engine-admission';
import type { LocalFunctions } from './handlers';
import { sendJson, sendProblem } from './http-edge';

/** API Gateway's integration timeout: it answers 503 when a Lambda integration takes longer. */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

const FUNCTION_GRACE_MS = 1000;

type LambdaResult = {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
};

/** JWT authorizer claims as API Gateway passes them: strings, lists as "[a b]". */
const authorizerClaims = (claims: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));

class DeadlinePassed extends Error {}

const withDeadline = <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed()), ms);
  });
  return Promise.race([work, passed]).finally(() => clearTimeout(timer));
};

export type HttpGatewayOptions = {
  functions: LocalFunctions;
  cors: ReturnType<typeof makeCors>;
  admission: ReturnType<typeof makeEngineAdmission>;
  log: (line: string) => void;
  /** Overrides every function's deadline (tests). @default the function's timeoutSeconds, else 29 s */
  deadlineMs?: number;
};

/**
 * What API Gateway does in front of the functions: the routes of functions/routes.ts mapped to their
 * handlers with payload format 2.0 events, the JWT authorizer on every non-public route, and a deadline
 * per request. On AWS the function's timeout ends a stuck invocation; here the invocation cannot be
 * killed, so the caller gets `503` + `Retry-After` at the deadline and the work finishes unobserved.
 */
export const makeHttpGateway = ({ functions, cors, admission, log, deadlineMs }: HttpGatewayOptions) => {
  const matchRoute = makeRouteMatcher(ROUTES);
  const deadlineOf = (fn: FunctionName) =>
    deadlineMs ?? (FUNCTIONS[fn].timeoutSeconds ?? INTEGRATION_TIMEOUT_SECONDS) * 1000;

  /** Serves the request if a route matches it; false when none does. */
  return async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean> => {
    const matched = matchRoute(req.method ?? 'GET', url.pathname);
    if (matched === undefined || matched === 'method-not-allowed') return false;
    let claims: Record<string, string> | undefined;
    if (!matched.route.public) {
      // What the HTTP API JWT authorizer does: no valid bearer token, no invocation.
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      try {
        if (!token) throw new Error('no token');
        claims = authorizerClaims(await verifyDevToken(token));
      } catch {
        sendJson(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
        return true;
      }
    }
    const fn = matched.route.fn;
    const event = toApiGatewayEvent(req, url, body, matched, claims);
    const deadline = deadlineOf(fn);
    try {
      await functions.prepare(fn);
      // The function's own timeout (middy's, from the remaining time) falls just after the deadline: the
      // caller gets this 503, then the invocation is ended, as Lambda would end it.
      const result = (await admission.around(fn, () =>
        withDeadline(functions.invoke(fn, event, deadline + FUNCTION_GRACE_MS), deadline),
      )) as LambdaResult;
      const headers: Record<string, string | string[]> = cors.responseHeaders(req, { ...(result.headers ?? {}) });
      if (result.cookies?.length) headers['set-cookie'] = result.cookies;
      res.writeHead(result.statusCode ?? 200, headers);
      res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
    } catch (error) {
      if (error instanceof DeadlinePassed) {
        log(`handler ${fn} passed its ${deadline} ms deadline`);
        sendProblem(
          res,
          503,
          'timeout',
          'Service Unavailable',
          `the request did not complete within ${deadline} ms; it may be retried`,
          { 'retry-after': '5' },
        );
      } else {
        log(`handler ${fn} failed: ${(error as Error).stack}`);
        sendJson(res, 500, { message: 'Internal Server Error' });
      }
    }
    return true;
  };
};
