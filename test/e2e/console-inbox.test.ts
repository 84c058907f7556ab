import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { ulid } from 'ulid';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ensureConsoleBuilt, launchBrowser, screenshot, seriousA11yViolations, signedInPage } from '../support/browser';

/** Posts one canonical lead to a webhook source, signed as the campaign platform would sign it. */
const postWebhookLead = async (rt: LocalRuntime, lead: Record<string, unknown>, sourceId = 'campaign-demo') => {
  const id = `msg_${ulid()}`;
  const body = JSON.stringify(lead);
  const secret = rt.webhookSecrets[sourceId] ?? '';
  const signature = new Webhook(secret).sign(id, new Date(), body);
  const response = await fetch(`${rt.url}/webhooks/${sourceId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signature },
    body,
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { leadId: string };
};

describe('console inbox', () => {
  let rt: LocalRuntime;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([startLocalRuntime({ port: 0, dynamodbEndpoint: inject('dynamodbEndpoint'), tableName: `console-${ulid().toLowerCase()}` }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('offers the local-only sign-in, clearly marked, and passes the accessibility scan', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${rt.url}/`);

    expect(await page.getByRole('note').textContent()).toContain('Local development only');
    await screenshot(page, 'sign-in');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('shows a webhook lead in the inbox without a reload', async () => {
    const { page, context } = await signedInPage(browser, rt.url, { user: 'alice', groups: ['rep'] }, '#/inbox?view=unassigned');
    await page.getByText(/\d+ leads?/).waitFor();

    const { leadId } = await postWebhookLead(rt, { firstName: 'Ada', lastName: 'Lovelace', email: `ada.${ulid().toLowerCase()}@analytical.example`, company: 'Analytical Engines', country: 'GB' });

    const row = page.locator(`[data-lead-id="${leadId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect(row.textContent()).resolves.toContain('Ada Lovelace');
    await screenshot(page, 'inbox');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
