import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EVENT_DELIVERY, EVENT_RULES, type EventRule } from '../functions/core/event-rules';
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

export type DeadLetter = {
  rule: string;
  target: string;
  event: BusEnvelope;
  error: string;
  attempts: number;
  at: string;
};

export type PutEntry = { Source?: unknown; DetailType?: unknown; Detail?: unknown; Resources?: unknown };
export type PutResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** EventBridge accepts a Detail that is a JSON object (as text); anything else is MalformedDetail. */
const parseDetail = (raw: unknown): Record<string, unknown> | undefined => {
  let value = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
};

export type Deliver = (rule: EventRule, event: BusEnvelope) => Promise<void>;

/**
 * The stack's retry policy on a compressed clock: as many retries as EventBridge makes, an event past
 * the same maximum age goes to the DLQ, but the back-off doubles from 100 ms up to 1.6 s instead of
 * spreading the retries over hours, so a failing target parks its event within seconds.
 */
const retryDelayMs = (retry: number) => Math.min(100 * 2 ** retry, 1600);

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
      for (const line of readFileSync(archiveFile, 'utf8').split('\n'))
        if (line.trim()) this.log.push(JSON.parse(line));
    }
    if (archiveFile) mkdirSync(dirname(archiveFile), { recursive: true });
  }

  /**
   * PutEvents: entries as the SDK/ASL send them (Detail as a JSON string or an object). As EventBridge
   * does, an entry that cannot be accepted fails alone, with its ErrorCode, and the others go through.
   */
  put(entries: PutEntry[]): PutResult[] {
    return entries.map((entry) => {
      const detail = parseDetail(entry.Detail);
      if (detail === undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      if (typeof entry.Source !== 'string' || !entry.Source)
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
        };
      if (typeof entry.DetailType !== 'string' || !entry.DetailType)
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
        };
      const event: BusEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
        detail,
      };
      this.log.push(event);
      if (this.archiveFile) appendFileSync(this.archiveFile, `${JSON.stringify(event)}\n`);
      for (const rule of this.rules)
        if (matchesPattern(rule.pattern, event)) this.track(this.deliverWithRetry(rule, event));
      return { EventId: event.id };
    });
  }

  /** Deliveries started and not yet finished (retries included). */
  get pending(): number {
    return this.inFlight.size;
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
    let attempts = 0;
    const expires = Date.parse(event.time) + EVENT_DELIVERY.maxEventAgeSeconds * 1000;
    while (attempts <= EVENT_DELIVERY.retryAttempts && (attempts === 0 || Date.now() < expires)) {
      if (attempts > 0) await new Promise((r) => setTimeout(r, retryDelayMs(attempts - 1)));
      attempts++;
      try {
        await this.deliver(rule, event);
        return;
      } catch (error) {
        lastError = (error as Error).message;
      }
    }
    this.deadLetters.push({
      rule: rule.name,
      target: rule.target,
      event,
      error: lastError,
      attempts,
      at: new Date().toISOString(),
    });
  }
}
