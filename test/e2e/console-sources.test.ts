import type { Browser } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signDevToken } from '../../local/dev-jwt';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ensureConsoleBuilt, launchBrowser, screenshot, seriousA11yViolations, signedInPage } from '../support/browser';

/** Sales ops' read-only sources page and the GET /sources API behind it, against the local runtime. */
const SAM = { user: 'sam', groups: ['salesops'] };

const get = async (rt: LocalRuntime, who: { user: string; groups: string[] }, path: string) => {
  const response = await fetch(`${rt.url}${path}`, { headers: { authorization: `Bearer ${await signDevToken(who)}` } });
  return { status: response.status, text: await response.text() };
};

describe('console sources page', () => {
  let rt: LocalRuntime;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([startLocalRuntime({ port: 0, dynamodbEndpoint: inject('dynamodbEndpoint'), tableName: `console-sources-${ulid().toLowerCase()}` }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('answers the sources to sales ops and managers without any secret, and refuses reps', async () => {
    const asRep = await get(rt, { user: 'alice', groups: ['rep'] }, '/sources');
    const asManager = await get(rt, { user: 'maria', groups: ['manager'] }, '/sources');
    const asOps = await get(rt, SAM, '/sources');

    expect(asRep.status).toBe(403);
    expect(asManager.status).toBe(200);
    expect(asOps.status).toBe(200);
    const items = (JSON.parse(asOps.text) as { items: { id: string; kind: string; form?: Record<string, unknown> }[] }).items;
    expect(items.map((s) => s.id)).toEqual(expect.arrayContaining(['campaign-demo', 'google-ads', 'contact-us', 'manual', 'import']));
    expect(items.find((s) => s.id === 'contact-us')?.form).toMatchObject({ honeypotField: 'website_url', fieldMapping: { full_company: 'company' }, redirectUrl: 'https://www.example.com/thanks' });
    const secrets = Object.values(rt.webhookSecrets).filter((s) => s.length > 0);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(asOps.text).not.toContain(secret);
    expect(asOps.text).not.toMatch(/secret|google_key/i);
  });

  it('lists each webhook URL, states where secrets are rotated, and offers a form snippet that captures a lead', async () => {
    const { context, page } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=sources');
    const table = page.getByRole('table', { name: 'Sources' });
    await table.waitFor();

    expect(await table.getByRole('row', { name: /campaign-demo/ }).textContent()).toContain(`${rt.url}/webhooks/campaign-demo`);
    const note = await page.getByRole('note').filter({ hasText: 'Secrets Manager' }).textContent();
    expect(note).toContain('Rotating a webhook secret');
    expect(note).toContain('never shown');
    const snippet = await page.getByLabel('HTML to paste into the website').inputValue();
    expect(snippet).toContain(`<form method="post" action="${rt.url}/forms/contact-us">`);
    expect(snippet).toContain('name="full_company"');
    expect(snippet).toMatch(/<div aria-hidden="true" style="[^"]*"><input name="website_url" tabindex="-1"/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'sales-ops-sources');
    await context.close();

    // The snippet's field names, posted as the browser would post the form, make a lead with the mapped company.
    const names = [...snippet.matchAll(/<input[^>]* name="([^"]+)"/g)].map((m) => m[1] ?? '');
    const email = `form-${ulid().toLowerCase()}@acme.example`;
    const values: Record<string, string> = { email, firstName: 'Fern', lastName: 'Form', phone: '+44 20 7946 0000', full_company: 'Acme Forms', interest: 'Widgets', website_url: '' };
    const body = new URLSearchParams(names.map((n): [string, string] => [n, values[n] ?? '']));
    const posted = await fetch(`${rt.url}/forms/contact-us`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: rt.url }, body });
    expect(posted.status).toBe(202);
    const { leadId } = (await posted.json()) as { leadId: string };
    const lead = JSON.parse((await get(rt, SAM, `/leads/${leadId}`)).text) as { email: string; company: string; productInterest: string };
    expect(lead).toMatchObject({ email, company: 'Acme Forms', productInterest: 'Widgets' });
  }, 60_000);
});
