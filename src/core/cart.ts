import { fail, type MessageKey, money, ok, type Problem, type ProblemParams, type Result } from './errors.js';
import { mulDiv, ONE_QTY, parseDecimal, RATE_SCALE, type RoundingMode } from './money.js';
import type { Unit } from './product.js';
import { allocate, DEFAULT_ROUNDING, taxSummary, type TaxLine } from './tax.js';
import { FORBIDDEN, TEXT_LIMITS } from './text.js';

/**
 * The cart of a sale in progress: an immutable value, and operations that return a new cart or
 * a Problem. Amounts are integer minor units, quantities integer milli-units (1000 = 1), rates
 * and percent discounts basis points (2100 = 21%).
 *
 * Every operation keeps the cart valid as a whole: no discount ever exceeds what it applies to,
 * no amount leaves the safe range. An operation that would break that (e.g. lowering a quantity
 * under an amount discount, removing a line a cart amount discount relies on) is refused with
 * the problem, so {@link priceCart} never has to guess.
 *
 * Problem codes: `cart.weight_required`, `cart.whole_units`, `cart.bad_quantity`, `cart.bad_price`,
 * `cart.bad_tax_rate`, `cart.bad_discount`, `cart.discount_percent_range` {max: 100},
 * `cart.discount_too_large` {max, lineId?}, `cart.line_not_found` {lineId}, `cart.amount_too_large`
 * {max}, `cart.note_too_long` {max}, `cart.note_invalid`, and from {@link checkCart} only
 * `cart.bad_line`, `cart.bad_line_id`, `cart.bad_mode`. Line-level problems carry `lineId` once
 * the line exists.
 */

/** A discount: a percent in basis points (1000 = 10%), or an amount in minor units. */
export type Discount = { kind: 'percent'; bp: number } | { kind: 'amount'; amount: number };

/** What {@link addLine} needs to know about an item (from the catalog or a manual entry). */
export interface ItemInput {
  sku: string;
  name: string;
  unit: Unit;
  /** Price of one unit (or one kg) in minor units. */
  unitPrice: number;
  /** Tax rate in basis points. */
  taxRate: number;
  /** Milli-units: required for 'kg' items; 'each' items default to 1000 and must be whole units. */
  qty?: number;
  /** The variable-measure barcode (a scale's label) the item was scanned from: its price or weight came from it. */
  label?: string;
}

export interface CartLine {
  /** Stable within the cart: 1, 2, 3… never reused. */
  readonly id: number;
  readonly sku: string;
  readonly name: string;
  readonly unit: Unit;
  /** Milli-units. */
  readonly qty: number;
  /** The price charged per unit (minor units). */
  readonly unitPrice: number;
  /** The catalog price when the price was overridden, else null. */
  readonly originalPrice: number | null;
  readonly taxRate: number;
  readonly discount: Readonly<Discount> | null;
  readonly note: string | null;
  /** The scale label the line was scanned from (absent on lines keyed or scanned from a product code). */
  readonly label?: string;
}

export interface Cart {
  readonly lines: readonly CartLine[];
  /** The id the next added line gets. */
  readonly nextLineId: number;
  /** Cart-level discount, allocated to the lines when priced. */
  readonly discount: Readonly<Discount> | null;
  readonly note: string | null;
  /** The rounding rule of every amount in this cart (line gross, percent discounts, taxes). */
  readonly mode: RoundingMode;
}

/** A line with its amounts. In the excluding-tax mode every amount here is net. */
export interface PricedLine extends CartLine {
  /** round(unitPrice × qty / 1000): the line before any discount (not "gross of tax"). */
  gross: number;
  /** The line's own discount. */
  lineDiscount: number;
  /** This line's share of the cart discount (largest-remainder allocation). */
  cartDiscount: number;
  /** Final amount: gross − lineDiscount − cartDiscount. Taxes are computed on these. */
  amount: number;
}

export interface PricedCart {
  lines: PricedLine[];
  /** Σ gross. */
  subtotal: number;
  /** Σ line discounts. */
  lineDiscounts: number;
  /** The cart discount (= Σ of its allocated parts). */
  cartDiscount: number;
  /** Including tax: Σ final amounts. Excluding tax: Σ final amounts (nets) + Σ taxes. */
  total: number;
  /** Per rate, rate descending ({@link taxSummary} on the final amounts). */
  taxes: TaxLine[];
  /** Σ taxes[].tax. */
  taxTotal: number;
  /** Units of 'each' lines plus one per weighed line. */
  itemCount: number;
  pricesIncludeTax: boolean;
  mode: RoundingMode;
}

export interface PriceOptions {
  /** Catalog prices include tax (retail in most of Europe) or exclude it (B2B, US-style). */
  pricesIncludeTax: boolean;
  /** Defaults to the cart's mode. */
  mode?: RoundingMode;
}

/** The largest line gross and cart subtotal accepted (10^13 minor units: 100 billion EUR). */
export const MAX_CART_AMOUNT = 10 ** 13;
/** The longest note (in characters): core/text.ts lists every limit. */
export const NOTE_MAX = TEXT_LIMITS.note;

const BP = 10000;
const MAX_RATE = 10000;
const MODES: readonly RoundingMode[] = ['half-away-from-zero', 'half-even', 'down', 'up'];

/** A new, empty cart. `mode` is the rounding rule of all its amounts (default half away from zero). */
export function emptyCart(mode: RoundingMode = DEFAULT_ROUNDING): Cart {
  if (!MODES.includes(mode)) throw new RangeError(`unknown rounding mode: ${String(mode)}`);
  return freezeCart({ lines: [], nextLineId: 1, discount: null, note: null, mode });
}

/**
 * Adds an item as a new line (the same sku again is a separate line) with the next id; the new
 * line is the last of `lines`. Problems: `cart.weight_required` (a kg item without qty),
 * `cart.bad_quantity`, `cart.whole_units`, `cart.bad_price`, `cart.bad_tax_rate`, `cart.amount_too_large`.
 */
export function addLine(cart: Cart, item: ItemInput): Result<Cart> {
  if (item.unit !== 'each' && item.unit !== 'kg') throw new RangeError(`unknown unit: ${String(item.unit)}`);
  if (item.qty === undefined && item.unit === 'kg') return fail('cart.weight_required');
  const qty = item.qty ?? ONE_QTY;
  const problem = qtyProblem(item.unit, qty) ?? priceProblem(item.unitPrice) ?? rateProblem(item.taxRate);
  if (problem) return fail(problem);
  const line: CartLine = {
    id: cart.nextLineId,
    sku: item.sku,
    name: item.name,
    unit: item.unit,
    qty,
    unitPrice: item.unitPrice,
    originalPrice: null,
    taxRate: item.taxRate,
    discount: null,
    note: null,
    ...(item.label !== undefined ? { label: item.label } : {}),
  };
  return commit({ ...cart, lines: [...cart.lines, line], nextLineId: cart.nextLineId + 1 });
}

/**
 * Sets a line's quantity (milli-units, > 0; whole units for 'each' lines). Problems:
 * `cart.line_not_found`, `cart.bad_quantity`, `cart.whole_units`, `cart.discount_too_large`
 * (an amount discount would exceed the new gross), `cart.amount_too_large`.
 */
export function setQuantity(cart: Cart, lineId: number, qty: number): Result<Cart> {
  return updateLine(cart, lineId, (line) => {
    const code = qtyProblem(line.unit, qty);
    return code ? code : { ...line, qty };
  });
}

/** Removes a line. Problems: `cart.line_not_found`, `cart.discount_too_large` (a cart amount discount would exceed what is left). */
export function removeLine(cart: Cart, lineId: number): Result<Cart> {
  if (!cart.lines.some((l) => l.id === lineId)) return fail('cart.line_not_found', { lineId });
  return commit({ ...cart, lines: cart.lines.filter((l) => l.id !== lineId) });
}

/**
 * Sets (or with null / a zero discount, clears) a line's discount: a percent of the line gross,
 * or an amount up to the line gross. Problems: `cart.line_not_found`, `cart.bad_discount`,
 * `cart.discount_percent_range`, `cart.discount_too_large` {lineId, max}, or {max} when a cart
 * amount discount would no longer fit.
 */
export function setLineDiscount(cart: Cart, lineId: number, discount: Discount | null): Result<Cart> {
  return updateLine(cart, lineId, (line) => {
    const p = discountProblem(discount);
    return p ? p : { ...line, discount: normalizeDiscount(discount) };
  });
}

/**
 * Sets (or with null / a zero discount, clears) the cart discount: a percent of the sum of the
 * line amounts (after line discounts), or an amount up to that sum. It is allocated to the lines
 * by {@link priceCart}. Problems: `cart.bad_discount`, `cart.discount_percent_range`, `cart.discount_too_large` {max}.
 */
export function setCartDiscount(cart: Cart, discount: Discount | null): Result<Cart> {
  const p = discountProblem(discount);
  if (p) return { ok: false, problem: p };
  return commit({ ...cart, discount: normalizeDiscount(discount) });
}

/**
 * Charges another unit price on a line, keeping the catalog price in `originalPrice` (the first
 * one, across several overrides; back to the catalog price clears it). Problems:
 * `cart.line_not_found`, `cart.bad_price`, `cart.discount_too_large`, `cart.amount_too_large`.
 * Whether the user may do it is decided by permissions.ts (`can(role, 'price_override')`), not here.
 */
export function overridePrice(cart: Cart, lineId: number, unitPrice: number): Result<Cart> {
  return updateLine(cart, lineId, (line) => {
    const code = priceProblem(unitPrice);
    if (code) return code;
    const original = line.originalPrice ?? line.unitPrice;
    return { ...line, unitPrice, originalPrice: unitPrice === original ? null : original };
  });
}

/**
 * Sets the note of a line, or of the cart when `lineId` is null. The text is trimmed; blank clears.
 * Problems: `cart.line_not_found`, `cart.note_too_long` {max}, `cart.note_invalid` (control
 * characters: notes are printed on receipts, and a stray ESC would reach the printer).
 */
export function setNote(cart: Cart, lineId: number | null, text: string): Result<Cart> {
  const note = text.normalize('NFC').trim();
  const problem = noteProblem(note);
  if (problem) return { ok: false, problem };
  const value = note === '' ? null : note;
  if (lineId === null) return commit({ ...cart, note: value });
  return updateLine(cart, lineId, (line) => ({ ...line, note: value }));
}

/**
 * Validates a cart that did not come from these operations (restored from storage, received over
 * sync) and returns it frozen, or the first problem. Also `cart.bad_line` (a malformed line) and
 * `cart.bad_line_id` (ids not increasing, or not below nextLineId).
 */
export function checkCart(cart: Cart): Result<Cart> {
  if (!MODES.includes(cart.mode)) return fail('cart.bad_mode');
  if (!Number.isSafeInteger(cart.nextLineId) || cart.nextLineId < 1) return fail('cart.bad_line_id');
  let prev = 0;
  for (const line of cart.lines) {
    const lineId = line.id;
    if (!Number.isSafeInteger(lineId) || lineId <= prev || lineId >= cart.nextLineId) return fail('cart.bad_line_id', { lineId });
    prev = lineId;
    if (typeof line.sku !== 'string' || typeof line.name !== 'string' || (line.unit !== 'each' && line.unit !== 'kg') || (line.label !== undefined && typeof line.label !== 'string')) {
      return fail('cart.bad_line', { lineId });
    }
    const code =
      qtyProblem(line.unit, line.qty) ??
      priceProblem(line.unitPrice) ??
      (line.originalPrice === null ? null : priceProblem(line.originalPrice)) ??
      rateProblem(line.taxRate);
    if (code) return fail(code, { lineId });
    const p = discountProblem(line.discount ?? null) ?? (line.note === null ? null : noteProblem(line.note));
    if (p) return { ok: false, problem: withParams(p, { lineId }) };
  }
  const p = discountProblem(cart.discount ?? null) ?? (cart.note === null ? null : noteProblem(cart.note));
  if (p) return { ok: false, problem: p };
  const valid = sums(cart, cart.mode);
  if ('code' in valid) return { ok: false, problem: valid };
  return ok(freezeCart(cart));
}

/**
 * Prices a cart: line gross = round(unitPrice × qty / 1000); the line discount
 * (percent: round(gross × bp / 10000)); the cart discount (percent: round(sum × bp / 10000) of
 * the sum of line amounts after line discounts) allocated to the lines in proportion to those
 * amounts by largest remainder (ties to the earlier line); taxes per rate on the final amounts
 * ({@link taxSummary}). Every rounding uses `mode` (default: the cart's).
 *
 * Throws RangeError only for a cart that is not valid under that mode (it was not built by these
 * operations, or a different `mode` makes an amount discount exceed a differently rounded gross).
 */
export function priceCart(cart: Cart, opts: PriceOptions): PricedCart {
  const mode = opts.mode ?? cart.mode;
  const r = compute(cart, mode, opts.pricesIncludeTax);
  if ('code' in r) throw new RangeError(`invalid cart: ${r.code} ${JSON.stringify(r.params ?? {})}`);
  return r;
}

/**
 * Reads a discount typed by a cashier: "10%" / "12,5 %" (a percent, at most 2 decimals, ≤ 100%)
 * or "1.50" / "1,50" (an amount in the currency of `exponent` decimals). Problems: the
 * `decimal.*` problems of parseDecimal, `cart.discount_percent_range` {max: 100}.
 */
export function parseDiscount(text: string, exponent: number): Result<Discount> {
  const t = text.trim();
  if (t.endsWith('%')) {
    const r = parseDecimal(t.slice(0, -1), RATE_SCALE, { decimalComma: true });
    if (!r.ok) return r;
    if (r.value > BP) return fail('cart.discount_percent_range', { max: 100 });
    return ok({ kind: 'percent', bp: r.value });
  }
  const r = parseDecimal(t, exponent, { decimalComma: true });
  if (!r.ok) return r;
  return ok({ kind: 'amount', amount: r.value });
}

// ---------------------------------------------------------------------------------------------

function qtyProblem(unit: Unit, qty: number): MessageKey | null {
  if (!Number.isSafeInteger(qty) || qty <= 0) return 'cart.bad_quantity';
  if (unit === 'each' && qty % ONE_QTY !== 0) return 'cart.whole_units';
  return null;
}

function priceProblem(price: number): MessageKey | null {
  return Number.isSafeInteger(price) && price >= 0 ? null : 'cart.bad_price';
}

function rateProblem(rate: number): MessageKey | null {
  return Number.isSafeInteger(rate) && rate >= 0 && rate <= MAX_RATE ? null : 'cart.bad_tax_rate';
}

function discountProblem(d: Discount | null): Problem | null {
  if (d === null) return null;
  if (d.kind === 'percent') {
    if (!Number.isSafeInteger(d.bp) || d.bp < 0) return { code: 'cart.bad_discount' };
    if (d.bp > BP) return { code: 'cart.discount_percent_range', params: { max: 100 } };
    return null;
  }
  if (d.kind === 'amount') return Number.isSafeInteger(d.amount) && d.amount >= 0 ? null : { code: 'cart.bad_discount' };
  return { code: 'cart.bad_discount' };
}

function noteProblem(note: string): Problem | null {
  if (typeof note !== 'string' || FORBIDDEN.test(note)) return { code: 'cart.note_invalid' };
  if ([...note].length > NOTE_MAX) return { code: 'cart.note_too_long', params: { max: NOTE_MAX } };
  return null;
}

/** A zero discount is no discount (nothing to print on the receipt). */
function normalizeDiscount(d: Discount | null): Discount | null {
  if (d === null) return null;
  if (d.kind === 'percent') return d.bp === 0 ? null : { kind: 'percent', bp: d.bp };
  return d.amount === 0 ? null : { kind: 'amount', amount: d.amount };
}

function withParams(p: Problem, params: ProblemParams): Problem {
  return { code: p.code, params: { ...params, ...p.params } };
}

/** Applies `change` to one line; the change returns the new line or a problem (code or Problem). */
function updateLine(cart: Cart, lineId: number, change: (line: CartLine) => CartLine | MessageKey | Problem): Result<Cart> {
  const i = cart.lines.findIndex((l) => l.id === lineId);
  if (i < 0) return fail('cart.line_not_found', { lineId });
  const next = change(cart.lines[i]!);
  if (typeof next === 'string') return fail(next, { lineId });
  if ('code' in next) return { ok: false, problem: withParams(next, { lineId }) };
  const lines = cart.lines.slice();
  lines[i] = next;
  return commit({ ...cart, lines });
}

/** The candidate cart of an operation, frozen, if it still prices; else the problem. */
function commit(cart: Cart): Result<Cart> {
  const r = sums(cart, cart.mode);
  if ('code' in r) return { ok: false, problem: r };
  return ok(freezeCart(cart));
}

function freezeCart(cart: Cart): Cart {
  const lines = cart.lines.map((l) =>
    Object.isFrozen(l) ? l : Object.freeze({ ...l, discount: l.discount ? Object.freeze({ ...l.discount }) : null }),
  );
  return Object.freeze({
    lines: Object.freeze(lines),
    nextLineId: cart.nextLineId,
    discount: cart.discount ? Object.freeze({ ...cart.discount }) : null,
    note: cart.note,
    mode: cart.mode,
  });
}

const MAX_GROSS_PRODUCT = BigInt(MAX_CART_AMOUNT) * BigInt(ONE_QTY);

interface Sums {
  grosses: number[];
  lineDiscounts: number[];
  subtotal: number;
  /** Σ (gross − line discount). */
  afterLineSum: number;
  cartDiscount: number;
}

/**
 * The line and cart sums every price rests on, or the problem that makes the cart invalid
 * (discount too large, amount too large). Every operation checks its candidate cart with this
 * (linear in the lines: no allocation, no taxes); {@link compute} prices on top of it.
 */
function sums(cart: Cart, mode: RoundingMode): Sums | Problem {
  const grosses: number[] = [];
  const lineDiscounts: number[] = [];
  let subtotal = 0;
  let afterLineSum = 0;
  for (const line of cart.lines) {
    // price × qty can pass 2^53 long before the result leaves the safe range: check first
    // (a product that is a safe integer is below 2^53 < MAX_GROSS_PRODUCT: no BigInt needed)
    if (!Number.isSafeInteger(line.unitPrice * line.qty) && BigInt(line.unitPrice) * BigInt(line.qty) > MAX_GROSS_PRODUCT) return tooLarge();
    const gross = mulDiv(line.unitPrice, line.qty, ONE_QTY, mode);
    if (gross > MAX_CART_AMOUNT) return tooLarge();
    subtotal += gross;
    if (subtotal > MAX_CART_AMOUNT) return tooLarge();
    const d = line.discount;
    const ld = d === null ? 0 : d.kind === 'percent' ? mulDiv(gross, d.bp, BP, mode) : d.amount;
    if (ld > gross) return { code: 'cart.discount_too_large', params: { lineId: line.id, max: money(gross) } };
    grosses.push(gross);
    lineDiscounts.push(ld);
    afterLineSum += gross - ld;
  }
  const cd = cart.discount;
  const cartDiscount = cd === null ? 0 : cd.kind === 'percent' ? mulDiv(afterLineSum, cd.bp, BP, mode) : cd.amount;
  if (cartDiscount > afterLineSum) return { code: 'cart.discount_too_large', params: { max: money(afterLineSum) } };
  return { grosses, lineDiscounts, subtotal, afterLineSum, cartDiscount };
}

/** Prices the cart, or returns the problem that makes it invalid. */
function compute(cart: Cart, mode: RoundingMode, pricesIncludeTax: boolean): PricedCart | Problem {
  const s = sums(cart, mode);
  if ('code' in s) return s;
  const { grosses, lineDiscounts, subtotal, afterLineSum, cartDiscount } = s;
  const afterLine = grosses.map((g, i) => g - lineDiscounts[i]!);
  const parts = allocate(cartDiscount, afterLine);

  const lines: PricedLine[] = cart.lines.map((line, i) => ({
    ...line,
    gross: grosses[i]!,
    lineDiscount: lineDiscounts[i]!,
    cartDiscount: parts[i]!,
    amount: afterLine[i]! - parts[i]!,
  }));
  const taxes = taxSummary(
    lines.map((l) => ({ rate: l.taxRate, amount: l.amount })),
    pricesIncludeTax,
    mode,
  );
  const taxTotal = taxes.reduce((a, t) => a + t.tax, 0);
  const net = afterLineSum - cartDiscount;
  return {
    lines,
    subtotal,
    lineDiscounts: lineDiscounts.reduce((a, b) => a + b, 0),
    cartDiscount,
    total: pricesIncludeTax ? net : net + taxTotal,
    taxes,
    taxTotal,
    itemCount: cart.lines.reduce((n, l) => n + (l.unit === 'each' ? l.qty / ONE_QTY : 1), 0),
    pricesIncludeTax,
    mode,
  };
}

function tooLarge(): Problem {
  return { code: 'cart.amount_too_large', params: { max: money(MAX_CART_AMOUNT) } };
}
