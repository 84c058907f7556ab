import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { blockMovesOf, blockingKeysOf, decide, matchesFrom, matchingKeysOf } from '../../functions/core/dedupe';
import { normaliseLead } from '../../functions/core/normalise';
import {
  blockingValuesOf,
  companyCore,
  companyOfDomain,
  firstNameSimilarity,
  fingerprintOf,
  plainText,
  similarity,
} from '../../functions/core/similarity';

const fp = (id: string, lead: Parameters<typeof normaliseLead>[0]) => fingerprintOf(id, normaliseLead(lead).lead);

const jon = fp('L1', { firstName: 'Jon', lastName: 'Smith', email: 'jon@acme.example' });
const jonathan = fp('L2', { firstName: 'Jonathan', lastName: 'Smith', company: 'ACME Inc.', phone: '+1 415 555 0100' });

describe('names and companies', () => {
  it('transliterates and drops punctuation', () => {
    expect(plainText('Grétà  Lindqvist-Øberg')).toBe('greta lindqvist oberg');
    expect(plainText('Łódź')).toBe('lodz');
  });

  it('knows common nicknames in both directions and scores them just below the same name', () => {
    for (const [a, b] of [
      ['Jon', 'Jonathan'],
      ['Bob', 'Robert'],
      ['William', 'Bill'],
      ['Liz', 'Elizabeth'],
      ['Peggy', 'Margaret'],
    ] as const) {
      expect(firstNameSimilarity(a, b)).toBe(0.95);
      expect(firstNameSimilarity(b, a)).toBe(0.95);
    }
    expect(firstNameSimilarity('Anna', 'anna')).toBe(1);
    expect(firstNameSimilarity('J.', 'Jonathan')).toBe(0.85);
    expect(firstNameSimilarity('Bob', 'Alice')).toBeLessThan(0.6);
  });

  it('strips legal forms from company names and takes the company from a domain', () => {
    expect(companyCore('ACME Inc.')).toBe('acme');
    expect(companyCore('Acme, LLC')).toBe('acme');
    expect(companyCore('Müller GmbH & Co. KG')).toBe('muller');
    expect(companyCore('Nordic Trade AB')).toBe('nordic trade');
    expect(companyCore('The Widget Company Ltd')).toBe('widget');
    expect(companyCore('Inc')).toBe('inc');
    expect(companyOfDomain('acme.example')).toBe('acme');
    expect(companyOfDomain('mail.acme.co.uk')).toBe('acme');
  });
});

describe('similarity', () => {
  it('matches Jon Smith <jon@acme.example> with Jonathan Smith, ACME Inc., +1 415 555 0100 as a possible duplicate', () => {
    const { score, fields } = similarity(jon, jonathan);
    expect(fields).toEqual(['name', 'company', 'email']);
    expect(score).toBeGreaterThanOrEqual(0.8);
    // Same name at the same company, nothing independent besides: possible, not certain.
    expect(score).toBeLessThan(0.92);
    // They meet on a blocking key, so the lookup finds one from the other.
    const shared = blockingValuesOf(jon).filter((v) => blockingValuesOf(jonathan).includes(v));
    expect(shared).toEqual(expect.arrayContaining(['n:jonathan smith', 'c:smith acme']));
  });

  it('a second independent field (the same phone) makes it a sure duplicate', () => {
    const withPhone = { ...jon, phone: jonathan.phone };
    const { score, fields } = similarity(withPhone, jonathan);
    expect(score).toBeGreaterThanOrEqual(0.92);
    expect(fields).toContain('phone');
  });

  it('does not match a namesake at another company, nor a colleague with another name', () => {
    const namesake = fp('L3', {
      firstName: 'John',
      lastName: 'Smith',
      company: 'Globex Corp',
      email: 'john@globex.example',
    });
    expect(similarity(namesake, jonathan).score).toBeLessThan(0.8);
    const colleague = fp('L4', {
      firstName: 'Maria',
      lastName: 'Garcia',
      company: 'ACME Inc.',
      phone: '+1 415 555 0100',
    });
    expect(similarity(colleague, jonathan)).toEqual({ score: 0, fields: [] });
  });

  it('matches across transliteration: Grétà Lindqvist and Greta Lindqvist at the same company', () => {
    const a = fp('L5', { firstName: 'Grétà', lastName: 'Lindqvist', company: 'Nordic AB', email: 'g@nordic.example' });
    const b = fp('L6', { firstName: 'Greta', lastName: 'Lindqvist', email: 'greta@nordic.example' });
    expect(similarity(a, b).score).toBeGreaterThanOrEqual(0.8);
  });

  it('is symmetric, bounded, and 1-capped for a person compared with itself (property)', () => {
    const name = fc.constantFrom('Jon', 'Jonathan', 'Bob', 'Robert', 'Anna', 'Åsa', 'Li');
    const last = fc.constantFrom('Smith', 'Smyth', 'Lindqvist', 'Reyes', 'Øberg');
    const company = fc.option(fc.constantFrom('ACME Inc.', 'Acme', 'Globex GmbH', 'Nordic AB'), { nil: undefined });
    const person = fc.record({ firstName: name, lastName: last, company });
    fc.assert(
      fc.property(person, person, (p, q) => {
        const [a, b] = [fingerprintOf('A', p), fingerprintOf('B', q)];
        const ab = similarity(a, b);
        const ba = similarity(b, a);
        expect(ab.score).toBeCloseTo(ba.score, 3);
        expect(ab.score).toBeGreaterThanOrEqual(0);
        expect(ab.score).toBeLessThanOrEqual(1);
        expect(similarity(a, { ...a, id: 'B' }).score).toBeGreaterThan(0.8);
      }),
    );
  });
});

describe('matches and thresholds', () => {
  const self = matchingKeysOf(
    'L9',
    normaliseLead({ firstName: 'Jon', lastName: 'Smith', email: 'jon@acme.example' }).lead,
  );
  const holder = (value: string, leadIds: string[], fingerprints = [jonathan]) => ({
    key: { on: 'block' as const, value },
    leadIds,
    fingerprints,
  });

  it('lists a similar lead with its score and fields; the same lead met on two blocking keys once', () => {
    const matches = matchesFrom([holder('n:jonathan smith', ['L2']), holder('c:smith acme', ['L2'])], self.fingerprint);
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({
      kind: 'lead',
      id: 'L2',
      matchedOn: 'similarity',
      fields: ['name', 'company', 'email'],
    });
    expect(self.keys).toEqual(expect.arrayContaining(blockingKeysOf(self.fingerprint)));
  });

  it('ignores a fingerprint whose lead has left the key', () => {
    expect(matchesFrom([holder('c:smith acme', [])], self.fingerprint)).toEqual([]);
  });

  it('rejects under reject only at or above block; alert decides what is listed', () => {
    const matches = matchesFrom([holder('c:smith acme', ['L2'])], self.fingerprint);
    const score = matches[0]?.score ?? 0;
    expect(decide('reject', matches)).toEqual({ action: 'store', associate: {} });
    expect(decide('reject', matches, { block: score, alert: 0.5 })).toEqual({ action: 'reject' });
    expect(matchesFrom([holder('c:smith acme', ['L2'])], self.fingerprint, { block: 1, alert: score + 0.01 })).toEqual(
      [],
    );
    // A similar lead is never associated (only exact contacts are).
    expect(decide('associate', matches)).toEqual({ action: 'store', associate: {} });
  });

  it('does not list a lead twice when it matched exactly too', () => {
    const matches = matchesFrom(
      [{ key: { on: 'email', value: 'jon@acme.example' }, leadIds: ['L2'] }, holder('c:smith acme', ['L2'])],
      self.fingerprint,
    );
    expect(matches.map((m) => m.matchedOn)).toEqual(['email']);
  });

  it('scores an edited lead by its newest fingerprint on the key', () => {
    const renamed = { ...jonathan, first: 'zebulon' };
    expect(matchesFrom([holder('c:smith acme', ['L2'], [jonathan, renamed])], self.fingerprint)).toEqual([]);
    expect(matchesFrom([holder('c:smith acme', ['L2'], [renamed, jonathan])], self.fingerprint)).toHaveLength(1);
  });
});

describe('blocking keys follow the lead', () => {
  const greta = normaliseLead({
    firstName: 'Greta',
    lastName: 'Lindqvist',
    company: 'Nordic AB',
    email: 'g@n.example',
  }).lead;
  const values = (keys: { value: string }[]) => keys.map((k) => k.value).sort();

  it('an edit leaves the keys of the old name and joins (or rewrites) those of the new values', () => {
    const berg = { ...greta, lastName: 'Berg' };
    const moved = blockMovesOf('L1', greta, berg);
    expect(values(moved.removed)).toEqual(['c:lindqvist nordic', 'n:greta lindqvist']);
    expect(values(moved.added)).toEqual(['c:berg nordic', 'n:greta berg']);
    expect(moved.fingerprint).toMatchObject({ id: 'L1', last: 'berg' });
    // A phone only: the same keys, each written again with the new fingerprint.
    const phoned = blockMovesOf('L1', greta, { ...greta, phone: '+4681234567' });
    expect(phoned.removed).toEqual([]);
    expect(values(phoned.added)).toEqual(['c:lindqvist nordic', 'n:greta lindqvist']);
    // Nothing the fingerprint holds changed: nothing to write.
    expect(blockMovesOf('L1', greta, { ...greta, jobTitle: 'CTO' } as never)).toMatchObject({ added: [], removed: [] });
  });

  it('a tombstone leaves them all; a restored lead joins them all', () => {
    expect(values(blockMovesOf('L1', greta, undefined).removed)).toEqual(['c:lindqvist nordic', 'n:greta lindqvist']);
    expect(blockMovesOf('L1', greta, undefined).added).toEqual([]);
    expect(values(blockMovesOf('L1', undefined, greta).added)).toEqual(['c:lindqvist nordic', 'n:greta lindqvist']);
  });
});
