import {
  LeadflowError,
  MalformedBodyError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';
import { type BusEvent, makeEvent } from './events';
import type { Channel } from './lead';
import type { CaptureAnswer, Clock, EventPublisher } from './ports';

/**
 * Deliveries a source made that did not become a lead. A rejection writes no lead data: it is one
 * `CaptureRejected` event (the analytics counters turn it into the sources report's rejects), with a
 * deterministic id per source and delivery so a redelivery of the same rejected delivery counts once.
 *
 * What counts, per channel (only once the sender is known: an unsigned or wrongly signed webhook,
 * an unknown source or form is anyone's request and counts nowhere but the function's logs):
 * - `invalid`: the payload failed validation (422);
 * - `malformed`: the body could not be read (400, 413, 415);
 * - `duplicate`: the source's policy is `reject` and the person is already known;
 * - `spam`: a website form whose honeypot field was filled (answered 202, kept nowhere).
 */
export const REJECT_REASONS = ['invalid', 'malformed', 'duplicate', 'spam'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type Rejection = {
  sourceId: string;
  channel: Channel;
  deliveryId: string;
  reason: RejectReason;
  /** The HTTP status the sender got. */
  status: number;
  /** Field names that failed (never their values). */
  fields?: string[];
  campaign?: string;
  /** The lead a refused duplicate matched. */
  duplicateOf?: string;
};

export const rejectionEvent = (r: Rejection, at: string): BusEvent =>
  makeEvent('CaptureRejected', `rejected:${r.sourceId}:${r.deliveryId}`, at, {
    sourceId: r.sourceId,
    channel: r.channel,
    deliveryId: r.deliveryId,
    reason: r.reason,
    status: r.status,
    ...(r.fields && r.fields.length > 0 ? { fields: [...new Set(r.fields)] } : {}),
    ...(r.campaign ? { campaign: r.campaign } : {}),
    ...(r.duplicateOf ? { duplicateOf: r.duplicateOf } : {}),
  });

/** The reason an error rejects a delivery, or undefined for errors that are not the sender's payload. */
export const rejectReasonOf = (error: unknown): Pick<Rejection, 'reason' | 'status' | 'fields'> | undefined => {
  if (!(error instanceof LeadflowError)) return undefined;
  const fields = (error.details.issues ?? []).map((i) => i.field);
  if (error instanceof ValidationError) return { reason: 'invalid', status: error.status, fields };
  if (
    error instanceof MalformedBodyError ||
    error instanceof UnsupportedMediaTypeError ||
    error instanceof PayloadTooLargeError
  )
    return { reason: 'malformed', status: error.status, fields };
  return undefined;
};

export type RejectionPorts = { publisher: EventPublisher; clock: Clock; onError?: (error: unknown) => void };

/**
 * Announces a rejection. Best effort: the sender's answer does not wait on the report, so a bus
 * failure is handed to `onError` (logged) and the delivery is answered as it would have been.
 */
export const announceRejection = async (ports: RejectionPorts | undefined, rejection: Rejection): Promise<void> => {
  if (!ports) return;
  try {
    await ports.publisher.publish([rejectionEvent(rejection, ports.clock.now().toISOString())]);
  } catch (error) {
    ports.onError?.(error);
  }
};

/** A capture's answer, or a form submission caught by its honeypot. */
export type CaptureOutcome = CaptureAnswer | { leadId: ''; status: 'spam'; duplicates: [] };

/**
 * Runs a capture of an authenticated delivery and announces what it rejects: a payload error
 * (rethrown unchanged), a duplicate refused by the source's policy or spam (answered unchanged).
 */
export const countingRejects = async <T extends CaptureOutcome>(
  ports: RejectionPorts | undefined,
  delivery: { sourceId: string; channel: Channel; deliveryId: string; campaign?: string },
  capture: () => Promise<T>,
): Promise<T> => {
  let answer: T;
  try {
    answer = await capture();
  } catch (error) {
    const reason = rejectReasonOf(error);
    if (reason) await announceRejection(ports, { ...delivery, ...reason });
    throw error;
  }
  if (answer.status === 'duplicate')
    await announceRejection(ports, {
      ...delivery,
      reason: 'duplicate',
      status: 202,
      duplicateOf: answer.leadId || undefined,
    });
  if (answer.status === 'spam') await announceRejection(ports, { ...delivery, reason: 'spam', status: 202 });
  return answer;
};
