import type { Browser } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { ensureConsoleBuilt, expectAccessible, launchBrowser, screenshot, signedInPage } from '../support/browser';
import { client, eventually, postWebhookLead } from '../support/runtime';

/** Search, the full list, saved views and export, over HTTP and in the console, on one local runtime. */
const MARIA = { user: 'maria', groups: ['manager'] };
type Item = { id: string; owner?: string; company?: string };
type Page = { items: Item[]; cursor?: string };

describe('search, lists and saved views', () => {
  let rt: LocalRuntime;
  let browser: Browser;
  let api: ReturnType<typeof client>;
  // Letters only: a word nobody else in the table has, so every answer below is about these leads.
  const tag = `Qx${ulid().slice(-8).replace(/\d/g, 'k').toLowerCase()}`;
  const ids: string[] = [];

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [rt, browser] = await Promise.all([
      startLocalRuntime({
        port: 0,
        dynamodbEndpoint: testDynamoEndpoint(),
        tableName: `search-${ulid().toLowerCase()}`,
      }),
      launchBrowser(),
    ]);
    api = client(rt);
    for (const lead of [
      { firstName: 'Zoë', lastName: 'Ångström', company: `${tag} Fjord`, email: `zoe-${tag}@fjord.example` },
      { firstName: 'Bo', lastName: 'Ek', company: `=HYPERLINK("x") ${tag}`, email: `bo-${tag}@ek.example` },
    ])
      ids.push((await postWebhookLead(rt, lead)).leadId);
    // The workflow routes both to a rep of inside-sales: the search items follow the new owner.
    await eventually(async () => {
      for (const id of ids) {
        const lead = await api.request<Item>('GET', `/leads/${id}`, { as: ['maria', 'manager'] });
        if (!lead.body.owner) return false;
      }
      return true;
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('finds leads by any word, accent- and case-free, as the caller may see them', async () => {
    const search = (q: string, as: [string, ...string[]]) =>
      api.request<Page>('GET', `/search?q=${encodeURIComponent(q)}`, { as });
    const found = await search(`angstrom ${tag.toUpperCase()}`, ['maria', 'manager']);
    expect(found.status, found.text).toBe(200);
    expect(found.body.items.map((l) => l.id)).toEqual([ids[0]]);

    const owner = (await api.request<Item>('GET', `/leads/${ids[0]}`, { as: ['maria', 'manager'] })).body
      .owner as string;
    const other = ['alice', 'bob', 'carol'].find((u) => u !== owner) as string;
    expect((await search('zoe', [owner, 'rep'])).body.items.map((l) => l.id)).toContain(ids[0]);
    expect((await search('zoe', [other, 'rep'])).body.items.map((l) => l.id)).not.toContain(ids[0]);

    const tooShort = await search('z', ['maria', 'manager']);
    expect(tooShort.status).toBe(422);
    expect(tooShort.text).toContain('"q"');
  });

  it('lists all a caller may see with filters, and exports a shared view as formula-safe CSV', async () => {
    const listed = await api.request<Page>('GET', '/leads?source=campaign-demo&duplicate=false&limit=100', {
      as: ['sam', 'salesops'],
    });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items.map((l) => l.id)).toEqual(expect.arrayContaining(ids));
    const bad = await api.request('GET', '/leads?createdFrom=someday', { as: ['sam', 'salesops'] });
    expect([bad.status, bad.text]).toEqual([422, expect.stringContaining('createdFrom')]);

    const created = await api.request<{ id: string; team: string; version: number }>('POST', '/views', {
      as: ['maria', 'manager'],
      body: { name: 'Demo campaign', query: { source: 'campaign-demo' }, shared: true },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.team).toBe('inside-sales');
    const asBob = await api.request<Page>('GET', '/views', { as: ['bob', 'rep'] });
    expect(asBob.body.items.map((v) => v.id)).toContain(created.body.id);
    const bobEdits = await api.request('PUT', `/views/${created.body.id}`, {
      as: ['bob', 'rep'],
      body: { name: 'Mine now', query: {} },
    });
    expect(bobEdits.status).toBe(403);

    const csv = await api.request('GET', `/views/${created.body.id}/export`, { as: ['maria', 'manager'] });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const row = csv.text.split('\n').find((line) => line.includes('HYPERLINK'));
    expect(row).toContain(`"'=HYPERLINK(""x"") ${tag}"`);
  });

  it('searches from the header and saves a shared view from the Leads page (console)', async () => {
    const { context, page } = await signedInPage(browser, rt.url, MARIA, '#/inbox');
    const box = page.getByRole('searchbox', { name: 'Search leads' });
    await box.fill(`ångström ${tag}`);
    const results = page.getByRole('list', { name: 'Search results' });
    await results.getByRole('link', { name: /Zoë Ångström/ }).waitFor({ timeout: 10_000 });
    await expectAccessible(page);
    await screenshot(page, 'search-results');
    await results.getByRole('link', { name: /Zoë Ångström/ }).click();
    await page.waitForURL(new RegExp(`#/leads/${ids[0]}`));

    await page.goto(`${rt.url}/#/list?source=campaign-demo`);
    await page.getByRole('link', { name: /Bo Ek/ }).waitFor({ timeout: 10_000 });
    await page.getByLabel('View name').fill(`Fjord ${tag}`);
    await page.getByLabel('Share with my team').check();
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByRole('heading', { level: 1, name: `Fjord ${tag}` }).waitFor();
    expect(await page.getByLabel('Saved views').inputValue()).not.toBe('');
    await expectAccessible(page);
    await screenshot(page, 'leads-list-saved-view');
    await context.close();

    const views = await api.request<{ items: { name: string; shared: boolean; query: object }[] }>('GET', '/views', {
      as: ['alice', 'rep'],
    });
    expect(views.body.items).toContainEqual(
      expect.objectContaining({
        name: `Fjord ${tag}`,
        shared: true,
        query: { source: 'campaign-demo', sort: '-createdAt' },
      }),
    );
  }, 60_000);
});
