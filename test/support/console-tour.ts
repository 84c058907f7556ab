import { ulid } from 'ulid';
import { Webhook } from 'standardwebhooks';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signDevToken } from '../../local/dev-jwt';
import type { LocalRuntime } from '../../local/runtime';

/**
 * A walk over every console page, shared by the workspace browser test (axe and overflow at both
 * widths) and `scripts/screenshots.ts` (the pictures in docs/screenshots). No jest here, so the
 * script can run it outside the test runner.
 */
export const WIDTHS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1440, height: 900 },
] as const;

export type Person = { user: string; groups: string[] };
export const MARIA: Person = { user: 'maria', groups: ['manager'] };
export const SAM: Person = { user: 'sam', groups: ['salesops'] };

type Answer = { status: number; body: Record<string, unknown> };

export const callApi = async (rt: LocalRuntime, who: Person, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${rt.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await signDevToken(who)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} } as Answer;
};

const webhookLead = async (rt: LocalRuntime, lead: Record<string, unknown>): Promise<string> => {
  const id = `msg_${ulid()}`;
  const at = new Date();
  const body = JSON.stringify(lead);
  const response = await fetch(`${rt.url}/webhooks/campaign-demo`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(rt.webhookSecrets['campaign-demo'] as string).sign(id, at, body),
    },
    body,
  });
  if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { leadId: string }).leadId;
};

/** Polls until `read` answers something (or gives up after `ms`). */
const until = async <T>(read: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
};

export const readLead = async (rt: LocalRuntime, id: string) =>
  (await callApi(rt, MARIA, 'GET', `/leads/${id}`)).body as {
    id: string;
    stage: string;
    owner?: string;
    opportunityId?: string;
    accountId?: string;
    contactId?: string;
  };

/** A manager's action on a lead, retried while the lead is still moving between two waits. */
export const act = async (rt: LocalRuntime, id: string, action: string, body: Record<string, unknown> = {}) =>
  until(async () => {
    const r = await callApi(rt, MARIA, 'POST', `/leads/${id}/actions/${action}`, body);
    if (r.status === 200) return r;
    if (r.status !== 409) throw new Error(`${action} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return undefined;
  }, `${action} on ${id}`);

export type Seeded = {
  /** Waiting on a manager's approval (a large B2B deal). */
  pending: string;
  /** Converted, with its opportunity, account and contact. */
  converted: { lead: string; opportunity: string; account: string; contact: string };
  /** Freshly assigned, for bulk actions. */
  fresh: string[];
  /** The rep who owns the lead waiting on approval. */
  rep: Person;
  /** A saved view, shared with the manager's team. */
  view: string;
};

/** Leads at every step of the walk: assigned, waiting on approval, and converted. */
export const seedTour = async (rt: LocalRuntime): Promise<Seeded> => {
  const tag = ulid().toLowerCase().slice(-6);
  let n = 10;
  const person = (first: string, last: string, extra: Record<string, unknown> = {}) => ({
    firstName: first,
    lastName: last,
    email: `${first.toLowerCase()}.${tag}@${last.toLowerCase()}-example.com`,
    phone: `+44 20 7946 00${n++}`,
    company: `${last} Ltd`,
    ...extra,
  });
  const [pending, converted, ...fresh] = await Promise.all([
    webhookLead(rt, person('Ada', 'Lovelace', { expectedValue: 80_000, country: 'GB' })),
    webhookLead(rt, person('Grace', 'Hopper', { expectedValue: 5_000, country: 'US' })),
    webhookLead(rt, person('Alan', 'Turing')),
    webhookLead(rt, person('Edsger', 'Dijkstra')),
    webhookLead(rt, person('Barbara', 'Liskov')),
  ]);
  await Promise.all(
    [pending, converted].map(async (id) => {
      for (const action of ['qualify', 'handoff', 'convert']) await act(rt, id, action);
    }),
  );
  const done = await until(async () => {
    const lead = await readLead(rt, converted);
    return lead.opportunityId && lead.accountId && lead.contactId ? lead : undefined;
  }, 'the conversion');
  const owner = (await readLead(rt, pending)).owner ?? 'alice';
  const view = await callApi(rt, MARIA, 'POST', '/views', {
    name: 'Hot in sales',
    query: { stage: 'SalesQualified', sort: '-createdAt' },
    shared: true,
  });
  if (view.status !== 201) throw new Error(`POST /views answered ${view.status}: ${JSON.stringify(view.body)}`);
  return {
    view: String(view.body.id),
    pending,
    converted: {
      lead: converted,
      opportunity: done.opportunityId as string,
      account: done.accountId as string,
      contact: done.contactId as string,
    },
    fresh,
    rep: { user: owner, groups: ['rep'] },
  };
};

export type TourPage = { name: string; who: Person | null; hash: string; ready?: (page: Page) => Promise<void> };

const SALES_OPS_TABS = [
  'routing',
  'teams',
  'stages',
  'approvals',
  'scoring',
  'opportunity-stages',
  'subscriptions',
  'sources',
  'model',
];

/** Every page, seen by someone who may use it (and two seen by a rep: their dashboard and Sales ops refused). */
export const tourPages = (s: Seeded): TourPage[] => [
  { name: 'sign-in', who: null, hash: '#/sign-in' },
  { name: 'inbox', who: s.rep, hash: '#/inbox' },
  { name: 'inbox-team', who: MARIA, hash: '#/inbox?view=team' },
  {
    name: 'lead',
    who: s.rep,
    hash: `#/leads/${s.pending}`,
    // The stage path, and the quote editor (a lead past Creation can be quoted).
    ready: async (p) => {
      await p.getByTestId('stage-path').waitFor();
      await p.locator('section.quote-editor').waitFor();
    },
  },
  { name: 'leads-list', who: s.rep, hash: '#/list', ready: (p) => waitForCount(p, 'list-count') },
  {
    name: 'leads-view',
    who: MARIA,
    hash: `#/list?stage=SalesQualified&sort=-createdAt&view=${s.view}`,
    ready: (p) => waitForCount(p, 'list-count'),
  },
  { name: 'duplicates', who: MARIA, hash: '#/duplicates' },
  {
    name: 'merge',
    who: MARIA,
    hash: `#/merge?ids=${s.fresh.slice(1, 3).join(',')}`,
    ready: (p) => p.locator('#merge-title').waitFor(),
  },
  { name: 'privacy', who: SAM, hash: '#/privacy' },
  {
    name: 'lead-converted',
    who: MARIA,
    hash: `#/leads/${s.converted.lead}`,
    ready: (p) => p.getByTestId('opportunity-link').filter({ hasNotText: '…' }).waitFor(),
  },
  { name: 'opportunity', who: MARIA, hash: `#/opportunities/${s.converted.opportunity}` },
  { name: 'account', who: MARIA, hash: `#/accounts/${s.converted.account}` },
  { name: 'contact', who: MARIA, hash: `#/contacts/${s.converted.contact}` },
  { name: 'tasks', who: MARIA, hash: '#/tasks' },
  ...SALES_OPS_TABS.map((tab) => ({ name: `sales-ops-${tab}`, who: SAM, hash: `#/sales-ops?tab=${tab}` })),
  { name: 'sales-ops-as-rep', who: s.rep, hash: '#/sales-ops' },
  { name: 'import', who: SAM, hash: '#/import' },
  { name: 'dashboard', who: MARIA, hash: '#/dashboard' },
  { name: 'dashboard-rep', who: s.rep, hash: '#/dashboard' },
];

/** Until a list's count line has stopped saying "Loading…". */
const waitForCount = (page: Page, testId: string) =>
  page.getByTestId(testId).filter({ hasNotText: 'Loading' }).waitFor();

/** A browser session signed in through the development sign-in page (or not signed in, for `null`). */
export const sessionFor = async (browser: Browser, baseUrl: string, who: Person | null): Promise<BrowserContext> => {
  const context = await browser.newContext({ viewport: { width: WIDTHS[1].width, height: WIDTHS[1].height } });
  if (!who) return context;
  const page = await context.newPage();
  await page.goto(`${baseUrl}/#/inbox`);
  await page.getByLabel('User', { exact: true }).fill(who.user);
  for (const group of ['rep', 'manager', 'salesops'])
    await page.getByRole('checkbox', { name: group, exact: true }).setChecked(who.groups.includes(group));
  await page.getByRole('button', { name: 'Sign in (local)' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return context;
};

/** Opens a page and waits until it has loaded what it shows (no "Loading…" left). */
export const visit = async (page: Page, baseUrl: string, stop: TourPage) => {
  await page.goto(`${baseUrl}/${stop.hash}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.locator('.loading').first().waitFor({ state: 'detached' });
  await stop.ready?.(page);
};

/** How many pixels the page is wider than the window (0: no horizontal scroll). */
export const horizontalOverflow = (page: Page) =>
  page.evaluate(() => {
    const root = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return Math.max(0, root.scrollWidth - root.clientWidth);
  });

/**
 * The elements reaching past the window's right edge (tag.class#id), outermost first, to say what a
 * failing overflow check is about. A string, so no bundler helper (esbuild's `__name`) leaks into the page.
 */
const FIND_OVERFLOWING = `(() => {
  const found = [];
  const walk = (el) => {
    if (el.getBoundingClientRect().right > innerWidth + 1 && found.length < 8)
      found.push(el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '') + (el.id ? '#' + el.id : ''));
    for (const child of el.children) walk(child);
  };
  walk(document.body);
  return found;
})()`;
export const overflowingElements = (page: Page): Promise<string[]> => page.evaluate(FIND_OVERFLOWING);
