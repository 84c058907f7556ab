/** Every error the domain raises on purpose. `code` is stable and becomes the problem `type`. */
export type FieldIssue = { field: string; reason: string };

/** Schema issues (zod's shape) as field issues: dotted path, or `body` for the whole body. */
export const fieldIssuesOf = (issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldIssue[] =>
  issues.map((i) => ({ field: i.path.map(String).join('.') || 'body', reason: i.message }));

export class LeadflowError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: { issues?: FieldIssue[]; [key: string]: unknown } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends LeadflowError {
  constructor(issues: FieldIssue[], message = 'The request has invalid fields') {
    super('validation-failed', 422, message, { issues });
  }
}
/** A `cursor` this list did not hand out (tampered, truncated, from another list or another lead). */
export class InvalidCursorError extends ValidationError {
  constructor(reason = 'not a cursor this list handed out; start again without it') {
    super([{ field: 'cursor', reason }], 'The cursor is not one this list handed out');
  }
}
export class MalformedBodyError extends LeadflowError {
  constructor(reason: string) {
    super('malformed-body', 400, reason, { issues: [{ field: 'body', reason }] });
  }
}
export class UnsupportedMediaTypeError extends LeadflowError {
  constructor(received: string, accepted: string[]) {
    super(
      'unsupported-media-type',
      415,
      `Content type '${received}' is not accepted; send one of ${accepted.join(', ')}`,
      {
        issues: [{ field: 'content-type', reason: `expected one of ${accepted.join(', ')}` }],
      },
    );
  }
}
export class PayloadTooLargeError extends LeadflowError {
  constructor(limit: number) {
    super('payload-too-large', 413, `The body exceeds ${limit} bytes`, {
      issues: [{ field: 'body', reason: `larger than ${limit} bytes` }],
    });
  }
}
export class UnauthorizedError extends LeadflowError {
  constructor(reason: string, field = 'authorization') {
    super('unauthorized', 401, reason, { issues: [{ field, reason }] });
  }
}
export class ForbiddenError extends LeadflowError {
  constructor(reason: string) {
    super('forbidden', 403, reason);
  }
}
export class NotFoundError extends LeadflowError {
  constructor(what: string, id: string) {
    super('not-found', 404, `${what} '${id}' does not exist`);
  }
}
/** The resource existed and was retired on purpose (a source): its history stays, nothing more is accepted. */
export class GoneError extends LeadflowError {
  constructor(what: string, id: string, retiredAt?: string) {
    super('gone', 410, `${what} '${id}' was retired${retiredAt ? ` at ${retiredAt}` : ''} and takes no more leads`, {
      ...(retiredAt ? { retiredAt } : {}),
    });
  }
}
export class ConflictError extends LeadflowError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('conflict', 409, message, details);
  }
}
/**
 * The store stayed too busy to finish within the retry budget (e.g. a burst of the same person):
 * nothing was written; the caller may send the same request again after `retryAfterSeconds`.
 */
export class RetryLaterError extends LeadflowError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super('retry-later', 503, message, { retryAfterSeconds });
  }
}
