import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';
import { LEAD_TYPES } from '../lead';
import { regionOf } from '../lifecycle/regions';

const currency = lazySchema(() => z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as EUR' }));
const country = lazySchema(() => z.string().regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code' }));
const sku = lazySchema(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, { message: 'letters, digits, dot, dash, underscore; at most 40' }),
);
/** Money is integer minor units (cents): never a float. */
const minor = lazySchema(() => z.number().int().nonnegative().max(1_000_000_000_000));
/** Rates and discounts are integer basis points: 1 % = 100, 100 % = 10,000. */
const bps = lazySchema(() => z.number().int().min(0).max(10_000));

export const quoteCatalogSchema = lazySchema(() =>
  z
    .object({
      products: z
        .array(
          z
            .object({
              sku,
              name: z.string().trim().min(1).max(200),
              unit: z.string().trim().min(1).max(40),
              listPriceMinor: minor,
              currency,
            })
            .strict(),
        )
        .min(1)
        .max(1000),
      /** The first book whose segment holds the customer prices the quote; none matches: list prices. */
      priceBooks: z
        .array(
          z
            .object({
              id: z.string().min(1).max(60),
              name: z.string().min(1).max(200),
              when: z
                .object({
                  country: z.array(country).min(1).optional(),
                  region: z.array(z.string().min(1)).min(1).optional(),
                  leadType: z.array(z.enum(LEAD_TYPES)).min(1).optional(),
                })
                .strict(),
              currency,
              /** Unit price per SKU in this book's currency; a SKU not listed is not sold in this segment. */
              prices: z.record(sku, minor),
            })
            .strict(),
        )
        .max(100),
      /** VAT / sales tax per customer country; a country not listed is taxed at `defaultTaxRateBps`. */
      taxRates: z.record(country, bps),
      defaultTaxRateBps: bps,
      /** The largest line discount each group may give without approval (the highest of the caller's groups counts). */
      discountLimits: z.record(z.enum(['rep', 'manager', 'salesops']), bps),
      validityDays: z.number().int().min(1).max(365),
      terms: z.string().max(2000),
      /** An accepted quote on a SalesQualified lead converts it, the quote's total becoming the opportunity's amount. */
      convertOnAccept: z.boolean(),
    })
    .strict()
    .superRefine((c, ctx) => {
      const skus = new Set(c.products.map((p) => p.sku));
      if (skus.size !== c.products.length)
        ctx.addIssue({ code: 'custom', path: ['products'], message: 'SKUs must be unique' });
      c.priceBooks.forEach((book, i) => {
        for (const s of Object.keys(book.prices))
          if (!skus.has(s))
            ctx.addIssue({ code: 'custom', path: ['priceBooks', i, 'prices', s], message: `no product with SKU ${s}` });
      });
    }),
);
export type QuoteCatalog = z.infer<typeof quoteCatalogSchema>;
export type Product = QuoteCatalog['products'][number];
export type PriceBook = QuoteCatalog['priceBooks'][number];

/** A small demo catalogue: what a fresh install quotes from until sales ops save their own. */
export const DEFAULT_QUOTE_CATALOG: QuoteCatalog = {
  products: [
    { sku: 'LF-PRO', name: 'leadflow Pro licence', unit: 'seat/year', listPriceMinor: 120_000, currency: 'EUR' },
    { sku: 'LF-ENT', name: 'leadflow Enterprise licence', unit: 'seat/year', listPriceMinor: 240_000, currency: 'EUR' },
    { sku: 'ONBOARD', name: 'Onboarding workshop', unit: 'day', listPriceMinor: 150_000, currency: 'EUR' },
    { sku: 'SUPPORT-24', name: '24/7 support', unit: 'year', listPriceMinor: 500_000, currency: 'EUR' },
  ],
  priceBooks: [
    {
      id: 'dach-b2b',
      name: 'DACH business',
      when: { region: ['DACH'], leadType: ['B2B'] },
      currency: 'EUR',
      prices: { 'LF-PRO': 110_000, 'LF-ENT': 220_000, ONBOARD: 140_000, 'SUPPORT-24': 480_000 },
    },
    {
      id: 'amer',
      name: 'Americas',
      when: { region: ['AMER'] },
      currency: 'USD',
      prices: { 'LF-PRO': 130_000, 'LF-ENT': 260_000, ONBOARD: 160_000, 'SUPPORT-24': 540_000 },
    },
  ],
  taxRates: { DE: 1900, AT: 2000, CH: 810, FR: 2000, GB: 2000, NL: 2100, US: 0 },
  defaultTaxRateBps: 0,
  discountLimits: { rep: 1000, manager: 2500, salesops: 2500 },
  validityDays: 30,
  terms: 'Prices exclude shipping. Payment within 30 days of invoice. Subject to our general terms of business.',
  convertOnAccept: true,
};

export const quoteCatalogKind = defineConfig({
  name: 'quotes',
  schema: quoteCatalogSchema,
  defaultValue: DEFAULT_QUOTE_CATALOG,
  description: 'Quick quotes: products, price books per segment, tax rates per country, discount limits per role',
  editors: ['salesops'],
});

export type Segment = { country?: string; leadType?: 'B2B' | 'B2C' };

/** The first price book whose segment contains the customer, or undefined (list prices, product currency). */
export const priceBookFor = (catalog: QuoteCatalog, segment: Segment): PriceBook | undefined =>
  catalog.priceBooks.find((book) => {
    const w = book.when;
    if (w.country && !(segment.country && w.country.includes(segment.country))) return false;
    if (w.region && !w.region.includes(regionOf(segment.country))) return false;
    if (w.leadType && !(segment.leadType && w.leadType.includes(segment.leadType))) return false;
    return true;
  });

/** The largest discount (bps) the caller may give alone: the highest limit among their groups; 0 without one. */
export const discountLimitOf = (catalog: QuoteCatalog, groups: readonly string[]): number =>
  Math.max(0, ...groups.map((g) => catalog.discountLimits[g as keyof QuoteCatalog['discountLimits']] ?? 0));

export const taxRateFor = (catalog: QuoteCatalog, country: string | undefined): number =>
  (country ? catalog.taxRates[country] : undefined) ?? catalog.defaultTaxRateBps;
