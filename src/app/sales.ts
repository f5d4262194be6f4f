/**
 * Selling: a sale (lines by code, discounts, payments) is priced by the core, then committed in
 * one immediate transaction — number, document, lines, taxes, payments, stock moves, journal
 * entry, outbox event — or not at all. Printing and the drawer come after commit (devices).
 */
import { addLine, type Cart, type Discount, emptyCart, overridePrice, parseDiscount, priceCart, setCartDiscount, setLineDiscount, setNote } from '../core/cart.js';
import { formatCreditCode } from '../core/credit.js';
import { TpvError } from '../core/errors.js';
import { currencyExponent, formatDecimal, formatQuantity, formatRate, parseDecimal, parseQuantity } from '../core/money.js';
import { settle } from '../core/payment.js';
import { discountNeedsApproval } from '../core/permissions.js';
import { documentNumberOf } from '../core/numbering.js';
import { isoWithOffset, zonedParts } from '../core/time.js';
import type { Statement } from 'better-sqlite3';
import { prepared, type Sqlite } from '../db/connection.js';
import { type Approval, type DocumentLine, documentIdByNumber, insertDocument, loadDocument, type StoredDocument } from '../db/documents.js';
import { type Approver, authorize } from './auth.js';
import { type App, inTransaction, moneyParams, storeMoney } from './context.js';
import { issueCreditIn, redeemIn } from './credit.js';
import { findCustomer } from './customers.js';
import { appendJournal } from './journal.js';
import { appendOutbox } from './outbox.js';
import { findProduct, sellable } from './products.js';
import { allocateNumber } from './series.js';
import { registerOf, requireOpenShift, timeZoneOf } from './shifts.js';
import { type UserRow, userById } from './users.js';
import { t } from '../i18n/index.js';

/** One sale as scripts send it (`tpv sale`, `tpv sales import`): decimal text, like the JSON. */
export interface SaleInput {
  /** Idempotency key: a sale with an id already sold is not sold again. */
  id?: string | undefined;
  /** Goods by `code`, or a gift voucher by `voucher` (its amount). */
  lines: {
    code?: string | undefined;
    voucher?: string | undefined;
    qty?: string | undefined;
    price?: string | undefined;
    discount?: string | undefined;
    note?: string | undefined;
  }[];
  discount?: string | null | undefined;
  payments: { method: string; amount: string; reference?: string | undefined; code?: string | undefined }[];
  customer?: string | null | undefined;
  note?: string | undefined;
}

interface LineInfo {
  productId: number;
  categoryId: number | null;
  trackStock: boolean;
}

const bad = (field: string, code: string, params: Record<string, string | number> = {}): TpvError =>
  new TpvError('invalid', code, { ...params, field });

/** The tenders a store accepts: cash, card, store credit (a code), and its configured others. */
export function tenders(app: App): string[] {
  return ['cash', 'card', 'store_credit', ...(app.settings['sales.tenders'] ?? [])];
}

export function cashIncrement(app: App): number {
  const { exponent } = storeMoney(app);
  const r = parseDecimal(app.settings['sales.cash_rounding'] ?? '0', exponent);
  return r.ok && r.value > 0 ? r.value : 1;
}

/** A discount above the store's limit (bp of what it applies to) needs a supervisor. */
const overLimit = (app: App, d: Discount, base: number): boolean =>
  discountNeedsApproval(d, base, app.settings['sales.discount_limit'] ?? 1000);

export interface BuiltSale {
  cart: Cart;
  /** The customer attached to the sale (`"customer"`: a tax id or a customer id). */
  customerId: number | null;
  info: Map<number, LineInfo>;
  approvals: Approval[];
  payments: { method: string; amount: number; reference?: string }[];
  /** Gift vouchers sold (amounts): outside the cart, untaxed — tax is due on what they later buy. */
  vouchers: number[];
}

/** The sku of a gift voucher line on a receipt (such a line has no product; its note is the code). */
export const VOUCHER_SKU = 'VOUCHER';

/** Whether a receipt line is a gift voucher (not goods: not taxed, not refunded as goods). */
export const isVoucherLine = (l: { productId: number | null; sku: string }): boolean => l.productId === null && l.sku === VOUCHER_SKU;

/**
 * Turns a sale request into a cart and payments, checking every field and permission.
 * An exchange passes `paymentsOptional`: the returned goods may pay for all of it.
 */
export function buildSale(app: App, input: SaleInput, actor: UserRow, approver?: Approver, paymentsOptional = false): BuiltSale {
  const { exponent, pricesIncludeTax } = storeMoney(app);
  if (!Array.isArray(input.lines) || input.lines.length === 0) throw bad('lines', 'sale.no_lines');
  let cart = emptyCart();
  const info = new Map<number, LineInfo>();
  const approvals: Approval[] = [];
  const vouchers: number[] = [];
  const approve = (action: Parameters<typeof authorize>[2], detail: string): void => {
    const a = authorize(app, actor, action, approver, detail);
    if (a) approvals.push(a);
  };
  input.lines.forEach((l, i) => {
    const field = `lines[${i}]`;
    if (l.voucher !== undefined && l.voucher !== null) {
      const a = parseDecimal(String(l.voucher), exponent);
      if (!a.ok) throw bad(`${field}.voucher`, a.problem.code, a.problem.params);
      if (a.value <= 0) throw bad(`${field}.voucher`, 'credit.bad_amount');
      for (const k of ['code', 'qty', 'price', 'discount'] as const) if (l[k] !== undefined) throw bad(`${field}.${k}`, 'sale.voucher_alone');
      vouchers.push(a.value);
      return;
    }
    if (typeof l.code !== 'string' || !l.code.trim()) throw bad(`${field}.code`, 'sale.code_missing');
    const found = findProduct(app, l.code);
    const row = found.row;
    if (!row.active) throw new TpvError('conflict', 'sale.product_inactive', { code: l.code, sku: row.sku, field: `${field}.code` });
    const item = sellable(found);
    if (l.qty !== undefined) {
      const q = parseQuantity(String(l.qty));
      if (!q.ok) throw bad(`${field}.qty`, q.problem.code, q.problem.params);
      item.qty = q.value;
    }
    const unitPrice = item.unitPrice;
    const added = addLine(cart, item);
    if (!added.ok) throw bad(`${field}.qty`, added.problem.code, { ...added.problem.params, sku: row.sku });
    cart = added.value;
    const line = cart.lines[cart.lines.length - 1]!;
    info.set(line.id, { productId: row.id, categoryId: row.category_id, trackStock: row.track_stock === 1 });
    if (l.price !== undefined) {
      const p = parseDecimal(String(l.price), exponent);
      if (!p.ok) throw bad(`${field}.price`, p.problem.code, p.problem.params);
      if (p.value !== unitPrice) {
        approve('price_override', `${row.sku}: ${formatDecimal(unitPrice, exponent)} → ${formatDecimal(p.value, exponent)}`);
        const o = overridePrice(cart, line.id, p.value);
        if (!o.ok) throw bad(`${field}.price`, o.problem.code, o.problem.params);
        cart = o.value;
      }
    }
    if (l.discount !== undefined && l.discount !== null && String(l.discount).trim() !== '') {
      const d = parseDiscount(String(l.discount), exponent);
      if (!d.ok) throw bad(`${field}.discount`, d.problem.code, d.problem.params);
      const lineNow = priceCart(cart, { pricesIncludeTax }).lines.find((x) => x.id === line.id)!;
      if (overLimit(app, d.value, lineNow.gross)) approve('discount_over_limit', `${row.sku}: ${String(l.discount)}`);
      const r = setLineDiscount(cart, line.id, d.value);
      if (!r.ok) throw bad(`${field}.discount`, r.problem.code, moneyParams(app, r.problem.params ?? {}));
      cart = r.value;
    }
    if (l.note) {
      const r = setNote(cart, line.id, String(l.note));
      if (r.ok) cart = r.value;
    }
  });
  if (input.discount !== undefined && input.discount !== null && String(input.discount).trim() !== '') {
    const d = parseDiscount(String(input.discount), exponent);
    if (!d.ok) throw bad('discount', d.problem.code, d.problem.params);
    const before = priceCart(cart, { pricesIncludeTax });
    if (overLimit(app, d.value, before.total)) approve('discount_over_limit', `cart: ${String(input.discount)}`);
    const r = setCartDiscount(cart, d.value);
    if (!r.ok) throw bad('discount', r.problem.code, moneyParams(app, r.problem.params ?? {}));
    cart = r.value;
  }
  if (input.note) {
    const r = setNote(cart, null, String(input.note));
    if (r.ok) cart = r.value;
  }
  const given = input.payments ?? [];
  if (!Array.isArray(given) || (given.length === 0 && !paymentsOptional)) throw bad('payments', 'sale.no_payments');
  const accepted = tenders(app);
  const payments = given.map((p, i) => {
    const field = `payments[${i}]`;
    if (typeof p.method !== 'string' || !accepted.includes(p.method)) {
      throw bad(`${field}.method`, 'sale.tender_unknown', { method: String(p.method), tenders: accepted.join(', ') });
    }
    const a = parseDecimal(String(p.amount ?? ''), exponent);
    if (!a.ok) throw bad(`${field}.amount`, a.problem.code, a.problem.params);
    if (p.method === 'store_credit') {
      if (vouchers.length > 0) throw bad(`${field}.method`, 'sale.voucher_with_credit');
      // the code is checked, and its balance taken, inside the sale's transaction
      if (!p.code) throw bad(`${field}.code`, 'sale.credit_code_missing');
      return { method: p.method, amount: a.value, reference: String(p.code) };
    }
    return { method: p.method, amount: a.value, ...(p.reference ? { reference: String(p.reference) } : {}) };
  });
  const customerId = input.customer ? findCustomer(app, String(input.customer)).id : null;
  return { cart, info, approvals, payments, customerId, vouchers };
}

/** Commits a built sale. Returns the stored receipt. */
export function commitSale(app: App, sale: BuiltSale, actor: UserRow, externalId?: string, note?: string): { receipt: StoredDocument; duplicate: boolean } {
  const { pricesIncludeTax, currency } = storeMoney(app);
  const priced = priceCart(sale.cart, { pricesIncludeTax });
  const total = priced.total + sale.vouchers.reduce((a, b) => a + b, 0);
  const settled = settle(total, sale.payments, { cashIncrement: cashIncrement(app) });
  if (!settled.ok) throw new TpvError('conflict', settled.problem.code, moneyParams(app, settled.problem.params ?? {}));
  return inTransaction(app, () => {
    if (externalId) {
      const existing = prepared(app.db, 'SELECT id FROM documents WHERE external_id = ?').pluck().get(externalId) as number | undefined;
      if (existing !== undefined) return { receipt: loadDocument(app.db, existing)!, duplicate: true };
    }
    const shift = requireOpenShift(app);
    const now = app.now();
    const tz = timeZoneOf(app);
    const { number, seriesId, seq } = allocateNumber(app.db, registerOf(app), 'receipt', zonedParts(now, tz).year);
    const payments = settled.value.payments.map((p) =>
      p.method === 'store_credit' ? { ...p, reference: redeemIn(app, p.reference ?? '', p.amount, number, actor) } : p,
    );
    const lines: DocumentLine[] = priced.lines.map((l, i) => {
      const inf = sale.info.get(l.id)!;
      return {
        line: i + 1,
        productId: inf.productId,
        sku: l.sku,
        name: l.name,
        unit: l.unit,
        qty: l.qty,
        unitPrice: l.unitPrice,
        listPrice: l.originalPrice,
        gross: l.gross,
        lineDiscount: l.lineDiscount,
        cartDiscount: l.cartDiscount,
        amount: l.amount,
        taxRate: l.taxRate,
        categoryId: inf.categoryId,
        note: l.note ?? null,
      };
    });
    // a voucher's code is on its line (the note), printed on the receipt
    for (const amount of sale.vouchers) {
      const credit = issueCreditIn(app, amount, actor, { origin: 'voucher', ref: number, ...(sale.customerId !== null ? { customerId: sale.customerId } : {}) });
      lines.push({
        line: lines.length + 1,
        productId: null,
        sku: VOUCHER_SKU,
        name: t('voucher.line', {}, app.settings['store.language'] ?? 'es'),
        unit: 'each',
        qty: 1000,
        unitPrice: amount,
        listPrice: null,
        gross: amount,
        lineDiscount: 0,
        cartDiscount: 0,
        amount,
        taxRate: 0,
        categoryId: null,
        note: formatCreditCode(credit.code),
      });
    }
    const receipt = insertDocument(app.db, {
      type: 'receipt',
      number,
      seriesId,
      seq,
      register: registerOf(app),
      createdAt: isoWithOffset(now, tz),
      userId: actor.id,
      shiftId: shift.id,
      refId: null,
      customerId: sale.customerId,
      externalId: externalId ?? null,
      pricesIncludeTax,
      currency,
      subtotal: priced.subtotal,
      discount: priced.lineDiscounts + priced.cartDiscount,
      total,
      tendered: settled.value.tendered,
      change: settled.value.change,
      rounding: settled.value.rounding,
      approvals: sale.approvals,
      note: note ?? sale.cart.note ?? null,
      body: null,
      lines,
      taxes: priced.taxes.map((t) => ({ rate: t.rate, base: t.base, tax: t.tax })),
      payments: payments.map((p) => ({ method: p.method, amount: p.amount, reference: p.reference ?? null })),
    });
    const move = saleMove(app.db);
    for (const l of lines.slice(0, priced.lines.length)) {
      if (sale.info.get(priced.lines[l.line - 1]!.id)!.trackStock) move.run(l.productId, -l.qty, number, actor.id, now.toISOString());
    }
    appendJournal(app.db, receipt);
    // documents are immutable: the event names it, the sync client ships the document itself
    appendOutbox(app.db, 'sale', { number, register: receipt.register, total: formatDecimal(receipt.total, currencyExponent(currency) ?? 2), created_at: receipt.createdAt }, now);
    return { receipt, duplicate: false };
  });
}

const moves = new WeakMap<Sqlite, Statement>();
function saleMove(db: Sqlite): Statement {
  let st = moves.get(db);
  if (!st) {
    st = db.prepare("INSERT INTO stock_moves (product_id, qty, kind, ref, user_id, created_at) VALUES (?, ?, 'sale', ?, ?, ?)");
    moves.set(db, st);
  }
  return st;
}

/** A cart built at the till (the cashier terminal): priced lines, vouchers, approvals given on the way. */
export interface TillSale {
  cart: Cart;
  vouchers: number[];
  approvals: Approval[];
  customerId: number | null;
  payments: { method: string; amount: number; reference?: string }[];
}

/** Commits a cart from the till: its products are found again by sku (they may have changed since). */
export function commitTillSale(app: App, sale: TillSale, actor: UserRow): StoredDocument {
  const info = new Map<number, LineInfo>();
  for (const l of sale.cart.lines) {
    const row = prepared(app.db, 'SELECT id, category_id, track_stock FROM products WHERE sku = ?').get(l.sku) as
      | { id: number; category_id: number | null; track_stock: number }
      | undefined;
    if (!row) throw new TpvError('not_found', 'product.not_found', { code: l.sku });
    info.set(l.id, { productId: row.id, categoryId: row.category_id, trackStock: row.track_stock === 1 });
  }
  return commitSale(app, { ...sale, info }, actor).receipt;
}

/** `tpv sale`: build, check and commit one sale. */
export function sell(app: App, input: SaleInput, actor: UserRow, approver?: Approver): { receipt: StoredDocument; duplicate: boolean } {
  if (input.id) {
    const existing = app.db.prepare('SELECT id FROM documents WHERE external_id = ?').pluck().get(input.id) as number | undefined;
    if (existing !== undefined) return { receipt: loadDocument(app.db, existing)!, duplicate: true };
  }
  const built = buildSale(app, input, actor, approver);
  return commitSale(app, built, actor, input.id, input.note);
}

/** A receipt or refund by its number, typed (any case) or scanned from its barcode/QR. */
export function receiptByNumber(app: App, typed: string): StoredDocument {
  const number = documentNumberOf(typed);
  const id = documentIdByNumber(app.db, number) ?? documentIdByNumber(app.db, number.toUpperCase());
  const doc = id === undefined ? undefined : loadDocument(app.db, id);
  // a Z report is a document too, but not a receipt
  if (!doc || (doc.type !== 'receipt' && doc.type !== 'refund')) throw new TpvError('not_found', 'receipt.not_found', { number });
  return doc;
}

// ---- the receipt as scripts see it ----------------------------------------------------------

/** The receipt in JSON: amounts as decimal strings in the document's currency, locale-free. */
export function receiptJson(db: Sqlite, d: StoredDocument) {
  const e = currencyExponent(d.currency) ?? 2;
  const m = (n: number): string => formatDecimal(n, e);
  const user = userById(db, d.userId);
  return {
    number: d.number,
    type: d.type,
    created_at: d.createdAt,
    register: d.register,
    user: user?.code ?? null,
    shift: d.shiftId,
    prices_include_tax: d.pricesIncludeTax,
    currency: d.currency,
    lines: d.lines.map((l) => ({
      line: l.line,
      sku: l.sku,
      name: l.name,
      qty: formatQuantity(l.qty),
      unit: l.unit,
      unit_price: m(l.unitPrice),
      ...(l.listPrice !== null ? { list_price: m(l.listPrice) } : {}),
      discount: m(l.lineDiscount + l.cartDiscount),
      line_discount: m(l.lineDiscount),
      cart_discount: m(l.cartDiscount),
      amount: m(l.amount),
      tax_rate: formatRate(l.taxRate),
      ...(isVoucherLine(l) ? { voucher: l.note } : {}),
    })),
    subtotal: m(d.subtotal),
    discount: m(d.discount),
    total: m(d.total),
    taxes: d.taxes.map((t) => ({ rate: formatRate(t.rate), base: m(t.base), tax: m(t.tax) })),
    payments: d.payments.map((p) => ({ method: p.method, amount: m(p.amount), ...(p.reference ? { reference: p.reference } : {}) })),
    tendered: m(d.tendered),
    change: m(d.change),
    rounding: m(d.rounding),
    approvals: d.approvals,
    ...(d.externalId ? { id: d.externalId } : {}),
    ...(d.customerId !== null ? { customer: d.customerId } : {}),
    ...(d.note ? { note: d.note } : {}),
  };
}

/** Reads a sale from JSON text, naming the field that is wrong (exit 3). */
export function parseSaleJson(text: string, where = ''): SaleInput {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TpvError('invalid', 'sale.json', { detail: (e as Error).message, field: where || '-' });
  }
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const text_ = (x: unknown): x is string | number => typeof x === 'string' || typeof x === 'number';
  if (!isObj(v)) throw bad(where || '-', 'sale.json_object');
  const f = (name: string): string => (where ? `${where}.${name}` : name);
  if (!Array.isArray(v.lines)) throw bad(f('lines'), 'sale.field_array');
  v.lines.forEach((l, i) => {
    if (!isObj(l)) throw bad(f(`lines[${i}]`), 'sale.json_object');
    if (l.voucher !== undefined) {
      if (!text_(l.voucher)) throw bad(f(`lines[${i}].voucher`), 'sale.field_decimal');
    } else if (typeof l.code !== 'string') throw bad(f(`lines[${i}].code`), 'sale.field_string');
    for (const k of ['qty', 'price', 'discount'] as const) {
      if (l[k] !== undefined && l[k] !== null && !text_(l[k])) throw bad(f(`lines[${i}].${k}`), 'sale.field_decimal');
    }
  });
  if (!Array.isArray(v.payments)) throw bad(f('payments'), 'sale.field_array');
  v.payments.forEach((p, i) => {
    if (!isObj(p)) throw bad(f(`payments[${i}]`), 'sale.json_object');
    if (typeof p.method !== 'string') throw bad(f(`payments[${i}].method`), 'sale.field_string');
    if (!text_(p.amount)) throw bad(f(`payments[${i}].amount`), 'sale.field_decimal');
  });
  if (v.discount !== undefined && v.discount !== null && !text_(v.discount)) throw bad(f('discount'), 'sale.field_decimal');
  if (v.id !== undefined && v.id !== null && typeof v.id !== 'string') throw bad(f('id'), 'sale.field_string');
  return v as unknown as SaleInput;
}
