import { DETAIL_TYPES, type DetailType } from '../events';
import { type MessageNames, type NotificationMessage, messageFor } from './messages';
import { channelFor, type NotificationPreferences } from './preferences';
import { type NotifiableEvent, recipientsFor, recipientsNeedManager } from './recipients';

/** Sends one message at most once per (event, user): the outbox locally, SES on AWS. */
export type Notifier = { deliver(message: NotificationMessage): Promise<'sent' | 'duplicate'> };

export type NotifyDeps = {
  preferences(user: string): Promise<NotificationPreferences>;
  /** The manager of the lead's team, or of its owner's team (config kind `teams`), for escalations. */
  managerOf(lead: { team?: string; owner?: string }): Promise<string | undefined>;
  notifier: Notifier;
  consoleUrl?: string;
  /** Names for the messages (events carry ids only); without it, or when it fails, subjects show ids. */
  names?(detail: NotifiableEvent['detail']): Promise<MessageNames>;
};

export type NotifyOutcome = { eventId: string; sent: string[]; skipped: { user: string; why: string }[] };

const isDetailType = (value: string): value is DetailType => (DETAIL_TYPES as readonly string[]).includes(value);

/**
 * The notifications consumer: who should hear about this event, what they asked to receive, one
 * message each. A redelivered event finds its messages already sent and sends nothing again. A user
 * whose delivery fails does not stop the others; the failure is rethrown at the end so the bus retries
 * (only the missing messages go out on the retry).
 */
export const notify = async (
  deps: NotifyDeps,
  envelope: { 'detail-type': string; detail: Record<string, unknown> },
): Promise<NotifyOutcome> => {
  const type = envelope['detail-type'];
  const detail = envelope.detail as NotifiableEvent['detail'];
  const outcome: NotifyOutcome = { eventId: String(detail.eventId ?? ''), sent: [], skipped: [] };
  if (!isDetailType(type)) return { ...outcome, skipped: [{ user: '*', why: `unknown detail-type ${type}` }] };
  const event: NotifiableEvent = { detailType: type, detail };
  const lead = (detail.lead ?? {}) as { team?: string; owner?: string };
  const manager = recipientsNeedManager(type) ? await deps.managerOf(lead) : undefined;
  const failures: string[] = [];
  const recipients = recipientsFor(event, manager);
  // No one to tell (most stage changes, every LeadCreated without followers): no names to look up either.
  if (recipients.length === 0) return outcome;
  const names = (await deps.names?.(detail).catch(() => undefined)) ?? {};
  await Promise.all(
    recipients.map(async ({ user, reason }) => {
      try {
        const channel = channelFor(await deps.preferences(user), type);
        if (channel === 'off') {
          outcome.skipped.push({ user, why: `${type} is off in their preferences` });
          return;
        }
        const result = await deps.notifier.deliver(messageFor(event, user, reason, deps.consoleUrl, names));
        if (result === 'sent') outcome.sent.push(user);
        else outcome.skipped.push({ user, why: 'already sent' });
      } catch (error) {
        failures.push(`${user}: ${(error as Error).message}`);
      }
    }),
  );
  if (failures.length > 0)
    throw new Error(
      `notifications for ${outcome.eventId} failed for ${failures.length} recipient(s): ${failures.join('; ')}`,
    );
  return outcome;
};
