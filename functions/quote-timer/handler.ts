import { waitSecondsUntil } from '../core/lifecycle/duration';
import { tickQuoteExpiry, type QuoteDeps } from '../core/quotes/quote-service';

export type QuoteTimerEvent = { quoteId: string; version: number };

/**
 * The quote-expiry state machine's step: expire the version if its validity has ended, otherwise say
 * how long to wait (one slice of at most 20 days, at least 1 s).
 */
export const makeQuoteTimerHandler =
  (deps: Pick<QuoteDeps, 'quotes' | 'crm' | 'publisher' | 'clock'>) =>
  async (event: QuoteTimerEvent): Promise<{ done: boolean; waitSeconds: number; status?: string }> => {
    const tick = await tickQuoteExpiry(deps, { quoteId: String(event.quoteId), version: Number(event.version) });
    return {
      done: tick.done,
      status: tick.status,
      waitSeconds: tick.expiresAt ? waitSecondsUntil(tick.expiresAt, deps.clock.now()) : 1,
    };
  };
