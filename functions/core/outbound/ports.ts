import type { OutboundStore } from './deliver';
import type { DeliveryRecord, StoredSubscription, Subscription } from './subscriptions';

/** Subscriptions as sales ops manage them, beside what the delivery consumer reads and records. */
export type SubscriptionsStore = OutboundStore & {
  create(subscription: StoredSubscription): Promise<void>;
  /** Without its secret: it is shown once, on creation. */
  get(id: string): Promise<Subscription | undefined>;
  /** Whether there was one to remove. */
  remove(id: string): Promise<boolean>;
  /** The latest attempts, newest first. */
  lastDeliveries(id: string, limit?: number): Promise<DeliveryRecord[]>;
};
