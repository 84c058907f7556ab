import { describe, expect, it } from '@jest/globals';
import { attachmentDisposition } from '../../functions/core/feed/attachment-policy';

/** The parameters a strict RFC 6266 reader finds (token=value or token="quoted"), in order. */
const parametersOf = (header: string) => {
  const [type, ...rest] = header.split(';');
  const params = rest.map((p) => /^ (filename\*?)=("[^"\\]*"|[^\s";]+)$/.exec(p));
  return { type, params: params.map((m) => (m ? [m[1], m[2]] : ['BROKEN', ''])) };
};

describe('Content-Disposition of attachment downloads', () => {
  it.each([
    'offer 2026.pdf',
    'évaluation Müller.pdf',
    'evil.pdf"; filename="evil.html',
    "it's (final)*!.pdf",
    "x.pdf; filename*=UTF-8''evil.html",
    'back\\slash%20.pdf',
    '报价单.xlsx',
  ])('keeps %s one attachment file name that decodes back to itself', (name) => {
    const header = attachmentDisposition(name);
    const { type, params } = parametersOf(header);

    expect(type).toBe('attachment');
    expect(params.map(([k]) => k)).toEqual(['filename', 'filename*']);
    const encoded = String(params[1]?.[1]);
    expect(encoded.startsWith("UTF-8''")).toBe(true);
    expect(encoded.slice(7)).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]*$/);
    expect(decodeURIComponent(encoded.slice(7))).toBe(name);
    expect(String(params[0]?.[1])).toMatch(/^"[ -~]*"$/);
  });
});
