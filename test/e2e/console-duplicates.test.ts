import type { Browser } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { expectEventually } from '../support/expect';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ensureConsoleBuilt, expectAccessible, launchBrowser, screenshot, signedInPage } from '../support/browser';
import { client, postWebhookLead } from '../support/runtime';

/** Duplicates where reps work, in a real browser against the local runtime: inbox badge, lead panel, sales ops queue. */
const MARIA = { user: 'maria', groups: ['manager', 'salesops'] };

describe('console duplicates', () => {
  let rt: LocalRuntime;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([
      startLocalRuntime({
        port: 0,
        dynamodbEndpoint: testDynamoEndpoint(),
        tableName: `console-dups-${ulid().toLowerCase()}`,
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('Jonathan Smith, ACME Inc. shows as a possible duplicate of Jon Smith: badge, panel, queue; same owner by affinity', async () => {
    const jon = await postWebhookLead(rt, { firstName: 'Jon', lastName: 'Smith', email: 'jon@acme.example' });
    const owned = async (leadId: string) =>
      (await client(rt).request<{ owner?: string }>('GET', `/leads/${leadId}`, { as: ['maria', 'manager'] })).body
        .owner;
    await expectEventually(() => owned(jon.leadId), { timeout: 15_000 }).toEqual(expect.any(String));
    const jonathan = await postWebhookLead(rt, {
      firstName: 'Jonathan',
      lastName: 'Smith',
      company: 'ACME Inc.',
      phone: '+1 415 555 0100',
    });
    await expectEventually(() => owned(jonathan.leadId), { timeout: 15_000 }).toEqual(await owned(jon.leadId));
    const owner = await owned(jon.leadId);

    const { context, page } = await signedInPage(browser, rt.url, MARIA, `#/inbox?view=team&rep=${owner}`);
    const row = page.locator(`[data-lead-id="${jonathan.leadId}"]`);
    await row.getByText('Duplicate?').waitFor({ timeout: 15_000 });
    // The earlier lead of the pair learns the later one at capture, so both rows carry the badge.
    expect(await page.locator(`[data-lead-id="${jon.leadId}"]`).getByText('Duplicate?').count()).toBe(1);

    await page.goto(`${rt.url}/#/duplicates`);
    const set = page.locator(`[data-set-id="${jonathan.leadId}"]`);
    await set.waitFor({ timeout: 15_000 });
    const entry = set.locator(`[data-duplicate-id="${jon.leadId}"]`);
    expect(await entry.textContent()).toMatch(
      new RegExp(`Jon Smith — ${owner}, Assigned, \\d+ % \\(similar: name, company, email\\)`),
    );
    await expectAccessible(page);
    await screenshot(page, 'duplicates-queue');

    // The queue's link opens the lead, whose panel names the other one (keyboard: focus and Enter).
    await set.getByRole('link', { name: 'Jonathan Smith' }).focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('region', { name: /Possible duplicates/ });
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.getByRole('link', { name: 'Jon Smith' }).getAttribute('href')).toBe(`#/leads/${jon.leadId}`);
    await expectAccessible(page);
    await screenshot(page, 'lead-duplicates-panel');
    await context.close();
  }, 90_000);
});
