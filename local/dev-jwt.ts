import { jwtVerify, SignJWT } from 'jose';

/**
 * Local-only tokens. The local server verifies them and passes the same claims a Cognito JWT
 * authorizer would (`cognito:username`, `cognito:groups`). Never accepted by the deployed API,
 * whose authorizer only trusts the user pool's keys.
 */
export const DEV_ISSUER = 'leadflow-local';
const secret = () => new TextEncoder().encode(process.env.LEADFLOW_LOCAL_JWT_SECRET ?? 'leadflow-local-development-only-secret');

export const signDevToken = async ({ user, groups, ttlSeconds = 12 * 3600 }: { user: string; groups: string[]; ttlSeconds?: number }) =>
  new SignJWT({ 'cognito:username': user, 'cognito:groups': groups, token_use: 'access' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuer(DEV_ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secret());

export type DevClaims = { sub: string; 'cognito:username': string; 'cognito:groups': string[] };

export const verifyDevToken = async (token: string): Promise<DevClaims> => {
  const { payload } = await jwtVerify(token, secret(), { issuer: DEV_ISSUER });
  return payload as unknown as DevClaims;
};
