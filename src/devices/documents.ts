/**
 * The layout of every printed document — receipt, refund, invoice, Z report, credit voucher and
 * the printer test page — in the store's receipt language. One header, one footer with the
 * scan code, so a technician reading any of them sees the same shape.
 */
import { formatCreditCode, validUntil, type VoucherSlip } from '../core/credit.js';
import { cartDiscountOf, isVoucherLine, printedLine, type StoredDocument } from '../core/document.js';
import { formatRate } from '../core/money.js';
import { documentScanCode } from '../core/numbering.js';
import type { StoreProfile } from '../core/profile.js';
import type { ShiftFigures } from '../core/shift.js';
import { isoWithOffset } from '../core/time.js';
import { formatDateTimeText, formatMoney, formatQty } from '../i18n/format.js';
import type { MessageKey } from '../core/errors.js';
import { type Lang, t } from '../i18n/index.js';
import type { CodeSize, LayoutLine } from './layout.js';
import { figuresRows, tenderName } from './shift-report.js';

export interface DocumentOptions {
  copy?: boolean;
  userName?: string;
  /** The customer block of an invoice. */
  customer?: { name: string; tax_id: string | null; address: string | null };
  /** The receipt an invoice or a refund refers to. */
  refers?: string;
  /** The symbology of the scan code at the foot (the printer's setting; code128 by default). */
  code?: 'qr' | 'code128';
  /** The document's journal entry as printed ("Diario 1234 9f86d081884c7d65"): an anchor outside the file. */
  anchor?: string;
  /** The tax agency's QR the document carries (VERI*FACTU), first thing on the paper. */
  fiscalQr?: FiscalQr;
}

/**
 * The tax agency's QR of a document, as the app layer reads it from the document's record and
 * the scheme's rules (src/einvoice/verifactu/qr.ts): what it holds, the line above it, the legend
 * below it, its printed size.
 */
export interface FiscalQr {
  url: string;
  /** "QR tributario:" */
  heading: string;
  /** "VERI*FACTU" */
  legend: string;
  size: CodeSize;
}

/**
 * The fiscal QR block: the heading, the QR at its size with blank paper around it, the legend just
 * below, all centred, the text as large as the largest on the document (the store's name and the
 * total print bold at double height), then a blank line before the document's own content.
 */
function fiscalQrBlock(q: FiscalQr): LayoutLine[] {
  return [
    { kind: 'text', text: q.heading, align: 'center', bold: true, large: true },
    { kind: 'code', symbology: 'qr', data: q.url, size: q.size },
    { kind: 'text', text: q.legend, align: 'center', bold: true, large: true },
    { kind: 'blank' },
  ];
}

interface Pen {
  lang: Lang;
  /** An amount with its currency. */
  $: (minor: number) => string;
  /** An amount without the currency (columns of figures). */
  n: (minor: number) => string;
  l: (key: MessageKey, params?: Record<string, string | number>) => string;
}

function pen(profile: StoreProfile): Pen {
  const lang: Lang = profile.language;
  const $ = (v: number): string => formatMoney(v, profile.exponent, profile.currency, lang);
  return {
    lang,
    $,
    n: (v) => $(v).replace(/\s*[^\d.,-]+\s*/g, '').trim(),
    l: (key, params = {}) => t(key, params, lang),
  };
}

/** Store name, legal name, tax id, address; "COPY" on reprints; the title and number. */
function header(profile: StoreProfile, p: Pen, title: string, number: string, copy: boolean): LayoutLine[] {
  const out: LayoutLine[] = [
    { kind: 'text', text: profile.name, align: 'center', bold: true, large: true },
    { kind: 'text', text: profile.legalName, align: 'center' },
    { kind: 'text', text: `${p.l('receipt.tax_id')} ${profile.taxId}`, align: 'center' },
    { kind: 'text', text: profile.address, align: 'center' },
    { kind: 'rule' },
  ];
  if (copy) out.push({ kind: 'text', text: p.l('receipt.copy'), align: 'center', bold: true });
  out.push({ kind: 'pair', left: title, right: number, bold: true });
  return out;
}

/** The thanks line, the code a return scans, the cut. */
function footer(p: Pen, code: LayoutLine | null, text = p.l('receipt.thanks')): LayoutLine[] {
  return [{ kind: 'blank' }, { kind: 'text', text, align: 'center' }, ...(code ? [code] : []), { kind: 'cut' }];
}

const DOC_TITLES: Partial<Record<StoredDocument['type'], MessageKey>> = {
  refund: 'receipt.title_refund',
  invoice: 'receipt.title_invoice',
  credit_note: 'receipt.title_credit_note',
};

/**
 * A sales receipt, refund or invoice: header, lines with discounts, totals, tax table, payments,
 * change. A document with a fiscal QR starts with it, before the store's header: the AEAT's QR
 * spec §3 puts it "al principio de la factura, antes de que empiece el contenido de ésta generado
 * por el sistema informático de facturación", and the header is content tpv generates (its §12
 * examples on 57 mm rolls show nothing above "QR tributario:"; the issuer's data beside the QR is
 * allowed only where the paper has room on its sides, as on A4, and a receipt printer prints
 * nothing beside a QR). It is the document's first QR: the scan code at the foot comes after it.
 */
export function layoutReceipt(profile: StoreProfile, doc: StoredDocument, opts: DocumentOptions = {}): LayoutLine[] {
  const p = pen(profile);
  const { n, $, l } = p;
  const out = [
    ...(opts.fiscalQr ? fiscalQrBlock(opts.fiscalQr) : []),
    ...header(profile, p, l(DOC_TITLES[doc.type] ?? 'receipt.title', { country: profile.country }), doc.number, opts.copy ?? false),
  ];
  out.push({ kind: 'pair', left: formatDateTimeText(doc.createdAt, p.lang), right: `${l('receipt.cashier')}: ${opts.userName ?? ''}` });
  if (opts.refers) out.push({ kind: 'pair', left: l('receipt.refers'), right: opts.refers });
  if (opts.customer) {
    out.push(
      { kind: 'rule' },
      { kind: 'text', text: opts.customer.name, bold: true },
      { kind: 'text', text: `${l('receipt.tax_id')} ${opts.customer.tax_id ?? ''}` },
      ...(opts.customer.address ? [{ kind: 'text' as const, text: opts.customer.address }] : []),
    );
  }
  out.push({ kind: 'rule' });
  for (const x of doc.lines) {
    out.push({ kind: 'text', text: x.name });
    const qty = x.unit === 'kg' ? `${formatQty(x.qty, p.lang)} kg` : formatQty(x.qty, p.lang);
    const { amount, discount } = printedLine(x);
    out.push({ kind: 'pair', left: `  ${qty} x ${n(x.unitPrice)}${x.unit === 'kg' ? '/kg' : ''}`, right: n(amount) });
    if (discount) out.push({ kind: 'pair', left: `  ${l('receipt.discount')}`, right: n(-discount) });
    // a gift voucher sold names its code (its note), so a reprint of the receipt carries it too
    if (isVoucherLine(x) && x.note) out.push({ kind: 'text', text: `  ${l('receipt.voucher_code', { code: x.note })}`, bold: true });
  }
  out.push({ kind: 'rule' });
  const cart = cartDiscountOf(doc);
  if (cart.discount) {
    // the lines above are after their own discounts; the receipt discount comes off their sum
    out.push({ kind: 'pair', left: l('receipt.subtotal'), right: n(cart.before) });
    out.push({ kind: 'pair', left: l('receipt.cart_discount'), right: n(-cart.discount) });
  }
  out.push({ kind: 'pair', left: l('receipt.total'), right: $(doc.total), bold: true, large: true }, { kind: 'rule' });
  out.push({ kind: 'pair', left: `${profile.taxLabel}  ${l('receipt.base')}`, right: l('receipt.tax_amount') });
  for (const x of doc.taxes) out.push({ kind: 'pair', left: `${formatRate(x.rate).padStart(4)}%  ${n(x.base).padStart(10)}`, right: n(x.tax) });
  out.push({ kind: 'rule' });
  // money given back as store credit names the code that holds it
  const creditBack = doc.type === 'refund' || doc.type === 'credit_note';
  for (const x of doc.payments) {
    out.push({ kind: 'pair', left: tenderName(x.method, p.lang), right: n(x.amount) });
    if (creditBack && x.method === 'store_credit' && x.reference) {
      out.push({ kind: 'text', text: `  ${l('receipt.voucher_code', { code: formatCreditCode(x.reference) })}`, bold: true });
    }
  }
  if (doc.tendered && doc.tendered !== doc.payments.find((x) => x.method === 'cash')?.amount) {
    out.push({ kind: 'pair', left: l('receipt.tendered'), right: n(doc.tendered) });
  }
  if (doc.rounding) out.push({ kind: 'pair', left: l('receipt.rounding'), right: n(doc.rounding) });
  if (doc.change) out.push({ kind: 'pair', left: l('receipt.change'), right: $(doc.change), bold: true });
  if (opts.anchor) out.push({ kind: 'text', text: opts.anchor, align: 'center' });
  return [...out, ...footer(p, { kind: 'code', symbology: opts.code ?? 'code128', data: documentScanCode(doc.number) })];
}

/** A printed Z (or X) report: the shift's figures under the store header. */
export function layoutShiftReport(profile: StoreProfile, f: ShiftFigures, title: string, number: string, opts: { copy?: boolean; anchor?: string } = {}): LayoutLine[] {
  const p = pen(profile);
  const out = header(profile, p, title, number, opts.copy ?? false);
  out.push({ kind: 'pair', left: p.l('shift.opened_at'), right: formatDateTimeText(f.opened_at, p.lang) });
  if (f.closed_at) out.push({ kind: 'pair', left: p.l('shift.closed_at'), right: formatDateTimeText(f.closed_at, p.lang) });
  out.push({ kind: 'rule' });
  for (const [label, value] of figuresRows(profile, f, p.lang)) out.push({ kind: 'pair', left: label, right: value });
  if (opts.anchor) out.push({ kind: 'rule' }, { kind: 'text', text: opts.anchor, align: 'center' });
  return [...out, ...footer(p, null, '')];
}

/** The last day a code is valid in the store's zone ("21/11/2027"), with the time when it stops before the day ends. */
export function expiryText(expiresAt: string, timeZone: string): string {
  const { day, time } = validUntil(expiresAt, timeZone);
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}${time ? ` ${time}` : ''}`;
}

/** A store credit or gift voucher slip: the code big, its balance and expiry, the code to scan. */
export function layoutCreditVoucher(profile: StoreProfile, v: VoucherSlip, opts: { copy?: boolean; code?: 'qr' | 'code128' } = {}): LayoutLine[] {
  const p = pen(profile);
  const out = header(profile, p, p.l(v.origin === 'voucher' ? 'voucher.title_gift' : 'voucher.title_credit'), '', opts.copy ?? false);
  out.push(
    { kind: 'pair', left: formatDateTimeText(v.issued_at, p.lang), right: v.ref ?? '' },
    { kind: 'rule' },
    { kind: 'text', text: v.printed, align: 'center', bold: true, large: true },
    { kind: 'pair', left: p.l('voucher.balance'), right: p.$(v.balance), bold: true, large: true },
    { kind: 'pair', left: p.l('voucher.expires'), right: v.expires_at ? expiryText(v.expires_at, profile.timezone) : p.l('voucher.no_expiry') },
    { kind: 'rule' },
    { kind: 'text', text: p.l('voucher.terms') },
  );
  return [...out, ...footer(p, { kind: 'code', symbology: opts.code ?? 'code128', data: v.printed.replaceAll('-', '') })];
}

/** Characters every receipt of our shops needs: the test page prints them to check the code page. */
const CODE_PAGE_SAMPLE = ['€ £ $ ¢ ¥', 'ñ Ñ á é í ó ú Á É Í Ó Ú', 'à è ì ò ù â ê î ô û', 'ç Ç ü Ü ö Ö ä Ä ß', 'ã õ Ã Õ ¿ ¡ º ª ·'];

/** The printer test page: what is configured, the code page chart, emphasis, a ruler, codes. */
export function layoutTestPage(profile: StoreProfile, printer: { name: string; url: string; profile: string; columns: number }, at: Date): LayoutLine[] {
  const p = pen(profile);
  const ruler = Array.from({ length: printer.columns }, (_, i) => String((i + 1) % 10)).join('');
  return [
    ...header(profile, p, p.l('testpage.title'), printer.name, false),
    { kind: 'pair', left: formatDateTimeText(isoWithOffset(at, profile.timezone), p.lang), right: printer.profile },
    { kind: 'text', text: printer.url },
    { kind: 'pair', left: p.l('testpage.columns'), right: String(printer.columns) },
    { kind: 'text', text: ruler },
    { kind: 'rule' },
    { kind: 'text', text: p.l('testpage.code_page'), bold: true },
    ...CODE_PAGE_SAMPLE.map((text): LayoutLine => ({ kind: 'text', text })),
    { kind: 'rule' },
    { kind: 'text', text: p.l('testpage.bold'), bold: true },
    { kind: 'text', text: p.l('testpage.large'), large: true },
    { kind: 'pair', left: p.l('receipt.total'), right: p.$(123456), bold: true, large: true },
    { kind: 'text', text: p.l('testpage.centred'), align: 'center' },
    { kind: 'text', text: p.l('testpage.right'), align: 'right' },
    { kind: 'rule', char: '=' },
    { kind: 'code', symbology: 'code128', data: 'TPV:TEST-0001' },
    { kind: 'code', symbology: 'qr', data: 'TPV:TEST-0001' },
    ...footer(p, null, p.l('testpage.end')),
  ];
}
