import { describe, expect, it } from '@jest/globals';
import { parseSubject } from '../../functions/core/privacy/erasure';
import { retentionRuleFor } from '../../functions/core/privacy/privacy-config';
import { daysBefore, importRetentionCandidates, importRetentionDue } from '../../functions/core/privacy/retention';
import { exportFiles } from '../../functions/core/privacy/export';
import {
  ERASED,
  type ErasureContext,
  erasureOf,
  mentions,
  PERSONAL_RECORD_KINDS,
  personValuesOf,
  scrub,
} from '../../functions/core/privacy/personal-data';

const lead = {
  pk: 'LEAD#01J',
  sk: 'LEAD',
  type: 'lead',
  id: '01J',
  version: 4,
  stage: 'Assigned',
  leadType: 'B2B',
  channel: 'WEBHOOK',
  sourceId: 'campaign-demo',
  owner: 'alice',
  score: 53,
  firstName: 'Ines',
  lastName: 'Okonkwo',
  email: 'ines.okonkwo@fabrikam.example',
  phone: '+4930901820',
  company: 'Fabrikam',
  jobTitle: 'Head of Procurement',
  customFields: { hobby: 'Sailing on the Wannsee' },
  utm: { source: 'google', campaign: 'spring', term: 'ines okonkwo fabrikam' },
  duplicates: [{ kind: 'lead', id: '01H', matchedOn: 'email', value: 'ines.okonkwo@fabrikam.example' }],
  assignment: { ruleVersion: 1, ruleIndex: 0, explanation: 'domain fabrikam.example → alice', at: 't' },
};
const ctx: ErasureContext = { erasureId: 'era_1', at: '2026-12-07T00:00:00.000Z', person: personValuesOf([lead]) };

describe('the registry of records holding personal data', () => {
  it('pseudonymises a lead: the person goes, what reports and routing count stays', () => {
    const answer = erasureOf(lead, ctx);
    if (answer.action !== 'replace') throw new Error(`expected a replacement, got ${answer.action}`);
    expect(answer.record).toMatchObject({
      id: '01J',
      stage: 'Assigned',
      owner: 'alice',
      score: 53,
      sourceId: 'campaign-demo',
    });
    expect(answer.record).toMatchObject({
      utm: { source: 'google', campaign: 'spring' },
      erased: { erasureId: 'era_1' },
    });
    for (const field of ['firstName', 'lastName', 'email', 'phone', 'company', 'jobTitle', 'customFields'])
      expect(answer.record).not.toHaveProperty(field);
    expect(mentions(answer.record, ctx.person)).toBe(false);
  });

  it('keeps an audit entry’s shape and ids, drops its values, and keeps the erasure tombstone as it is', () => {
    const entry = {
      type: 'audit',
      at: 't',
      action: 'edited',
      actor: { kind: 'user', id: 'alice', source: 'API' },
      why: 'Ines asked to change her phone',
      data: { fieldsChanged: ['phone'], before: { phone: '+4930901820' }, noteId: 'n1' },
    };
    expect(erasureOf(entry, ctx)).toEqual({
      action: 'replace',
      record: { type: 'audit', at: 't', action: 'edited', actor: entry.actor, data: { noteId: 'n1' }, redacted: true },
    });
    expect(erasureOf({ type: 'audit', action: 'personal-data-erased', data: { erasureId: 'era_0' } }, ctx)).toEqual({
      action: 'keep',
    });
  });

  it('deletes attachment metadata with its blob, and scrubs any record of an unknown kind', () => {
    const meta = { type: 'attachment-meta', objectKey: 'leads/01J/01K', fileName: 'ines-cv.pdf' };
    const kind = PERSONAL_RECORD_KINDS.find((k) => k.type === 'attachment-meta');
    expect(erasureOf(meta, ctx)).toEqual({ action: 'delete' });
    expect(kind?.blobs?.(meta)).toEqual(['leads/01J/01K']);
    const unknown = { type: 'invoice', title: 'Offer for Ines Okonkwo', amount: 1200 };
    expect(erasureOf(unknown, ctx)).toEqual({
      action: 'replace',
      record: { type: 'invoice', title: `Offer for ${ERASED}`, amount: 1200 },
    });
  });

  it('pseudonymises a quote version: customer name and e-mail go, numbers and amounts stay, the PDF is deleted', () => {
    const quote = {
      pk: 'QUOTE#Q-2026-000007',
      sk: 'V#000002',
      type: 'quote',
      id: 'Q-2026-000007',
      version: 2,
      status: 'sent',
      leadId: '01J',
      customer: { contactId: 'c1', accountId: 'a1', name: 'Ines Okonkwo', company: 'Fabrikam', email: lead.email },
      currency: 'EUR',
      lines: [{ sku: 'SKU-1', quantity: 3, unitPrice: 12000, total: 36000 }],
      totals: { net: 36000, tax: 6840, gross: 42840 },
      terms: 'Prepared for Ines Okonkwo',
      declineReason: 'Ines found it too dear',
      pdf: { key: 'leads/01J/quotes/Q-2026-000007-v2.pdf', fileName: 'Q-2026-000007-v2.pdf', size: 2048 },
    };
    const kind = PERSONAL_RECORD_KINDS.find((k) => k.type === 'quote');
    expect(kind?.blobs?.(quote)).toEqual(['leads/01J/quotes/Q-2026-000007-v2.pdf']);
    // A PDF written by a send whose save was lost is found by the key the send uses.
    expect(kind?.blobs?.({ ...quote, pdf: undefined, version: 1 })).toEqual(['leads/01J/quotes/Q-2026-000007-v1.pdf']);
    const answer = erasureOf(quote, ctx);
    if (answer.action !== 'replace') throw new Error(`expected a replacement, got ${answer.action}`);
    expect(answer.record).toMatchObject({
      id: 'Q-2026-000007',
      version: 2,
      status: 'sent',
      currency: 'EUR',
      lines: quote.lines,
      totals: quote.totals,
      customer: { contactId: 'c1', accountId: 'a1', company: 'Fabrikam', name: ERASED },
    });
    for (const field of ['pdf', 'declineReason']) expect(answer.record).not.toHaveProperty(field);
    expect(answer.record.customer).not.toHaveProperty('email');
    expect(mentions(answer.record, ctx.person)).toBe(false);
    expect(kind?.export?.(quote)).toMatchObject({ pdf: { fileName: 'Q-2026-000007-v2.pdf' } });
    expect(JSON.stringify(kind?.export?.(quote))).not.toContain('leads/01J/quotes');
  });

  it('keeps a merge countable and drops its undo data (the person’s values); an erased merge is kept as it is', () => {
    const merge = {
      pk: 'MERGE#m1',
      sk: 'MERGE',
      type: 'merge',
      mergeId: 'm1',
      survivorId: '01J',
      mergedIds: ['01H'],
      at: 't',
      by: 'alice',
      undoUntil: 'u',
      status: 'done',
      fields: { phone: '01H' },
      survivorBefore: { ...lead },
      survivorAfter: { ...lead, phone: '+4930901821' },
      keysAdded: [{ on: 'phone', value: '+4930901821' }],
    };
    const answer = erasureOf(merge, ctx);
    if (answer.action !== 'replace') throw new Error(`expected a replacement, got ${answer.action}`);
    expect(answer.record).toEqual({
      pk: 'MERGE#m1',
      sk: 'MERGE',
      type: 'merge',
      mergeId: 'm1',
      survivorId: '01J',
      mergedIds: ['01H'],
      at: 't',
      by: 'alice',
      undoUntil: 'u',
      status: 'done',
      fields: { phone: '01H' },
      erased: { at: ctx.at, erasureId: 'era_1' },
    });
    expect(erasureOf(answer.record, ctx)).toEqual({ action: 'keep' });
  });

  it('scrubs case-insensitively, inside nested values and sets, and leaves others’ text alone', () => {
    const person = personValuesOf([], { email: 'a.b@x.example' });
    expect(scrub({ s: new Set(['A.B@X.EXAMPLE']), deep: [{ t: 'mail a.b@x.example now' }] }, person)).toEqual({
      s: new Set([ERASED]),
      deep: [{ t: `mail ${ERASED} now` }],
    });
    expect(scrub({ t: 'nobody here' }, person)).toEqual({ t: 'nobody here' });
    // A person called "Lead" or "Rob" leaves keys, kinds and user ids alone.
    const named = personValuesOf([{ firstName: 'Lead', lastName: 'Rob', email: 'x@y.example' }]);
    const entry = { pk: 'LEAD#01J', sk: 'AUDIT#t', type: 'lead', actor: { id: 'rob' }, why: 'Lead Rob called' };
    expect(scrub(entry, named)).toEqual({ ...entry, why: `${ERASED} called` });
  });

  it('normalises the subject like the duplicate check and refuses an empty or invalid one with the field', () => {
    expect(
      parseSubject({ email: ' Ines.Okonkwo@Fabrikam.example', phone: '030 901820', country: 'DE' }).subject.keys,
    ).toEqual([
      { on: 'email', value: 'ines.okonkwo@fabrikam.example' },
      { on: 'phone', value: '+4930901820' },
    ]);
    expect(() => parseSubject({})).toThrow(
      expect.objectContaining({ details: { issues: [expect.objectContaining({ field: 'email' })] } }),
    );
    expect(() => parseSubject({ phone: 'x12' })).toThrow(
      expect.objectContaining({ details: { issues: [expect.objectContaining({ field: 'phone' })] } }),
    );
    expect(() => parseSubject({ leadId: '01J', note: 'free text' })).toThrow(expect.objectContaining({ status: 422 }));
  });

  it('exports one JSON document and a formula-safe CSV per kind', () => {
    const files = exportFiles(
      [
        { type: 'lead', label: 'leads', record: { id: '01J', firstName: '=HYPERLINK("http://x")' } },
        { type: 'note', label: 'notes', record: { id: 'n1', note: { text: 'hi' } } },
      ],
      { exportId: 'exp_1', at: 't', holdings: { leadIds: ['01J'], contactIds: [] } },
    );
    expect(files.map((f) => f.name)).toEqual(['export.json', 'leads.csv', 'notes.csv']);
    expect(JSON.parse(files[0]?.body ?? '{}').records.notes[0].note.text).toBe('hi');
    expect(files[1]?.body).toBe(`firstName,id\n"'=HYPERLINK(""http://x"")",01J\n`);
  });
});

describe('retention rules', () => {
  const now = new Date('2026-12-07T00:00:00.000Z');
  const rules = {
    anonymiseDisqualifiedAfterMonths: 6,
    anonymiseIdleAfterMonths: 24,
    deleteImportFilesAfterDays: 30,
    deleteRejectedRowsAfterDays: 30,
  };
  it('catches a lead disqualified or idle past its months, never a converted or already erased one', () => {
    expect(retentionRuleFor({ stage: 'Disqualified', updatedAt: '2026-06-06T23:59:59.000Z' }, rules, now)).toBe(
      'disqualified',
    );
    expect(
      retentionRuleFor({ stage: 'Disqualified', updatedAt: '2026-06-07T00:00:01.000Z' }, rules, now),
    ).toBeUndefined();
    expect(retentionRuleFor({ stage: 'Assigned', updatedAt: '2024-12-06T00:00:00.000Z' }, rules, now)).toBe('idle');
    expect(retentionRuleFor({ stage: 'Assigned', updatedAt: '2025-01-01T00:00:00.000Z' }, rules, now)).toBeUndefined();
    expect(retentionRuleFor({ stage: 'Converted', updatedAt: '2000-01-01T00:00:00.000Z' }, rules, now)).toBeUndefined();
    expect(
      retentionRuleFor({ stage: 'Assigned', updatedAt: '2000-01-01T00:00:00.000Z', erased: { at: 'x' } }, rules, now),
    ).toBeUndefined();
    const off = { ...rules, anonymiseDisqualifiedAfterMonths: null, anonymiseIdleAfterMonths: null };
    expect(
      retentionRuleFor({ stage: 'Disqualified', updatedAt: '2000-01-01T00:00:00.000Z' }, off, now),
    ).toBeUndefined();
  });

  it('deletes an import job’s files and its rejected rows each after its own days, once', () => {
    const entry = { jobId: 'imp-1', createdAt: '2026-11-01T00:00:00.000Z' };
    const days = { ...rules, deleteImportFilesAfterDays: 30, deleteRejectedRowsAfterDays: 7 };
    expect(importRetentionDue(entry, days, now)).toEqual({ ...entry, files: true, rejectedRows: true });
    expect(importRetentionDue({ ...entry, createdAt: '2026-11-20T00:00:00.000Z' }, days, now)).toMatchObject({
      files: false,
      rejectedRows: true,
    });
    // Exactly 7 days old is not yet past 7 days.
    expect(importRetentionDue({ ...entry, createdAt: '2026-11-30T00:00:00.000Z' }, days, now)).toMatchObject({
      files: false,
      rejectedRows: false,
    });
    // What went already is not deleted again.
    expect(importRetentionDue({ ...entry, filesDeletedAt: 'x', rejectedRowsDeletedAt: 'y' }, days, now)).toMatchObject({
      files: false,
      rejectedRows: false,
    });
    expect(daysBefore(now, 30).toISOString()).toBe('2026-11-07T00:00:00.000Z');
  });

  it('takes the due import jobs in a run, however many older ones wait for their files', async () => {
    const days = { ...rules, deleteImportFilesAfterDays: 30, deleteRejectedRowsAfterDays: 7 };
    const waiting = [1, 2, 3].map((i) => ({
      jobId: `imp-w${i}`,
      createdAt: `2026-11-1${i}T00:00:00.000Z`,
      rejectedRowsDeletedAt: 'x',
    }));
    const due = { jobId: 'imp-due', createdAt: '2026-11-25T00:00:00.000Z' };
    const store = { importsCreatedBefore: async () => [...waiting, due] };
    expect(await importRetentionCandidates(store, days, now, 2)).toEqual([
      { entry: due, due: { jobId: 'imp-due', createdAt: due.createdAt, files: false, rejectedRows: true } },
    ]);
  });
});
