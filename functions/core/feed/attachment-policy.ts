import * as z from 'zod';
import { lazySchema } from '../lazy-schema';

/** Largest file a user may attach. The upload URL is signed for the declared size, so it cannot grow. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** Documents and images a sales team exchanges; nothing executable, nothing a browser would run. */
export const ATTACHMENT_CONTENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;

/** Upload and download URLs live this long. */
export const URL_TTL_SECONDS = 15 * 60;

export const attachmentRequestSchema = lazySchema(() =>
  z
    .object({
      fileName: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .refine((name) => ![...name].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 32), {
          message: 'must be a plain file name (no path, no control characters)',
        }),
      contentType: z.enum(ATTACHMENT_CONTENT_TYPES, {
        message: `must be one of ${ATTACHMENT_CONTENT_TYPES.join(', ')}`,
      }),
      size: z
        .number()
        .int()
        .positive()
        .max(MAX_ATTACHMENT_BYTES, { message: `must be at most ${MAX_ATTACHMENT_BYTES} bytes` }),
    })
    .strict(),
);
export type AttachmentRequest = z.infer<typeof attachmentRequestSchema>;

/** The object key: per lead, by id; the user's file name never becomes part of a path. */
export const attachmentObjectKey = (leadId: string, attachmentId: string) => `leads/${leadId}/${attachmentId}`;

/** RFC 5987 `attr-char`s stay; everything else (quotes, spaces, `'()*`, non-ASCII) is percent-encoded as UTF-8. */
const rfc5987 = (value: string) =>
  encodeURIComponent(value).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `Content-Disposition` for a download (RFC 6266): always `attachment`, so a browser saves the file
 * instead of rendering it; the name as an ASCII quoted fallback (quotes, backslashes, `%`, `;` and
 * anything outside printable ASCII replaced) plus `filename*` in UTF-8, so no file name can add a parameter.
 */
export const attachmentDisposition = (fileName: string): string => {
  const fallback = [...fileName]
    .map((c) => (c >= ' ' && c <= '~' && c !== '"' && c !== '\\' && c !== '%' && c !== ';' ? c : '_'))
    .join('');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${rfc5987(fileName)}`;
};
