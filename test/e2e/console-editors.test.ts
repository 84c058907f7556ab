import type { Browser, Page } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { expectEventually } from '../support/expect';
import { signDevToken } from '../../local/dev-jwt';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ensureConsoleBuilt, expectAccessible, launchBrowser, screenshot, signedInPage } from '../support/browser';
import { postWebhookLead } from '../support/runtime';
import { horizontalOverflow, WIDTHS } from '../support/console-tour';

/**
 * The Sales ops forms that replaced the JSON editors (approval chains, scoring rules, opportunity
 * stages) and the lead form's custom fields and consent, in a real browser against the local runtime.
 */
const SAM = { user: 'sam', groups: ['salesops'] };
const MARIA = { user: 'maria', groups: ['manager'] };

const api = async <T>(
  rt: LocalRuntime,
  who: { user: string; groups: string[] },
  path: string,
  put?: unknown,
): Promise<T> => {
  const response = await fetch(`${rt.url}${path}`, {
    method: put === undefined ? 'GET' : 'PUT',
    headers: { authorization: `Bearer ${await signDevToken(who)}`, 'content-type': 'application/json' },
    body: put === undefined ? undefined : JSON.stringify(put),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
};

const save = (page: Page) => page.getByRole('button', { name: 'Validate and save' }).click();
const savedAs = (page: Page, version: number) =>
  page
    .getByRole('status')
    .filter({ hasText: `Saved as version ${version}.` })
    .waitFor();

type ConfigDoc<T> = { version: number; updatedBy: string; value: T };

describe('console configuration editors and lead extras', () => {
  let rt: LocalRuntime;
  let browser: Browser;
  const suffix = ulid().toLowerCase().slice(-8);

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([
      startLocalRuntime({
        port: 0,
        dynamodbEndpoint: testDynamoEndpoint(),
        tableName: `console-editors-${ulid().toLowerCase()}`,
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('edits an approval chain through the form, shows the API reason next to a bad timeout, saves a new version, and explains a stale save', async () => {
    const { context, page } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=approvals');
    const chain = page.locator('[data-chain-index="0"]');
    const firstStep = chain.locator('[data-step-index="0"]');
    await firstStep.getByLabel('Timeout amount').fill('0');

    await save(page);

    const timeoutError = page.locator('#chain-0-step-0-timeout-err');
    await timeoutError.waitFor();
    expect(await timeoutError.textContent()).toContain('whole number above zero');
    expect(await firstStep.getByLabel('Timeout amount').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);
    await screenshot(page, 'sales-ops-approvals-error');

    await firstStep.getByLabel('Timeout amount').fill('8');
    await firstStep.getByLabel('Timeout unit').selectOption('hours');
    await chain.getByRole('button', { name: 'Add a step to chain 1' }).click();
    const added = chain.locator('[data-step-index="1"]');
    await added.getByLabel('Step name').fill('finance');
    await added.getByLabel('Decided by').selectOption('user');
    await added.getByLabel('Approver').selectOption('carol');
    await added.getByLabel('Timeout amount').fill('2');
    await added.getByLabel('Timeout unit').selectOption('days');
    await chain.getByRole('button', { name: 'Move step 2 of chain 1 up' }).click();
    await chain.getByLabel('Country (ISO codes)').fill('DE, AT');
    await save(page);

    await savedAs(page, 1);
    expect(await page.getByTestId('config-version').textContent()).toContain('Version 1 · saved by sam');
    const doc = await api<
      ConfigDoc<{
        chains: {
          when: { country?: string[] };
          steps: { name: string; approver?: string; group?: string; timeout: string }[];
        }[];
      }>
    >(rt, SAM, '/config/approvals');
    expect(doc.version).toBe(1);
    expect(doc.value.chains[0]?.when.country).toEqual(['DE', 'AT']);
    expect(doc.value.chains[0]?.steps).toEqual([
      { name: 'finance', approver: 'carol', timeout: 'P2D' },
      { name: 'sales manager', group: 'manager', timeout: 'PT8H' },
    ]);
    await expectAccessible(page);
    await screenshot(page, 'sales-ops-approvals');

    // Someone else saves meanwhile: this form's next save is stale, says so, and offers the latest version.
    await api(rt, SAM, '/config/approvals', { version: 1, value: { chains: [] } });
    await chain.getByLabel('Minimum expected value').fill('75000');
    await save(page);
    const stale = page.getByRole('alert').filter({ hasText: 'Someone saved a newer version' });
    await stale.waitFor();
    await screenshot(page, 'sales-ops-approvals-stale');
    await stale.getByRole('button', { name: 'Load the latest version' }).click();
    await page.getByTestId('config-version').filter({ hasText: 'Version 2' }).waitFor();
    await page.getByText('No chains: every lead converts without approval.').waitFor();
    await context.close();
  });

  it('adds a scoring rule in the form whose words become a new lead score factor, beside the model card', async () => {
    const { context, page } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=scoring');
    await page
      .getByRole('complementary', { name: 'Scoring model card' })
      .getByRole('heading', { name: 'Model card' })
      .waitFor();
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const rule = page.locator('[data-scoring-rule]').last();
    await rule.getByLabel(/looks at$/).selectOption('sourceIn');
    await rule.getByLabel('Source ids').fill('campaign-demo');
    await rule.getByLabel(/points$/).fill('40');
    await rule.getByLabel(/shown as$/).fill('came from the demo campaign');

    await save(page);

    await savedAs(page, 1);
    await page.getByRole('complementary', { name: 'Scoring model card' }).getByText('points@1').first().waitFor();
    await expectAccessible(page);
    await screenshot(page, 'sales-ops-scoring');
    // Nothing has scored a lead in this runtime yet, so no function holds the old model in its short config cache.
    const { leadId } = await postWebhookLead(rt, { email: `sid-${suffix}@scored.example`, firstName: 'Sid' });
    type Scored = { scoreFactors?: { points: number; reason: string }[]; scoreModel?: string };
    await expectEventually(async () => (await api<Scored>(rt, SAM, `/leads/${leadId}`)).scoreModel, {
      timeout: 15_000,
    }).toBe('points@1');
    expect((await api<Scored>(rt, SAM, `/leads/${leadId}`)).scoreFactors).toContainEqual({
      points: 40,
      reason: 'came from the demo campaign',
    });
    await page.goto(`${rt.url}/#/leads/${leadId}`);
    await page.getByRole('list', { name: 'Top score factors' }).getByText('+40 came from the demo campaign').waitFor();
    await context.close();
  });

  it('edits the opportunity stage sets: a closed first stage is refused next to it, an added and reordered stage round-trips', async () => {
    const { context, page } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=opportunity-stages');
    const b2b = page.locator('[data-stage-set="B2B"]');
    await b2b.getByLabel('B2B Discovery ends the opportunity').selectOption('won');
    await save(page);
    const closedError = page.locator('#B2B-0-closed-err');
    await closedError.waitFor();
    expect(await closedError.textContent()).toContain('first stage must be open');
    await screenshot(page, 'sales-ops-opportunity-stages-error');
    await b2b.getByLabel('B2B Discovery ends the opportunity').selectOption('');

    await b2b.getByRole('button', { name: 'Add a B2B stage' }).click();
    await b2b.getByLabel('B2B stage 5 name').fill('Legal review');
    await b2b.getByLabel('B2B Legal review probability').fill('90');
    await b2b.getByRole('button', { name: 'Move B2B Legal review up' }).click();
    await page.locator('[data-stage-set="B2C"]').getByLabel('B2C Offer probability').fill('65');
    await save(page);

    await savedAs(page, 1);
    const doc = await api<
      ConfigDoc<{
        B2B: { name: string; probability: number; closed?: string }[];
        B2C: { name: string; probability: number }[];
      }>
    >(rt, SAM, '/config/opportunity-stages');
    expect(doc.value.B2B.map((s) => `${s.name}:${s.probability}`)).toEqual([
      'Discovery:10',
      'Solution:30',
      'Proposal:60',
      'Legal review:90',
      'Negotiation:80',
      'Closed Won:100',
      'Closed Lost:0',
    ]);
    expect(doc.value.B2C.find((s) => s.name === 'Offer')?.probability).toBe(65);
    await page.reload();
    expect(await page.locator('[data-stage-set="B2B"]').getByLabel('B2B stage 4 name').inputValue()).toBe(
      'Legal review',
    );
    await expectAccessible(page);
    await screenshot(page, 'sales-ops-opportunity-stages');
    await context.close();
  });

  it('edits a lead’s custom fields and consent, with the API reason next to a too-long value, and shows them after saving', async () => {
    const { leadId } = await postWebhookLead(rt, {
      email: `cf-${suffix}@custom.example`,
      firstName: 'Cleo',
      customFields: { budget: 'unknown' },
    });
    const { context, page } = await signedInPage(browser, rt.url, MARIA, `#/leads/${leadId}`);
    await page.getByRole('heading', { level: 1, name: /· Assigned/ }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit lead' });
    await form.getByLabel('Marketing opt-in').selectOption('yes');
    await form.getByRole('button', { name: 'Add a custom field' }).click();
    await form.getByLabel('Custom field 2 name').fill('industry');
    await form.getByLabel('Custom field 2 value').fill('x'.repeat(2001));

    await form.getByRole('button', { name: 'Save' }).click();

    const valueError = page.locator('#err-edit-custom-1');
    await valueError.waitFor();
    expect(await valueError.textContent()).toContain('2000');
    await expectAccessible(page);
    await screenshot(page, 'lead-edit-custom-fields-error');

    await form.getByLabel('Custom field 2 value').fill('Robotics');
    await form.getByRole('button', { name: 'Remove custom field budget' }).click();
    await form.getByRole('button', { name: 'Save' }).click();

    await form.waitFor({ state: 'detached' });
    await page.getByTestId('consent').filter({ hasText: 'opted in' }).waitFor();
    await page.getByText('Robotics', { exact: true }).waitFor();
    const lead = await api<{
      customFields?: Record<string, string>;
      consent?: { marketing: boolean; capturedAt?: string };
    }>(rt, MARIA, `/leads/${leadId}`);
    expect(lead.customFields).toEqual({ industry: 'Robotics' });
    expect(lead.consent?.marketing).toBe(true);
    expect(Date.parse(lead.consent?.capturedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    await page.getByRole('button', { name: 'Edit' }).click();
    expect(await form.getByLabel('Custom field 1 name').inputValue()).toBe('industry');
    expect(await form.getByLabel('Marketing opt-in').inputValue()).toBe('yes');
    await expectAccessible(page);
    await screenshot(page, 'lead-edit-custom-fields');
    await context.close();
  });

  it('adds a stage step with an outcome mapping, a qualify criterion and a nurture rule by keyboard and form; the config holds them; axe clean at both widths', async () => {
    const { context, page } = await signedInPage(browser, rt.url, SAM, '#/sales-ops?tab=stages');
    const assigned = page.locator('[data-stage="Assigned"]');
    const addStep = assigned.getByRole('button', { name: 'Add a step to Assigned' });
    await addStep.focus();
    await page.keyboard.press('Enter');
    const step = assigned.locator('[data-step-index="0"]');
    await step.getByLabel('Step name').focus();
    await page.keyboard.type('Discovery call');
    await page.keyboard.press('Tab');
    expect(await step.locator('select:focus').count()).toBe(1); // Kind follows the name in the tab order
    await step.getByLabel('Kind').selectOption('meeting');
    await step.getByLabel('Done by').selectOption('user');
    await step.getByLabel('Person').selectOption('carol');
    await step.getByLabel('Due after amount').fill('6');
    await step.getByLabel('Due after unit').selectOption('hours');
    await step.getByLabel('Required before the lead moves on').check();
    for (const outcome of ['meeting held', 'not interested', 'no answer']) {
      await step.getByLabel('New outcome').focus();
      await page.keyboard.type(outcome);
      await page.keyboard.press('Enter');
    }
    await step.getByRole('button', { name: 'Remove outcome no answer from step 1 of Assigned' }).click();
    await step.getByLabel('When “meeting held”').selectOption('qualify');
    await step.getByLabel('When “not interested”').selectOption('disqualify');
    await step.getByLabel('Disqualify reason for “not interested”').fill('no-interest');
    const qualify = assigned.locator('[data-criteria-action="qualify"]');
    await qualify.getByRole('button', { name: 'Add a condition before Qualify from Assigned' }).click();
    await qualify.getByRole('button', { name: 'Add a condition before Qualify from Assigned' }).click();
    const second = qualify.locator('[data-criterion-index="1"]');
    await second.getByRole('combobox', { name: 'Condition 2' }).selectOption('outcome');
    await second.getByLabel('ended with the outcome', { exact: true }).fill('meeting held');
    // Found by the reason it is described by: once that reason shows, it is part of the input's name.
    const field = qualify.locator('[aria-describedby="Assigned-qualify-criterion-0-field-err"]');
    await field.fill('company name');
    await save(page);
    // The API refuses the field path; its reason shows next to the input, and nothing is saved.
    const fieldError = page.locator('#Assigned-qualify-criterion-0-field-err');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('must be a lead field name');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await field.fill('company');
    await page.getByLabel(/^Quiet actions/).check();
    await save(page);

    await savedAs(page, 1);
    type Stages = ConfigDoc<{
      Assigned: { steps?: unknown[]; criteria?: Record<string, unknown[]> };
      MarketQualified: { steps?: unknown[] };
      quietActions?: boolean;
    }>;
    const stages = await api<Stages>(rt, SAM, '/config/stages');
    expect(stages.value.quietActions).toBe(true);
    expect(stages.value.Assigned.steps).toEqual([
      {
        name: 'Discovery call',
        kind: 'meeting',
        assignee: 'user',
        user: 'carol',
        due: 'PT6H',
        required: true,
        outcomes: ['meeting held', 'not interested'],
        actions: {
          'meeting held': { action: 'qualify' },
          'not interested': { action: 'disqualify', reason: 'no-interest' },
        },
      },
    ]);
    expect(stages.value.Assigned.criteria).toEqual({
      qualify: [{ field: 'company', present: true }, { outcome: 'meeting held' }],
    });
    expect(stages.value.MarketQualified.steps).toBeUndefined();
    await page.locator('[data-stage="Assigned"] [data-step-index="0"]').waitFor();
    for (const size of WIDTHS) {
      await page.setViewportSize({ width: size.width, height: size.height });
      expect(await horizontalOverflow(page)).toBe(0);
      await expectAccessible(page);
    }
    await screenshot(page, 'sales-ops-stage-steps');

    await page.goto(`${rt.url}/#/sales-ops?tab=nurture`);
    const addRule = page.getByRole('button', { name: 'Add a rule' });
    await addRule.focus();
    await page.keyboard.press('Enter');
    const rule = page.locator('[data-nurture-index="3"]');
    await rule.getByLabel('Disqualification reason').fill('no-interest');
    await rule.getByLabel('Recycle after amount').fill('30');
    await rule.getByLabel('Recycle after unit').selectOption('days');
    await rule.getByLabel('Wake on activity', { exact: false }).uncheck();
    await page.getByRole('button', { name: 'Remove rule 2' }).click(); // bad-timing
    await save(page);

    await savedAs(page, 1);
    const nurture = await api<ConfigDoc<{ rules: unknown[] }>>(rt, SAM, '/config/nurture');
    expect(nurture.value.rules).toEqual([
      { reason: 'no-budget', recycleAfter: 'P90D', onActivity: true },
      { convertToContact: true, recycleAfter: 'P180D', onActivity: true },
      { reason: 'no-interest', recycleAfter: 'P30D', onActivity: false },
    ]);
    for (const size of WIDTHS) {
      await page.setViewportSize({ width: size.width, height: size.height });
      expect(await horizontalOverflow(page)).toBe(0);
      await expectAccessible(page);
    }
    await screenshot(page, 'sales-ops-nurture');
    await context.close();

    // A manager reads the same steps but cannot change them.
    const manager = await signedInPage(browser, rt.url, MARIA, '#/sales-ops?tab=stages');
    await manager.page.getByTestId('read-only').waitFor();
    const readOnly = manager.page.locator('[data-stage="Assigned"] [data-step-index="0"]');
    expect(await readOnly.getByLabel('Step name').inputValue()).toBe('Discovery call');
    expect(await readOnly.getByLabel('Step name').isDisabled()).toBe(true);
    expect(await manager.page.getByRole('button', { name: 'Add a step to Assigned' }).count()).toBe(0);
    await manager.context.close();
  });
});
