/**
 * The layout of every printed document — receipt, refund, invoice, Z report, credit voucher and
 * the printer test page — in the store's receipt language. One header, one footer with the
 * scan code, so a technician reading any of them sees the same shape.
 */
import type { Json } from '../core/canonical.js';
import { formatCreditCode, validUntil, type VoucherSlip } from '../core/credit.js';
import { cartDiscountOf, type DocumentLine, isVoucherLine, printedLine, type StoredDocument } from '../core/document.js';
import { formatDecimal, formatRate, mulDiv } from '../core/money.js';
import { documentScanCode } from '../core/numbering.js';
import type { StoreProfile } from '../core/profile.js';
import type { ShiftFigures } from '../core/shift.js';
import { isoWithOffset } from '../core/time.js';
import { formatDateTimeText, formatMoney, formatNumberText, formatQty } from '../i18n/format.js';
import type { MessageKey } from '../core/errors.js';
import { type Lang, t } from '../i18n/index.js';
import { type CodeSize, type LayoutLine, NBSP } from './layout.js';
import { figuresRows, tenderName } from './shift-report.js';

export interface DocumentOptions {
  copy?: boolean;
  userName?: string;
  /** The customer block of an invoice. */
  customer?: { name: string; tax_id: string | null; address: string | null };
  /** The receipt an invoice or a refund refers to (the invoice a corrective invoice corrects). */
  refers?: string;
  /** When that document was issued (ISO 8601, the store's offset): its date prints beside its number. */
  refersAt?: string;
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
  out.push({ kind: 'pair', left: title, right: number, bold: true, wide: true });
  return out;
}

/** The thanks line (none for `null`), the code a return scans, the cut. */
function footer(p: Pen, code: LayoutLine | null, text: string | null = p.l('receipt.thanks')): LayoutLine[] {
  return [{ kind: 'blank' }, ...(text === null ? [] : [{ kind: 'text' as const, text, align: 'center' as const }]), ...(code ? [code] : []), { kind: 'cut' }];
}

const DOC_TITLES: Partial<Record<StoredDocument['type'], MessageKey>> = {
  refund: 'receipt.title_refund',
  invoice: 'receipt.title_invoice',
  credit_note: 'receipt.title_credit_note',
};

/** Letters keying each line to its rate in the tax table: A for the highest rate of the document, then B, C… */
const RATE_MARKERS = 'ABCDEFGHIJ';

/** The marker of each rate of the document (its tax table's rates, highest first). */
function rateMarkers(doc: StoredDocument): Map<number, string> {
  const rates = [...new Set(doc.taxes.map((x) => x.rate))].sort((a, b) => b - a);
  return new Map(rates.map((r, i) => [r, RATE_MARKERS[i] ?? '*']));
}

/** Width of a tax table row's left side (marker, rate, base): room for a base of 99.999,99 and the cuota beside it on 32 columns. */
const TAX_ROW = 21;

/** A rate as the paper shows it: "21 %", "10,5 %" in Spanish (number and sign never part), "21%" in English. */
const rateText = (rate: number, lang: Lang): string => `${formatNumberText(formatRate(rate), lang)}${lang === 'es' ? NBSP : ''}%`;

/**
 * The unit price before tax (RD 1619/2012, art. 6.1.f): for prices with tax, price × 1 / (1 + r),
 * with two decimals more than the currency's (3,89 at 21 % → 3,2149) so that it says the price
 * the customer paid; prices without tax are that price already.
 */
export function unitPriceBeforeTax(unitPrice: number, rate: number, pricesIncludeTax: boolean, exponent: number, lang: Lang): string {
  const hundredths = pricesIncludeTax ? mulDiv(unitPrice * 100, 10000, 10000 + rate, 'half-away-from-zero') : unitPrice * 100;
  const full = formatDecimal(hundredths, exponent + 2);
  return formatNumberText(full.endsWith('00') ? full.slice(0, -2).replace(/\.$/, '') : full, lang);
}

/**
 * What a refund (and the corrective invoice made from it) keeps besides its lines: the lines whose
 * goods did not go back to stock (the cashier's "no restock"; the goods that did are in
 * stock_moves, kind 'refund', when the product counts stock). With it, each line's note is the
 * reason alone, as typed. A refund issued before it has no body, and its notes carry the flag after
 * the reason (`reason; no restock`), which `refundReason` takes off.
 */
export type RefundBody = { no_restock: number[] };

export function refundBody(noRestock: readonly number[]): RefundBody {
  return { no_restock: [...noRestock] };
}

/** A refund's body, or null for one issued before refunds had one (see RefundBody). */
export function readRefundBody(body: Json | null): RefundBody | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(body.no_restock)) return null;
  return { no_restock: body.no_restock.filter((n): n is number => typeof n === 'number') };
}

/**
 * The reason a refund line was returned: its note, as typed (a refund with a body), or, in a refund
 * issued before refunds had one, its note without the flag written after it (`reason; no restock`).
 */
export function refundReason(note: string | null, body: Json | null = null): string | null {
  const reason = (readRefundBody(body) ? (note ?? '') : (note ?? '').replace(/(?:^|; )no restock$/, '')).trim();
  return reason === '' ? null : reason;
}

/**
 * What a card payment's reference says, as a card terminal's slip gives it: the last 4 digits of
 * the card ("1234", "****1234") and, after a slash, the authorisation code ("1234/A1B2C3"). Any
 * other reference prints as it is.
 */
export function cardDetail(reference: string, lang: Lang): string {
  const m = /^[*xX·•\s-]*(\d{4})(?:\s*[/;,|]\s*(?:aut[a-zñ]*\.?\s*:?\s*)?([A-Za-z0-9]{1,12}))?$/i.exec(reference.trim());
  if (!m) return t('receipt.payment_ref', { reference }, lang);
  return [`****${NBSP}${m[1]}`, ...(m[2] ? [t('receipt.card_auth', { code: m[2] }, lang)] : [])].join('  ');
}

/**
 * A sales receipt, refund, invoice or corrective invoice: header, lines with discounts, totals,
 * tax table, payments, change. A document with a fiscal QR starts with it, before the store's
 * header: the AEAT's QR spec §3 puts it "al principio de la factura, antes de que empiece el
 * contenido de ésta generado por el sistema informático de facturación", and the header is
 * content tpv generates (its §12 examples on 57 mm rolls show nothing above "QR tributario:"; the
 * issuer's data beside the QR is allowed only where the paper has room on its sides, as on A4, and
 * a receipt printer prints nothing beside a QR). It is the document's first QR: the scan code at
 * the foot comes after it.
 *
 * As Spanish law has them (RD 1619/2012): a refund is a simplified corrective invoice (art. 15)
 * naming the receipt it corrects, its date and the reason, its amounts negative (money given
 * back is no payment) and no thanks for a purchase; an invoice or corrective invoice gives each
 * line's unit price before tax and its rate (art. 6.1.f–g), and the date of the sale it invoices
 * (6.1.e); the sale of a gift voucher only is no invoice at all (a multi-purpose voucher's sale is
 * not subject to VAT: the tax is due on what it buys) and carries no tax table. Each line's
 * marker (A, B, C…) keys it to the tax table; "IVA incluido" when prices include it.
 */
export function layoutReceipt(profile: StoreProfile, doc: StoredDocument, opts: DocumentOptions = {}): LayoutLine[] {
  const p = pen(profile);
  const { l, lang } = p;
  const corrective = doc.type === 'refund' || doc.type === 'credit_note';
  const invoice = doc.type === 'invoice' || doc.type === 'credit_note';
  // a corrective document gives back what was sold: every amount on it is negative
  const sign = corrective ? -1 : 1;
  const n = (v: number): string => p.n(sign * v);
  const $ = (v: number): string => p.$(sign * v);
  const goods = doc.lines.filter((x) => !isVoucherLine(x));
  const voucherOnly = doc.type === 'receipt' && goods.length === 0 && doc.lines.length > 0;
  const tax = { tax: profile.taxLabel };
  const markers = rateMarkers(doc);
  const marked = (amount: string, x: DocumentLine): string => (markers.has(x.taxRate) && !isVoucherLine(x) ? `${amount} ${markers.get(x.taxRate)}` : amount);
  const title = voucherOnly ? l('receipt.title_voucher') : l(DOC_TITLES[doc.type] ?? 'receipt.title', { country: profile.country });
  const out = [...(opts.fiscalQr ? fiscalQrBlock(opts.fiscalQr) : []), ...header(profile, p, title, doc.number, opts.copy ?? false)];
  out.push({ kind: 'pair', left: formatDateTimeText(doc.createdAt, lang), right: `${l('receipt.cashier')}: ${opts.userName ?? ''}` });
  const referredDay = opts.refersAt ? formatDateTimeText(opts.refersAt, lang).slice(0, 10) : '';
  // the reasons of a correction: one for the whole document, or each line's under it
  const reasons = corrective ? doc.lines.map((x) => refundReason(x.note, doc.body) ?? l('receipt.reason_return')) : [];
  const oneReason = new Set(reasons).size === 1 ? reasons[0]! : null;
  if (corrective) {
    if (opts.refers) out.push({ kind: 'text', text: l(doc.type === 'refund' ? 'receipt.rectifies' : 'receipt.rectifies_invoice', { number: opts.refers, date: referredDay }) });
    else out.push({ kind: 'text', text: l('receipt.no_original') });
    if (oneReason) out.push({ kind: 'text', text: l('receipt.reason', { reason: oneReason }) });
  } else if (opts.refers) {
    out.push({ kind: 'pair', left: l('receipt.refers'), right: opts.refers });
    if (referredDay) out.push({ kind: 'pair', left: l('receipt.operation_date'), right: referredDay });
  }
  if (opts.customer) {
    out.push(
      { kind: 'rule' },
      { kind: 'text', text: opts.customer.name, bold: true },
      { kind: 'text', text: `${l('receipt.tax_id')} ${opts.customer.tax_id ?? ''}` },
      ...(opts.customer.address ? [{ kind: 'text' as const, text: opts.customer.address }] : []),
    );
  }
  out.push({ kind: 'rule' });
  doc.lines.forEach((x, i) => {
    out.push({ kind: 'text', text: x.name });
    const qty = x.unit === 'kg' ? `${formatQty(x.qty, lang)} kg` : formatQty(x.qty, lang);
    const { amount, discount } = printedLine(x);
    out.push({ kind: 'pair', left: `  ${qty} x ${p.n(x.unitPrice)}${x.unit === 'kg' ? '/kg' : ''}`, right: marked(n(amount), x) });
    if (discount) out.push({ kind: 'pair', left: `  ${l('receipt.discount')}`, right: marked(n(-discount), x) });
    if (invoice && !isVoucherLine(x)) {
      const before = unitPriceBeforeTax(x.unitPrice, x.taxRate, doc.pricesIncludeTax, profile.exponent, lang);
      out.push({ kind: 'pair', left: `  ${before}${x.unit === 'kg' ? '/kg' : ''} ${l('receipt.before_tax', tax)}`, right: `${profile.taxLabel} ${rateText(x.taxRate, lang)}` });
    }
    // a gift voucher sold names its code (its note), so a reprint of the receipt carries it too
    if (isVoucherLine(x) && x.note) out.push({ kind: 'text', text: `  ${l('receipt.voucher_code', { code: x.note })}`, bold: true });
    if (corrective && !oneReason) out.push({ kind: 'text', text: `  ${l('receipt.reason', { reason: reasons[i]! })}` });
  });
  out.push({ kind: 'rule' });
  const cart = cartDiscountOf(doc);
  if (cart.discount) {
    // the lines above are after their own discounts; the receipt discount comes off their sum
    out.push({ kind: 'pair', left: l('receipt.subtotal'), right: n(cart.before) });
    out.push({ kind: 'pair', left: l('receipt.cart_discount'), right: n(-cart.discount) });
  }
  out.push({ kind: 'pair', left: l('receipt.total'), right: $(doc.total), bold: true, large: true });
  if (doc.pricesIncludeTax && doc.taxes.length > 0) out.push({ kind: 'text', text: l('receipt.tax_included', tax), align: 'right' });
  out.push({ kind: 'rule' });
  if (voucherOnly) out.push({ kind: 'text', text: l('receipt.voucher_not_subject', tax), align: 'center' }, { kind: 'rule' });
  else if (doc.taxes.length > 0) {
    // marker, rate and base in columns, the base under its heading: "A  21 %         14,21"
    const base = l('receipt.base');
    out.push({ kind: 'pair', left: `${profile.taxLabel.padEnd(Math.max(profile.taxLabel.length + 1, TAX_ROW - base.length))}${base}`, right: l('receipt.tax_amount') });
    for (const x of doc.taxes) out.push({ kind: 'pair', left: `${markers.get(x.rate)} ${rateText(x.rate, lang).padStart(5)}${n(x.base).padStart(TAX_ROW - 7)}`, right: n(x.tax) });
    const vouchers = doc.lines.filter(isVoucherLine).reduce((a, x) => a + x.amount, 0);
    if (vouchers) out.push({ kind: 'pair', left: l('receipt.not_subject', tax), right: n(vouchers) });
    out.push({ kind: 'rule' });
  }
  // money given back as store credit names the code that holds it; a card its last digits and authorisation
  for (const x of doc.payments) {
    out.push({ kind: 'pair', left: tenderName(x.method, lang), right: n(x.amount) });
    if (corrective && x.method === 'store_credit' && x.reference) {
      out.push({ kind: 'text', text: `  ${l('receipt.voucher_code', { code: formatCreditCode(x.reference) })}`, bold: true });
    } else if (x.reference && !['cash', 'store_credit', 'exchange'].includes(x.method)) {
      out.push({ kind: 'text', text: `  ${cardDetail(x.reference, lang)}` });
    }
  }
  if (doc.tendered && doc.tendered !== doc.payments.find((x) => x.method === 'cash')?.amount) {
    out.push({ kind: 'pair', left: l('receipt.tendered'), right: n(doc.tendered) });
  }
  if (doc.rounding) out.push({ kind: 'pair', left: l('receipt.rounding'), right: n(doc.rounding) });
  if (doc.change) out.push({ kind: 'pair', left: l('receipt.change'), right: $(doc.change), bold: true });
  if (opts.anchor) out.push({ kind: 'text', text: opts.anchor, align: 'center' });
  // a correction thanks nobody for a purchase
  return [...out, ...footer(p, { kind: 'code', symbology: opts.code ?? 'code128', data: documentScanCode(doc.number) }, corrective ? null : undefined)];
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
