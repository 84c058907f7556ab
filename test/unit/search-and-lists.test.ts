import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { listQuerySchema, planList } from '../../functions/core/lead-list';
import { DEFAULT_TEAMS } from '../../functions/core/lifecycle/teams-config';
import {
  foldText,
  matchesOthers,
  parseSearch,
  followedByFor,
  searchScopesFor,
  searchScopesOf,
  searchText,
  searchTokens,
} from '../../functions/core/search';
import { canOpenView, changedView, newView } from '../../functions/core/views';

const lead = {
  id: '01JXYZABCDEF0123456789ABCD',
  firstName: 'José',
  lastName: 'Núñez-Ångström',
  email: 'Jose.Nunez@Acme-Corp.example',
  phone: '+4915112345678',
  company: 'Müller & Söhne GmbH',
};

/** What a store does with the tokens: a typed query finds the lead when its first word starts a token and the others start words of its text. */
const finds = (typed: string) => {
  const query = parseSearch(typed);
  if (!query) return false;
  const tokens = searchTokens(lead);
  return tokens.some((t) => t.startsWith(query.lead)) && matchesOthers(searchText(tokens), query.others);
};

describe('search tokens and queries', () => {
  it('finds a lead by a prefix of any name, company, e-mail, phone or id word, whatever the case and accents', () => {
    for (const typed of [
      'jose',
      'JOSÉ',
      'nun',
      'angstr',
      'ÅNGSTRÖM',
      'muller',
      'Müll',
      'sohne',
      'acme',
      'jose.nunez@acme-corp.example',
      'jose.nunez@',
      '+49 151 1234',
      '0151 12345678',
      '151 123',
      '01jxyzab',
      'jose acme',
      'Núñez Müller',
    ])
      expect([typed, finds(typed)]).toEqual([typed, true]);
  });

  it('does not find it by a word that starts none of its words, or by a second word that does not match', () => {
    for (const typed of ['osé', 'smith', 'jose smith', 'example', '999 888'])
      expect([typed, finds(typed)]).toEqual([typed, false]);
  });

  it('refuses a query without a word of two characters', () => {
    expect(parseSearch('a')).toBeUndefined();
    expect(parseSearch('  - . ')).toBeUndefined();
    expect(parseSearch('a bo')).toEqual({ lead: 'bo', others: [] });
  });

  it('reads the longest word and checks the others', () => {
    expect(parseSearch('Ann  Smithson')).toEqual({ lead: 'smithson', others: ['ann'] });
  });

  it('folds case and accents the same way for any text (the property both sides rely on)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        expect(foldText(foldText(text))).toBe(foldText(text));
        expect(foldText(text.toUpperCase())).toBe(foldText(text.toLowerCase()));
        expect(foldText(text.normalize('NFD'))).toBe(foldText(text.normalize('NFC')));
      }),
    );
  });

  it('keeps a lead to at most 16 short tokens, each at least two characters', () => {
    const long = { ...lead, company: Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ') };
    const tokens = searchTokens(long);
    expect(tokens.length).toBeLessThanOrEqual(16);
    expect(tokens.every((t) => t.length >= 2 && t.length <= 40)).toBe(true);
  });

  it('writes a lead in the scope of everyone and of its owner or the queue; a rep reads their own and the queue', () => {
    expect(searchScopesOf({ owner: 'bob' })).toEqual(['ALL', 'OWNER#bob']);
    expect(searchScopesOf({})).toEqual(['ALL', 'UNASSIGNED']);
    expect(searchScopesFor({ userId: 'bob', groups: ['rep'] }, DEFAULT_TEAMS)).toEqual(['OWNER#bob', 'UNASSIGNED']);
    expect(searchScopesFor({ userId: 'sam', groups: ['salesops'] }, DEFAULT_TEAMS)).toEqual(['ALL']);
  });

  it("reads a manager's own scope, the queue and their team members' (or every lead when the teams config says so)", () => {
    const maria = { userId: 'maria', groups: ['manager'] };
    expect(searchScopesFor(maria, DEFAULT_TEAMS)).toEqual([
      'OWNER#maria',
      'UNASSIGNED',
      'OWNER#alice',
      'OWNER#bob',
      'OWNER#carol',
    ]);
    expect(followedByFor(maria, DEFAULT_TEAMS)).toBe('maria');
    expect(searchScopesFor(maria, { ...DEFAULT_TEAMS, managersSee: 'all' })).toEqual(['ALL']);
    expect(followedByFor(maria, { ...DEFAULT_TEAMS, managersSee: 'all' })).toBeUndefined();
    // A manager of no team sees what a rep sees; a manager who is also sales ops sees everything.
    expect(searchScopesFor({ userId: 'max', groups: ['manager'] }, DEFAULT_TEAMS)).toEqual(['OWNER#max', 'UNASSIGNED']);
    expect(searchScopesFor({ userId: 'maria', groups: ['manager', 'salesops'] }, DEFAULT_TEAMS)).toEqual(['ALL']);
  });
});

describe('list plans', () => {
  const rep = { userId: 'alice', groups: ['rep'] };
  const ops = { userId: 'sam', groups: ['salesops'] };
  const q = (raw: object) => listQuerySchema.parse(raw);

  it("reads a rep's own partition and the queue, never another owner's", () => {
    expect(planList(rep, q({}), DEFAULT_TEAMS)).toMatchObject({ index: 'owner', partitions: ['alice', 'UNASSIGNED'] });
    expect(planList(rep, q({ owner: 'bob' }), DEFAULT_TEAMS).partitions).toEqual([]);
    expect(planList(rep, q({ team: 'inside-sales' }), DEFAULT_TEAMS).partitions).toEqual(['alice']);
  });

  it("reads a manager's own, the queue's and their team members' partitions, and the leads they follow", () => {
    const maria = { userId: 'maria', groups: ['manager'] };
    expect(planList(maria, q({}), DEFAULT_TEAMS)).toMatchObject({
      index: 'owner',
      partitions: ['maria', 'UNASSIGNED', 'alice', 'bob', 'carol'],
      followedBy: 'maria',
    });
    expect(planList(maria, q({ owner: 'zed' }), DEFAULT_TEAMS).partitions).toEqual([]);
    expect(planList(maria, q({ owner: 'bob', stage: 'Assigned' }), DEFAULT_TEAMS)).toMatchObject({
      partitions: ['bob'],
      narrowing: { stage: 'Assigned' },
    });
    expect(planList(maria, q({}), { ...DEFAULT_TEAMS, managersSee: 'all' })).toMatchObject({ index: 'stage' });
    expect(planList(maria, q({}), { ...DEFAULT_TEAMS, managersSee: 'all' }).followedBy).toBeUndefined();
  });

  it('reads every stage for sales ops, one stage when asked, and a team as its members', () => {
    expect(planList(ops, q({}), DEFAULT_TEAMS).partitions).toHaveLength(6);
    expect(planList(ops, q({ stage: 'Assigned' }), DEFAULT_TEAMS)).toMatchObject({
      index: 'stage',
      partitions: ['Assigned'],
    });
    expect(planList(ops, q({ team: 'inside-sales', stage: 'Assigned' }), DEFAULT_TEAMS)).toMatchObject({
      index: 'owner',
      partitions: ['alice', 'bob', 'carol'],
      narrowing: { stage: 'Assigned' },
    });
  });

  it('turns the created range into inclusive key bounds and refuses a reversed or unreadable one', () => {
    const plan = planList(
      ops,
      q({ createdFrom: '2026-01-01', createdTo: '2026-01-31', sort: 'createdAt' }),
      DEFAULT_TEAMS,
    );
    expect(plan).toMatchObject({ from: '2026-01-01', to: '2026-01-31~', order: 'oldest' });
    expect(
      listQuerySchema.safeParse({ createdFrom: '2026-02-01', createdTo: '2026-01-01' }).error?.issues[0]?.path,
    ).toEqual(['createdTo']);
    expect(listQuerySchema.safeParse({ createdFrom: 'last tuesday' }).error?.issues[0]?.path).toEqual(['createdFrom']);
    // Both bounds malformed: each is named, and nothing throws while comparing them (the fuzzer found a 500).
    expect(
      listQuerySchema.safeParse({ createdFrom: '!', createdTo: 'Y\\x' }).error?.issues.map((i) => i.path[0]),
    ).toEqual(['createdFrom', 'createdTo']);
  });
});

describe('saved views', () => {
  const at = '2026-12-01T00:00:00.000Z';
  const input = { name: 'Hot leads', query: listQuerySchema.parse({ scoreBand: 'A' }), shared: true };

  it("shares with the owner's team: members open it, others do not; only the owner changes it", () => {
    const view = newView({ userId: 'alice', groups: ['rep'] }, input, DEFAULT_TEAMS, 'v1', at);
    expect(view.team).toBe('inside-sales');
    expect(canOpenView({ userId: 'bob', groups: ['rep'] }, view, DEFAULT_TEAMS)).toBe(true);
    expect(canOpenView({ userId: 'zed', groups: ['rep'] }, view, DEFAULT_TEAMS)).toBe(false);
    expect(() => changedView({ userId: 'bob', groups: ['rep'] }, view, input, DEFAULT_TEAMS, at)).toThrow(/owner/);
    expect(
      changedView({ userId: 'alice', groups: ['rep'] }, view, { ...input, shared: false }, DEFAULT_TEAMS, at),
    ).toMatchObject({ version: 2, team: undefined });
  });

  it('refuses to share for someone in no team, naming the field', () => {
    expect(() => newView({ userId: 'zed', groups: ['rep'] }, input, DEFAULT_TEAMS, 'v2', at)).toThrow(
      expect.objectContaining({ details: { issues: [{ field: 'shared', reason: expect.any(String) }] } }),
    );
  });
});
