import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import type { Quote } from '../core/quotes/quote';
import { formatMoney, formatPercent } from '../core/quotes/pricing';

const FONTS = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;

/**
 * DejaVu Sans from the `dejavu-fonts-ttf` package (covers Latin, Greek, Cyrillic: customer names as
 * typed). In a Lambda bundle the stack copies the two files next to the bundle (lib/leadflow-function.ts).
 */
const fontBytes = (file: string): Uint8Array => {
  const beside = join(dirname(fileURLToPath(import.meta.url)), file);
  if (existsSync(beside)) return readFileSync(beside);
  return readFileSync(createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${file}`));
};

let cached: { regular: Uint8Array; bold: Uint8Array } | undefined;
const fonts = () => {
  cached ??= { regular: fontBytes(FONTS.regular), bold: fontBytes(FONTS.bold) };
  return cached;
};

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;

/** Breaks text into lines that fit `width` at `size`. */
const wrap = (text: string, font: PDFFont, size: number, width: number): string[] => {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) > width && line) {
        out.push(line);
        line = word;
      } else line = candidate;
    }
    out.push(line);
  }
  return out;
};

/**
 * The customer's quote as a PDF: seller header, customer, number, version and validity, one row per
 * line (quantity, unit price, discount, net), subtotal, discount, tax and total, and the terms. Fonts
 * are embedded (subset), so it prints the same everywhere.
 */
export const renderQuotePdf = async (quote: Quote, seller: { terms: string; name?: string }): Promise<Uint8Array> => {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const { regular: regularBytes, bold: boldBytes } = fonts();
  const regular = await doc.embedFont(regularBytes, { subset: true });
  const bold = await doc.embedFont(boldBytes, { subset: true });
  doc.setTitle(`Quote ${quote.id} v${quote.version}`);
  doc.setSubject(`Quote for ${quote.customer.company ?? quote.customer.name}`);
  doc.setProducer('leadflow');
  doc.setCreationDate(new Date(quote.sentAt ?? quote.updatedAt));
  doc.setModificationDate(new Date(quote.sentAt ?? quote.updatedAt));

  let page: PDFPage = doc.addPage([A4.width, A4.height]);
  let y = A4.height - MARGIN;
  const text = (value: string, x: number, size = 10, font = regular, color = rgb(0, 0, 0)) =>
    page.drawText(value, { x, y, size, font, color });
  const right = (value: string, xRight: number, size = 10, font = regular) =>
    page.drawText(value, { x: xRight - font.widthOfTextAtSize(value, size), y, size, font });
  const newLineOrPage = (step: number) => {
    y -= step;
    if (y < MARGIN + 40) {
      page = doc.addPage([A4.width, A4.height]);
      y = A4.height - MARGIN;
    }
  };

  text(seller.name ?? 'leadflow', MARGIN, 18, bold);
  right(`Quote ${quote.id}`, A4.width - MARGIN, 14, bold);
  newLineOrPage(18);
  right(`Version ${quote.version}`, A4.width - MARGIN, 10);
  newLineOrPage(14);
  right(`Date ${(quote.sentAt ?? quote.updatedAt).slice(0, 10)}`, A4.width - MARGIN, 10);
  newLineOrPage(14);
  right(`Valid until ${quote.validUntil}`, A4.width - MARGIN, 10, bold);
  newLineOrPage(28);

  text('For', MARGIN, 9, regular, rgb(0.4, 0.4, 0.4));
  newLineOrPage(13);
  if (quote.customer.company) {
    text(quote.customer.company, MARGIN, 11, bold);
    newLineOrPage(14);
  }
  text(quote.customer.name, MARGIN, 11);
  newLineOrPage(14);
  if (quote.customer.country) {
    text(quote.customer.country, MARGIN, 10);
    newLineOrPage(14);
  }
  newLineOrPage(16);

  const cols = { item: MARGIN, qty: 330, unit: 410, disc: 465, net: A4.width - MARGIN };
  text('Item', cols.item, 9, bold);
  right('Qty', cols.qty, 9, bold);
  right('Unit price', cols.unit, 9, bold);
  right('Discount', cols.disc, 9, bold);
  right('Net', cols.net, 9, bold);
  newLineOrPage(6);
  page.drawLine({ start: { x: MARGIN, y }, end: { x: A4.width - MARGIN, y }, thickness: 0.5 });
  newLineOrPage(14);
  for (const line of quote.lines) {
    const name = wrap(`${line.name} (${line.sku})`, regular, 9, cols.qty - cols.item - 60);
    text(name[0] ?? '', cols.item, 9);
    right(`${line.quantity} ${line.unit}`, cols.qty, 9);
    right(formatMoney(line.unitPriceMinor, quote.currency), cols.unit, 9);
    right(line.discountBps ? formatPercent(line.discountBps) : '–', cols.disc, 9);
    right(formatMoney(line.netMinor, quote.currency), cols.net, 9);
    for (const more of name.slice(1)) {
      newLineOrPage(12);
      text(more, cols.item, 9);
    }
    newLineOrPage(16);
  }
  page.drawLine({ start: { x: 300, y: y + 8 }, end: { x: A4.width - MARGIN, y: y + 8 }, thickness: 0.5 });
  newLineOrPage(6);
  const t = quote.totals;
  const totalRow = (label: string, value: string, font = regular, size = 10) => {
    right(label, cols.disc, size, font);
    right(value, cols.net, size, font);
    newLineOrPage(15);
  };
  totalRow('Subtotal', formatMoney(t.subtotalMinor, quote.currency));
  if (t.discountMinor) totalRow('Discount', `− ${formatMoney(t.discountMinor, quote.currency)}`);
  totalRow('Net', formatMoney(t.netMinor, quote.currency));
  totalRow(`Tax ${formatPercent(t.taxRateBps)}`, formatMoney(t.taxMinor, quote.currency));
  totalRow('Total', formatMoney(t.totalMinor, quote.currency), bold, 12);
  newLineOrPage(20);
  text('Terms', MARGIN, 9, bold);
  newLineOrPage(13);
  for (const l of wrap(seller.terms, regular, 9, A4.width - 2 * MARGIN)) {
    text(l, MARGIN, 9);
    newLineOrPage(12);
  }
  return doc.save();
};
