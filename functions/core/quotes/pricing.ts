import { type FieldIssue, ValidationError } from '../errors';
import { type PriceBook, type QuoteCatalog, taxRateFor } from './catalog';

/** What the caller asks for on a line: a product, how many, and a discount in basis points. */
export type LineRequest = { sku: string; quantity: number; discountBps?: number };

export type QuoteLine = {
  sku: string;
  name: string;
  unit: string;
  quantity: number;
  /** The product's list price in the product's currency (for reference). */
  listPriceMinor: number;
  /** The unit price from the customer's price book (or the list price without one). */
  unitPriceMinor: number;
  discountBps: number;
  /** quantity × unit price. */
  grossMinor: number;
  discountMinor: number;
  /** gross − discount. */
  netMinor: number;
};

export type QuoteTotals = {
  subtotalMinor: number;
  discountMinor: number;
  netMinor: number;
  taxRateBps: number;
  taxMinor: number;
  totalMinor: number;
};

/**
 * a × b / c rounded half up, exactly: BigInt, because quantity × price × basis points passes 2^53
 * long before a real quote is large. Inputs are non-negative integers.
 */
export const mulDivRound = (a: number, b: number, c: number): number => {
  const num = BigInt(a) * BigInt(b);
  const den = BigInt(c);
  const q = num / den;
  const r = num % den;
  const result = r * 2n >= den ? q + 1n : q;
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount too large');
  return Number(result);
};

/** Digits after the decimal point of a currency (EUR 2, JPY 0, KWD 3), from the platform's ISO 4217 data. */
export const minorDigitsOf = (currency: string): number =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** 123456 EUR minor units → 1234.56 (a display or a lead's `expectedValue`, never arithmetic). */
export const majorOf = (minor: number, currency: string): number => minor / 10 ** minorDigitsOf(currency);

/** "EUR 1,234.56", as the PDF and the console print it. */
export const formatMoney = (minor: number, currency: string): string => {
  const digits = minorDigitsOf(currency);
  return `${currency} ${(minor / 10 ** digits).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
};

/** "12.5 %" from basis points. */
export const formatPercent = (bps: number): string =>
  `${(bps / 100).toLocaleString('en', { maximumFractionDigits: 2 })} %`;

/**
 * Prices the requested lines against the catalogue and the customer's price book: each line's unit
 * price, discount and net, rounded per line (half up, in minor units); tax on the net total at the
 * customer country's rate. Every line must be sold in the one currency of the quote.
 */
export const priceQuote = (
  requests: readonly LineRequest[],
  catalog: QuoteCatalog,
  book: PriceBook | undefined,
  country: string | undefined,
): { currency: string; lines: QuoteLine[]; totals: QuoteTotals } => {
  const issues: FieldIssue[] = [];
  const products = new Map(catalog.products.map((p) => [p.sku, p]));
  let currency = book?.currency;
  const lines: QuoteLine[] = [];
  requests.forEach((req, i) => {
    const product = products.get(req.sku);
    if (!product) {
      issues.push({ field: `lines.${i}.sku`, reason: `no product with SKU ${req.sku} in the catalogue` });
      return;
    }
    const unitPriceMinor = book ? book.prices[req.sku] : product.listPriceMinor;
    if (unitPriceMinor === undefined) {
      issues.push({ field: `lines.${i}.sku`, reason: `${req.sku} is not in price book ${book?.id}` });
      return;
    }
    if (!book) {
      currency ??= product.currency;
      if (product.currency !== currency) {
        issues.push({
          field: `lines.${i}.sku`,
          reason: `${req.sku} is priced in ${product.currency}, the quote in ${currency}`,
        });
        return;
      }
    }
    const discountBps = req.discountBps ?? 0;
    const grossMinor = mulDivRound(unitPriceMinor, req.quantity, 1);
    const discountMinor = mulDivRound(grossMinor, discountBps, 10_000);
    lines.push({
      sku: product.sku,
      name: product.name,
      unit: product.unit,
      quantity: req.quantity,
      listPriceMinor: product.listPriceMinor,
      unitPriceMinor,
      discountBps,
      grossMinor,
      discountMinor,
      netMinor: grossMinor - discountMinor,
    });
  });
  if (issues.length > 0) throw new ValidationError(issues);
  const subtotalMinor = lines.reduce((s, l) => s + l.grossMinor, 0);
  const discountMinor = lines.reduce((s, l) => s + l.discountMinor, 0);
  const netMinor = subtotalMinor - discountMinor;
  const taxRateBps = taxRateFor(catalog, country);
  const taxMinor = mulDivRound(netMinor, taxRateBps, 10_000);
  return {
    currency: currency ?? catalog.products[0]?.currency ?? 'EUR',
    lines,
    totals: { subtotalMinor, discountMinor, netMinor, taxRateBps, taxMinor, totalMinor: netMinor + taxMinor },
  };
};

/** The largest line discount of a quote, in basis points. */
export const maxDiscountOf = (lines: readonly Pick<QuoteLine, 'discountBps'>[]): number =>
  Math.max(0, ...lines.map((l) => l.discountBps));
