import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addLine, emptyCart, priceCart, setCartDiscount, setLineDiscount, type Cart } from '../../src/core/cart.js';
import { planRefund, type Refunded, type SoldLine } from '../../src/core/refund.js';

/** A priced random sale, as the receipt stores it. */
const saleArb = fc
  .record({
    lines: fc.array(
      fc.record({ price: fc.integer({ min: 1, max: 5000 }), qty: fc.integer({ min: 1, max: 6 }), rate: fc.constantFrom(0, 400, 1000, 2100), disc: fc.integer({ min: 0, max: 30 }) }),
      { minLength: 1, maxLength: 8 },
    ),
    cartDisc: fc.integer({ min: 0, max: 20 }),
    include: fc.boolean(),
  })
  .map(({ lines, cartDisc, include }) => {
    let cart: Cart = emptyCart();
    lines.forEach((l, i) => {
      const r = addLine(cart, { sku: `S${i}`, name: `n${i}`, unit: 'each', unitPrice: l.price, taxRate: l.rate, qty: l.qty * 1000 });
      if (!r.ok) throw new Error(r.problem.code);
      cart = r.value;
      if (l.disc) {
        const d = setLineDiscount(cart, cart.lines[i]!.id, { kind: 'percent', bp: l.disc * 100 });
        if (d.ok) cart = d.value;
      }
    });
    if (cartDisc) {
      const d = setCartDiscount(cart, { kind: 'percent', bp: cartDisc * 100 });
      if (d.ok) cart = d.value;
    }
    const priced = priceCart(cart, { pricesIncludeTax: include });
    const sold: SoldLine[] = priced.lines.map((l, i) => ({ line: i + 1, qty: l.qty, amount: l.amount, taxRate: l.taxRate }));
    return { sold, taxes: priced.taxes, total: priced.total, taxTotal: priced.taxTotal, include };
  });

function apply(before: Refunded, plan: NonNullable<ReturnType<typeof planRefund> extends infer R ? R : never>): Refunded {
  if (!plan.ok) throw new Error('no plan');
  const lines = new Map(before.lines);
  for (const l of plan.value.lines) {
    const p = lines.get(l.line) ?? { qty: 0, amount: 0 };
    lines.set(l.line, { qty: p.qty + l.qty, amount: p.amount + l.amount });
  }
  const taxes = new Map(before.taxes);
  for (const t of plan.value.taxes) taxes.set(t.rate, (taxes.get(t.rate) ?? 0) + t.tax);
  return { lines, taxes };
}

const none: Refunded = { lines: new Map(), taxes: new Map() };

describe('planRefund', () => {
  const sold: SoldLine[] = [
    { line: 1, qty: 3000, amount: 567, taxRate: 2100 }, // 3 × 1.99 with a cart discount share
    { line: 2, qty: 750, amount: 920, taxRate: 1000 },
  ];
  const taxes = [
    { rate: 2100, base: 469, tax: 98 },
    { rate: 1000, base: 836, tax: 84 },
  ];

  it('refunds what the customer paid per unit; the last piece takes the exact remainder', () => {
    const one = planRefund(sold, taxes, none, [{ line: 1, qty: 1000 }], true);
    expect(one).toMatchObject({ ok: true, value: { total: 189, lines: [{ line: 1, qty: 1000, amount: 189 }] } });
    const after1 = apply(none, one);
    const two = planRefund(sold, taxes, after1, [{ line: 1, qty: 2000 }], true);
    expect(two.ok && two.value.total).toBe(567 - 189);
    const after2 = apply(after1, two);
    expect(after2.taxes.get(2100)).toBe(98);
  });

  it('refuses more than was sold, naming what remains', () => {
    const after = apply(none, planRefund(sold, taxes, none, [{ line: 1, qty: 2000 }], true));
    expect(planRefund(sold, taxes, after, [{ line: 1, qty: 2000 }], true)).toEqual({ ok: false, problem: { code: 'refund.over_quantity', params: { line: 1, remaining: 1000 } } });
    expect(planRefund(sold, taxes, none, [{ line: 9, qty: 1000 }], true)).toMatchObject({ ok: false, problem: { code: 'refund.line_unknown' } });
    expect(planRefund(sold, taxes, none, [], true)).toMatchObject({ ok: false, problem: { code: 'refund.no_lines' } });
    expect(planRefund(sold, taxes, none, [{ line: 1, qty: 0 }], true)).toMatchObject({ ok: false, problem: { code: 'refund.bad_quantity' } });
  });

  it('property: random partial refunds never exceed what was sold; refunding all, in pieces, returns exactly the total and the tax per rate', () => {
    fc.assert(
      fc.property(saleArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 30 }), (sale, steps) => {
        let state = none;
        let totals = 0;
        for (const [pick, units] of steps) {
          const target = sale.sold[pick % sale.sold.length]!;
          const done = state.lines.get(target.line)?.qty ?? 0;
          const plan = planRefund(sale.sold, sale.taxes, state, [{ line: target.line, qty: units * 1000 }], sale.include);
          if (done + units * 1000 > target.qty) {
            expect(plan.ok).toBe(false);
            continue;
          }
          expect(plan.ok).toBe(true);
          if (plan.ok) {
            for (const t of plan.value.taxes) {
              const amounts = plan.value.lines.filter((l) => l.taxRate === t.rate).reduce((a, l) => a + l.amount, 0);
              expect(sale.include ? t.base + t.tax : t.base).toBe(amounts);
            }
            totals += plan.value.total;
          }
          state = apply(state, plan);
        }
        // then refund whatever is left
        const rest = sale.sold
          .map((l) => ({ line: l.line, qty: l.qty - (state.lines.get(l.line)?.qty ?? 0) }))
          .filter((r) => r.qty > 0);
        if (rest.length) {
          const last = planRefund(sale.sold, sale.taxes, state, rest, sale.include);
          if (last.ok) totals += last.value.total;
          state = apply(state, last);
        }
        expect(totals).toBe(sale.total);
        const refundedTotal = [...state.lines.values()].reduce((a, l) => a + l.amount, 0);
        expect(refundedTotal).toBe(sale.sold.reduce((a, l) => a + l.amount, 0));
        for (const t of sale.taxes) expect(state.taxes.get(t.rate) ?? 0).toBe(t.tax);
        for (const l of sale.sold) expect(state.lines.get(l.line)).toEqual({ qty: l.qty, amount: l.amount });
      }),
      { numRuns: 300 },
    );
  });

  /**
   * The validators' check of a tax line: EN 16931 BR-CO-17 (the CEN Schematron, 1.3.16: |tax| − 1 <
   * round(|base| × rate, 2) < |tax| + 1, in currency units) and the AEAT's (VERI*FACTU validations
   * 15.7: tax = base × rate / 100 ± 10.00 EUR, tax and base of the same sign).
   */
  const passesBrCo17 = (base: number, tax: number, rate: number): boolean => {
    const expected = Math.round((Math.abs(base) * rate) / 10000);
    return Math.abs(tax) - 100 < expected && expected < Math.abs(tax) + 100;
  };
  const passesAeat = (base: number, tax: number, rate: number): boolean =>
    Math.abs(tax * 10000 - base * rate) <= 1000 * 10000 && (tax === 0 || base === 0 || Math.sign(tax) === Math.sign(base));

  it('property: every refund, full or partial, has a tax per rate within a cent of its amount × rate (far inside BR-CO-17 and the AEAT)', () => {
    fc.assert(
      fc.property(saleArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 30 }), (sale, steps) => {
        let state = none;
        const check = (plan: ReturnType<typeof planRefund>): void => {
          if (!plan.ok) return;
          for (const t of plan.value.taxes) {
            const amount = plan.value.lines.filter((l) => l.taxRate === t.rate).reduce((a, l) => a + l.amount, 0);
            // the tax of the refunded amount, exactly: amount × r / (1 + r) including tax, amount × r excluding
            const exact = sale.include ? (amount * t.rate) / (10000 + t.rate) : (amount * t.rate) / 10000;
            expect(Math.abs(t.tax - exact)).toBeLessThanOrEqual(1);
            // so tax − base × rate is at most (1 + rate) minor units off
            expect(Math.abs(t.tax * 10000 - t.base * t.rate)).toBeLessThanOrEqual(10000 + t.rate);
            expect(t.tax).toBeGreaterThanOrEqual(0);
            expect(t.base).toBeGreaterThanOrEqual(0);
            expect(passesBrCo17(t.base, t.tax, t.rate)).toBe(true);
            expect(passesAeat(t.base, t.tax, t.rate)).toBe(true);
          }
        };
        for (const [pick, units] of steps) {
          const target = sale.sold[pick % sale.sold.length]!;
          if ((state.lines.get(target.line)?.qty ?? 0) + units * 1000 > target.qty) continue;
          const plan = planRefund(sale.sold, sale.taxes, state, [{ line: target.line, qty: units * 1000 }], sale.include);
          check(plan);
          state = apply(state, plan);
        }
        const rest = sale.sold.map((l) => ({ line: l.line, qty: l.qty - (state.lines.get(l.line)?.qty ?? 0) })).filter((r) => r.qty > 0);
        if (rest.length) check(planRefund(sale.sold, sale.taxes, state, rest, sale.include));
      }),
      { numRuns: 300 },
    );
  });

  it('a refund is taxed by the rule of a sale: taxSummary of what it returns, cumulatively', () => {
    // 3 × 0.10 at 21 %, one at a time: a sale of one would carry round(0.10 × 21/121) = 0.02 tax,
    // and so does each refund but the last, which returns exactly what is left of the receipt's 0.05
    const line: SoldLine = { line: 1, qty: 3000, amount: 30, taxRate: 2100 };
    const receiptTax = [{ rate: 2100, base: 25, tax: 5 }];
    let state = none;
    const taxes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const plan = planRefund([line], receiptTax, state, [{ line: 1, qty: 1000 }], true);
      if (!plan.ok) throw new Error(plan.problem.code);
      taxes.push(plan.value.taxes[0]!.tax);
      state = apply(state, plan);
    }
    // cumulative: tax(0.10) = 0.02, tax(0.20) = 0.03, tax(0.30) = 0.05 → 2, 1, 2
    expect(taxes).toEqual([2, 1, 2]);
    expect(taxes.reduce((a, b) => a + b, 0)).toBe(5);
  });
});
