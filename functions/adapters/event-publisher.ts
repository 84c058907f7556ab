import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EntryPublisher } from '../core/lifecycle/ports';
import type { PutEventsEntry } from '../core/lifecycle/transitions';
import type { EventPublisher } from '../core/ports';
import { localOverrides } from '../env/function-env';
import { inProcessConfig } from './in-process-endpoint';
import { localEndpointConfig } from './local-signer';
import { withoutSdkLogger } from './sdk-logging';

/** Locally `EVENTS_ENDPOINT` points at the local runtime's bus, which speaks the same protocol (in its own process, without a socket). */
export const makeEventBridgeClient = (endpoint = localOverrides().EVENTS_ENDPOINT): EventBridgeClient =>
  withoutSdkLogger(new EventBridgeClient({ ...localEndpointConfig(endpoint), ...inProcessConfig(endpoint) }));

export const makeEventPublisher = (client: EventBridgeClient, busName: string): EventPublisher => ({
  async publish(events) {
    // PutEvents takes at most 10 entries per call.
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const out = await client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            Source: e.source,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
            EventBusName: busName,
          })),
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0)
        throw new Error(`PutEvents rejected ${out.FailedEntryCount} of ${batch.length} entries`);
    }
  },
});

/**
 * Puts entries already in PutEvents shape (what the lifecycle steps carry), on the bus named in
 * `busName` whatever the entry says; at most 10 per call, a rejected entry is an error.
 */
export const makeEntryPublisher = (client: EventBridgeClient, busName: string): EntryPublisher => ({
  async put(entries: PutEventsEntry[]) {
    for (let i = 0; i < entries.length; i += 10) {
      const batch = entries.slice(i, i + 10).map((e) => ({ ...e, EventBusName: busName }));
      const out = await client.send(new PutEventsCommand({ Entries: batch }));
      if ((out.FailedEntryCount ?? 0) > 0)
        throw new Error(`PutEvents rejected ${out.FailedEntryCount} of ${batch.length} entries`);
    }
  },
});
