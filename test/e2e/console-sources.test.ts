import type { Browser } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { command as webhookCommand } from '../../cli/commands/webhook';
import { signDevToken } from '../../local/dev-jwt';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ensureConsoleBuilt, launchBrowser, screenshot, seriousA11yViolations, signedInPage } from '../support/browser';
import { client, eventually } from '../support/runtime';

/** Sales ops' sources page and the API behind it (GET /sources, POST /sources/{id}/secret), against the local runtime. */
const SAM = { user: 'sam', groups: ['salesops'] };
/** A short grace window, so the test sees the previous secret stop working without a long wait. */
const GRACE_SECONDS = 8;

const get = async (rt: LocalRuntime, who: { user: string; groups: string[] }, path: string) => {
  const response = await fetch(`${rt.url}${path}`, { headers: { authorization: `Bearer ${await signDevToken(who)}` } });
  return { status: response.status, text: await response.text() };
};

describe('console sources page', () => {
  let rt: LocalRuntime;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([
      startLocalRuntime({
        port: 0,
        dynamodbEndpoint: testDynamoEndpoint(),
        tableName: `console-sources-${ulid().toLowerCase()}`,
        webhookSecretGraceSeconds: GRACE_SECONDS,
      }),
      launchBrowser(),
    ]);
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
    const items = (JSON.parse(asOps.text) as { items: { id: string; kind: string; form?: Record<string, unknown> }[] })
      .items;
    expect(items.map((s) => s.id)).toEqual(
      expect.arrayContaining(['campaign-demo', 'google-ads', 'contact-us', 'manual', 'import']),
    );
    expect(items.find((s) => s.id === 'contact-us')?.form).toMatchObject({
      honeypotField: 'website_url',
      fieldMapping: { full_company: 'company' },
      redirectUrl: 'https://www.example.com/thanks',
    });
    const secrets = Object.values(rt.webhookSecrets).filter((s) => s.length > 0);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(asOps.text).not.toContain(secret);
    expect(asOps.text).not.toMatch(/secret|google_key/i);
  });

  it('lists each webhook URL, states where secrets are rotated, and offers a form snippet that captures a lead', async () => {
    const { context, page } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=sources');
    const table = page.getByRole('table', { name: 'Sources' });
    await table.waitFor();

    expect(await table.getByRole('row', { name: /campaign-demo/ }).textContent()).toContain(
      `${rt.url}/webhooks/campaign-demo`,
    );
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
    const values: Record<string, string> = {
      email,
      firstName: 'Fern',
      lastName: 'Form',
      phone: '+44 20 7946 0000',
      full_company: 'Acme Forms',
      interest: 'Widgets',
      website_url: '',
    };
    const body = new URLSearchParams(names.map((n): [string, string] => [n, values[n] ?? '']));
    const posted = await fetch(`${rt.url}/forms/contact-us`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: rt.url },
      body,
    });
    expect(posted.status).toBe(202);
    const { leadId } = (await posted.json()) as { leadId: string };
    const lead = JSON.parse((await get(rt, SAM, `/leads/${leadId}`)).text) as {
      email: string;
      company: string;
      productInterest: string;
    };
    expect(lead).toMatchObject({ email, company: 'Acme Forms', productInterest: 'Widgets' });
  }, 60_000);

  it('rotates a webhook secret from the console: shown once, the new one accepted at once, the old one until the window ends', async () => {
    const api = client(rt);
    const old = rt.webhookSecrets['campaign-demo'] ?? '';
    const lead = () => ({ email: `rot-${ulid().toLowerCase()}@acme.example`, firstName: 'Rota' });
    // The capture function holds the old secret in its cache when the rotation happens.
    expect((await api.webhook('campaign-demo', lead(), { secret: old })).status).toBe(202);
    expect((await api.request('POST', '/sources/campaign-demo/secret', { as: ['maria', 'manager'] })).status).toBe(403);

    const { context, page } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=sources');
    const open = page.getByRole('button', { name: 'Rotate secret of campaign-demo' });
    await open.focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Rotate the secret of campaign-demo?' });
    await confirm.waitFor();
    expect(rt.webhookSecrets['campaign-demo']).toBe(old);
    // showModal() puts the focus on the first button, the confirmation: the keyboard alone rotates.
    expect(
      await confirm
        .getByRole('button', { name: 'Yes, rotate now' })
        .evaluate((b) => b === (b.ownerDocument as { activeElement: unknown }).activeElement),
    ).toBe(true);
    await page.keyboard.press('Enter');
    const shown = page.getByRole('dialog', { name: 'New secret of campaign-demo' });
    const field = shown.getByLabel('New signing secret of campaign-demo');
    await field.waitFor();
    const secret = await field.inputValue();

    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secret).not.toBe(old);
    expect(rt.webhookSecrets['campaign-demo']).toBe(secret);
    expect(await shown.getByRole('alert').textContent()).toContain('you will not see it again');
    expect(await shown.getByRole('button', { name: 'Copy the new secret of campaign-demo' }).isVisible()).toBe(true);
    expect(await shown.getByTestId('previous-valid').textContent()).toMatch(/keeps working for \d s/);
    // Within the window the platform may still sign with the old secret; the new one works at once (capture re-reads after a miss).
    expect((await api.webhook('campaign-demo', lead(), { secret: old })).status).toBe(202);
    await eventually(async () => (await api.webhook('campaign-demo', lead(), { secret })).status === 202, {
      timeoutMs: 10_000,
      everyMs: 500,
    });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'sales-ops-sources-rotated');

    await shown.getByRole('button', { name: 'Done, I have copied it' }).click();
    await shown.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(secret);
    // The row names the rotation (its countdown may already have ended with so short a window).
    expect(await page.getByRole('row', { name: /campaign-demo/ }).textContent()).toMatch(/rotated .+ by sam/);
    await context.close();

    // The CLI signs with the current secret: it reads it from the local runtime as the capture function does.
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await webhookCommand.parseAsync(['campaign-demo', JSON.stringify(lead()), '--api', rt.url], { from: 'user' });
      expect(String(out.mock.calls[0]?.[0])).toMatch(/^202 /);
    } finally {
      out.mockRestore();
    }

    // Never readable again: the list, the event and the audit name the rotation, not the secret.
    const list = await api.request<{ items: { id: string; rotation?: { by: string; previousValidUntil: string } }[] }>(
      'GET',
      '/sources',
      { as: ['sam', 'salesops'] },
    );
    const rotation = list.body.items.find((s) => s.id === 'campaign-demo')?.rotation;
    expect(rotation?.by).toBe('sam');
    expect(list.text).not.toContain(secret);
    const rotated = await api.events('WebhookSecretRotated');
    expect(rotated).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ sourceId: 'campaign-demo', rotatedBy: 'sam' }) }),
    ]);
    expect(JSON.stringify(rotated)).not.toContain(secret);
    await rt.bus.drain();
    expect((await api.request<unknown[]>('GET', '/_local/dlq')).body).toEqual([]);

    // When the window ends the old secret is refused, the new one still accepted.
    const until = Date.parse(rotation?.previousValidUntil ?? '');
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now() + 200)));
    const late = await api.webhook('campaign-demo', lead(), { secret: old });
    expect(late.status).toBe(401);
    expect((await api.webhook('campaign-demo', lead(), { secret })).status).toBe(202);
  }, 90_000);
  it('creates a webhook and a form source from the console, captures with them at once, and retires the form (410, history kept)', async () => {
    const api = client(rt);
    const { context, page } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=sources');
    await page.getByRole('table', { name: 'Sources' }).waitFor();

    // A webhook source: its secret is made by the stack's function and shown this once.
    await page.getByRole('button', { name: 'New source' }).click();
    const form = page.getByRole('form', { name: 'New source' });
    await form.getByLabel(/^Id/).fill('partner-y');
    await form.getByLabel('Name').fill('Partner Y');
    await form.getByLabel('Campaign').fill('spring-27');
    await form.getByRole('button', { name: 'Create source' }).click();
    const shown = page.getByTestId('new-source-secret');
    const secret = await shown.getByLabel('Signing secret of partner-y').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await shown.getByRole('button', { name: 'Copy the secret of partner-y' }).isVisible()).toBe(true);
    const email = `py-${ulid().toLowerCase()}@acme.example`;
    const captured = await api.webhook('partner-y', { email, firstName: 'Pia' }, { secret });
    expect(captured.text).toContain('leadId');
    expect(captured.status).toBe(202);
    await shown.getByRole('button', { name: 'Done, I have copied it' }).click();
    expect(await page.content()).not.toContain(secret);

    // A form source with a mapped field: its snippet is on the page and posts a lead.
    await page.getByRole('button', { name: 'New source' }).click();
    await form.getByLabel(/^Id/).fill('webinar-signup');
    await form.getByLabel('Kind').selectOption('form');
    await form.getByLabel('Hidden anti-bot field').fill('hp_url');
    await form.getByLabel(/^Field names of your form/).fill('org=company');
    await form.getByRole('button', { name: 'Create source' }).click();
    const snippet = await page.getByTestId('snippet-webinar-signup').inputValue();
    expect(snippet).toContain(`action="${rt.url}/forms/webinar-signup"`);
    expect(snippet).toContain('name="org"');
    // Each answer read to its end, so no socket is left open.
    // A filled honeypot is answered 202 and stored nowhere while the form takes posts: the polling below makes no leads.
    const post = async (bot = false) => {
      const res = await fetch(`${rt.url}/forms/webinar-signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          email: `web-${ulid().toLowerCase()}@acme.example`,
          org: 'Acme',
          hp_url: bot ? 'http://spam.example' : '',
        }),
      });
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    };
    expect((await post()).status).toBe(202);

    // Retire it: the row says so and loses its actions; captures are refused within the capture cache's ten seconds.
    await page.getByRole('button', { name: 'Retire webinar-signup' }).click();
    await page
      .getByRole('dialog', { name: 'Retire webinar-signup?' })
      .getByRole('button', { name: 'Yes, retire it' })
      .click();
    const row = page.getByTestId('source-webinar-signup');
    await row.getByText('retired').waitFor();
    expect(await row.getByRole('button').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'sales-ops-sources-runtime');
    await context.close();
    await eventually(async () => (await post(true)).status === 410, { timeoutMs: 15_000, everyMs: 500 });
    const refused = await post();
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(refused.text)).toMatchObject({ status: 410, type: 'https://leadflow.dev/problems/gone' });

    // Its history and the audit events stay; a manager reads the list but gets no buttons.
    const versions = await api.request<{ items: { version: number; change: string; updatedBy: string }[] }>(
      'GET',
      '/sources/webinar-signup/versions',
      { as: ['maria', 'manager'] },
    );
    expect(versions.body.items.map((v) => `${v.version}:${v.change}:${v.updatedBy}`)).toEqual([
      '2:retired:sam',
      '1:created:sam',
    ]);
    const changes = await api.events('SourceChanged');
    expect(changes.map((e) => `${e.detail.sourceId}:${e.detail.change}`)).toEqual([
      'partner-y:created',
      'webinar-signup:created',
      'webinar-signup:retired',
    ]);
    const asManager = await signedInPage(
      browser,
      rt.url,
      { user: 'maria', groups: ['manager'] },
      '#/sales-ops?tab=sources',
    );
    await asManager.page.getByRole('table', { name: 'Sources' }).waitFor();
    expect(await asManager.page.getByTestId('read-only').isVisible()).toBe(true);
    expect(await asManager.page.getByRole('button', { name: /New source|Edit |Retire / }).count()).toBe(0);
    await asManager.context.close();
  }, 90_000);
});
