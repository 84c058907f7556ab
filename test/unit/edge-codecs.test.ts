import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { CONFIG_KINDS } from '../../functions/core/config/kinds';
import { isCalendarDate, timestampIssue } from '../../functions/core/dates';
import { InvalidCursorError, type LeadflowError } from '../../functions/core/errors';
import { wellFormedJson } from '../../functions/core/text';
import { parseJson } from '../../functions/http/body';
import { cursorCodec } from '../../functions/http/cursor';
import { checkPathIds, PATH_PARAMETERS } from '../../functions/http/ids';
import { ROUTES } from '../../functions/routes';

const KEY = { pk: 'LEAD#01J0000000000000000000000A', sk: 'AUDIT#2026-01-01T00:00:00.000Z#O#1' };
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('the cursor codec', () => {
  const leads = cursorCodec('leads');
  const feed = cursorCodec('feed');

  it('answers the position it encoded, for the same list and scope', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.string({ minLength: 1, maxLength: 40 }), {
          minKeys: 1,
          maxKeys: 4,
        }),
        fc.string(),
        (key, scope) => {
          expect(leads.decode(leads.encode(key, scope), scope)).toEqual(key);
        },
      ),
    );
  });

  it('refuses a cursor of another list, another scope, or with a changed position, naming cursor', () => {
    const cursor = feed.encode(KEY, 'lead-a') as string;
    const envelope = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const changed = Buffer.from(JSON.stringify({ ...envelope, at: { ...KEY, pk: 'LEAD#other' } })).toString(
      'base64url',
    );

    for (const run of [
      () => leads.decode(cursor, 'lead-a'),
      () => feed.decode(cursor, 'lead-b'),
      () => feed.decode(changed, 'lead-a'),
    ]) {
      const error = refusal(run);
      expect(error).toBeInstanceOf(InvalidCursorError);
      expect((error as LeadflowError).details.issues?.[0]?.field).toBe('cursor');
    }
  });

  it('refuses anything that is not one of its cursors with a 422, never another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 3000 }),
          fc.base64String(),
          fc.json().map((j) => Buffer.from(j).toString('base64url')),
        ),
        (cursor) => {
          const error = refusal(() => leads.decode(cursor, 'owner:me'));
          if (cursor === '') expect(error).toBeUndefined();
          else expect(error).toBeInstanceOf(InvalidCursorError);
        },
      ),
    );
  });
});

describe('path ids at the edge', () => {
  it('knows the kind of every path parameter of every route', () => {
    const missing = ROUTES.flatMap((r) =>
      [...r.path.matchAll(/\{([^}]+)\}/g)]
        .map((m) => m[1] as string)
        .filter((name) => !PATH_PARAMETERS[r.path]?.[name])
        .map((name) => `${r.path} ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('lets every configuration name through', () => {
    expect(
      CONFIG_KINDS.filter(({ name }) =>
        refusal(() => checkPathIds({ routeKey: 'PUT /config/{name}', pathParameters: { name } })),
      ).map((k) => k.name),
    ).toEqual([]);
  });

  it.each([
    ['GET /leads/{id}', { id: '01J00000000000000000000000' }, undefined],
    ['GET /leads/{id}', { id: 'x'.repeat(2100) }, 404],
    ['GET /leads/{id}', { id: 'LEAD#1' }, 404],
    ['GET /opportunities/{id}', { id: 'opp-01J00000000000000000000000' }, undefined],
    ['GET /opportunities/{id}', { id: '01J00000000000000000000000' }, 404],
    ['POST /tasks/{taskId}/decision', { taskId: '01J00000000000000000000000.1.0' }, undefined],
    ['GET /imports/{id}', { id: `imp-${'a'.repeat(32)}` }, undefined],
    ['POST /webhooks/{sourceId}', { sourceId: 'campaign-demo' }, undefined],
    ['POST /webhooks/{sourceId}', { sourceId: 'Campaign Demo' }, 404],
  ] as const)('%s with %j answers %s', (routeKey, pathParameters, status) => {
    const error = refusal(() => checkPathIds({ routeKey, pathParameters }));
    expect((error as LeadflowError | undefined)?.status).toBe(status);
  });
});

describe('text the API accepts', () => {
  it('refuses a lone surrogate in a value or a key, naming where it is', () => {
    expect(
      wellFormedJson({ firstName: 'A\ud800', utm: { source: ['x', '\udc00'] } }).issues.map((i) => i.field),
    ).toEqual(['firstName', 'utm.source.1']);
    expect(wellFormedJson({ 'k\ud800': 'v' }).issues).toHaveLength(1);
    expect(refusal(() => parseJson('{"lastName":"\\ud83d"}'))).toMatchObject({
      status: 422,
      details: { issues: [{ field: 'lastName' }] },
    });
  });

  it('keeps surrogate pairs and brings every string to NFC', () => {
    expect(parseJson('{"firstName":"Jose\\u0301 \\ud83d\\ude00"}')).toEqual({ firstName: 'José 😀' });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(wellFormedJson({ s })).toEqual({ value: { s: s.normalize('NFC') }, issues: [] });
      }),
    );
  });

  it('keeps "__proto__" a plain key', () => {
    const value = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });
});

describe('dates and times a client sends', () => {
  it.each([
    ['2026-02-28', true],
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['2026-02-30', false],
    ['2026-13-01', false],
    ['2026-04-31', false],
    ['2026-1-01', false],
  ])('%s is a calendar date: %s', (value, ok) => expect(isCalendarDate(value)).toBe(ok));

  it('keeps timestamps between 2000 and a day ahead of the clock', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    expect(timestampIssue('2026-06-02T11:00:00Z', now)).toBeUndefined();
    expect(timestampIssue('2000-01-01T00:00:00Z', now)).toBeUndefined();
    expect(timestampIssue('9999-12-31T00:00:00Z', now)).toMatch(/day ahead/);
    expect(timestampIssue('2026-06-02T12:00:01Z', now)).toMatch(/day ahead/);
    expect(timestampIssue('1999-12-31T23:59:59Z', now)).toMatch(/2000/);
  });
});
