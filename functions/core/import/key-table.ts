/**
 * An exact table of strings, for keys a file of 100,000 rows would otherwise hold as half a million JS
 * strings, Map entries and holder objects (the dry run's duplicate forecast: ~170 MB live). Each key is
 * held once as UTF-8 bytes in one growing buffer, found through an open-addressing table of 32-bit
 * hashes, and carries one int32 value: about its length plus 16 bytes per key. A hash is only a
 * pointer: a hit is confirmed byte for byte, so two keys never share an entry whatever their hashes.
 */
export type KeyTable = {
  /** The entry of `key`, or -1 when it was never added. */
  find(key: string): number;
  /** The entry of `key`, added (with value `initial`) when new. */
  add(key: string, initial?: number): number;
  value(entry: number): number;
  setValue(entry: number, value: number): void;
  readonly size: number;
};

/** FNV-1a over the bytes (32 bits). */
export const fnv1a = (bytes: Uint8Array, length: number): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h | 0;
};

const encoder = new TextEncoder();

/** `hash` is replaceable so tests can force every key onto one hash and prove the byte confirmation. */
export const makeKeyTable = (hash: (bytes: Uint8Array, length: number) => number = fnv1a): KeyTable => {
  let bytes = new Uint8Array(1 << 16);
  let used = 0;
  let count = 0;
  let starts = new Int32Array(1 << 10);
  let lengths = new Int32Array(1 << 10);
  let hashes = new Int32Array(1 << 10);
  let values = new Int32Array(1 << 10);
  // Slots hold entry + 1 (0 = empty); at most half full.
  let slots = new Int32Array(1 << 11);
  let scratch = new Uint8Array(256);

  const encode = (key: string) => {
    if (scratch.length < key.length * 3) scratch = new Uint8Array(key.length * 3);
    return encoder.encodeInto(key, scratch).written;
  };
  const sameBytes = (entry: number, length: number) => {
    if (lengths[entry] !== length) return false;
    const start = starts[entry] as number;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== scratch[i]) return false;
    return true;
  };
  /** The slot holding the key in `scratch`, or the empty slot where it would go. */
  const slotOf = (h: number, length: number) => {
    const mask = slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = (slots[s] as number) - 1;
      if (e < 0 || (hashes[e] === h && sameBytes(e, length))) return s;
    }
  };
  const grown = <T extends Int32Array | Uint8Array>(a: T, size: number): T => {
    const b = new (a.constructor as new (n: number) => T)(size);
    b.set(a);
    return b;
  };
  const rehash = () => {
    slots = new Int32Array(slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < count; e++) {
      let s = (hashes[e] as number) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
  };

  return {
    find(key) {
      const length = encode(key);
      return (slots[slotOf(hash(scratch, length), length)] as number) - 1;
    },
    add(key, initial = 0) {
      const length = encode(key);
      const h = hash(scratch, length);
      const s = slotOf(h, length);
      const found = (slots[s] as number) - 1;
      if (found >= 0) return found;
      if (used + length > bytes.length) bytes = grown(bytes, Math.max(bytes.length * 2, used + length));
      if (count === starts.length) {
        starts = grown(starts, count * 2);
        lengths = grown(lengths, count * 2);
        hashes = grown(hashes, count * 2);
        values = grown(values, count * 2);
      }
      const entry = count++;
      bytes.set(scratch.subarray(0, length), used);
      starts[entry] = used;
      lengths[entry] = length;
      hashes[entry] = h;
      values[entry] = initial;
      used += length;
      slots[s] = entry + 1;
      if (count * 2 > slots.length) rehash();
      return entry;
    },
    value: (entry) => values[entry] as number,
    setValue(entry, value) {
      values[entry] = value;
    },
    get size() {
      return count;
    },
  };
};
