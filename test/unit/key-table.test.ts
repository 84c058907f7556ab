import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fnv1a, makeKeyTable } from '../../functions/core/import/key-table';

const keys = fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 })), {
  maxLength: 400,
});

describe('KeyTable: the compact key set behind the dry run', () => {
  it.each([
    ['FNV-1a', fnv1a],
    ['one hash for every key', () => 7],
  ])('finds exactly the keys added, each once, in the order added (hash: %s)', (_, hash) => {
    fc.assert(
      fc.property(keys, keys, (added, probes) => {
        const table = makeKeyTable(hash);
        const oracle = new Map<string, number>();
        for (const [i, k] of added.entries()) {
          const entry = table.add(k, i);
          if (!oracle.has(k)) oracle.set(k, oracle.size);
          expect(entry).toBe(oracle.get(k));
        }
        expect(table.size).toBe(oracle.size);
        for (const k of [...added, ...probes]) expect(table.find(k)).toBe(oracle.get(k) ?? -1);
        // The value is the one given when the key was first added.
        for (const [k, entry] of oracle) expect(table.value(entry)).toBe(added.indexOf(k));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps entries and values through growth (beyond the first buffer and table sizes)', () => {
    const table = makeKeyTable();
    for (let i = 0; i < 20_000; i++) table.add(`email:person.${i}@example.com`, i + 2);
    table.setValue(table.find('email:person.7@example.com'), 99);
    expect(table.size).toBe(20_000);
    expect(table.value(table.find('email:person.19999@example.com'))).toBe(20_001);
    expect(table.value(table.find('email:person.7@example.com'))).toBe(99);
    expect(table.find('email:person.20000@example.com')).toBe(-1);
  });
});
