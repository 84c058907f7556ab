import type { Browser } from 'playwright-core';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ensureConsoleBuilt, expectAccessible, launchBrowser, screenshot, signedInPage } from '../support/browser';
import { expect, expectEventually } from '../support/expect';
import { eventually, useTestRuntime } from '../support/runtime';

/** Merge and unmerge against the local runtime: HTTP, the real engine, the bus and the counters; then the console. */
const { api, rt } = useTestRuntime();
const SAM: [string, string] = ['sam', 'salesops'];

type LeadView = {
  id: string;
  stage: string;
  owner?: string;
  firstName?: string;
  phone?: string;
  mergedFrom?: unknown[];
};
type Execution = { name: string; status: string };
type Duplicates = { duplicateLeads: { leadId: string; name?: string; matchedOn: string; score: number }[] };
type Queue = { items: { leadId: string }[] };
type Feed = { items: { kind: string; fromLeadName?: string; fromLead?: string; note?: { text: string } }[] };

const openTotal = async () => {
  const res = await api.request<{ byStage: { total: number }[] }>('GET', '/reports/aging', { as: SAM });
  return res.body.byStage.reduce((sum, s) => sum + s.total, 0);
};
const assigned = async (payload: Record<string, unknown>) => {
  const created = await api.webhook('campaign-demo', payload);
  const id = String(created.body.leadId);
  return eventually(async () => {
    const lead = (await api.request<LeadView>('GET', `/leads/${id}`, { as: SAM })).body;
    return lead.stage === 'Assigned' ? lead : undefined;
  });
};
const executions = async (name: string) =>
  (await api.request<Execution[]>('GET', `/_local/executions/${name}`)).body ?? [];

describe('merging five leads and undoing it', () => {
  it('tombstones four, ends their executions, keeps the open counts exact, and the undo restores every one', async () => {
    const tag = ulid().toLowerCase().slice(-6);
    const before = await openTotal();
    const leads = [];
    for (const [i, name] of ['Jon', 'Jonathan', 'J.', 'Jon', 'John'].entries())
      leads.push(
        await assigned({
          email: `jon${i}-${tag}@acme.example`,
          firstName: name,
          lastName: 'Smith',
          ...(i === 1 ? { phone: '+1 415 555 0100' } : {}),
        }),
      );
    await expectEventually(openTotal, { timeout: 15_000 }).toBe(before + 5);
    const [survivor, ...others] = leads as [LeadView, ...LeadView[]];
    const ids = leads.map((l) => l.id);
    // Fuzzy pairs: no email or phone in common, found by name and company (acme) with a score.
    const fuzzy = (await api.request<Duplicates>('GET', `/leads/${survivor.id}`, { as: SAM })).body.duplicateLeads;
    expect(fuzzy.length).toBeGreaterThan(0);
    for (const d of fuzzy) {
      expect(ids).toContain(d.leadId);
      expect(d).toMatchObject({ matchedOn: 'similarity', name: expect.stringMatching(/Smith$/) });
      expect(d.score).toBeGreaterThanOrEqual(0.8);
    }
    const queued = async () =>
      (await api.request<Queue>('GET', '/duplicates?limit=100', { as: SAM })).body.items
        .map((i) => i.leadId)
        .filter((id) => ids.includes(id));
    expect((await queued()).length).toBeGreaterThan(0);
    const note = await api.request('POST', `/leads/${others[1]?.id}/notes`, {
      as: SAM,
      body: { text: `met at the fair ${tag}` },
    });
    expect(note.status, note.text).toBe(201);

    const merged = await api.request<{ mergeId: string; status: string }>('POST', '/merges', {
      as: SAM,
      body: {
        survivor: survivor.id,
        leads: others.map((l) => l.id),
        fields: { firstName: others[0]?.id, phone: others[0]?.id },
      },
    });
    expect(merged.status, merged.text).toBe(201);
    const { mergeId } = merged.body;

    const tombstone = await api.request('GET', `/leads/${others[1]?.id}`, { as: SAM });
    expect(tombstone.status).toBe(307);
    expect(tombstone.headers.get('location')).toBe(`/leads/${survivor.id}`);
    expect(tombstone.body).toMatchObject({ mergedInto: survivor.id, mergeId });
    const kept = (await api.request<LeadView>('GET', `/leads/${survivor.id}`, { as: SAM })).body;
    expect(kept).toMatchObject({ firstName: 'Jonathan', phone: '+14155550100', stage: 'Assigned' });
    for (const other of others)
      await expectEventually(async () => (await executions(other.id))[0]?.status, { timeout: 10_000 }).toBe(
        'SUCCEEDED',
      );
    expect((await executions(survivor.id))[0]?.status).toBe('RUNNING');
    await expectEventually(openTotal, { timeout: 15_000 }).toBe(before + 1);
    const event = (await api.events('LeadsMerged')).find((e) => e.detail.mergeId === mergeId);
    expect(event?.detail.mergedIds).toEqual(others.map((l) => l.id).sort());
    // The set is resolved: out of the queue. The note moved to the survivor, labelled with its lead's name.
    expect(await queued()).toEqual([]);
    const feedOf = async (id: string) =>
      (await api.request<Feed>('GET', `/leads/${id}/feed?limit=100`, { as: SAM })).body;
    const moved = (await feedOf(survivor.id)).items.find((e) => e.note?.text === `met at the fair ${tag}`);
    expect(moved).toMatchObject({ kind: 'note', fromLeadName: 'J. Smith' });
    expect(moved?.fromLead).toBeUndefined();

    // Editing a tombstone is refused; the survivor's own actions still work after the undo.
    const edit = await api.request('PATCH', `/leads/${others[2]?.id}`, { as: SAM, body: { jobTitle: 'CTO' } });
    expect(edit.status).toBe(409);

    const undone = await api.request('POST', `/merges/${mergeId}/undo`, { as: SAM, body: {} });
    expect(undone.status, undone.text).toBe(200);
    for (const [i, other] of others.entries()) {
      const back = await api.request<LeadView>('GET', `/leads/${other.id}`, { as: SAM });
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ stage: 'Assigned', firstName: ['Jonathan', 'J.', 'Jon', 'John'][i] });
      await expectEventually(
        async () => (await executions(other.id)).find((e) => e.name.includes('--unmerge-'))?.status,
        { timeout: 10_000 },
      ).toBe('RUNNING');
    }
    const restored = (await api.request<LeadView>('GET', `/leads/${survivor.id}`, { as: SAM })).body;
    expect(restored).toMatchObject({ firstName: 'Jon' });
    expect(restored.phone).toBeUndefined();
    expect(restored.mergedFrom).toBeUndefined();
    await expectEventually(openTotal, { timeout: 15_000 }).toBe(before + 5);
    const home = (await feedOf(others[1]?.id as string)).items.find((e) => e.note?.text === `met at the fair ${tag}`);
    expect(home).toMatchObject({ kind: 'note' });
    expect(home?.fromLeadName).toBeUndefined();
    // A restored lead's new execution takes the rep's action as any lead's does.
    const qualified = await api.request('POST', `/leads/${others[0]?.id}/actions/qualify`, { as: SAM, body: {} });
    expect(qualified.status, qualified.text).toBe(200);
  }, 90_000);

  it('two merges of overlapping sets at once: one 201, one 409', async () => {
    const tag = ulid().toLowerCase().slice(-6);
    const [a, b, c, d] = (await Promise.all(
      [0, 1, 2, 3].map((i) => assigned({ email: `race${i}-${tag}@acme.example` })),
    )) as LeadView[];
    const answers = await Promise.all([
      api.request('POST', '/merges', { as: SAM, body: { survivor: a?.id, leads: [b?.id, c?.id] } }),
      api.request('POST', '/merges', { as: SAM, body: { survivor: d?.id, leads: [c?.id, b?.id] } }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
  }, 60_000);
});

describe('the console merge, keyboard only', () => {
  let browser: Browser;
  beforeAll(async () => {
    [browser] = await Promise.all([launchBrowser(), ensureConsoleBuilt()]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('ticks two leads in the inbox, picks the survivor and a field, merges, and undoes from the survivor', async () => {
    const tag = ulid().toLowerCase().slice(-6);
    const first = await assigned({
      email: `greta-${tag}@nordic.example`,
      firstName: 'Greta',
      lastName: `Lindqvist${tag}`,
    });
    const owner = first.owner as string;
    let second: LeadView;
    // Round-robin may give the second to another rep: capture until one lands with the same owner.
    do
      second = await assigned({
        email: `g.l-${tag}-${ulid().slice(-4)}@nordic.example`,
        firstName: 'Gréta',
        lastName: `Lindqvist${tag}`,
        phone: '+46 8 123 456 78',
      });
    while (second.owner !== owner);

    const { context, page } = await signedInPage(browser, rt.url, { user: owner, groups: [] }, '#/inbox');
    const box = (id: string) => page.locator(`li:has(a[data-lead-id="${id}"]) input.pick`);
    await box(first.id).waitFor({ timeout: 15_000 });
    await box(first.id).focus();
    await page.keyboard.press('Space');
    await box(second.id).focus();
    await page.keyboard.press('Space');
    const mergeLink = page.getByRole('link', { name: 'Merge 2 leads…' });
    await mergeLink.focus();
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Merge 2 leads' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'merge-picker');
    // Keep the first lead (checked by default when it is listed first) and take the second's phone.
    const survivorRadio = page.locator(`input[name="survivor"][value="${first.id}"]`);
    await survivorRadio.focus();
    await page.keyboard.press('Space');
    await page.locator(`input[name="field-phone"][value="${second.id}"]`).focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: /^Merge into/ }).focus();
    await page.keyboard.press('Enter');

    await page.waitForURL(new RegExp(`#/leads/${first.id}$`));
    await page.getByRole('heading', { name: 'Merged into this lead' }).waitFor({ timeout: 10_000 });
    await page.getByText('+46812345678', { exact: true }).first().waitFor();
    expect((await api.request('GET', `/leads/${second.id}`, { as: SAM })).status).toBe(307);

    const undo = page.getByRole('button', { name: 'Undo merge' });
    await undo.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Merged into this lead' }).waitFor({ state: 'detached', timeout: 10_000 });
    expect((await api.request('GET', `/leads/${second.id}`, { as: SAM })).status).toBe(200);
    await screenshot(page, 'merge-undone');
    await context.close();
  }, 90_000);
});
