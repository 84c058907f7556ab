import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { decide, dedupeKeysOf, matchesFrom } from '../../functions/core/dedupe';
import { LeadflowError, ValidationError } from '../../functions/core/errors';
import { normaliseLead, normalisePhone } from '../../functions/core/normalise';
import { toProblem } from '../../functions/core/problem';

const localPart = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/);
const domain = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}\.(com|io|example|de)$/);
const randomCase = (s: string, flips: boolean[]) =>
  [...s].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c)).join('');

describe('normalisation', () => {
  it('is idempotent: normalising a normalised lead changes nothing', () => {
    fc.assert(
      fc.property(
        localPart,
        domain,
        fc.constantFrom('+49 30 1234567', '+1 415 555 0100', '030 1234567'),
        (user, host, phone) => {
          const once = normaliseLead({ email: `${user}@${host}`, phone, country: 'DE' }).lead;
          const twice = normaliseLead(once).lead;
          expect(twice).toEqual(once);
        },
      ),
    );
  });

  it('gives the same dedupe keys whatever the case and spacing of the email', () => {
    fc.assert(
      fc.property(localPart, domain, fc.array(fc.boolean(), { minLength: 1 }), fc.nat(3), (user, host, flips, pad) => {
        const plain = dedupeKeysOf(normaliseLead({ email: `${user}@${host}` }).lead);
        const messy = dedupeKeysOf(
          normaliseLead({ email: `${' '.repeat(pad)}${randomCase(`${user}@${host}`, flips)} ` }).lead,
        );
        expect(messy).toEqual(plain);
      }),
    );
  });

  it('gives the same phone key whatever the formatting', () => {
    const forms = ['+49 30 1234567', '+49 (30) 123-4567', '0049 30 1234567', '030 1234567', '030/123 45 67'];
    const keys = new Set(forms.map((p) => normalisePhone(p, 'DE')));
    expect([...keys]).toEqual(['+49301234567']);
  });

  it('refuses numbers whose length does not fit their country, and unknown country codes', () => {
    expect(['+49 30 12', '+1 415 555 01000', '+999 123456', '12'].map((p) => normalisePhone(p, 'DE'))).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(normalisePhone('(415) 555-0100', 'US')).toBe('+14155550100');
  });

  it('never uses a free-mail domain as the company domain', () => {
    const { lead } = normaliseLead({ email: 'someone@GMail.com' });
    expect(lead).toMatchObject({ emailDomain: 'gmail.com', freeMail: true, leadType: 'B2C' });
    expect(lead.companyDomain).toBeUndefined();
  });

  it('takes the company domain from the website before the email', () => {
    expect(
      normaliseLead({ email: 'a@mail.acme.example', website: 'https://www.Acme.example/about' }).lead.companyDomain,
    ).toBe('acme.example');
  });
});

describe('duplicate policy', () => {
  const holders = [
    { key: { on: 'email' as const, value: 'a@acme.example' }, leadIds: ['L1'], contactId: 'C1' },
    { key: { on: 'domain' as const, value: 'acme.example' }, leadIds: ['L1', 'L2'], accountId: 'A1' },
  ];

  it('reports person matches on leads and contacts and company matches on accounts only', () => {
    expect(matchesFrom(holders)).toEqual([
      { kind: 'lead', id: 'L1', matchedOn: 'email', value: 'a@acme.example', score: 1, fields: ['email'] },
      { kind: 'contact', id: 'C1', matchedOn: 'email', value: 'a@acme.example', score: 1, fields: ['email'] },
      { kind: 'account', id: 'A1', matchedOn: 'domain', value: 'acme.example' },
    ]);
  });

  it('rejects only on a person match, associates with the matched account and contact, creates otherwise', () => {
    const matches = matchesFrom(holders);
    expect(decide('reject', matches)).toEqual({ action: 'reject' });
    expect(
      decide(
        'reject',
        matches.filter((m) => m.matchedOn === 'domain'),
      ),
    ).toEqual({ action: 'store', associate: {} });
    expect(decide('associate', matches)).toEqual({ action: 'store', associate: { accountId: 'A1', contactId: 'C1' } });
    expect(decide('create', matches)).toEqual({ action: 'store', associate: {} });
  });
});

describe('problem details', () => {
  it('maps every domain error to a valid problem and never leaks an unknown error message', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 400, max: 599 }), fc.string(), (code, status, message) => {
        const p = toProblem(new LeadflowError(code || 'x', status, message));
        expect(p).toMatchObject({
          status,
          detail: message,
          type: expect.stringMatching(/^https:\/\/leadflow\.dev\/problems\//),
        });
        expect(typeof p.title).toBe('string');
      }),
    );
    fc.assert(
      fc.property(fc.string(), (secret) => {
        expect(JSON.stringify(toProblem(new Error(`db password ${secret}`)))).not.toContain('password');
      }),
    );
  });

  it('names each invalid field', () => {
    expect(toProblem(new ValidationError([{ field: 'email', reason: 'bad' }])).errors).toEqual([
      { field: 'email', reason: 'bad' },
    ]);
  });
});
