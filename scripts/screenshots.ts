/**
 * Regenerates the console screenshots in docs/screenshots: every page at 390 × 844 (a phone) and
 * 1440 × 900 (a laptop), on a fresh local runtime (its own DynamoDB Local and table) seeded with leads
 * at every step. `npm run screenshots` builds the console and runs this (Debian's chromium: scripts/ensure-chromium.sh).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalRuntime } from '../local/runtime';
import { chromium } from 'playwright-core';
import {
  horizontalOverflow,
  overflowingElements,
  seedTour,
  sessionFor,
  tourPages,
  visit,
  WIDTHS,
} from '../test/support/console-tour';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');

// test/support/browser.ts is for jest; the same Chromium, launched here (`npm run screenshots` builds the console first).
const launchBrowser = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless'],
  });
const dataDir = join(import.meta.dirname, '..', '.leadflow', `screenshots-${process.pid}`);
const [rt, browser] = await Promise.all([
  startLocalRuntime({ port: 0, dataDir, tableName: 'screenshots' }),
  launchBrowser(),
]);
try {
  const seeded = await seedTour(rt);
  mkdirSync(OUT, { recursive: true });
  const sessions = new Map<string, Awaited<ReturnType<typeof sessionFor>>>();
  for (const stop of tourPages(seeded)) {
    const key = stop.who ? `${stop.who.user}|${stop.who.groups.join()}` : 'nobody';
    const context = sessions.get(key) ?? (await sessionFor(browser, rt.url, stop.who));
    sessions.set(key, context);
    const page = context.pages()[0] ?? (await context.newPage());
    await visit(page, rt.url, stop);
    for (const size of WIDTHS) {
      await page.setViewportSize({ width: size.width, height: size.height });
      const overflow = await horizontalOverflow(page);
      const file = join(OUT, `${stop.name}-${size.width}.png`);
      await page.screenshot({ path: file, fullPage: size.name === 'phone' });
      const wide = overflow
        ? ` (${overflow}px horizontal overflow: ${(await overflowingElements(page)).join(' ')})`
        : '';
      process.stdout.write(`${file}${wide}\n`);
    }
  }
} finally {
  await browser.close();
  await rt.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
