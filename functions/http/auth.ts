import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, UnauthorizedError } from '../core/errors';

/** `privacy`: a data-protection officer, who may erase and export a person but not work leads. */
export const GROUPS = ['rep', 'manager', 'salesops', 'privacy'] as const;
export type Group = (typeof GROUPS)[number];
export type Caller = { userId: string; groups: Group[] };

type JwtClaims = Record<string, string | number | boolean | string[]>;

/** API Gateway renders list claims as "[a b]"; a JSON array may also arrive. Accept both. */
const parseGroups = (raw: unknown): Group[] => {
  const values = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];
  return values.filter((g): g is Group => (GROUPS as readonly string[]).includes(g));
};

/** The caller as the JWT authorizer (Cognito on AWS, the local server here) described them. */
export const callerOf = (event: APIGatewayProxyEventV2): Caller => {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: JwtClaims } };
  };
  const claims = context.authorizer?.jwt?.claims;
  const userId = claims?.['cognito:username'] ?? claims?.username ?? claims?.sub;
  if (!claims || typeof userId !== 'string' || userId.length === 0)
    throw new UnauthorizedError('a bearer token is required');
  return { userId, groups: parseGroups(claims['cognito:groups']) };
};

export { isManager } from '../core/lead-access';

export const requireGroup = (caller: Caller, ...groups: Group[]): void => {
  if (!groups.some((g) => caller.groups.includes(g)))
    throw new ForbiddenError(`this needs one of the groups: ${groups.join(', ')}`);
};
