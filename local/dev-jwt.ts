import { jwtVerify, SignJWT } from 'jose';

/**
 * Local-only tokens. The local server verifies them and passes the same claims a Cognito JWT
 * authorizer would (`cognito:username`, `cognito:groups`). Never accepted by the deployed API,
 * whose authorizer only trusts the user pool's keys.
 */
export const DEV_ISSUER = 'leadflow-local';
/** The one algorithm these tokens are signed with, and the only one accepted. */
const DEV_ALGORITHM = 'HS256';
const secret = () =>
  new TextEncoder().encode(process.env.LEADFLOW_LOCAL_JWT_SECRET ?? 'leadflow-local-development-only-secret');

export const signDevToken = async ({
  user,
  groups,
  ttlSeconds = 12 * 3600,
}: {
  user: string;
  groups: string[];
  ttlSeconds?: number;
}) =>
  new SignJWT({ 'cognito:username': user, 'cognito:groups': groups, token_use: 'access' })
    .setProtectedHeader({ alg: DEV_ALGORITHM })
    .setSubject(user)
    .setIssuer(DEV_ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secret());

export type DevClaims = { sub: string; 'cognito:username': string; 'cognito:groups': string[] };

/**
 * As strict as the deployed authorizer: exactly the signing algorithm (no other HS* with the same
 * secret, no `none`), this issuer, and an `exp` that is present and not past.
 */
export const verifyDevToken = async (token: string): Promise<DevClaims> => {
  const { payload } = await jwtVerify(token, secret(), {
    issuer: DEV_ISSUER,
    algorithms: [DEV_ALGORITHM],
    requiredClaims: ['exp'],
  });
  return payload as unknown as DevClaims;
};
