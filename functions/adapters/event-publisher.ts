import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../core/ports';
import { localOverrides } from '../env/function-env';
import { localSigner } from './local-signer';

/** Locally `EVENTS_ENDPOINT` points at the local runtime's bus, which speaks the same protocol. */
export const makeEventBridgeClient = (endpoint = localOverrides().EVENTS_ENDPOINT): EventBridgeClient =>
  new EventBridgeClient(
    endpoint
      ? {
          endpoint,
          region: 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          signer: localSigner,
        }
      : {},
  );

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
