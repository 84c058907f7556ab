import type { EventBridgeEvent } from 'aws-lambda';
import { deliverEvent, type OutboundDeps } from '../core/outbound/deliver';
import { logger } from '../http/observability';

/** Target of the `outbound-webhooks` rule. Throws only for the subscriptions that still failed. */
export const makeOutboundHandler =
  (deps: OutboundDeps) => async (event: EventBridgeEvent<string, Record<string, unknown>>) => {
    const result = await deliverEvent(deps, event);
    logger.info('webhooks delivered', {
      detailType: event['detail-type'],
      eventId: result.eventId,
      delivered: result.delivered.length,
    });
    return result;
  };
