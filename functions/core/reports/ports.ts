import type { Counter, CountableEvent } from './counters';
import type { OldLead } from './reports';

/** What the reports read: counters for a range of days plus the open-leads gauge, and the oldest open leads. */
export type CountersReader = {
  /** Counters of those days, plus the open-leads gauge unless `open` is false. */
  read(days: readonly string[], options?: { open?: boolean }): Promise<Counter[]>;
  oldestOpen(limit: number): Promise<Omit<OldLead, 'ageDays' | 'link'>[]>;
};

/** What the bus consumer writes: each event counted once. */
export type CountersWriter = {
  apply(event: CountableEvent): Promise<'counted' | 'duplicate' | 'ignored'>;
};

/** Rebuild from an archive into a fresh generation, then switch reports to it. */
export type CountersRebuilder = {
  rebuild(events: readonly CountableEvent[]): Promise<{ generation: number; events: number; counters: number }>;
};
