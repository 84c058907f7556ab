import { readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEventually } from '../support/expect';
import { ARTIFACTS, CONSOLE_DIST, ensureConsoleBuilt, launchBrowser, screenshot } from '../support/browser';

/**
 * The inbox with 1,000 leads. The API is answered by the test (page.route) because filling a real
 * table with a thousand workflows would take most of the time budget, and what is checked here is
 * only the browser side: the list stays virtualised and scrolls to the last lead. Frame timings are
 * recorded as figures (test-artifacts/console/inbox-scale.json), never asserted.
 */
const LEADS = 1000;
const STAGES = ['Assigned', 'MarketQualified', 'SalesQualified'];
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Frances',
  'Niklaus',
  'Radia',
  'John',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Thompson',
  'Allen',
  'Wirth',
  'Perlman',
  'Backus',
];
const COMPANIES = [
  'Analytical Engines',
  'Cobol Works',
  'Enigma Labs',
  'Semaphore BV',
  'Abstract Data',
  'TeX Press',
  'Apollo Guidance',
  'Unix Tools',
  'Optimising Co',
  'Pascal AG',
];

/** A lead in stage 2 of 3, entered between 0 and 5 hours ago against a 4-hour SLA: some ageing, some overdue. */
const syntheticLead = (i: number, now: number) => {
  const createdAt = new Date(now - i * 60_000).toISOString();
  const entered = new Date(now - ((i * 37) % 300) * 60_000).toISOString();
  return {
    id: `lead-${String(i).padStart(4, '0')}`,
    version: 1,
    stage: STAGES[i % 3],
    leadType: 'B2B',
    channel: 'WEBHOOK',
    sourceId: ['campaign-demo', 'google-ads', 'contact-us'][i % 3],
    createdAt,
    updatedAt: createdAt,
    stageEnteredAt: entered,
    stageDeadline: new Date(Date.parse(entered) + 4 * 3600_000).toISOString(),
    firstName: FIRST[i % FIRST.length],
    lastName: LAST[(i * 5) % LAST.length],
    company: COMPANIES[(i * 7) % COMPANIES.length],
    owner: 'alice',
    score: (i * 13) % 100,
    scoreBand: 'ABCD'[(i * 13) % 4],
    duplicates: [],
    duplicatePolicy: 'create',
  };
};

/** A browser context signed in as alice where the test answers the API with `items` and serves console/dist. */
const syntheticConsole = async (browser: Browser, items: unknown[]) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    sessionStorage.setItem('leadflow.token', 'synthetic');
    sessionStorage.setItem('leadflow.user', JSON.stringify({ user: 'alice', groups: ['rep'] }));
  });
  await context.route('http://console.test/**', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/health') return route.fulfill({ json: { status: 'ok', mode: 'local' } });
    if (url.pathname === '/leads') return route.fulfill({ json: { items } });
    if (url.pathname.startsWith('/leads/') || url.pathname.startsWith('/config/')) {
      return route.fulfill({
        status: 404,
        contentType: 'application/problem+json',
        json: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'not part of this test' },
      });
    }
    if (url.pathname === '/runtime-config.json') return route.fulfill({ status: 404, body: '' });
    const file = join(CONSOLE_DIST, url.pathname === '/' ? 'index.html' : url.pathname);
    return route.fulfill({ body: readFileSync(file), contentType: TYPES[extname(file)] ?? 'application/octet-stream' });
  });
  return context;
};

describe('console inbox at 1,000 leads', () => {
  let browser: Browser;
  beforeAll(async () => {
    await ensureConsoleBuilt();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps the list virtualised and scrolls to the last of 1,000 leads', async () => {
    const now = Date.now();
    const items = Array.from({ length: LEADS }, (_, i) => syntheticLead(i, now));
    const context = await syntheticConsole(browser, items);
    const page = await context.newPage();

    await page.goto('http://console.test/#/inbox');
    await page
      .getByTestId('inbox-count')
      .filter({ hasText: `${LEADS} leads` })
      .waitFor();
    const figures = await page.evaluate(async () => {
      const d = (
        globalThis as unknown as {
          document: {
            querySelector(
              s: string,
            ): { scrollTop: number; scrollHeight: number; querySelectorAll(s: string): { length: number } } | null;
          };
        }
      ).document;
      const list = d.querySelector('.lead-list');
      if (!list) throw new Error('no list');
      const raf = (globalThis as unknown as { requestAnimationFrame(cb: (t: number) => void): void })
        .requestAnimationFrame;
      const frame = () => new Promise<number>((resolve) => raf(resolve));
      const gaps: number[] = [];
      let maxRows = 0;
      let last = await frame();
      while (list.scrollTop + 900 < list.scrollHeight) {
        list.scrollTop += 400;
        const t = await frame();
        gaps.push(t - last);
        last = t;
        maxRows = Math.max(maxRows, list.querySelectorAll('li').length);
      }
      gaps.sort((a, b) => a - b);
      return {
        frames: gaps.length,
        medianFrameMs: gaps[Math.floor(gaps.length / 2)] ?? 0,
        p95FrameMs: gaps[Math.floor(gaps.length * 0.95)] ?? 0,
        maxRowsInDom: maxRows,
      };
    });

    writeFileSync(join(ARTIFACTS, 'inbox-scale.json'), JSON.stringify({ leads: LEADS, ...figures }, null, 2));
    expect(figures.maxRowsInDom).toBeLessThan(60);
    await page.locator('[data-lead-id="lead-0999"]').waitFor();
    await page.locator('.lead-list').evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.locator('[data-lead-id="lead-0000"]').waitFor();
    await screenshot(page, 'inbox-1000');
    await context.close();
  });

  it('moves between rows with the arrow keys and opens a lead with Enter', async () => {
    const items = Array.from({ length: LEADS }, (_, i) => syntheticLead(i, Date.now()));
    const context = await syntheticConsole(browser, items);
    const page = await context.newPage();
    await page.goto('http://console.test/#/inbox');
    await page.locator('[data-lead-id="lead-0000"]').focus();

    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowDown');
    await expectEventually(() =>
      page.evaluate(() =>
        (
          globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }
        ).document.activeElement?.getAttribute('data-lead-id'),
      ),
    ).toBe('lead-0012');
    await page.keyboard.press('Enter');

    await expectEventually(() => new URL(page.url()).hash).toBe('#/leads/lead-0012');
    await context.close();
  });
});
