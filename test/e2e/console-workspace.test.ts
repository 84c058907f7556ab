import type { Browser, BrowserContext } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ensureConsoleBuilt, launchBrowser, screenshot, seriousA11yViolations } from '../support/browser';
import {
  callApi,
  horizontalOverflow,
  overflowingElements,
  MARIA,
  type Person,
  readLead,
  type Seeded,
  seedTour,
  sessionFor,
  tourPages,
  visit,
  WIDTHS,
} from '../support/console-tour';

/**
 * The rep's workspace in a real browser: the stage path and one primary action on the lead page,
 * names instead of ids, a bulk action with its result per lead, role-aware navigation, and every
 * page at 390 and 1440 px wide with axe clean and no horizontal scroll. One runtime, one browser.
 */
describe('console workspace', () => {
  let rt: LocalRuntime;
  let browser: Browser;
  let seeded: Seeded;
  const contexts = new Map<string, BrowserContext>();
  const pageAs = async (who: Person | null) => {
    const key = who ? `${who.user}|${who.groups.join()}` : 'nobody';
    let context = contexts.get(key);
    if (!context) {
      context = await sessionFor(browser, rt.url, who);
      contexts.set(key, context);
    }
    return context.pages()[0] ?? context.newPage();
  };

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([
      startLocalRuntime({
        port: 0,
        dynamodbEndpoint: testDynamoEndpoint(),
        tableName: `console-workspace-${ulid().toLowerCase()}`,
      }),
      launchBrowser(),
    ]);
    seeded = await seedTour(rt);
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('shows the stage path with time in each stage, the pending approval, names and contact links on the lead page', async () => {
    const page = await pageAs(MARIA);
    await visit(page, rt.url, { name: 'lead', who: MARIA, hash: `#/leads/${seeded.converted.lead}` });
    const path = page.getByTestId('stage-path');
    const steps = await path
      .getByRole('listitem')
      .evaluateAll((items) => items.map((li) => [li.getAttribute('data-stage'), li.className, li.textContent]));
    expect(steps.map(([stage]) => stage)).toEqual([
      'Creation',
      'Assigned',
      'MarketQualified',
      'SalesQualified',
      'Converted',
    ]);
    expect(steps.slice(0, 4).every(([, cls]) => String(cls).includes('done'))).toBe(true);
    expect(String(steps[4]?.[1])).toContain('current');
    // Each stage walked through says how long the lead spent there (seconds in this run).
    for (const [, , text] of steps.slice(1, 4)) expect(text).toMatch(/\d+s|\d+m/);
    // The converted lead names its opportunity, account and contact, and its owner by name.
    await page.getByTestId('opportunity-link').filter({ hasNotText: '…' }).waitFor();
    expect(await page.getByTestId('opportunity-link').textContent()).not.toBe(seeded.converted.opportunity);
    for (const [kind, id] of [
      ['accounts', seeded.converted.account],
      ['contacts', seeded.converted.contact],
    ] as const) {
      const link = page.locator(`a[href="#/${kind}/${id}"]`);
      await link.filter({ hasNotText: '…' }).waitFor();
      expect(await link.textContent()).not.toBe(id);
    }
    expect(await page.locator(`a[href="#/contacts/${seeded.converted.contact}"]`).textContent()).toBe('Grace Hopper');
    const fields = await page.locator('dl.fields').first().textContent();
    expect(fields).toMatch(/Owner(Alice Adams|Bob Brown|Carol Clark) · Inside sales/);
    expect(await page.getByRole('link', { name: /^grace\./ }).getAttribute('href')).toMatch(/^mailto:grace\./);
    expect(await page.getByRole('link', { name: '+442079460011' }).getAttribute('href')).toBe('tel:+442079460011');

    // The lead waiting on approval says on whom, and offers no primary action meanwhile.
    await visit(page, rt.url, { name: 'lead', who: MARIA, hash: `#/leads/${seeded.pending}` });
    await page.getByRole('status').filter({ hasText: 'Waiting on approval' }).waitFor();
    expect(await page.locator('[data-primary]').count()).toBe(0);
    await screenshot(page, 'workspace-lead-pending');

    // A freshly assigned lead has exactly one primary action: qualify; the rest are secondary.
    await visit(page, rt.url, { name: 'lead', who: MARIA, hash: `#/leads/${seeded.fresh[0]}` });
    const primary = page.locator('button[data-primary]');
    await primary.waitFor();
    expect(await primary.count()).toBe(1);
    expect(await primary.textContent()).toBe('Qualify');
  });

  it('assigns a selection from the team inbox to one rep and shows the result per lead, refusals included', async () => {
    const [first, second, third] = seeded.fresh as [string, string, string];
    // One of the three already belongs to carol: that one is refused, the others are assigned.
    const before = await readLead(rt, first);
    if (before.owner !== 'carol')
      expect((await callApi(rt, MARIA, 'POST', `/leads/${first}/actions/distribute`, { owner: 'carol' })).status).toBe(
        200,
      );
    // Routing (round-robin, owner affinity) may have given carol another of them: that one goes to alice first.
    for (const id of [second, third])
      if ((await readLead(rt, id)).owner === 'carol')
        expect((await callApi(rt, MARIA, 'POST', `/leads/${id}/actions/distribute`, { owner: 'alice' })).status).toBe(
          200,
        );
    const page = await pageAs(MARIA);
    await visit(page, rt.url, { name: 'inbox', who: MARIA, hash: '#/inbox?view=team' });
    for (const id of [first, second, third]) {
      const row = page.locator(`li:has(a[data-lead-id="${id}"])`);
      await row.waitFor();
      await row.getByRole('checkbox').check();
    }
    const bar = page.getByRole('form', { name: 'Bulk actions' });
    await bar.getByText('3 selected').waitFor();
    await bar.getByLabel('Assign to', { exact: true }).selectOption('carol');
    await bar.getByRole('button', { name: 'Apply to 3' }).click();

    const results = page.getByTestId('bulk-results');
    await results.getByText('Assign: 2 of 3 done').waitFor();
    expect(await results.locator(`li[data-lead-id="${first}"]`).textContent()).toContain('already belongs to carol');
    for (const id of [second, third]) {
      expect(await results.locator(`li[data-lead-id="${id}"]`).textContent()).toContain('assigned to Carol Clark');
      expect((await readLead(rt, id)).owner).toBe('carol');
    }
    await screenshot(page, 'workspace-bulk-assign');

    // A rep may take a lead themselves but not give their lead to someone else.
    const carol = { user: 'carol', groups: ['rep'] };
    const giveAway = await callApi(rt, carol, 'POST', `/leads/${second}/actions/distribute`, { owner: 'bob' });
    expect(giveAway.status).toBe(403);
    expect(giveAway.body.detail).toBe('only a manager may assign a lead to someone else');
    expect((await readLead(rt, second)).owner).toBe('carol');
  });

  it('applies a bulk action to a selection on the Leads list too, with the result per lead', async () => {
    const page = await pageAs(MARIA);
    await visit(page, rt.url, { name: 'leads-list', who: MARIA, hash: '#/list' });
    await page.getByTestId('list-count').filter({ hasNotText: 'Loading' }).waitFor();
    const ids = [seeded.pending, seeded.converted.lead];
    for (const id of ids) await page.locator(`tr[data-lead-id="${id}"]`).getByRole('checkbox').check();
    const bar = page.getByRole('form', { name: 'Bulk actions' });
    await bar.getByText('2 selected').waitFor();
    await bar.getByLabel('Action').selectOption('follow');
    await bar.getByRole('button', { name: 'Apply to 2' }).click();
    const results = page.getByTestId('bulk-results');
    await results.getByText('Follow: 2 of 2 done').waitFor();
    for (const id of ids) {
      expect(await results.locator(`li[data-lead-id="${id}"]`).textContent()).toContain('followed');
      const lead = (await callApi(rt, MARIA, 'GET', `/leads/${id}`)).body as { followers?: string[] };
      expect(lead.followers).toContain('maria');
    }
    // The selection is cleared once applied; the merge link appears for two or more.
    expect(await page.locator('tr[data-lead-id] input:checked').count()).toBe(0);
  });

  it('shows a rep only the pages they can use, and their own dashboard without a 403', async () => {
    const page = await pageAs(seeded.rep);
    await visit(page, rt.url, { name: 'dashboard', who: seeded.rep, hash: '#/dashboard' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Inbox',
      'Leads',
      'Tasks',
      'Import',
      'My dashboard',
    ]);
    await page.getByRole('heading', { name: 'My dashboard' }).waitFor();
    await page.getByTestId('chart-funnel').waitFor();
    expect(await page.locator('.problem').count()).toBe(0);
  });

  it('shows every page at 390 and 1440 px wide without horizontal scroll and without serious axe findings', async () => {
    const findings: string[] = [];
    for (const stop of tourPages(seeded)) {
      const page = await pageAs(stop.who);
      await visit(page, rt.url, stop);
      for (const size of WIDTHS) {
        await page.setViewportSize({ width: size.width, height: size.height });
        const overflow = await horizontalOverflow(page);
        if (overflow > 0)
          findings.push(
            `${stop.name} @${size.width}: ${overflow}px wider than the window (${(await overflowingElements(page)).join(' > ')})`,
          );
        for (const v of await seriousA11yViolations(page))
          findings.push(
            `${stop.name} @${size.width}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
        if (await page.locator('.problem').count())
          findings.push(`${stop.name} @${size.width}: ${await page.locator('.problem').first().textContent()}`);
      }
      await page.setViewportSize({ width: WIDTHS[1].width, height: WIDTHS[1].height });
    }
    expect(findings).toEqual([]);
  });
});
