import { describe, expect, it } from '@jest/globals';
import type { NotificationMessage } from '../../functions/core/notifications/messages';
import { type NotifyDeps, notify } from '../../functions/core/notifications/notify';
import { DEFAULT_PREFERENCES } from '../../functions/core/notifications/preferences';

/** The consumer's ports, recording which lookups it made (each a DynamoDB read in the real adapters). */
const recording = () => {
  const calls = { names: 0, preferences: 0, managerOf: 0 };
  const sent: NotificationMessage[] = [];
  const deps: NotifyDeps = {
    preferences: async () => {
      calls.preferences++;
      return DEFAULT_PREFERENCES;
    },
    managerOf: async () => {
      calls.managerOf++;
      return undefined;
    },
    notifier: {
      deliver: async (message) => {
        sent.push(message);
        return 'sent';
      },
    },
    names: async () => {
      calls.names++;
      return { lead: 'Ada (Acme)' };
    },
  };
  return { deps, calls, sent };
};

const envelope = (type: string, lead: Record<string, unknown>) => ({
  'detail-type': type,
  detail: { eventId: 'e1', occurredAt: '2026-12-07T00:00:00Z', leadId: 'L1', lead: { id: 'L1', ...lead } },
});

describe('notifications: lookups only for events someone hears about', () => {
  it('an event with no recipient (a new lead nobody follows) reads no names and no preferences', async () => {
    const { deps, calls, sent } = recording();
    for (const type of ['LeadCreated', 'LeadStageChanged']) {
      const outcome = await notify(deps, envelope(type, { stage: 'Assigned' }));
      expect(outcome).toEqual({ eventId: 'e1', sent: [], skipped: [] });
    }
    expect(calls).toEqual({ names: 0, preferences: 0, managerOf: 0 });
    expect(sent).toEqual([]);
  });

  it('an assignment looks the names up once and tells the new owner', async () => {
    const { deps, calls, sent } = recording();
    const outcome = await notify(deps, envelope('LeadAssigned', { owner: 'bob' }));
    expect(outcome.sent).toEqual(['bob']);
    expect(calls).toEqual({ names: 1, preferences: 1, managerOf: 0 });
    expect(sent).toHaveLength(1);
  });
});
