import { describe, expect, it } from '@jest/globals';
import { EVENT_DELIVERY, type EventRule } from '../../functions/core/event-rules';
import { LocalEventBus } from '../../local/event-bus';

const RULE: EventRule = {
  name: 'probe',
  description: 'every probe event',
  pattern: { source: ['probe'] },
  target: 'notifications',
};
const ENTRY = { Source: 'probe', DetailType: 'Probed', Detail: '{"n":1}' };

describe('the local bus follows the stack’s retry policy (EVENT_DELIVERY)', () => {
  it('tries a failing target once plus EVENT_DELIVERY.retryAttempts times, then parks the event in the DLQ', async () => {
    let calls = 0;
    const bus = new LocalEventBus(
      async () => {
        calls++;
        throw new Error('target down');
      },
      undefined,
      [RULE],
    );
    bus.put([ENTRY]);
    await bus.drain();
    expect(calls).toBe(1 + EVENT_DELIVERY.retryAttempts);
    expect(bus.deadLetters).toEqual([
      expect.objectContaining({
        rule: 'probe',
        target: 'notifications',
        error: 'target down',
        attempts: 1 + EVENT_DELIVERY.retryAttempts,
      }),
    ]);
  });

  it('delivers once a target recovers within its retries, leaving the DLQ empty', async () => {
    let calls = 0;
    const bus = new LocalEventBus(
      async () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
      },
      undefined,
      [RULE],
    );
    bus.put([ENTRY]);
    await bus.drain();
    expect(calls).toBe(3);
    expect(bus.deadLetters).toEqual([]);
  });

  it('fails a malformed Detail per entry, as EventBridge does, and publishes the others', () => {
    const bus = new LocalEventBus(async () => undefined, undefined, []);
    const results = bus.put([
      ENTRY,
      { ...ENTRY, Detail: '{oops' },
      { ...ENTRY, Detail: '"text"' },
      { ...ENTRY, Source: undefined },
    ]);
    expect(results).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('Source') },
    ]);
    expect(bus.log.map((e) => e.detail)).toEqual([{ n: 1 }]);
  });
});
