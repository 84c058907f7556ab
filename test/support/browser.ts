import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from '@jest/globals';

/**
 * Headless Chromium for the console tests: Debian's chromium driven by playwright-core (Playwright's
 * own browser download cannot run here), screenshots to test-artifacts/console, axe-core injected.
 */
const ROOT = join(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
const CONSOLE = join(ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE, 'dist');
const DIST_INDEX = join(CONSOLE_DIST, 'index.html');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

const newestMtime = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const path = join(dir, entry.name);
    return Math.max(max, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);

const consoleStale = () =>
  !existsSync(DIST_INDEX) ||
  statSync(DIST_INDEX).mtimeMs <
    Math.max(newestMtime(join(CONSOLE, 'src')), statSync(join(CONSOLE, 'index.html')).mtimeMs);

/** A lock across test workers: a directory is created atomically, so only one worker builds at a time. */
const BUILD_LOCK = join(CONSOLE, '.build-lock');
const LOCK_GIVEN_UP_MS = 180_000;

/**
 * Builds console/dist when it is missing or older than its sources, so the local server serves the
 * current app. Console test files run in parallel workers: one builds, the others wait for it.
 */
export const ensureConsoleBuilt = async (): Promise<void> => {
  for (;;) {
    if (!consoleStale()) return;
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // Another worker builds; a lock left by a killed run is taken over once it is old.
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > LOCK_GIVEN_UP_MS)
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!consoleStale()) return;
    // A child process: inside the test worker NODE_ENV is 'test', which would build the development variant.
    const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    await promisify(execFile)(
      process.execPath,
      [vite, 'build', '--config', join(CONSOLE, 'vite.config.ts'), '--logLevel', 'warn'],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
};

export type Person = { user: string; groups: string[] };

/** A separate browser session (own storage) signed in through the local development sign-in page. */
export const signedInPage = async (
  browser: Browser,
  baseUrl: string,
  person: Person,
  hash = '#/inbox',
): Promise<{ context: BrowserContext; page: Page }> => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/${hash}`);
  await page.getByLabel('User', { exact: true }).fill(person.user);
  for (const group of ['rep', 'manager', 'salesops']) {
    await page.getByRole('checkbox', { name: group, exact: true }).setChecked(person.groups.includes(group));
  }
  await page.getByRole('button', { name: 'Sign in (local)' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { context, page };
};

export const screenshot = async (page: Page, name: string): Promise<string> => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};

const axeSource = () => readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** Runs axe-core (WCAG 2 A/AA rules) in the page and answers the serious and critical violations. */
export const seriousA11yViolations = async (page: Page): Promise<AxeViolation[]> => {
  // These callbacks run in the page; the test project has no DOM types, so the page globals are typed here.
  type PageGlobals = {
    axe?: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> };
    document: unknown;
  };
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource() });
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals;
    if (!g.axe) throw new Error('axe-core did not load');
    const result = await g.axe.run(g.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
};

/** An axe-core scan of the page finds no serious or critical violation. */
export const expectAccessible = async (page: Page) => expect(await seriousA11yViolations(page)).toEqual([]);
