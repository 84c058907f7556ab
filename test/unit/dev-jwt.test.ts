import { SignJWT } from 'jose';
import { describe, expect, it } from '@jest/globals';
import { DEV_ISSUER, signDevToken, verifyDevToken } from '../../local/dev-jwt';

// The same secret the local authorizer uses: an attacker who knows it still cannot bend the rules below.
const secret = new TextEncoder().encode(
  process.env.LEADFLOW_LOCAL_JWT_SECRET ?? 'leadflow-local-development-only-secret',
);
const claims = { 'cognito:username': 'mallory', 'cognito:groups': ['salesops'], token_use: 'access' };
const forged = (alg: string, exp: string | null = '1h') => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg }).setSubject('mallory').setIssuer(DEV_ISSUER).setIssuedAt();
  return (exp ? jwt.setExpirationTime(exp) : jwt).sign(secret);
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the local authorizer (verifyDevToken)', () => {
  it('accepts the tokens it signs', async () => {
    expect((await verifyDevToken(await signDevToken({ user: 'alice', groups: ['rep'] })))['cognito:username']).toBe(
      'alice',
    );
  });

  it('refuses a token without exp', async () => {
    await expect(verifyDevToken(await forged('HS256', null))).rejects.toThrow(/"exp" claim/);
  });

  it.each(['HS384', 'HS512'])(
    'refuses a token signed with %s, another algorithm than the one it signs with',
    async (alg) => {
      await expect(verifyDevToken(await forged(alg))).rejects.toThrow(
        /"alg" \(Algorithm\) Header Parameter value not allowed/,
      );
    },
  );

  it('refuses an unsigned (alg none), an expired and a foreign-issuer token', async () => {
    await expect(
      verifyDevToken(`${b64({ alg: 'none' })}.${b64({ ...claims, iss: DEV_ISSUER, exp: 4102444800 })}.`),
    ).rejects.toThrow();
    await expect(verifyDevToken(await forged('HS256', '-1m'))).rejects.toThrow(/"exp" claim timestamp check failed/);
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('someone-else')
      .setExpirationTime('1h')
      .sign(secret);
    await expect(verifyDevToken(foreign)).rejects.toThrow(/"iss" claim/);
  });
});
