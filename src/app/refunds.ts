/**
 * Refunds against a receipt: lines and quantities capped at what is left to refund, amounts and
 * taxes exact over any number of partial refunds (src/core/refund.ts), paid back in cash, to the
 * card, or as store credit; a fiscal document of its own (series {register}R-…), journaled.
 */
import { addLine, emptyCart, priceCart } from '../core/cart.js';
import { formatCreditCode } from '../core/credit.js';
import { type Approval, type DocumentLine, isVoucherLine, type StoredDocument } from '../core/document.js';
import { invalidField, TpvError } from '../core/errors.js';
import { formatQuantity, parseQuantity, problemError } from '../core/money.js';
import { roundCash } from '../core/payment.js';
import { planRefund, type Refunded } from '../core/refund.js';
import { optionalText } from '../core/text.js';
import { prepared } from '../db/connection.js';
import { loadDocument } from '../db/documents.js';
import { t } from '../i18n/index.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { issueCreditIn, linkCreditsIn, restoreIn } from './credit.js';
import { findCustomer } from './customers.js';
import { refundBody } from '../devices/documents.js';
import { documentText } from './documents.js';
import { documentPayload, moneyText } from './events.js';
import { issueDocument } from './issue.js';
import { appendEvent, creditMoves } from './outbox.js';
import { findProduct, sellable } from './products.js';
import { buildSale, commitSaleIn, parseSaleJson, receiptByNumber, receiptJson, type SaleInput } from './sales.js';
import { openShiftRow, requireOpenShift } from './shifts.js';

export interface RefundLineInput {
  /** The line of the receipt (by its number on it); without a receipt: the product `code`. */
  line?: number;
  code?: string;
  qty?: string | number;
  restock?: boolean;
  reason?: string;
}

export interface RefundInput {
  /** Lines and quantities; all of what is left when `all`. */
  lines?: RefundLineInput[];
  all?: boolean;
  method: string;
  reference?: string;
  restock?: boolean;
  reason?: string;
  /** The part of the sale paid with store credit goes back to its code (default: yes). */
  restore_credit?: boolean;
  /** A tax id or customer id (default: the receipt's customer). */
  customer?: string;
}

export interface RefundResult {
  refund: StoredDocument;
  /** The receipt refunded (null for a refund without receipt). */
  receipt: StoredDocument | null;
  /** A new code issued for the refund (method store_credit). */
  credit: { code: string; amount: number } | null;
  /** Store credit the sale was paid with, given back to its code. */
  restored: { code: string; amount: number }[];
  /** The corrective invoice, when the receipt had been invoiced. */
  creditNote: StoredDocument | null;
}

/** What earlier refunds of a receipt took, per line and per tax rate. */
export function refundedSoFar(app: App, receiptId: number): Refunded {
  const lines = new Map<number, { qty: number; amount: number }>();
  for (const r of app.db
    .prepare(`SELECT l.line, sum(l.qty) AS qty, sum(l.amount) AS amount FROM documents d JOIN document_lines l ON l.document_id = d.id
      WHERE d.ref_id = ? AND d.type = 'refund' GROUP BY l.line`)
    .all(receiptId) as { line: number; qty: number; amount: number }[]) {
    lines.set(r.line, { qty: r.qty, amount: r.amount });
  }
  const taxes = new Map<number, number>();
  for (const r of app.db
    .prepare(`SELECT t.rate, sum(t.tax) AS tax FROM documents d JOIN document_taxes t ON t.document_id = d.id
      WHERE d.ref_id = ? AND d.type = 'refund' GROUP BY t.rate`)
    .all(receiptId) as { rate: number; tax: number }[]) {
    taxes.set(r.rate, r.tax);
  }
  return { lines, taxes };
}

const METHODS = ['cash', 'card', 'store_credit'];

/**
 * `tpv refund`: a return against a receipt (its number, typed or scanned), or without one
 * (`receiptNumber` null: supervisor approval, today's price, store credit unless the store allows cash).
 */
export function refund(app: App, receiptNumber: string | null, request: RefundInput, actor: UserRow, approver?: Approver): RefundResult {
  const input = withStoredTexts(request);
  const approval = authorize(app, actor, receiptNumber === null ? 'refund_no_receipt' : 'refund', approver, receiptNumber ?? undefined);
  checkMethod(app, input.method, receiptNumber === null);
  return inTransaction(app, () => {
    const receipt = receiptNumber === null ? null : refundableReceipt(app, receiptNumber);
    const r = refundIn(app, receipt, input, actor, approval ? [approval] : [], 0);
    appendEvent(app, 'refund', {
      refund: documentPayload(app, r.refund),
      credit_note: r.creditNote && documentPayload(app, r.creditNote),
      credits: creditMoves(app),
    });
    return r;
  });
}

/** The request with its reasons and reference as stored: bounded, no control characters (core/text.ts), or exit 3 naming the field. */
function withStoredTexts(input: RefundInput): RefundInput {
  const text = (v: unknown, kind: 'note' | 'code', field: string): string | undefined =>
    v === undefined || v === null ? undefined : (optionalText(String(v), kind, field) ?? undefined);
  const lines = Array.isArray(input.lines) ? input.lines.map((l, i) => ({ ...l, reason: text(l?.reason, 'note', `lines[${i}].reason`) })) : input.lines;
  return { ...input, lines, reason: text(input.reason, 'note', 'reason'), reference: text(input.reference, 'code', 'reference') };
}

function checkMethod(app: App, method: string, noReceipt: boolean): void {
  if (!METHODS.includes(method)) throw invalidField('method', 'refund.method', { method: String(method) });
  if (noReceipt && method !== 'store_credit' && !(method === 'cash' && app.profile.noReceiptRefundCash)) {
    throw invalidField('method', 'refund.no_receipt_method', { method });
  }
}

function refundableReceipt(app: App, number: string): StoredDocument {
  const receipt = receiptByNumber(app, number);
  if (receipt.type !== 'receipt') throw new TpvError('not_found', 'receipt.not_found', { number });
  return receipt;
}

interface RefundLine {
  doc: DocumentLine;
  restock: boolean;
  reason: string | null;
}

interface PlannedRefund {
  lines: RefundLine[];
  taxes: { rate: number; base: number; tax: number }[];
  total: number;
}

/** The lines, taxes and total of a refund against a receipt (exact over partial refunds). */
function planAgainst(app: App, receipt: StoredDocument, input: RefundInput): PlannedRefund {
  const { pricesIncludeTax } = app.profile;
  const before = refundedSoFar(app, receipt.id);
  const goods = receipt.lines.filter((l) => !isVoucherLine(l));
  const request = input.all
    ? goods.map((l) => ({ line: l.line, qty: l.qty - (before.lines.get(l.line)?.qty ?? 0) })).filter((r) => r.qty > 0)
    : (input.lines ?? []).map((l, i) => {
        const sold = receipt.lines.find((x) => x.line === l.line);
        if (!sold) throw invalidField(`lines[${i}].line`, 'refund.line_unknown', { line: String(l.line) });
        if (isVoucherLine(sold)) throw invalidField(`lines[${i}].line`, 'refund.voucher_line', { line: sold.line, code: sold.note ?? '' });
        if (l.qty === undefined) return { line: sold.line, qty: sold.qty - (before.lines.get(sold.line)?.qty ?? 0) };
        return { line: sold.line, qty: refundQty(l.qty, sold.unit, `lines[${i}].qty`) };
      });
  if (request.length === 0) throw new TpvError('conflict', input.all ? 'refund.nothing_left' : 'refund.no_lines', { receipt: receipt.number });
  const plan = planRefund(
    goods.map((l) => ({ line: l.line, qty: l.qty, amount: l.amount, taxRate: l.taxRate })),
    receipt.taxes,
    before,
    request,
    pricesIncludeTax,
  );
  if (!plan.ok) {
    const remaining = plan.problem.params?.remaining;
    throw problemError(
      plan.problem.code === 'refund.over_quantity' ? 'conflict' : 'invalid',
      plan.problem,
      app.profile.exponent,
      typeof remaining === 'number' ? { remaining: formatQuantity(remaining) } : {},
    );
  }
  const soldByLine = new Map(receipt.lines.map((l) => [l.line, l]));
  const lines = plan.value.lines.map((l) => {
    const s = soldByLine.get(l.line)!;
    return refundLine(input, l.line, { ...s, listPrice: null, qty: l.qty, gross: l.amount, lineDiscount: 0, cartDiscount: 0, amount: l.amount });
  });
  return { lines, taxes: plan.value.taxes, total: plan.value.total };
}

/** A return without its receipt: the products by code, at today's price, taxed as a sale would be. */
function planWithout(app: App, input: RefundInput): PlannedRefund {
  const { pricesIncludeTax } = app.profile;
  if (input.all) throw invalidField('all', 'refund.no_receipt_all');
  const wanted = input.lines ?? [];
  if (wanted.length === 0) throw new TpvError('invalid', 'refund.no_lines', { field: 'lines' });
  let cart = emptyCart();
  const products: { id: number; categoryId: number | null }[] = [];
  wanted.forEach((l, i) => {
    if (typeof l.code !== 'string' || !l.code.trim()) throw invalidField(`lines[${i}].code`, 'refund.code_missing');
    const found = findProduct(app, l.code);
    const row = found.row;
    const item = sellable(found);
    if (l.qty !== undefined) item.qty = refundQty(l.qty, item.unit, `lines[${i}].qty`);
    const added = addLine(cart, item);
    if (!added.ok) throw problemError('invalid', added.problem, app.profile.exponent, { sku: row.sku, field: `lines[${i}].qty` });
    cart = added.value;
    products.push({ id: row.id, categoryId: row.category_id });
  });
  const priced = priceCart(cart, { pricesIncludeTax });
  const lines = priced.lines.map((l, i) =>
    refundLine(input, i + 1, {
      line: i + 1,
      productId: products[i]!.id,
      sku: l.sku,
      name: l.name,
      unit: l.unit,
      qty: l.qty,
      unitPrice: l.unitPrice,
      listPrice: null,
      gross: l.gross,
      lineDiscount: 0,
      cartDiscount: 0,
      amount: l.amount,
      taxRate: l.taxRate,
      categoryId: products[i]!.categoryId,
      note: null,
    }),
  );
  return { lines, taxes: priced.taxes.map((t) => ({ rate: t.rate, base: t.base, tax: t.tax })), total: priced.total };
}

function refundQty(qty: string | number, unit: string, field: string): number {
  const q = parseQuantity(String(qty));
  if (!q.ok) throw problemError('invalid', q.problem, 0, { field });
  if (unit === 'each' && q.value % 1000 !== 0) throw invalidField(field, 'cart.whole_units');
  return q.value;
}

/**
 * Restock and reason of a line (its own, else the refund's). The line's note is the reason alone,
 * as typed; whether its goods went back to stock is the refund's body (`refundBody`: the lines that
 * did not) and, for goods that did, their stock move.
 */
function refundLine(input: RefundInput, index: number, l: DocumentLine): RefundLine {
  const own = input.lines?.find((x, i) => (x.line !== undefined ? x.line === l.line : i + 1 === index));
  const restock = own?.restock ?? input.restock ?? true;
  const reason = own?.reason ?? input.reason ?? null;
  return { doc: { ...l, note: reason || null }, restock, reason };
}

/**
 * Commits a refund inside the caller's transaction (its event is the caller's). `exchange`: the
 * value of the goods of a new sale taken in exchange, paid by this refund first (tender "exchange").
 */
function refundIn(app: App, receipt: StoredDocument | null, input: RefundInput, actor: UserRow, approvals: Approval[], exchange: number): RefundResult {
  const { pricesIncludeTax, currency } = app.profile;
  const plan = receipt ? planAgainst(app, receipt, input) : planWithout(app, input);
  const customerId = input.customer ? findCustomer(app, String(input.customer)).id : (receipt?.customerId ?? null);
  const shift = openShiftRow(app.db, app.profile.register);
  const restored: RefundResult['restored'] = [];
  let credit: RefundResult['credit'] = null;
  /** Codes this refund issues (its slips): store credit, or a new code for a void or expired one. */
  const issued: string[] = [];
  const doc = issueDocument(app, 'refund', ({ number, now }) => {
    // who gets what back: the exchanged goods, then the store credit the sale was paid with, then the method
    const payments: { method: string; amount: number; reference: string | null }[] = [];
    let left = plan.total;
    if (exchange > 0) {
      const take = Math.min(exchange, left);
      payments.push({ method: 'exchange', amount: take, reference: null });
      left -= take;
    }
    if (receipt && input.restore_credit !== false) {
      for (const p of receipt.payments.filter((x) => x.method === 'store_credit' && x.reference)) {
        const take = Math.min(left, p.amount - restoredSoFar(app, receipt.id, p.reference!));
        if (take <= 0) continue;
        const r = restoreIn(app, p.reference!, take, number, actor);
        if (r.issued) issued.push(r.code);
        payments.push({ method: 'store_credit', amount: take, reference: r.code });
        // (a void or expired code gets a new one: it is listed here all the same)
        restored.push({ code: r.code, amount: take });
        left -= take;
      }
    }
    let rounding = 0;
    if (left > 0) {
      let paid = left;
      let reference = input.reference ?? null;
      if (input.method === 'cash') {
        if (!shift) requireOpenShift(app);
        paid = roundCash(left, app.profile.cashIncrement);
        rounding = paid - left;
      } else if (input.method === 'store_credit') {
        const c = issueCreditIn(app, left, actor, { origin: 'refund', ref: number, ...(customerId !== null ? { customerId } : {}) });
        credit = { code: c.code, amount: left };
        issued.push(c.code);
        reference = c.code;
      }
      payments.push({ method: input.method, amount: paid, reference });
    }
    const move = prepared(app.db, "INSERT INTO stock_moves (product_id, qty, kind, ref, reason, user_id, created_at) VALUES (?, ?, 'refund', ?, ?, ?, ?)");
    const tracked = prepared(app.db, 'SELECT track_stock FROM products WHERE id = ?').pluck();
    for (const { doc: l, restock, reason } of plan.lines) {
      if (l.productId !== null && restock && tracked.get(l.productId) === 1) move.run(l.productId, l.qty, number, reason, actor.id, now.toISOString());
    }
    return {
      userId: actor.id,
      shiftId: shift?.id ?? null,
      refId: receipt?.id ?? null,
      customerId,
      externalId: null,
      pricesIncludeTax,
      currency,
      subtotal: plan.total,
      discount: 0,
      total: plan.total,
      tendered: 0,
      change: 0,
      rounding,
      approvals,
      note: null,
      body: refundBody(plan.lines.filter((l) => !l.restock).map((l) => l.doc.line)),
      lines: plan.lines.map((l) => l.doc),
      taxes: plan.taxes,
      payments,
    };
  });
  linkCreditsIn(app, issued, doc.id);
  const creditNote = receipt ? correctInvoice(app, receipt, doc) : null;
  return { refund: loadDocument(app.db, doc.id)!, receipt, credit, restored, creditNote };
}

/** Store credit of code `code` already given back by earlier refunds of the receipt. */
function restoredSoFar(app: App, receiptId: number, code: string): number {
  return prepared(
    app.db,
    `SELECT coalesce(sum(p.amount), 0) FROM documents d JOIN document_payments p ON p.document_id = d.id
      WHERE d.ref_id = ? AND d.type = 'refund' AND p.method = 'store_credit' AND p.reference = ?`,
  )
    .pluck()
    .get(receiptId, code) as number;
}

/** An invoiced receipt is corrected by a corrective invoice referencing the invoice. */
function correctInvoice(app: App, receipt: StoredDocument, refundDoc: StoredDocument): StoredDocument | null {
  const invoiceId = prepared(app.db, "SELECT id FROM documents WHERE type = 'invoice' AND ref_id = ?").pluck().get(receipt.id) as number | undefined;
  if (invoiceId === undefined) return null;
  const invoice = loadDocument(app.db, invoiceId)!;
  return issueDocument(app, 'credit_note', () => ({
    userId: refundDoc.userId,
    shiftId: null,
    refId: invoice.id,
    customerId: invoice.customerId,
    externalId: refundDoc.externalId,
    pricesIncludeTax: refundDoc.pricesIncludeTax,
    currency: refundDoc.currency,
    subtotal: refundDoc.subtotal,
    discount: refundDoc.discount,
    total: refundDoc.total,
    tendered: refundDoc.tendered,
    change: refundDoc.change,
    rounding: refundDoc.rounding,
    approvals: [],
    note: refundDoc.number,
    // the same lines, so the same body: it says how their notes read
    body: refundDoc.body,
    lines: refundDoc.lines,
    taxes: refundDoc.taxes,
    payments: refundDoc.payments,
  }));
}

// ---- exchange -------------------------------------------------------------------------------

export interface ExchangeInput extends RefundInput {
  /** What the customer takes instead; `payments` pay what the new goods cost beyond the return. */
  sale: SaleInput;
}

export interface ExchangeResult extends RefundResult {
  sale: StoredDocument;
  /** > 0: the customer paid this much more; < 0: got this much back (by `method`). */
  difference: number;
}

/**
 * An exchange: the return of goods of a receipt and a new sale, in one transaction. The returned
 * value pays the new sale first (tender "exchange" on both documents); the customer pays the
 * difference with the sale's payments, or receives it by `method`.
 */
export function exchange(app: App, receiptNumber: string, request: ExchangeInput, actor: UserRow, approver?: Approver): ExchangeResult {
  const input = { ...request, ...withStoredTexts(request) };
  const approval = authorize(app, actor, 'refund', approver, receiptNumber);
  checkMethod(app, input.method, false);
  if (typeof input.sale !== 'object' || input.sale === null) throw invalidField('sale', 'sale.json_object');
  const built = buildSale(app, input.sale, actor, approver, true);
  const saleTotal = priceCart(built.cart, { pricesIncludeTax: app.profile.pricesIncludeTax }).total + built.vouchers.reduce((a, b) => a + b, 0);
  return inTransaction(app, () => {
    const receipt = refundableReceipt(app, receiptNumber);
    const r = refundIn(app, receipt, input, actor, approval ? [approval] : [], saleTotal);
    const credited = r.refund.payments.find((p) => p.method === 'exchange')?.amount ?? 0;
    const withExchange = credited > 0 ? { ...built, payments: [{ method: 'exchange', amount: credited }, ...built.payments] } : built;
    const sale = commitSaleIn(app, withExchange, actor, undefined, `exchange ${r.refund.number}`);
    appendEvent(app, 'exchange', {
      refund: documentPayload(app, r.refund),
      credit_note: r.creditNote && documentPayload(app, r.creditNote),
      sale: documentPayload(app, sale),
      credits: creditMoves(app),
    });
    return { ...r, sale, difference: saleTotal - r.refund.total };
  });
}

// ---- requests and results as scripts see them ----------------------------------------------

function parseObject(text: string, field = '-'): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TpvError('invalid', 'sale.json', { detail: (e as Error).message, field });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TpvError('invalid', 'sale.json_object', { field });
  return v as Record<string, unknown>;
}

/** Checks the refund fields of a request: lines by receipt line number (or by product code without a receipt). */
function checkRefundInput(o: Record<string, unknown>, withReceipt: boolean): RefundInput {
  if (o.lines !== undefined && !Array.isArray(o.lines)) throw new TpvError('invalid', 'sale.field_array', { field: 'lines' });
  (o.lines as unknown[] | undefined)?.forEach((l, i) => {
    if (typeof l !== 'object' || l === null) throw new TpvError('invalid', 'sale.json_object', { field: `lines[${i}]` });
    const line = l as { line?: unknown; code?: unknown };
    if (withReceipt && typeof line.line !== 'number') throw new TpvError('invalid', 'refund.line_number', { field: `lines[${i}].line` });
    if (!withReceipt && typeof line.code !== 'string') throw new TpvError('invalid', 'refund.code_missing', { field: `lines[${i}].code` });
  });
  if (o.method !== undefined && typeof o.method !== 'string') throw new TpvError('invalid', 'sale.field_string', { field: 'method' });
  if (o.customer !== undefined && typeof o.customer !== 'string' && typeof o.customer !== 'number') {
    throw new TpvError('invalid', 'sale.field_string', { field: 'customer' });
  }
  return o as unknown as RefundInput;
}

/** A refund request as JSON text (`tpv refund`), naming the field that is wrong. */
export function parseRefundRequest(text: string, withReceipt: boolean): RefundInput {
  return checkRefundInput(parseObject(text), withReceipt);
}

/** An exchange request as JSON text (`tpv exchange`): the return, and the sale taken instead. */
export function parseExchangeRequest(text: string): { input: RefundInput; sale: SaleInput } {
  const request = parseObject(text);
  const input = checkRefundInput(request, true);
  if (typeof request.sale !== 'object' || request.sale === null) throw new TpvError('invalid', 'sale.json_object', { field: 'sale' });
  return { input, sale: parseSaleJson(JSON.stringify({ payments: [], ...request.sale }), 'sale') };
}

/** A refund in JSON: the document, and the store credit it moved. */
export function refundJson(app: App, r: RefundResult) {
  const m = (n: number): string => moneyText(app, n);
  return {
    ...receiptJson(app, r.refund),
    receipt: r.receipt?.number ?? null,
    ...(r.credit ? { store_credit: { code: formatCreditCode(r.credit.code), amount: m(r.credit.amount) } } : {}),
    ...(r.restored.length ? { restored_credit: r.restored.map((c) => ({ code: formatCreditCode(c.code), amount: m(c.amount) })) } : {}),
    ...(r.creditNote ? { credit_note: r.creditNote.number } : {}),
  };
}

/** A refund as printed, then the store credit it gave back or issued. */
export function refundText(app: App, r: RefundResult): string {
  const m = (n: number): string => moneyText(app, n);
  return (
    documentText(app, r.refund) +
    r.restored.map((c) => t('refund.credit_restored', { code: formatCreditCode(c.code), amount: m(c.amount) })).join('') +
    (r.credit ? t('refund.credit_issued', { code: formatCreditCode(r.credit.code), amount: m(r.credit.amount) }) : '')
  );
}
