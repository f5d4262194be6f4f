/** The layout of a sales receipt (and refunds, which share it), in the store's receipt language. */
import type { App } from '../app/context.js';
import { storeMoney } from '../app/context.js';
import { taxLabel } from '../app/taxes.js';
import { formatRate } from '../core/money.js';
import type { StoredDocument } from '../db/documents.js';
import { formatDateTimeText, formatMoney, formatQty } from '../i18n/format.js';
import { type Lang, t } from '../i18n/index.js';
import type { LayoutLine } from './layout.js';

export interface ReceiptOptions {
  copy?: boolean;
  userName?: string;
  /** The customer block of an invoice. */
  customer?: { name: string; tax_id: string | null; address: string | null };
  /** The receipt an invoice or a refund refers to. */
  refers?: string;
}

/** Lays out a sales receipt: header, lines with discounts, total, tax table, payments, change. */
export function layoutReceipt(app: App, doc: StoredDocument, opts: ReceiptOptions = {}): LayoutLine[] {
  const s = app.settings;
  const lang: Lang = s['store.language'] ?? 'es';
  const { exponent, currency } = storeMoney(app);
  const $ = (n: number): string => formatMoney(n, exponent, currency, lang);
  const n = (v: number): string => formatMoney(v, exponent, currency, lang).replace(/\s*[^\d.,-]+\s*/g, '').trim();
  const country = s['store.country'] ?? '';
  const tax = taxLabel(country);
  const out: LayoutLine[] = [
    { kind: 'text', text: s['store.name'] ?? '', align: 'center', bold: true, large: true },
    { kind: 'text', text: s['store.legal_name'] ?? '', align: 'center' },
    { kind: 'text', text: `${t('receipt.tax_id', {}, lang)} ${s['store.tax_id'] ?? ''}`, align: 'center' },
    { kind: 'text', text: s['store.address'] ?? '', align: 'center' },
    { kind: 'rule' },
  ];
  if (opts.copy) out.push({ kind: 'text', text: t('receipt.copy', {}, lang), align: 'center', bold: true });
  out.push(
    { kind: 'pair', left: t(doc.type === 'refund' ? 'receipt.title_refund' : doc.type === 'invoice' ? 'receipt.title_invoice' : doc.type === 'credit_note' ? 'receipt.title_credit_note' : 'receipt.title', { country }, lang), right: doc.number, bold: true },
    { kind: 'pair', left: formatDateTimeText(doc.createdAt, lang), right: `${t('receipt.cashier', {}, lang)}: ${opts.userName ?? ''}` },
  );
  if (opts.refers) out.push({ kind: 'pair', left: t('receipt.refers', {}, lang), right: opts.refers });
  if (opts.customer) {
    out.push(
      { kind: 'rule' },
      { kind: 'text', text: opts.customer.name, bold: true },
      { kind: 'text', text: `${t('receipt.tax_id', {}, lang)} ${opts.customer.tax_id ?? ''}` },
      ...(opts.customer.address ? [{ kind: 'text' as const, text: opts.customer.address }] : []),
    );
  }
  out.push({ kind: 'rule' });
  for (const l of doc.lines) {
    out.push({ kind: 'text', text: l.name });
    const qty = l.unit === 'kg' ? `${formatQty(l.qty, lang)} kg` : formatQty(l.qty, lang);
    out.push({ kind: 'pair', left: `  ${qty} x ${n(l.unitPrice)}${l.unit === 'kg' ? '/kg' : ''}`, right: n(l.gross) });
    if (l.lineDiscount) out.push({ kind: 'pair', left: `  ${t('receipt.discount', {}, lang)}`, right: n(-l.lineDiscount) });
  }
  out.push({ kind: 'rule' });
  const cart = doc.lines.reduce((a, l) => a + l.cartDiscount, 0);
  if (cart) {
    // the lines above are after their own discounts; the receipt discount comes off their sum
    out.push({ kind: 'pair', left: t('receipt.subtotal', {}, lang), right: n(doc.total + cart) });
    out.push({ kind: 'pair', left: t('receipt.cart_discount', {}, lang), right: n(-cart) });
  }
  out.push({ kind: 'pair', left: t('receipt.total', {}, lang), right: $(doc.total), bold: true, large: true }, { kind: 'rule' });
  out.push({ kind: 'pair', left: `${tax}  ${t('receipt.base', {}, lang)}`, right: t('receipt.tax_amount', {}, lang) });
  for (const x of doc.taxes) {
    out.push({ kind: 'pair', left: `${formatRate(x.rate).padStart(4)}%  ${n(x.base).padStart(10)}`, right: n(x.tax) });
  }
  out.push({ kind: 'rule' });
  for (const p of doc.payments) {
    out.push({ kind: 'pair', left: t(`tender.${p.method}`, {}, lang).replace(/^tender\./, p.method), right: n(p.amount) });
  }
  if (doc.tendered && doc.tendered !== doc.payments.find((p) => p.method === 'cash')?.amount) {
    out.push({ kind: 'pair', left: t('receipt.tendered', {}, lang), right: n(doc.tendered) });
  }
  if (doc.rounding) out.push({ kind: 'pair', left: t('receipt.rounding', {}, lang), right: n(doc.rounding) });
  if (doc.change) out.push({ kind: 'pair', left: t('receipt.change', {}, lang), right: $(doc.change), bold: true });
  out.push({ kind: 'blank' }, { kind: 'text', text: t('receipt.thanks', {}, lang), align: 'center' }, { kind: 'code', symbology: 'code128', data: doc.number }, { kind: 'cut' });
  return out;
}
