import { describe, expect, it } from '@jest/globals';
import { ConflictError, ValidationError } from '../../functions/core/errors';
import { approvalsConfigSchema, chainFor, DEFAULT_APPROVALS } from '../../functions/core/lifecycle/approvals-config';
import {
  DEFAULT_QUOTE_CATALOG,
  discountLimitOf,
  priceBookFor,
  quoteCatalogSchema,
} from '../../functions/core/quotes/catalog';
import { formatMoney, majorOf, mulDivRound, priceQuote } from '../../functions/core/quotes/pricing';
import {
  assertAction,
  assertQuotable,
  expiresAtOf,
  formatQuoteNumber,
  parseQuoteInput,
  QUOTE_NUMBER,
  type Quote,
} from '../../functions/core/quotes/quote';

const catalog = DEFAULT_QUOTE_CATALOG;

describe('quote pricing in integer minor units', () => {
  it('prices from the segment price book, discounts per line rounded half up, tax on the net total', () => {
    const book = priceBookFor(catalog, { country: 'DE', leadType: 'B2B' });
    expect(book?.id).toBe('dach-b2b');
    // 3 × 1,100.00 at 12.5 % off = 3,300.00 − 412.50; 1 × 1,400.00 at 0.05 % off = 0.70 off.
    const priced = priceQuote(
      [
        { sku: 'LF-PRO', quantity: 3, discountBps: 1250 },
        { sku: 'ONBOARD', quantity: 1, discountBps: 5 },
      ],
      catalog,
      book,
      'DE',
    );
    expect(priced.currency).toBe('EUR');
    expect(priced.lines.map((l) => [l.unitPriceMinor, l.discountMinor, l.netMinor])).toEqual([
      [110_000, 41_250, 288_750],
      [140_000, 70, 139_930],
    ]);
    expect(priced.totals).toEqual({
      subtotalMinor: 470_000,
      discountMinor: 41_320,
      netMinor: 428_680,
      taxRateBps: 1900,
      // 428,680 × 19 % = 81,449.2 → 81,449
      taxMinor: 81_449,
      totalMinor: 510_129,
    });
  });

  it('rounds half up exactly where floating point would not, and stays exact past 2^53', () => {
    // 0.5 cent rounds up: 1 × 1 × 5000 bps = 0.5 → 1
    expect(mulDivRound(1, 5000, 10_000)).toBe(1);
    expect(mulDivRound(1, 4999, 10_000)).toBe(0);
    // 1.005 × 100 is 100.49999… in floating point; the integer path gives 101 (half up) for 100.5.
    expect(mulDivRound(201, 1, 2)).toBe(101);
    // The product (1.23e16) is past 2^53; BigInt keeps every digit of it.
    expect(mulDivRound(123_456_789_013, 99_999, 10_000)).toBe(1_234_555_544_451);
    expect(() => mulDivRound(Number.MAX_SAFE_INTEGER, 10, 1)).toThrow(RangeError);
  });

  it('uses list prices and the product currency without a price book, tax by country, default elsewhere', () => {
    const priced = priceQuote(
      [{ sku: 'LF-PRO', quantity: 1 }],
      catalog,
      priceBookFor(catalog, { country: 'FR' }),
      'FR',
    );
    expect(priced).toMatchObject({
      currency: 'EUR',
      totals: { netMinor: 120_000, taxRateBps: 2000, taxMinor: 24_000 },
    });
    expect(priceQuote([{ sku: 'LF-PRO', quantity: 1 }], catalog, undefined, 'JP').totals.taxRateBps).toBe(0);
    const us = priceQuote([{ sku: 'LF-PRO', quantity: 1 }], catalog, priceBookFor(catalog, { country: 'US' }), 'US');
    expect(us).toMatchObject({ currency: 'USD', totals: { netMinor: 130_000 } });
  });

  it('names each unknown SKU, and formats money by the currency’s minor digits', () => {
    expect(() => priceQuote([{ sku: 'NOPE', quantity: 1 }], catalog, undefined, 'DE')).toThrow(ValidationError);
    try {
      priceQuote([{ sku: 'NOPE', quantity: 1 }], catalog, undefined, 'DE');
    } catch (error) {
      expect((error as ValidationError).details.issues).toEqual([
        { field: 'lines.0.sku', reason: 'no product with SKU NOPE in the catalogue' },
      ]);
    }
    expect(formatMoney(123_456, 'EUR')).toBe('EUR 1,234.56');
    expect(formatMoney(123_456, 'JPY')).toBe('JPY 123,456');
    expect(majorOf(1_215_000, 'EUR')).toBe(12_150);
  });
});

describe('quote input, numbers and state rules', () => {
  it('reads percent discounts as basis points and refuses a third decimal, a past date, an empty quote', () => {
    const input = parseQuoteInput(
      { lines: [{ sku: 'LF-PRO', quantity: 2, discountPercent: 12.35 }] },
      '2026-12-06',
      30,
    );
    expect(input).toEqual({ lines: [{ sku: 'LF-PRO', quantity: 2, discountBps: 1235 }], validUntil: '2027-01-05' });
    const issues = (body: unknown) => {
      try {
        parseQuoteInput(body, '2026-12-06', 30);
        return [];
      } catch (error) {
        return ((error as ValidationError).details.issues ?? []).map((i) => i.field);
      }
    };
    expect(issues({ lines: [{ sku: 'X', quantity: 1, discountPercent: 1.234 }] })).toEqual(['lines.0.discountPercent']);
    expect(issues({ lines: [{ sku: 'X', quantity: 0 }] })).toEqual(['lines.0.quantity']);
    expect(issues({ lines: [] })).toEqual(['lines']);
    expect(issues({ lines: [{ sku: 'X', quantity: 1 }], validUntil: '2026-12-05' })).toEqual(['validUntil']);
    expect(issues({ lines: [{ sku: 'X', quantity: 1 }], validUntil: '2026-02-30' })).toEqual(['validUntil']);
  });

  it('numbers quotes Q-<year>-<6 digits> and grows past a million instead of wrapping', () => {
    expect(formatQuoteNumber(2026, 123)).toBe('Q-2026-000123');
    expect(formatQuoteNumber(2026, 1_234_567)).toBe('Q-2026-1234567');
    expect(QUOTE_NUMBER.test('Q-2026-000123')).toBe(true);
    expect(expiresAtOf('2026-12-31')).toBe('2026-12-31T23:59:59.999Z');
  });

  const quote = (status: Quote['status'], validUntil = '2026-12-31') =>
    ({ id: 'Q-2026-000001', version: 1, status, validUntil, expiresAt: expiresAtOf(validUntil) }) as Quote;
  const now = new Date('2026-12-06T12:00:00Z');
  const refused = (q: Quote, action: Parameters<typeof assertAction>[1], at = now) => {
    try {
      assertAction(q, action, at);
      return false;
    } catch (error) {
      return error instanceof ConflictError;
    }
  };

  it('sends drafts only, answers sent quotes only while valid, never changes an accepted one', () => {
    expect(refused(quote('draft'), 'send')).toBe(false);
    expect(refused(quote('sent'), 'send')).toBe(true);
    expect(refused(quote('draft'), 'accept')).toBe(true);
    expect(refused(quote('sent'), 'accept')).toBe(false);
    expect(refused(quote('sent'), 'decline')).toBe(false);
    expect(refused(quote('sent', '2026-12-05'), 'accept')).toBe(true);
    expect(refused(quote('sent', '2026-12-06'), 'accept', new Date('2026-12-06T23:59:59Z'))).toBe(false);
    expect(refused(quote('expired'), 'accept')).toBe(true);
    expect(refused(quote('accepted'), 'edit')).toBe(true);
    expect(refused(quote('sent'), 'edit')).toBe(false);
    expect(refused(quote('superseded'), 'edit')).toBe(true);
    expect(refused(quote('declined'), 'expire')).toBe(true);
    expect(() => assertQuotable({ id: 'L1', stage: 'Disqualified' })).toThrow('disqualified');
    expect(() => assertQuotable({ id: 'L1', stage: 'Creation' })).toThrow(ConflictError);
    expect(() => assertQuotable({ id: 'L1', stage: 'Assigned' })).not.toThrow();
  });
});

describe('quote configuration', () => {
  it('accepts the default catalogue and refuses a price book pricing an unknown SKU or a duplicate SKU', () => {
    expect(quoteCatalogSchema.safeParse(catalog).success).toBe(true);
    const bad = {
      ...catalog,
      products: [...catalog.products, catalog.products[0]],
      priceBooks: [{ ...catalog.priceBooks[0], prices: { GHOST: 1 } }],
    };
    const issues = quoteCatalogSchema.safeParse(bad).error?.issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(['products', 'priceBooks.0.prices.GHOST']);
  });

  it('gives the highest limit among the caller’s groups, none without a group', () => {
    expect(discountLimitOf(catalog, ['rep'])).toBe(1000);
    expect(discountLimitOf(catalog, ['rep', 'manager'])).toBe(2500);
    expect(discountLimitOf(catalog, [])).toBe(0);
  });

  it('keeps conversion and quote-discount chains apart; a conversion chain still needs onReject', () => {
    const lead = { leadType: 'B2B' as const, country: 'DE', expectedValue: 100_000 };
    expect(chainFor(lead, DEFAULT_APPROVALS)?.chain.name).toBe('large B2B deals');
    expect(chainFor(lead, DEFAULT_APPROVALS, 'quote-discount')?.chain.name).toBe('quote discounts');
    expect(chainFor({ ...lead, expectedValue: 10 }, DEFAULT_APPROVALS)).toBeUndefined();
    const missing = approvalsConfigSchema.safeParse({
      chains: [{ name: 'x', when: {}, steps: [{ name: 's', group: 'manager', timeout: 'PT1H' }] }],
    });
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['chains.0.onReject']);
  });
});
