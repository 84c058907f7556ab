import { createHash } from 'node:crypto';
import * as z from 'zod';
import { InvalidCursorError } from '../core/errors';
import type { PageKey } from '../core/ports';

/**
 * The one cursor codec of every paged list. A cursor is base64url JSON of the store's position plus
 * the list it belongs to and a binding hash over (list, scope, position), where the scope is what
 * the list was asked for (an owner, a stage, a lead id). Decoding checks the structure (a few short
 * attributes, nothing a store could choke on) and the binding, so a tampered, truncated or foreign
 * cursor, or one from another list or another lead, is a 422 naming `cursor`, never a store error.
 *
 * The hash is not a signature: no secret is available to every list function (Cognito signs the
 * tokens on AWS; the functions hold no key of their own), and a position is not a secret either —
 * whoever forges one can only start their own list somewhere else. The stores still check that a
 * position lies inside the partition they query.
 */
export type CursorCodec = {
  encode(key: PageKey | undefined, scope: string): string | undefined;
  decode(cursor: string | undefined, scope: string): PageKey | undefined;
};

/** DynamoDB allows 2048-byte partition and 1024-byte sort keys; a position needs far less. */
const MAX_CURSOR_CHARS = 2048;
const MAX_VALUE_CHARS = 512;

const pageKeySchema = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/),
    z.union([z.string().min(1).max(MAX_VALUE_CHARS), z.number().finite()]),
  )
  .refine((key) => Object.keys(key).length >= 1 && Object.keys(key).length <= 4, {
    message: 'one to four key attributes',
  });

const envelopeSchema = z.object({ v: z.literal(1), list: z.string(), at: pageKeySchema, h: z.string() }).strict();

const canonical = (key: PageKey) =>
  JSON.stringify(
    Object.keys(key)
      .sort()
      .map((k) => [k, key[k]]),
  );

const bindingHash = (list: string, scope: string, key: PageKey) =>
  createHash('sha256')
    .update(JSON.stringify([list, scope, canonical(key)]))
    .digest('base64url')
    .slice(0, 22);

export const cursorCodec = (list: string): CursorCodec => ({
  encode(key, scope) {
    if (!key) return undefined;
    return Buffer.from(JSON.stringify({ v: 1, list, at: key, h: bindingHash(list, scope, key) })).toString('base64url');
  },
  decode(cursor, scope) {
    if (cursor === undefined || cursor === '') return undefined;
    if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursorError();
    }
    const parsed = envelopeSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidCursorError();
    const { list: from, at, h } = parsed.data;
    if (from !== list) throw new InvalidCursorError('a cursor of another list; start this list again without it');
    if (h !== bindingHash(list, scope, at))
      throw new InvalidCursorError('a cursor of another query or a changed one; start again without it');
    return at;
  },
});
