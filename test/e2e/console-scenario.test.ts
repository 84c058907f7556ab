import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { expectEventually } from '../support/expect';
import { signDevToken } from '../../local/dev-jwt';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import {
  ARTIFACTS,
  ensureConsoleBuilt,
  expectAccessible,
  launchBrowser,
  screenshot,
  signedInPage,
} from '../support/browser';
import { postWebhookLead } from '../support/runtime';

/**
 * The console's scenario in a real browser against the local runtime: a rep works a webhook lead
 * from the inbox, a racing session sees the 409 explained, a manager approves the conversion, sales
 * ops changes routing, an import rejects a bad row, and the dashboard shows the figures.
 */
const ALICE = { user: 'alice', groups: ['rep'] };
const MARIA = { user: 'maria', groups: ['manager'] };
const SAM = { user: 'sam', groups: ['salesops'] };

const api = async <T>(
  rt: LocalRuntime,
  who: { user: string; groups: string[] },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> => {
  const response = await fetch(`${rt.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await signDevToken(who)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
};

const stageHeading = (page: Page, label: string) =>
  page.getByRole('heading', { level: 1, name: new RegExp(`· ${label}`) }).waitFor({ timeout: 15_000 });

describe('console scenario', () => {
  let rt: LocalRuntime;
  let browser: Browser;
  let alicePage: Page;
  let leadId = '';
  const suffix = ulid().toLowerCase().slice(-8);

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([
      startLocalRuntime({
        port: 0,
        dynamodbEndpoint: testDynamoEndpoint(),
        tableName: `console-${ulid().toLowerCase()}`,
      }),
      launchBrowser(),
    ]);
    // Arrange through the API: the spring campaign goes to alice, so her inbox is where the lead lands.
    const routing = await api<{ version: number; value: { rules: unknown[]; fallbackQueue: string } }>(
      rt,
      SAM,
      'GET',
      '/config/routing',
    );
    const put = await api(rt, SAM, 'PUT', '/config/routing', {
      version: routing.json.version,
      value: {
        ...routing.json.value,
        rules: [
          { name: 'spring campaign', when: { campaign: ['spring'] }, assign: { rep: 'alice' } },
          ...routing.json.value.rules,
        ],
      },
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('offers the local-only development sign-in, clearly marked', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${rt.url}/`);

    expect(await page.getByRole('note').textContent()).toContain('Local development only');
    await screenshot(page, 'sign-in');
    await expectAccessible(page);
    await context.close();
  });

  it('loads at most 200 KB of compressed JavaScript for the signed-in inbox', async () => {
    const { page, context } = await signedInPage(browser, rt.url, ALICE, '#/inbox');
    const reads: Promise<[string, number]>[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('.js'))
        reads.push(response.body().then((body) => [response.url(), gzipSync(body, { level: 9 }).length]));
    });

    await page.reload();
    await page
      .getByTestId('inbox-count')
      .filter({ hasText: /\d+ leads?/ })
      .waitFor();

    const scripts = new Map(await Promise.all(reads));
    const total = [...scripts.values()].reduce((a, b) => a + b, 0);
    writeFileSync(
      join(ARTIFACTS, 'initial-load.json'),
      JSON.stringify({ gzipBytes: total, scripts: Object.fromEntries(scripts) }, null, 2),
    );
    expect(scripts.size).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(200 * 1024);
    await context.close();
  });

  it('shows a webhook lead in the rep’s inbox without a reload', async () => {
    ({ page: alicePage } = await signedInPage(browser, rt.url, ALICE, '#/inbox'));
    await alicePage
      .getByTestId('inbox-count')
      .filter({ hasText: /\d+ leads?/ })
      .waitFor();

    ({ leadId } = await postWebhookLead(rt, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: `ada.${suffix}@analytical.example`,
      company: 'Analytical Engines',
      country: 'GB',
      campaign: 'spring',
      leadType: 'B2B',
      expectedValue: 60_000,
    }));

    const row = alicePage.locator(`[data-lead-id="${leadId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('Ada Lovelace');
    await screenshot(alicePage, 'inbox');
    await expectAccessible(alicePage);
  });

  it('lets the rep qualify, and explains the 409 to a second session racing the handoff', async () => {
    await alicePage.locator(`[data-lead-id="${leadId}"]`).click();
    await stageHeading(alicePage, 'Assigned');
    await alicePage.getByRole('button', { name: 'Qualify', exact: true }).click();
    await stageHeading(alicePage, 'Market-qualified');
    await alicePage.getByRole('status').filter({ hasText: 'Qualify: the lead is now Market-qualified.' }).waitFor();
    const { page: mariaPage, context: mariaContext } = await signedInPage(browser, rt.url, MARIA, `#/leads/${leadId}`);
    await stageHeading(mariaPage, 'Market-qualified');
    const aliceHandoff = alicePage.getByRole('button', { name: 'Handoff to sales', exact: true });
    const mariaHandoff = mariaPage.getByRole('button', { name: 'Handoff to sales', exact: true });
    await Promise.all([aliceHandoff.waitFor(), mariaHandoff.waitFor()]);
    await expectEventually(() => Promise.all([aliceHandoff.isEnabled(), mariaHandoff.isEnabled()])).toEqual([
      true,
      true,
    ]);

    await Promise.all([aliceHandoff.click(), mariaHandoff.click()]);

    await Promise.all([stageHeading(alicePage, 'Sales-qualified'), stageHeading(mariaPage, 'Sales-qualified')]);
    await expectEventually(
      async () => (await alicePage.getByTestId('conflict').count()) + (await mariaPage.getByTestId('conflict').count()),
      { timeout: 10_000 },
    ).toBe(1);
    const aliceLost = (await alicePage.getByTestId('conflict').count()) === 1;
    const loser = aliceLost ? alicePage : mariaPage;
    // The conflict names the winner by their display name from the teams config's people.
    const winner = aliceLost ? 'Maria Martin' : 'Alice Adams';
    expect(await loser.getByTestId('conflict').textContent()).toMatch(
      new RegExp(`Someone else got there first.*Sales-qualified.*Latest change: handoff by ${winner}`),
    );
    await screenshot(loser, 'lead-conflict');
    await mariaContext.close();
  });

  it('lets a manager approve the conversion task, and the lead then shows its opportunity and feed', async () => {
    await alicePage.getByRole('button', { name: 'Convert', exact: true }).click();
    await alicePage.getByRole('status').filter({ hasText: 'the approval chain has started' }).waitFor();
    const { page: mariaPage, context } = await signedInPage(browser, rt.url, MARIA, '#/tasks');
    const task = mariaPage.locator(`[data-lead-id="${leadId}"]`);
    await task.waitFor({ timeout: 15_000 });
    await screenshot(mariaPage, 'tasks');
    await expectAccessible(mariaPage);

    await task.getByLabel('Comment').fill('Good fit, approved');
    await task.getByRole('button', { name: 'Approve' }).click();

    await task.waitFor({ state: 'detached', timeout: 15_000 });
    await stageHeading(alicePage, 'Converted');
    await alicePage.getByTestId('opportunity-link').waitFor({ timeout: 15_000 });
    await alicePage.getByLabel('Add a note').fill('Called Ada: keen on the enterprise plan');
    await alicePage.getByRole('button', { name: 'Add note' }).click();
    await alicePage.getByRole('button', { name: 'Follow', exact: true }).click();
    await alicePage.getByRole('button', { name: 'Unfollow' }).waitFor();
    const feed = alicePage.getByTestId('feed');
    await feed.filter({ hasText: 'Called Ada' }).waitFor();
    const text = await feed.textContent();
    expect(text).toContain('Called Ada: keen on the enterprise plan');
    expect(text).toContain('qualify');
    expect(text).toContain('handoff');
    await screenshot(alicePage, 'lead');
    await expectAccessible(alicePage);
    await alicePage.getByTestId('opportunity-link').click();
    await stageHeading(alicePage, 'Discovery');
    await alicePage.getByRole('button', { name: /^Solution/ }).click();
    await stageHeading(alicePage, 'Solution');
    await screenshot(alicePage, 'opportunity');
    await expectAccessible(alicePage);
    await alicePage.goBack();
    await stageHeading(alicePage, 'Converted');
    await context.close();
  });

  it('uploads an attachment from the lead page and lists it in the feed with a download', async () => {
    await alicePage
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'call-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('call notes') });

    // Wait for success or the page's error, so a failed upload fails fast and says why.
    const outcome = alicePage
      .getByRole('status')
      .filter({ hasText: 'call-notes.txt attached.' })
      .or(alicePage.getByRole('alert').filter({ hasText: /upload|attach|bytes|type|size/i }));
    await outcome.first().waitFor();
    expect(await outcome.first().textContent()).toContain('call-notes.txt attached.');
    const entry = alicePage.getByTestId('feed').getByRole('listitem').filter({ hasText: 'call-notes.txt' });
    await entry.waitFor();
    const download = alicePage.waitForEvent('download');
    await entry.getByRole('button', { name: 'Download' }).click();
    expect((await download).suggestedFilename()).toBe('call-notes.txt');
  });

  it('lets sales ops add a routing rule that the next lead follows', async () => {
    const { page, context } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=routing');
    const before = await page.getByTestId('config-version').textContent();
    await page.getByRole('button', { name: 'Add a rule at the top' }).click();
    const rule = page.locator('[data-rule-index="0"]');
    await rule.getByLabel('Name').fill('DACH to bob');
    await rule.getByLabel('Country (ISO codes)').fill('DE, AT, CH');
    await rule.getByLabel(/^Rep/).selectOption('bob');

    await page.getByRole('button', { name: 'Validate and save' }).click();

    await page
      .getByRole('status')
      .filter({ hasText: /Saved as version \d+/ })
      .waitFor();
    expect(await page.getByTestId('config-version').textContent()).not.toBe(before);
    await screenshot(page, 'sales-ops');
    await expectAccessible(page);
    const { leadId: dachLead } = await postWebhookLead(rt, {
      firstName: 'Greta',
      email: `greta.${suffix}@beispiel.example`,
      company: 'Beispiel GmbH',
      country: 'DE',
    });
    await expectEventually(
      async () => (await api<{ owner?: string }>(rt, MARIA, 'GET', `/leads/${dachLead}`)).json.owner,
      { timeout: 15_000 },
    ).toBe('bob');
    await page.goto(`${rt.url}/#/sales-ops?tab=teams`);
    await page.getByRole('checkbox', { name: 'carol available' }).uncheck();
    await page.getByRole('button', { name: 'Validate and save' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Saved as version 1\./ })
      .waitFor();
    const teams = await api<{ value: { teams: { members: { user: string; available: boolean }[] }[] } }>(
      rt,
      SAM,
      'GET',
      '/config/teams',
    );
    expect(teams.json.value.teams[0]?.members.find((m) => m.user === 'carol')?.available).toBe(false);
    await page.goto(`${rt.url}/#/sales-ops?tab=stages`);
    const assigned = page.locator('[data-stage="Assigned"]');
    await assigned.getByLabel('SLA amount').fill('');
    await page.getByRole('button', { name: 'Validate and save' }).click();
    await assigned.locator('.field-error').filter({ hasText: 'whole number above zero' }).waitFor();
    await screenshot(page, 'sales-ops-stages-error');
    for (const tab of ['teams', 'stages', 'approvals', 'subscriptions', 'model']) {
      await page.goto(`${rt.url}/#/sales-ops?tab=${tab}`);
      await page.locator('.loading').waitFor({ state: 'detached' });
      await screenshot(page, `sales-ops-${tab}`);
      await expectAccessible(page);
    }
    await context.close();
  });

  it('imports a file, and shows the rejected row with its reason', async () => {
    const { page, context } = await signedInPage(browser, rt.url, SAM, '#/import');
    const csv = [
      'First name,Last name,Email,Company,Country',
      `Ida,Import,ida.${suffix}@import.example,Importers Ltd,GB`,
      `Ivo,Import,ivo.${suffix}@import.example,Importers Ltd,GB`,
      'No,Contact,,Nowhere Inc,GB',
    ].join('\n');

    await page
      .getByLabel(/CSV or XLSX file/)
      .setInputFiles({ name: `leads-${suffix}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import 3 rows' }).click();

    await page
      .getByTestId('import-counts')
      .filter({ hasText: '3 of 3 rows · 2 created · 0 duplicates · 1 rejected' })
      .waitFor({ timeout: 20_000 });
    await page.getByTestId('rejected-file').waitFor();
    expect(await page.getByTestId('rejected-preview').textContent()).toContain('Nowhere Inc');
    await screenshot(page, 'import');
    await expectAccessible(page);
    await context.close();
  });

  it('imports an XLSX file read in the browser', async () => {
    const { page, context } = await signedInPage(browser, rt.url, SAM, '#/import');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Leads');
    sheet.addRows([
      ['Full name', 'E-mail', 'Company'],
      ['Xena Sheet', `xena.${suffix}@sheets.example`, 'Sheets Ltd'],
      ['Xavier Sheet', `xavier.${suffix}@sheets.example`, 'Sheets Ltd'],
    ]);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());

    await page.getByLabel(/CSV or XLSX file/).setInputFiles({
      name: `leads-${suffix}.xlsx`,
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer,
    });
    await page.getByRole('button', { name: 'Import 2 rows' }).click();

    await page
      .getByTestId('import-counts')
      .filter({ hasText: '2 of 2 rows · 2 created · 0 duplicates · 0 rejected' })
      .waitFor({ timeout: 20_000 });
    await context.close();
  });

  it('shows the new figures on the dashboard, with the range in the URL', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const { page, context } = await signedInPage(browser, rt.url, MARIA, `#/dashboard?from=${today}&to=${today}`);
    const funnel = page.getByTestId('chart-funnel');
    await funnel.waitFor({ timeout: 15_000 });
    await funnel.getByText('Figures').click();

    const created = funnel.getByRole('row', { name: /^New/ });
    await expectEventually(async () => Number((await created.textContent())?.replace(/\D/g, '')), {
      timeout: 15_000,
    }).toBeGreaterThanOrEqual(4);
    // A delivery the platform got wrong shows as a webhook reject, with its reason.
    await postWebhookLead(rt, { email: 'not-an-email' }, 'campaign-demo', 422);
    await page.reload();
    const quality = page.getByTestId('chart-quality');
    await quality.waitFor({ timeout: 15_000 });
    await quality.getByText('Figures').click();
    await expectEventually(async () => (await quality.getByRole('row', { name: /^WEBHOOK/ }).textContent()) ?? '', {
      timeout: 15_000,
    }).toMatch(/invalid/);
    await screenshot(page, 'dashboard');
    await expectAccessible(page);
    await context.close();
  });
});
