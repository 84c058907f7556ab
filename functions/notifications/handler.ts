import type { EventBridgeEvent } from 'aws-lambda';
import { type NotifyDeps, notify } from '../core/notifications/notify';
import { logger } from '../http/observability';

/** Target of the `notifications` rule: one bus event in, at most one message per recipient out. */
export const makeNotificationsHandler =
  (deps: NotifyDeps) => async (event: EventBridgeEvent<string, Record<string, unknown>>) => {
    const outcome = await notify(deps, event);
    logger.info('notified', {
      detailType: event['detail-type'],
      eventId: outcome.eventId,
      sent: outcome.sent.length,
      skipped: outcome.skipped.length,
    });
    return outcome;
  };
