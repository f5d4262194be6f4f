import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Money, money, type Problem, type Result } from '../../src/core/errors.js';
import type { RoundingMode } from '../../src/core/money.js';
import { CASH, roundCash, settle, type Settlement, type Tender } from '../../src/core/payment.js';

function okValue<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`);
  return r.value;
}

function problemOf<T>(r: Result<T>): Problem {
  if (r.ok) throw new Error(`expected a problem, got ${JSON.stringify(r.value)}`);
  return r.problem;
}

const cash = (amount: number): Tender => ({ method: 'cash', amount });
const card = (amount: number, reference?: string): Tender =>
  reference === undefined ? { method: 'card', amount } : { method: 'card', amount, reference };

describe('roundCash', () => {
  it('rounds to the nearest increment, ties away from zero by default', () => {
    expect(roundCash(1652, 5)).toBe(1650);
    expect(roundCash(1653, 5)).toBe(1655);
    expect(roundCash(1655, 10)).toBe(1660);
    expect(roundCash(1645, 10)).toBe(1650);
    expect(roundCash(1645, 10, 'half-even')).toBe(1640);
    expect(roundCash(1651, 1)).toBe(1651);
    expect(roundCash(2, 5)).toBe(0);
    expect(roundCash(0, 5)).toBe(0);
  });

  it('throws RangeError on a bad increment', () => {
    expect(() => roundCash(100, 0)).toThrow(RangeError);
    expect(() => roundCash(100, -5)).toThrow(RangeError);
    expect(() => roundCash(100, 2.5)).toThrow(RangeError);
  });
});

describe('settle', () => {
  it('cash without rounding: records the total, returns the change', () => {
    expect(okValue(settle(1650, [cash(2000)], { cashIncrement: 1 }))).toEqual<Settlement>({
      payments: [{ method: 'cash', amount: 1650 }],
      tendered: 2000,
      change: 350,
      rounding: 0,
      cashDue: 1650,
    });
  });

  it('cash rounding to 0.05: the cash recorded is the rounded due, the rounding is signed', () => {
    expect(okValue(settle(1652, [cash(2000)], { cashIncrement: 5 }))).toEqual<Settlement>({
      payments: [{ method: 'cash', amount: 1650 }],
      tendered: 2000,
      change: 350,
      rounding: -2,
      cashDue: 1650,
    });
    expect(okValue(settle(1653, [cash(1655)], { cashIncrement: 5 }))).toEqual<Settlement>({
      payments: [{ method: 'cash', amount: 1655 }],
      tendered: 1655,
      change: 0,
      rounding: 2,
      cashDue: 1655,
    });
    // exact rounded amount handed over
    expect(okValue(settle(1652, [cash(1650)], { cashIncrement: 5 })).change).toBe(0);
  });

  it('passes the rounding mode through', () => {
    expect(okValue(settle(1645, [cash(2000)], { cashIncrement: 10 })).rounding).toBe(5);
    expect(okValue(settle(1645, [cash(2000)], { cashIncrement: 10, mode: 'half-even' })).rounding).toBe(-5);
  });

  it('card only: exact, no rounding even when cash would be rounded', () => {
    expect(okValue(settle(1652, [card(1652, 'AUTH123')], { cashIncrement: 5 }))).toEqual<Settlement>({
      payments: [{ method: 'card', amount: 1652, reference: 'AUTH123' }],
      tendered: 0,
      change: 0,
      rounding: 0,
      cashDue: 0,
    });
  });

  it('split: non-cash first, rounding only on the part paid in cash', () => {
    // card 10.00, then cash for the 6.52 left → 6.50
    const s = okValue(settle(1652, [cash(1000), card(1000)], { cashIncrement: 5 }));
    expect(s).toEqual<Settlement>({
      payments: [{ method: 'card', amount: 1000 }, { method: 'cash', amount: 650 }],
      tendered: 1000,
      change: 350,
      rounding: -2,
      cashDue: 650,
    });
  });

  it('several non-cash methods keep their order and references; several cash tenders are one cash payment', () => {
    const s = okValue(
      settle(5000, [{ method: 'voucher', amount: 1000, reference: 'V-9' }, cash(500), card(2000), cash(2000)], { cashIncrement: 1 }),
    );
    expect(s.payments).toEqual([
      { method: 'voucher', amount: 1000, reference: 'V-9' },
      { method: 'card', amount: 2000 },
      { method: 'cash', amount: 2000 },
    ]);
    expect(s).toMatchObject({ tendered: 2500, change: 500, rounding: 0 });
  });

  it('non-cash over the total is refused: change is only ever given from cash', () => {
    expect(problemOf(settle(1650, [card(2000)], { cashIncrement: 1 }))).toEqual({
      code: 'payment.noncash_over_total',
      params: { max: money(1650) },
    });
    expect(problemOf(settle(1650, [card(1000), { method: 'voucher', amount: 700 }, cash(100)], { cashIncrement: 1 })).code).toBe(
      'payment.noncash_over_total',
    );
  });

  it('short: cash below the rounded cash due, or no cash and non-cash below the total', () => {
    expect(problemOf(settle(1653, [cash(1650)], { cashIncrement: 5 }))).toEqual({ code: 'payment.short', params: { missing: money(5) } });
    expect(problemOf(settle(1650, [card(1000)], { cashIncrement: 1 }))).toEqual({ code: 'payment.short', params: { missing: money(650) } });
    expect(problemOf(settle(1650, [], { cashIncrement: 1 }))).toEqual({ code: 'payment.short', params: { missing: money(1650) } });
    // without cash there is no rounding: the 0.02 left must still be paid
    expect(problemOf(settle(1652, [card(1650)], { cashIncrement: 5 }))).toEqual({ code: 'payment.short', params: { missing: money(2) } });
    expect(problemOf(settle(1650, [card(1000), cash(600)], { cashIncrement: 1 }))).toEqual({
      code: 'payment.short',
      params: { missing: money(50) },
    });
  });

  it('a cash remainder that rounds to nothing records no cash payment and returns the cash', () => {
    const s = okValue(settle(1652, [card(1650), cash(5)], { cashIncrement: 5 }));
    expect(s).toEqual<Settlement>({
      payments: [{ method: 'card', amount: 1650 }],
      tendered: 5,
      change: 5,
      rounding: -2,
      cashDue: 0,
    });
  });

  it('a zero total needs no payment', () => {
    expect(okValue(settle(0, [], { cashIncrement: 5 }))).toEqual<Settlement>({
      payments: [],
      tendered: 0,
      change: 0,
      rounding: 0,
      cashDue: 0,
    });
  });

  it('refuses amounts that are not positive integers, and a missing method', () => {
    for (const amount of [0, -100, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
      expect(problemOf(settle(1000, [card(500), cash(amount)], { cashIncrement: 1 }))).toEqual({
        code: 'payment.bad_amount',
        params: { index: 1 },
      });
    }
    expect(problemOf(settle(1000, [{ method: ' ', amount: 1000 }], { cashIncrement: 1 }))).toEqual({
      code: 'payment.bad_method',
      params: { index: 0 },
    });
  });

  it('throws RangeError on a bad total or increment (programmer errors)', () => {
    expect(() => settle(-1, [], { cashIncrement: 1 })).toThrow(RangeError);
    expect(() => settle(1.5, [], { cashIncrement: 1 })).toThrow(RangeError);
    expect(() => settle(100, [cash(100)], { cashIncrement: 0 })).toThrow(RangeError);
  });

  it('only the method "cash" is cash', () => {
    expect(CASH).toBe('cash');
    expect(problemOf(settle(100, [{ method: 'Cash', amount: 200 }], { cashIncrement: 1 })).code).toBe('payment.noncash_over_total');
  });
});

// ---------------------------------------------------------------------------------------------

const MODES: RoundingMode[] = ['half-away-from-zero', 'half-even', 'down', 'up'];
const methodArb = fc.constantFrom('cash', 'cash', 'card', 'voucher', 'transfer');
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('settle properties', () => {
  it('for any payments: when settled, recorded − rounding = total, change ≥ 0 and only from cash; otherwise the right problem', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.record({ method: methodArb, amount: fc.integer({ min: 1, max: 600_000 }) }), { maxLength: 5 }),
        fc.constantFrom(1, 5, 10, 50, 100),
        fc.constantFrom(...MODES),
        (total, payments, inc, mode) => {
          const r = settle(total, payments, { cashIncrement: inc, mode });
          const nonCash = sum(payments.filter((p) => p.method !== 'cash').map((p) => p.amount));
          const tendered = sum(payments.filter((p) => p.method === 'cash').map((p) => p.amount));
          if (nonCash > total) {
            expect(problemOf(r).code).toBe('payment.noncash_over_total');
            return;
          }
          if (!r.ok) {
            expect(r.problem.code).toBe('payment.short');
            const missing = (r.problem.params!.missing as Money).minor;
            expect(missing).toBeGreaterThan(0);
            if (tendered === 0) expect(missing).toBe(total - nonCash);
            else expect(tendered + missing).toBe(roundCash(total - nonCash, inc, mode));
            return;
          }
          const s = r.value;
          expect(sum(s.payments.map((p) => p.amount)) - s.rounding).toBe(total);
          expect(s.change).toBeGreaterThanOrEqual(0);
          expect(s.tendered).toBe(tendered);
          if (s.change > 0) expect(s.tendered).toBeGreaterThan(0);
          if (tendered === 0) expect(s.rounding).toBe(0);
          // nearest: at most half an increment; 'up' / 'down': less than one, in their direction
          if (mode.startsWith('half')) expect(Math.abs(s.rounding) * 2).toBeLessThanOrEqual(inc);
          else expect(mode === 'up' ? s.rounding >= 0 && s.rounding < inc : s.rounding <= 0 && -s.rounding < inc).toBe(true);
          expect((total - nonCash + s.rounding) % inc).toBe(0);
          const recordedCash = sum(s.payments.filter((p) => p.method === 'cash').map((p) => p.amount));
          expect(recordedCash).toBe(s.cashDue);
          expect(s.tendered - s.change).toBe(recordedCash);
          expect(s.payments.filter((p) => p.method === 'cash').length).toBeLessThanOrEqual(1);
          expect(s.payments.every((p) => p.amount > 0)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('split payments that cover the total always settle', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 5000 }),
        fc.constantFrom(1, 5, 10, 50, 100),
        (total, weights, withCash, extra, inc) => {
          // split the total into non-cash parts; with cash, cash pays the last part plus some extra
          const parts = weights.map((w) => Math.floor((total * w) / sum(weights)));
          parts[parts.length - 1]! += total - sum(parts);
          const payments: Tender[] = [];
          parts.forEach((p, i) => {
            if (p <= 0) return;
            const last = i === parts.length - 1;
            payments.push(last && withCash ? cash(roundCash(p, inc) + extra || inc) : card(p));
          });
          const s = okValue(settle(total, payments, { cashIncrement: inc }));
          expect(sum(s.payments.map((p) => p.amount)) - s.rounding).toBe(total);
          expect(s.change).toBeGreaterThanOrEqual(0);
          if (!withCash) expect(s).toMatchObject({ tendered: 0, change: 0, rounding: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });
});
