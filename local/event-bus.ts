import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EVENT_RULES, type EventRule } from '../functions/core/event-rules';
import { matchesPattern } from './event-pattern';

export type BusEnvelope = {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
};

export type DeadLetter = { rule: string; target: string; event: BusEnvelope; error: string; attempts: number; at: string };

export type Deliver = (rule: EventRule, event: BusEnvelope) => Promise<void>;

const RETRY_DELAYS_MS = [100, 400, 1600];

/**
 * The in-process stand-in for the EventBridge bus: the same rule patterns, at-least-once delivery
 * with retries, a dead-letter list, and a log of every event (kept on disk under the data dir so the
 * counters can be rebuilt from it, as from the bus archive on AWS).
 */
export class LocalEventBus {
  readonly log: BusEnvelope[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deliver: Deliver,
    private readonly archiveFile?: string,
    private readonly rules: readonly EventRule[] = EVENT_RULES,
  ) {
    if (archiveFile && existsSync(archiveFile)) {
      for (const line of readFileSync(archiveFile, 'utf8').split('\n')) if (line.trim()) this.log.push(JSON.parse(line));
    }
    if (archiveFile) mkdirSync(dirname(archiveFile), { recursive: true });
  }

  /** PutEvents: entries as the SDK/ASL send them (Detail as a JSON string or an object). */
  put(entries: { Source?: unknown; DetailType?: unknown; Detail?: unknown; Resources?: unknown }[]): { EventId: string }[] {
    return entries.map((entry) => {
      const detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : (entry.Detail ?? {});
      const event: BusEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': String(entry.DetailType),
        source: String(entry.Source),
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
        detail,
      };
      this.log.push(event);
      if (this.archiveFile) appendFileSync(this.archiveFile, `${JSON.stringify(event)}\n`);
      for (const rule of this.rules) if (matchesPattern(rule.pattern, event)) this.track(this.deliverWithRetry(rule, event));
      return { EventId: event.id };
    });
  }

  /** Resolves when every delivery started so far has finished (or landed in the DLQ). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<void>) {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async deliverWithRetry(rule: EventRule, event: BusEnvelope) {
    let lastError = '';
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      try {
        await this.deliver(rule, event);
        return;
      } catch (error) {
        lastError = (error as Error).message;
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay !== undefined) await new Promise((r) => setTimeout(r, delay));
      }
    }
    this.deadLetters.push({ rule: rule.name, target: rule.target, event, error: lastError, attempts: RETRY_DELAYS_MS.length + 1, at: new Date().toISOString() });
  }
}
