import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addLine,
  type Cart,
  checkCart,
  type Discount,
  emptyCart,
  type ItemInput,
  MAX_CART_AMOUNT,
  NOTE_MAX,
  overridePrice,
  parseDiscount,
  priceCart,
  removeLine,
  setCartDiscount,
  setLineDiscount,
  setNote,
  setQuantity,
} from '../../src/core/cart.js';
import { money, type Problem, type Result } from '../../src/core/errors.js';
import type { RoundingMode } from '../../src/core/money.js';

const MODES: RoundingMode[] = ['half-away-from-zero', 'half-even', 'down', 'up'];

/** Unwraps an ok Result, failing the test with the problem otherwise. */
function okValue<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`);
  return r.value;
}

function problemOf<T>(r: Result<T>): Problem {
  if (r.ok) throw new Error(`expected a problem, got ${JSON.stringify(r.value)}`);
  return r.problem;
}

const item = (over: Partial<ItemInput> = {}): ItemInput => ({
  sku: 'SKU1',
  name: 'Pan',
  unit: 'each',
  unitPrice: 100,
  taxRate: 1000,
  ...over,
});

/** A cart built from items, failing the test on any problem. */
function cartOf(...items: ItemInput[]): Cart {
  return items.reduce((c, i) => okValue(addLine(c, i)), emptyCart());
}

const WORKED: ItemInput[] = [
  { sku: 'COLA', name: 'Cola 33cl', unit: 'each', unitPrice: 199, taxRate: 2100, qty: 3000 },
  { sku: 'BREAD', name: 'Barra', unit: 'each', unitPrice: 85, taxRate: 1000 },
  { sku: 'CHEESE', name: 'Queso', unit: 'kg', unitPrice: 1290, taxRate: 1000, qty: 750 },
];

describe('the worked example of the issue', () => {
  it('3 × 1.99 at 21%, 1 × 0.85 at 10%, 0.750 kg × 12.90/kg at 10% (prices include tax)', () => {
    const priced = priceCart(cartOf(...WORKED), { pricesIncludeTax: true });
    expect(priced.lines.map((l) => l.amount)).toEqual([597, 85, 968]);
    expect(priced.total).toBe(1650);
    expect(priced.taxes).toEqual([
      { rate: 2100, base: 493, tax: 104, total: 597 },
      { rate: 1000, base: 957, tax: 96, total: 1053 },
    ]);
    expect(priced.subtotal).toBe(1650);
    expect(priced.lineDiscounts).toBe(0);
    expect(priced.cartDiscount).toBe(0);
    expect(priced.taxTotal).toBe(200);
    expect(priced.itemCount).toBe(5); // 3 + 1 units + 1 weighed line
  });

  it('the same cart with prices excluding tax adds the taxes on top', () => {
    const priced = priceCart(cartOf(...WORKED), { pricesIncludeTax: false });
    expect(priced.lines.map((l) => l.amount)).toEqual([597, 85, 968]);
    expect(priced.taxes).toEqual([
      { rate: 2100, base: 597, tax: 125, total: 722 }, // 125.37
      { rate: 1000, base: 1053, tax: 105, total: 1158 }, // 105.3
    ]);
    expect(priced.total).toBe(1650 + 125 + 105);
  });
});

describe('emptyCart', () => {
  it('has no lines, no discount, no note, starts ids at 1 and rounds half away from zero', () => {
    const c = emptyCart();
    expect(c).toEqual({ lines: [], nextLineId: 1, discount: null, note: null, mode: 'half-away-from-zero' });
    expect(emptyCart('half-even').mode).toBe('half-even');
    const p = priceCart(c, { pricesIncludeTax: true });
    expect(p).toMatchObject({ lines: [], subtotal: 0, lineDiscounts: 0, cartDiscount: 0, total: 0, taxes: [], itemCount: 0 });
  });
});

describe('addLine', () => {
  it('adds a unit item with quantity 1 by default', () => {
    const c = okValue(addLine(emptyCart(), item()));
    expect(c.lines).toEqual([
      {
        id: 1, sku: 'SKU1', name: 'Pan', unit: 'each', qty: 1000, unitPrice: 100, originalPrice: null,
        taxRate: 1000, discount: null, note: null,
      },
    ]);
    expect(c.nextLineId).toBe(2);
  });

  it('adds the same sku again as a separate line with the next id', () => {
    const c = cartOf(item(), item());
    expect(c.lines.map((l) => l.id)).toEqual([1, 2]);
    expect(c.lines.map((l) => l.sku)).toEqual(['SKU1', 'SKU1']);
  });

  it('a weighed item needs a quantity', () => {
    expect(problemOf(addLine(emptyCart(), item({ unit: 'kg' })))).toEqual({ code: 'cart.weight_required' });
    const c = okValue(addLine(emptyCart(), item({ unit: 'kg', qty: 1 })));
    expect(c.lines[0]!.qty).toBe(1);
  });

  it('a unit item must be whole units', () => {
    expect(problemOf(addLine(emptyCart(), item({ qty: 1500 })))).toEqual({ code: 'cart.whole_units' });
    expect(okValue(addLine(emptyCart(), item({ qty: 2000 }))).lines[0]!.qty).toBe(2000);
  });

  it('refuses a quantity that is not a positive integer', () => {
    for (const qty of [0, -1000, 0.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(problemOf(addLine(emptyCart(), item({ unit: 'kg', qty }))).code).toBe('cart.bad_quantity');
    }
  });

  it('refuses a negative or fractional price, and a bad tax rate', () => {
    expect(problemOf(addLine(emptyCart(), item({ unitPrice: -1 }))).code).toBe('cart.bad_price');
    expect(problemOf(addLine(emptyCart(), item({ unitPrice: 1.5 }))).code).toBe('cart.bad_price');
    expect(okValue(addLine(emptyCart(), item({ unitPrice: 0 }))).lines).toHaveLength(1);
    for (const taxRate of [-1, 10001, 21.5]) {
      expect(problemOf(addLine(emptyCart(), item({ taxRate }))).code).toBe('cart.bad_tax_rate');
    }
  });

  it('refuses a line or a cart over the maximum amount', () => {
    expect(problemOf(addLine(emptyCart(), item({ unitPrice: MAX_CART_AMOUNT, qty: 2000 })))).toEqual({
      code: 'cart.amount_too_large',
      params: { max: money(MAX_CART_AMOUNT) },
    });
    expect(problemOf(addLine(emptyCart(), item({ unitPrice: 10 ** 15, qty: 10 ** 15 }))).code).toBe('cart.amount_too_large');
    const c = cartOf(item({ unitPrice: MAX_CART_AMOUNT }));
    expect(problemOf(addLine(c, item({ unitPrice: 1 }))).code).toBe('cart.amount_too_large');
  });

  it('never changes the cart it was given', () => {
    const c = cartOf(item());
    const before = JSON.stringify(c);
    okValue(addLine(c, item({ sku: 'X' })));
    expect(JSON.stringify(c)).toBe(before);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.lines)).toBe(true);
    expect(Object.isFrozen(c.lines[0])).toBe(true);
  });
});

describe('line ids', () => {
  it('are never reused after a removal', () => {
    let c = cartOf(item(), item(), item());
    c = okValue(removeLine(c, 3));
    c = okValue(addLine(c, item()));
    expect(c.lines.map((l) => l.id)).toEqual([1, 2, 4]);
  });
});

describe('setQuantity', () => {
  it('changes the quantity of one line', () => {
    const c = okValue(setQuantity(cartOf(item(), item({ sku: 'B' })), 2, 5000));
    expect(c.lines.map((l) => l.qty)).toEqual([1000, 5000]);
    expect(priceCart(c, { pricesIncludeTax: true }).total).toBe(600);
  });

  it('refuses zero, negative and fractional quantities', () => {
    const c = cartOf(item());
    for (const qty of [0, -1000, 1.5]) {
      expect(problemOf(setQuantity(c, 1, qty))).toEqual({ code: 'cart.bad_quantity', params: { lineId: 1 } });
    }
  });

  it('keeps unit items whole and lets weighed items take any milli-quantity', () => {
    expect(problemOf(setQuantity(cartOf(item()), 1, 2500))).toEqual({ code: 'cart.whole_units', params: { lineId: 1 } });
    expect(okValue(setQuantity(cartOf(item({ unit: 'kg', qty: 100 })), 1, 2500)).lines[0]!.qty).toBe(2500);
  });

  it('names an unknown line', () => {
    expect(problemOf(setQuantity(cartOf(item()), 9, 1000))).toEqual({ code: 'cart.line_not_found', params: { lineId: 9 } });
  });

  it('refuses a quantity that would leave an amount discount larger than the line', () => {
    let c = cartOf(item({ unitPrice: 100, qty: 3000 }));
    c = okValue(setLineDiscount(c, 1, { kind: 'amount', amount: 250 }));
    expect(problemOf(setQuantity(c, 1, 2000))).toEqual({ code: 'cart.discount_too_large', params: { lineId: 1, max: money(200) } });
  });
});

describe('removeLine', () => {
  it('removes one line', () => {
    const c = okValue(removeLine(cartOf(item(), item({ sku: 'B' })), 1));
    expect(c.lines.map((l) => l.sku)).toEqual(['B']);
  });

  it('names an unknown line', () => {
    expect(problemOf(removeLine(cartOf(item()), 2))).toEqual({ code: 'cart.line_not_found', params: { lineId: 2 } });
  });

  it('refuses to leave a cart amount discount larger than what remains', () => {
    let c = cartOf(item({ unitPrice: 500 }), item({ unitPrice: 100 }));
    c = okValue(setCartDiscount(c, { kind: 'amount', amount: 300 }));
    expect(problemOf(removeLine(c, 1))).toEqual({ code: 'cart.discount_too_large', params: { max: money(100) } });
    expect(okValue(removeLine(c, 2)).lines).toHaveLength(1);
  });
});

describe('setLineDiscount', () => {
  it('a percent discount is round(gross × bp / 10000)', () => {
    // 3 × 1.99 = 5.97; 15% = 0.8955 → 0.90
    const c = okValue(setLineDiscount(cartOf(WORKED[0]!), 1, { kind: 'percent', bp: 1500 }));
    const [l] = priceCart(c, { pricesIncludeTax: true }).lines;
    expect(l).toMatchObject({ gross: 597, lineDiscount: 90, cartDiscount: 0, amount: 507 });
  });

  it('an amount discount is taken as is, up to the whole gross', () => {
    const c = cartOf(WORKED[0]!);
    const p = priceCart(okValue(setLineDiscount(c, 1, { kind: 'amount', amount: 597 })), { pricesIncludeTax: true });
    expect(p.lines[0]).toMatchObject({ gross: 597, lineDiscount: 597, amount: 0 });
    expect(p.total).toBe(0);
    expect(p.taxes).toEqual([{ rate: 2100, base: 0, tax: 0, total: 0 }]);
  });

  it('refuses an amount discount over the line gross', () => {
    expect(problemOf(setLineDiscount(cartOf(WORKED[0]!), 1, { kind: 'amount', amount: 598 }))).toEqual({
      code: 'cart.discount_too_large',
      params: { lineId: 1, max: money(597) },
    });
  });

  it('refuses a percent over 100% and malformed discounts', () => {
    const c = cartOf(item());
    expect(problemOf(setLineDiscount(c, 1, { kind: 'percent', bp: 10001 }))).toEqual({
      code: 'cart.discount_percent_range',
      params: { lineId: 1, max: 100 },
    });
    expect(okValue(setLineDiscount(c, 1, { kind: 'percent', bp: 10000 })).lines[0]!.discount).toEqual({ kind: 'percent', bp: 10000 });
    for (const d of [{ kind: 'percent', bp: -1 }, { kind: 'percent', bp: 2.5 }, { kind: 'amount', amount: -5 }, { kind: 'amount', amount: 0.5 }] as Discount[]) {
      expect(problemOf(setLineDiscount(c, 1, d))).toEqual({ code: 'cart.bad_discount', params: { lineId: 1 } });
    }
  });

  it('null or a zero discount clears it', () => {
    let c = okValue(setLineDiscount(cartOf(item()), 1, { kind: 'percent', bp: 500 }));
    expect(okValue(setLineDiscount(c, 1, null)).lines[0]!.discount).toBeNull();
    expect(okValue(setLineDiscount(c, 1, { kind: 'amount', amount: 0 })).lines[0]!.discount).toBeNull();
    c = okValue(setLineDiscount(c, 1, { kind: 'percent', bp: 0 }));
    expect(c.lines[0]!.discount).toBeNull();
  });

  it('names an unknown line', () => {
    expect(problemOf(setLineDiscount(cartOf(item()), 5, null))).toEqual({ code: 'cart.line_not_found', params: { lineId: 5 } });
  });
});

describe('setCartDiscount', () => {
  it('a percent of the sum of line amounts, allocated by largest remainder', () => {
    // three lines of 1.00: 10% of 3.00 = 0.30 → 0.10 each
    let c = cartOf(item(), item(), item());
    c = okValue(setCartDiscount(c, { kind: 'percent', bp: 1000 }));
    const p = priceCart(c, { pricesIncludeTax: true });
    expect(p.cartDiscount).toBe(30);
    expect(p.lines.map((l) => l.cartDiscount)).toEqual([10, 10, 10]);
    expect(p.total).toBe(270);
  });

  it('allocates the odd cents to the largest remainders, ties to the earlier line', () => {
    let c = cartOf(item(), item(), item());
    c = okValue(setCartDiscount(c, { kind: 'amount', amount: 100 }));
    const p = priceCart(c, { pricesIncludeTax: true });
    expect(p.lines.map((l) => l.cartDiscount)).toEqual([34, 33, 33]);
    expect(p.lines.map((l) => l.amount)).toEqual([66, 67, 67]);
    expect(p.total).toBe(200);
  });

  it('applies after line discounts, in proportion to the discounted line amounts', () => {
    let c = cartOf(item({ unitPrice: 1000 }), item({ unitPrice: 1000, taxRate: 2100 }));
    c = okValue(setLineDiscount(c, 1, { kind: 'percent', bp: 5000 })); // 10.00 → 5.00
    c = okValue(setCartDiscount(c, { kind: 'amount', amount: 300 })); // 5 : 10 → 1.00 : 2.00
    const p = priceCart(c, { pricesIncludeTax: true });
    expect(p.lines.map((l) => [l.gross, l.lineDiscount, l.cartDiscount, l.amount])).toEqual([
      [1000, 500, 100, 400],
      [1000, 0, 200, 800],
    ]);
    expect(p).toMatchObject({ subtotal: 2000, lineDiscounts: 500, cartDiscount: 300, total: 1200 });
    // taxes on the FINAL amounts
    expect(p.taxes).toEqual([
      { rate: 2100, base: 661, tax: 139, total: 800 },
      { rate: 1000, base: 364, tax: 36, total: 400 },
    ]);
  });

  it('a percent cart discount on the worked example changes taxes per rate', () => {
    const c = okValue(setCartDiscount(cartOf(...WORKED), { kind: 'percent', bp: 1000 }));
    const p = priceCart(c, { pricesIncludeTax: true });
    expect(p.cartDiscount).toBe(165);
    // shares 59.7, 8.5, 96.8 → 59, 8, 96 + two cents to the largest remainders (.8, .7)
    expect(p.lines.map((l) => l.cartDiscount)).toEqual([60, 8, 97]);
    expect(p.lines.map((l) => l.amount)).toEqual([537, 77, 871]);
    expect(p.total).toBe(1485);
  });

  it('refuses an amount over the sum of line amounts, a percent over 100% and malformed discounts', () => {
    const c = okValue(setLineDiscount(cartOf(item(), item()), 1, { kind: 'amount', amount: 50 }));
    expect(problemOf(setCartDiscount(c, { kind: 'amount', amount: 151 }))).toEqual({
      code: 'cart.discount_too_large',
      params: { max: money(150) },
    });
    expect(priceCart(okValue(setCartDiscount(c, { kind: 'amount', amount: 150 })), { pricesIncludeTax: true }).total).toBe(0);
    expect(problemOf(setCartDiscount(c, { kind: 'percent', bp: 10001 }))).toEqual({
      code: 'cart.discount_percent_range',
      params: { max: 100 },
    });
    expect(problemOf(setCartDiscount(c, { kind: 'amount', amount: -1 }))).toEqual({ code: 'cart.bad_discount' });
  });

  it('an amount discount on an empty cart is too large; a percent is fine; null clears', () => {
    expect(problemOf(setCartDiscount(emptyCart(), { kind: 'amount', amount: 1 })).code).toBe('cart.discount_too_large');
    const c = okValue(setCartDiscount(emptyCart(), { kind: 'percent', bp: 1000 }));
    expect(priceCart(c, { pricesIncludeTax: true }).cartDiscount).toBe(0);
    expect(okValue(setCartDiscount(c, null)).discount).toBeNull();
    expect(okValue(setCartDiscount(c, { kind: 'percent', bp: 0 })).discount).toBeNull();
  });

  it('a line discount that would leave less than the cart amount discount is refused', () => {
    const c = okValue(setCartDiscount(cartOf(item(), item()), { kind: 'amount', amount: 150 }));
    expect(problemOf(setLineDiscount(c, 1, { kind: 'amount', amount: 60 }))).toEqual({
      code: 'cart.discount_too_large',
      params: { max: money(140) },
    });
  });
});

describe('overridePrice', () => {
  it('changes the unit price and keeps the original', () => {
    let c = cartOf(item({ unitPrice: 250 }));
    c = okValue(overridePrice(c, 1, 200));
    expect(c.lines[0]).toMatchObject({ unitPrice: 200, originalPrice: 250 });
    c = okValue(overridePrice(c, 1, 180));
    expect(c.lines[0]).toMatchObject({ unitPrice: 180, originalPrice: 250 }); // still the catalog price
    expect(priceCart(c, { pricesIncludeTax: true }).total).toBe(180);
    c = okValue(overridePrice(c, 1, 250));
    expect(c.lines[0]).toMatchObject({ unitPrice: 250, originalPrice: null }); // back to the catalog price
  });

  it('refuses a bad price, an unknown line, and a price under an amount discount', () => {
    const c = cartOf(item({ unitPrice: 250 }));
    expect(problemOf(overridePrice(c, 1, -1))).toEqual({ code: 'cart.bad_price', params: { lineId: 1 } });
    expect(problemOf(overridePrice(c, 2, 100))).toEqual({ code: 'cart.line_not_found', params: { lineId: 2 } });
    const d = okValue(setLineDiscount(c, 1, { kind: 'amount', amount: 200 }));
    expect(problemOf(overridePrice(d, 1, 150))).toEqual({ code: 'cart.discount_too_large', params: { lineId: 1, max: money(150) } });
    expect(okValue(overridePrice(c, 1, 0)).lines[0]!.unitPrice).toBe(0);
  });
});

describe('setNote', () => {
  it('sets a line note or the cart note, trimmed; blank clears', () => {
    let c = cartOf(item());
    c = okValue(setNote(c, 1, '  sin sal '));
    expect(c.lines[0]!.note).toBe('sin sal');
    c = okValue(setNote(c, null, 'Mesa 4'));
    expect(c.note).toBe('Mesa 4');
    c = okValue(setNote(c, 1, '   '));
    expect(c.lines[0]!.note).toBeNull();
    expect(okValue(setNote(c, null, '')).note).toBeNull();
  });

  it('refuses a note too long, with control characters (they would reach the printer), or for an unknown line', () => {
    const c = cartOf(item());
    expect(okValue(setNote(c, 1, 'x'.repeat(NOTE_MAX))).lines[0]!.note).toHaveLength(NOTE_MAX);
    expect(problemOf(setNote(c, 1, 'x'.repeat(NOTE_MAX + 1)))).toEqual({ code: 'cart.note_too_long', params: { max: NOTE_MAX } });
    expect(problemOf(setNote(c, null, 'a\u001bpb'))).toEqual({ code: 'cart.note_invalid' });
    expect(problemOf(setNote(c, 1, 'a\nb'))).toEqual({ code: 'cart.note_invalid' });
    expect(problemOf(setNote(c, 3, 'x'))).toEqual({ code: 'cart.line_not_found', params: { lineId: 3 } });
  });
});

describe('priceCart', () => {
  it('rounds gross, line and cart discounts with the cart mode', () => {
    // 0.750 × 12.90 = 9.675
    const kg = item({ unit: 'kg', unitPrice: 1290, qty: 750 });
    expect(priceCart(cartOf(kg), { pricesIncludeTax: true }).lines[0]!.gross).toBe(968);
    const even = okValue(addLine(emptyCart('half-even'), kg));
    expect(priceCart(even, { pricesIncludeTax: true }).lines[0]!.gross).toBe(968);
    const down = okValue(addLine(emptyCart('down'), kg));
    expect(priceCart(down, { pricesIncludeTax: true }).lines[0]!.gross).toBe(967);
    // an explicit mode overrides the cart's
    expect(priceCart(down, { pricesIncludeTax: true, mode: 'up' }).lines[0]!.gross).toBe(968);
  });

  it('counts units of unit items and one per weighed line', () => {
    const c = cartOf(item({ qty: 4000 }), item({ unit: 'kg', qty: 2500 }), item({ unit: 'kg', qty: 100 }));
    expect(priceCart(c, { pricesIncludeTax: true }).itemCount).toBe(6);
  });

  it('carries the line data through (override, note, discount) and the options used', () => {
    let c = cartOf(item({ unitPrice: 300 }));
    c = okValue(overridePrice(c, 1, 250));
    c = okValue(setNote(c, 1, 'dañado'));
    c = okValue(setLineDiscount(c, 1, { kind: 'amount', amount: 50 }));
    const p = priceCart(c, { pricesIncludeTax: false });
    expect(p.lines[0]).toMatchObject({
      id: 1, sku: 'SKU1', unitPrice: 250, originalPrice: 300, note: 'dañado',
      discount: { kind: 'amount', amount: 50 }, gross: 250, lineDiscount: 50, amount: 200,
    });
    expect(p).toMatchObject({ pricesIncludeTax: false, mode: 'half-away-from-zero', total: 220, taxTotal: 20 });
  });

  it('throws RangeError on a cart that was not built by the operations', () => {
    const bad = { ...cartOf(item()), discount: { kind: 'amount', amount: 999 } } as Cart;
    expect(() => priceCart(bad, { pricesIncludeTax: true })).toThrow(RangeError);
  });
});

describe('checkCart', () => {
  it('accepts a valid cart (e.g. one restored from storage) and names the first problem otherwise', () => {
    const c = cartOf(...WORKED);
    expect(okValue(checkCart(JSON.parse(JSON.stringify(c)) as Cart))).toEqual(c);
    expect(problemOf(checkCart({ ...c, discount: { kind: 'amount', amount: 5000 } })).code).toBe('cart.discount_too_large');
    const dupIds = { ...c, lines: [c.lines[0]!, { ...c.lines[1]!, id: 1 }] };
    expect(problemOf(checkCart(dupIds)).code).toBe('cart.bad_line_id');
    expect(problemOf(checkCart({ ...c, nextLineId: 2 })).code).toBe('cart.bad_line_id');
  });
});

describe('parseDiscount', () => {
  it('reads percents (basis points) and amounts (minor units)', () => {
    expect(okValue(parseDiscount('10%', 2))).toEqual({ kind: 'percent', bp: 1000 });
    expect(okValue(parseDiscount(' 12.5 % ', 2))).toEqual({ kind: 'percent', bp: 1250 });
    expect(okValue(parseDiscount('100%', 2))).toEqual({ kind: 'percent', bp: 10000 });
    expect(okValue(parseDiscount('1.00', 2))).toEqual({ kind: 'amount', amount: 100 });
    expect(okValue(parseDiscount('1,5', 2))).toEqual({ kind: 'amount', amount: 150 });
    expect(okValue(parseDiscount('3', 2))).toEqual({ kind: 'amount', amount: 300 });
    expect(okValue(parseDiscount('500', 0))).toEqual({ kind: 'amount', amount: 500 });
    expect(okValue(parseDiscount('0.125', 3))).toEqual({ kind: 'amount', amount: 125 });
  });

  it('names what is wrong', () => {
    expect(problemOf(parseDiscount('', 2)).code).toBe('decimal.malformed');
    expect(problemOf(parseDiscount('%', 2)).code).toBe('decimal.malformed');
    expect(problemOf(parseDiscount('abc', 2)).code).toBe('decimal.malformed');
    expect(problemOf(parseDiscount('10%%', 2)).code).toBe('decimal.malformed');
    expect(problemOf(parseDiscount('-5', 2)).code).toBe('decimal.negative');
    expect(problemOf(parseDiscount('1.234', 2))).toEqual({ code: 'decimal.too_many_decimals', params: { max: 2 } });
    expect(problemOf(parseDiscount('150%', 2))).toEqual({ code: 'cart.discount_percent_range', params: { max: 100 } });
    expect(problemOf(parseDiscount('1.5', 0)).code).toBe('decimal.too_many_decimals');
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: random carts built through the operations.

/** Reference rounding of n / d (BigInt), written independently of money.ts. */
function refRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let q = a / d;
  const r = a - q * d;
  if (r !== 0n) {
    if (mode === 'up') q += 1n;
    else if (mode === 'half-away-from-zero' && 2n * r >= d) q += 1n;
    else if (mode === 'half-even' && (2n * r > d || (2n * r === d && q % 2n === 1n))) q += 1n;
  }
  return neg ? -q : q;
}
const refMulDiv = (a: number, b: number, c: number, mode: RoundingMode): number =>
  Number(refRound(BigInt(a) * BigInt(b), BigInt(c), mode));

const lineArb = fc.record({
  unit: fc.constantFrom<'each' | 'kg'>('each', 'kg'),
  units: fc.integer({ min: 1, max: 20 }),
  grams: fc.integer({ min: 1, max: 5000 }),
  unitPrice: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 10_000_000 })),
  taxRate: fc.constantFrom(0, 400, 1000, 2100),
  // none | percent (bp) | amount as permille of the line gross
  discount: fc.oneof(
    fc.constant(null),
    fc.record({ kind: fc.constant<'percent'>('percent'), v: fc.integer({ min: 0, max: 10000 }) }),
    fc.record({ kind: fc.constant<'amount'>('amount'), v: fc.integer({ min: 0, max: 1000 }) }),
  ),
});

const cartArb = fc.record({
  mode: fc.constantFrom(...MODES),
  pricesIncludeTax: fc.boolean(),
  lines: fc.array(lineArb, { maxLength: 12 }),
  removals: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
  cartDiscount: fc.oneof(
    fc.constant(null),
    fc.record({ kind: fc.constant<'percent'>('percent'), v: fc.integer({ min: 0, max: 10000 }) }),
    fc.record({ kind: fc.constant<'amount'>('amount'), v: fc.integer({ min: 0, max: 1000 }) }),
  ),
});

type CartSpec = typeof cartArb extends fc.Arbitrary<infer T> ? T : never;

/** Builds the cart of a spec through the operations; amount discounts are scaled to fit. */
function build(spec: CartSpec): Cart {
  let c = emptyCart(spec.mode);
  spec.lines.forEach((l, i) => {
    const qty = l.unit === 'each' ? l.units * 1000 : l.grams;
    c = okValue(addLine(c, { sku: `S${i}`, name: `n${i}`, unit: l.unit, unitPrice: l.unitPrice, taxRate: l.taxRate, qty }));
    const id = c.lines[c.lines.length - 1]!.id;
    if (l.discount) {
      const gross = refMulDiv(l.unitPrice, qty, 1000, spec.mode);
      const d: Discount =
        l.discount.kind === 'percent'
          ? { kind: 'percent', bp: l.discount.v }
          : { kind: 'amount', amount: Math.floor((gross * l.discount.v) / 1000) };
      c = okValue(setLineDiscount(c, id, d));
    }
  });
  for (const id of spec.removals) {
    const r = removeLine(c, id);
    if (r.ok) c = r.value;
  }
  if (spec.cartDiscount) {
    const sum = priceCart(c, { pricesIncludeTax: true }).lines.reduce((a, l) => a + l.gross - l.lineDiscount, 0);
    const d: Discount =
      spec.cartDiscount.kind === 'percent'
        ? { kind: 'percent', bp: spec.cartDiscount.v }
        : { kind: 'amount', amount: Math.floor((sum * spec.cartDiscount.v) / 1000) };
    c = okValue(setCartDiscount(c, d));
  }
  return c;
}

describe('properties of priced carts', () => {
  it('totals add up: Σ final amounts = total (incl.), Σ nets + Σ taxes = total (excl.)', () => {
    fc.assert(
      fc.property(cartArb, (spec) => {
        const c = build(spec);
        const p = priceCart(c, { pricesIncludeTax: spec.pricesIncludeTax });
        const sumAmounts = p.lines.reduce((a, l) => a + l.amount, 0);
        const sumTaxes = p.taxes.reduce((a, t) => a + t.tax, 0);
        if (spec.pricesIncludeTax) {
          expect(sumAmounts).toBe(p.total);
          expect(p.taxes.reduce((a, t) => a + t.total, 0)).toBe(p.total);
        } else {
          expect(sumAmounts + sumTaxes).toBe(p.total);
          expect(p.taxes.reduce((a, t) => a + t.base, 0)).toBe(sumAmounts);
        }
        expect(p.taxTotal).toBe(sumTaxes);
        expect(p.subtotal - p.lineDiscounts - p.cartDiscount).toBe(sumAmounts);
        expect(p.lines.reduce((a, l) => a + l.cartDiscount, 0)).toBe(p.cartDiscount);
        expect(p.lines.reduce((a, l) => a + l.lineDiscount, 0)).toBe(p.lineDiscounts);
        expect(p.lines.reduce((a, l) => a + l.gross, 0)).toBe(p.subtotal);
      }),
      { numRuns: 300 },
    );
  });

  it('each line: gross = round(price × qty / 1000), discounts as specified, 0 ≤ amount', () => {
    fc.assert(
      fc.property(cartArb, (spec) => {
        const c = build(spec);
        const p = priceCart(c, { pricesIncludeTax: spec.pricesIncludeTax });
        const afterLine = p.lines.map((l) => l.gross - l.lineDiscount);
        const S = afterLine.reduce((a, b) => a + b, 0);
        const D = c.discount === null ? 0 : c.discount.kind === 'percent' ? refMulDiv(S, c.discount.bp, 10000, spec.mode) : c.discount.amount;
        expect(p.cartDiscount).toBe(D);
        p.lines.forEach((l, i) => {
          expect(l.gross).toBe(refMulDiv(l.unitPrice, l.qty, 1000, spec.mode));
          const ld = l.discount === null ? 0 : l.discount.kind === 'percent' ? refMulDiv(l.gross, l.discount.bp, 10000, spec.mode) : l.discount.amount;
          expect(l.lineDiscount).toBe(ld);
          expect(l.amount).toBe(l.gross - l.lineDiscount - l.cartDiscount);
          expect(l.amount).toBeGreaterThanOrEqual(0);
          // the allocated part is within 1 of its exact share D × a_i / S
          if (S > 0) {
            const diff = BigInt(l.cartDiscount) * BigInt(S) - BigInt(D) * BigInt(afterLine[i]!);
            expect(diff < BigInt(S) && diff > -BigInt(S)).toBe(true);
          } else {
            expect(l.cartDiscount).toBe(0);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('per-rate taxes equal the direct formula on that rate\'s sum of final amounts', () => {
    fc.assert(
      fc.property(cartArb, (spec) => {
        const p = priceCart(build(spec), { pricesIncludeTax: spec.pricesIncludeTax });
        const sums = new Map<number, number>();
        for (const l of p.lines) sums.set(l.taxRate, (sums.get(l.taxRate) ?? 0) + l.amount);
        expect(p.taxes.map((t) => t.rate)).toEqual([...sums.keys()].sort((a, b) => b - a));
        for (const t of p.taxes) {
          const sum = sums.get(t.rate)!;
          const tax = spec.pricesIncludeTax
            ? refMulDiv(sum, t.rate, 10000 + t.rate, spec.mode)
            : refMulDiv(sum, t.rate, 10000, spec.mode);
          expect(t.tax).toBe(tax);
          expect(t.base + t.tax).toBe(t.total);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('operations never change the cart they are given, and ids stay unique and increasing', () => {
    fc.assert(
      fc.property(cartArb, fc.integer({ min: 1, max: 13 }), (spec, id) => {
        const c = build(spec);
        const before = JSON.stringify(c);
        setQuantity(c, id, 2000);
        removeLine(c, id);
        setLineDiscount(c, id, { kind: 'percent', bp: 500 });
        setCartDiscount(c, { kind: 'percent', bp: 100 });
        overridePrice(c, id, 1);
        setNote(c, id, 'x');
        addLine(c, item());
        expect(JSON.stringify(c)).toBe(before);
        const ids = c.lines.map((l) => l.id);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.every((i) => i < c.nextLineId)).toBe(true);
        expect(checkCart(c).ok).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
