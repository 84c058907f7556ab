import type { Browser } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { expectEventually } from '../support/expect';
import { signDevToken } from '../../local/dev-jwt';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ensureConsoleBuilt, expectAccessible, launchBrowser, screenshot, signedInPage } from '../support/browser';
import { postWebhookLead } from '../support/runtime';

/** The lead page's field editing in a real browser against the local runtime. */
const MARIA = { user: 'maria', groups: ['manager'] };

describe('console lead editing', () => {
  let rt: LocalRuntime;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([
      startLocalRuntime({
        port: 0,
        dynamodbEndpoint: testDynamoEndpoint(),
        tableName: `console-edit-${ulid().toLowerCase()}`,
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('edits a field, shows the API field error next to an invalid email, and shows the saved value and new score', async () => {
    const { leadId } = await postWebhookLead(rt, { email: `pat-${ulid().toLowerCase()}@gmail.com`, firstName: 'Pat' });
    const { context, page } = await signedInPage(browser, rt.url, MARIA, `#/leads/${leadId}`);
    await page.getByRole('heading', { level: 1, name: /· Assigned/ }).waitFor({ timeout: 15_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text with its line breaks, which the match stops at
    const scoreLine = async () => (await page.locator('body').innerText()).match(/Score:[^\n]*/)?.[0];
    const scoreBefore = await scoreLine();
    expect(scoreBefore).toMatch(/Score: \d+/);

    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit lead' });
    await form.getByLabel('Email').fill('not-an-email');
    await form.getByRole('button', { name: 'Save' }).click();
    const emailError = page.locator('#err-edit-email');
    await emailError.waitFor();
    expect(await emailError.textContent()).not.toBe('');
    expect(await form.getByLabel('Email').getAttribute('aria-describedby')).toBe('err-edit-email');
    await expectAccessible(page);
    await screenshot(page, 'lead-edit-error');

    await form.getByLabel('Email').fill('pat@bigcorp.example');
    await form.getByLabel('Job title').fill('Chief Executive Officer');
    await form.getByLabel('Company').fill('BigCorp');
    await form.getByRole('button', { name: 'Save' }).click();

    await form.waitFor({ state: 'detached' });
    await page.getByText('pat@bigcorp.example', { exact: true }).waitFor();
    await page.getByText('Chief Executive Officer', { exact: true }).waitFor();
    await expectEventually(scoreLine, { timeout: 10_000 }).not.toBe(scoreBefore);
    expect(await scoreLine()).toMatch(/Score: \d+/);
    expect(await page.getByRole('list', { name: 'Top score factors' }).textContent()).toMatch(/./);
    await expectAccessible(page);
    await screenshot(page, 'lead-edited');
    await context.close();
  }, 60_000);

  it('logs a call on the lead: counted on the lead and shown in its feed', async () => {
    const { leadId } = await postWebhookLead(rt, { email: `cal-${ulid().toLowerCase()}@gmail.com`, firstName: 'Cal' });
    const { context, page } = await signedInPage(browser, rt.url, MARIA, `#/leads/${leadId}`);
    await page.getByRole('heading', { level: 1, name: /· Assigned/ }).waitFor({ timeout: 15_000 });
    const form = page.getByRole('form', { name: 'Log an activity' });
    await form.getByLabel('Activity').selectOption('call');
    await form.getByLabel('What happened').fill('spoke about pricing');
    await form.getByRole('button', { name: 'Log activity' }).click();
    await page.getByText('1 × call').waitFor({ timeout: 10_000 });
    await page
      .getByTestId('feed')
      .getByText(/spoke about pricing|call/)
      .first()
      .waitFor();
    const stored = await fetch(`${rt.url}/leads/${leadId}`, {
      headers: { authorization: `Bearer ${await signDevToken(MARIA)}` },
    });
    expect(((await stored.json()) as { behaviour?: Record<string, number> }).behaviour).toEqual({ call: 1 });
    await expectAccessible(page);
    await context.close();
  }, 60_000);

  it('offers no editing on a closed lead, and says why', async () => {
    const { leadId } = await postWebhookLead(rt, {
      email: `gone-${ulid().toLowerCase()}@gmail.com`,
      firstName: 'Gone',
    });
    const { context, page } = await signedInPage(browser, rt.url, MARIA, `#/leads/${leadId}`);
    await page.getByRole('heading', { level: 1, name: /· Assigned/ }).waitFor({ timeout: 15_000 });
    const disqualified = await fetch(`${rt.url}/leads/${leadId}/actions/disqualify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signDevToken(MARIA)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'no budget' }),
    });
    expect(disqualified.status).toBe(200);

    await page.getByRole('heading', { level: 1, name: /· Disqualified/ }).waitFor({ timeout: 15_000 });

    expect(await page.getByRole('button', { name: 'Edit' }).isDisabled()).toBe(true);
    expect(await page.locator('#why-edit').textContent()).toContain('can no longer be edited');
    await context.close();
  }, 60_000);
});
