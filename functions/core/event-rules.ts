import type { FunctionName } from '../routes';
import { DETAIL_TYPES, EVENT_SOURCE } from './events';

/** An EventBridge event pattern (the subset leadflow uses: values, prefix, anything-but, exists, numeric). */
export type EventPattern = { [field: string]: EventPattern | readonly unknown[] };

export type EventRule = { name: string; description: string; pattern: EventPattern; target: FunctionName };

/**
 * How a rule target is retried before its event goes to the rule's DLQ: the stack sets these on every
 * target (lib/lead-events.ts), the local bus follows the same count and age (local/event-bus.ts).
 */
export const EVENT_DELIVERY = {
  /** Retries after the first attempt (EventBridge allows 0–185). */
  retryAttempts: 8,
  /** An event older than this is not retried again (EventBridge allows 60 s – 24 h). */
  maxEventAgeSeconds: 24 * 3600,
} as const;

/** Rules on the leadflow bus: the stack creates one rule per entry, the local bus matches the same. */
export const EVENT_RULES: readonly EventRule[] = [
  {
    name: 'notifications',
    description: 'Every lead and opportunity change → owner, followers, managers and approvers, per their preferences',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...DETAIL_TYPES] },
    target: 'notifications',
  },
  {
    name: 'outbound-webhooks',
    description: 'Every event → signed webhooks to the integrations subscribed to its type (GET /config/subscriptions)',
    pattern: { source: [EVENT_SOURCE] },
    target: 'outbound',
  },
  {
    name: 'analytics-counters',
    description: 'Every leadflow event → the analytics counters behind GET /reports/* (each event counted once)',
    pattern: { source: [EVENT_SOURCE] },
    target: 'analyticsCounters',
  },
  {
    name: 'privacy',
    description:
      'New leads → flagged when an erased person is captured again (privacy policy); erasures replayed from the archive → applied again',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['LeadCreated', 'PersonalDataErased'] },
    target: 'privacyEvents',
  },
];
