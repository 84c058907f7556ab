import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEventually } from '../support/expect';
import { CONSOLE_DIST, ensureConsoleBuilt, launchBrowser, screenshot } from '../support/browser';

/**
 * The deployed sign-in (Cognito hosted UI, authorization code + PKCE) without AWS: the test plays the
 * CloudFront origin (console/dist and runtime-config.json), an API without the local runtime's
 * /health mode, and the hosted UI's authorize and token endpoints (page.route). It checks what the
 * browser sends and that the answer signs the user in; Cognito itself is not exercised here.
 */
const ORIGIN = 'https://console.example';
const AUTH = 'https://leadflow.auth.example';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const fakeAccessToken = `${b64url({ alg: 'none' })}.${b64url({ username: 'dana', 'cognito:groups': ['manager'], token_use: 'access' })}.`;

describe('console sign-in on AWS', () => {
  let browser: Browser;
  beforeAll(async () => {
    await ensureConsoleBuilt();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('offers no development sign-in, and completes the hosted-UI code flow with PKCE', async () => {
    const context = await browser.newContext();
    const authorizeRequests: URL[] = [];
    let tokenForm: URLSearchParams | undefined;
    let apiAuthorization: string | undefined;
    await context.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/runtime-config.json')
        return route.fulfill({ json: { apiUrl: `${ORIGIN}/api`, cognito: { domain: AUTH, clientId: 'client-123' } } });
      if (url.pathname === '/api/health') return route.fulfill({ status: 404, json: { message: 'Not Found' } });
      if (url.pathname === '/api/leads') {
        apiAuthorization = route.request().headers().authorization;
        return route.fulfill({ json: { items: [] } });
      }
      // Other API reads of the signed-in shell (the people directory, …) are not this test's subject.
      if (url.pathname.startsWith('/api/')) return route.fulfill({ status: 404, json: { message: 'Not Found' } });
      const file = join(CONSOLE_DIST, url.pathname === '/' ? 'index.html' : url.pathname);
      return route.fulfill({
        body: readFileSync(file),
        contentType: TYPES[extname(file)] ?? 'application/octet-stream',
      });
    });
    await context.route(`${AUTH}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/oauth2/authorize') {
        authorizeRequests.push(url);
        // The hosted UI signs the user in and sends the browser back with a code and the same state.
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.search = new URLSearchParams({ code: 'code-xyz', state: url.searchParams.get('state') ?? '' }).toString();
        return route.fulfill({ status: 302, headers: { location: back.toString() } });
      }
      if (url.pathname === '/oauth2/token') {
        tokenForm = new URLSearchParams(route.request().postData() ?? '');
        return route.fulfill({
          json: { access_token: fakeAccessToken, id_token: 'unused', token_type: 'Bearer', expires_in: 3600 },
        });
      }
      return route.fulfill({ status: 404, body: '' });
    });
    const page = await context.newPage();
    await page.goto(`${ORIGIN}/#/inbox`);
    expect(await page.getByText('Local development only').count()).toBe(0);
    await screenshot(page, 'sign-in-cognito');

    await page.getByRole('button', { name: 'Sign in with your company account' }).click();

    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const authorize = authorizeRequests[0];
    expect(authorize?.searchParams.get('response_type')).toBe('code');
    expect(authorize?.searchParams.get('client_id')).toBe('client-123');
    expect(authorize?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize?.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenForm?.get('grant_type')).toBe('authorization_code');
    expect(tokenForm?.get('code')).toBe('code-xyz');
    expect(tokenForm?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      createHash('sha256')
        .update(tokenForm?.get('code_verifier') ?? '')
        .digest('base64url'),
    ).toBe(authorize?.searchParams.get('code_challenge'));
    expect(await page.locator('.who').textContent()).toContain('dana (manager)');
    await expectEventually(() => apiAuthorization).toBe(`Bearer ${fakeAccessToken}`);
    expect(new URL(page.url()).search).toBe('');
    await context.close();
  });
});
