import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocate, taxForRate, taxSummary, type TaxLine } from '../../src/core/tax.js';
import type { RoundingMode } from '../../src/core/money.js';

const MODES: RoundingMode[] = ['half-away-from-zero', 'half-even', 'down', 'up'];
const HALF = 'half-away-from-zero' as const;

/** Reference: round(n / d) half away from zero, in BigInt, written independently of money.ts. */
function refRoundHalfAway(n: bigint, d: bigint): bigint {
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  if ((an - q * ad) * 2n >= ad) q += 1n;
  return neg ? -q : q;
}

/** The direct formula of DESIGN §2 for one rate, half away from zero. */
function refTax(amount: number, rate: number, include: boolean): number {
  const a = BigInt(amount);
  const r = BigInt(rate);
  return Number(include ? refRoundHalfAway(a * r, 10000n + r) : refRoundHalfAway(a * r, 10000n));
}

describe('taxSummary', () => {
  it('computes the worked example of the issue (prices include tax)', () => {
    // lines 5.97 at 21%, 0.85 + 9.68 at 10%
    const taxes = taxSummary([
      { rate: 2100, amount: 597 },
      { rate: 1000, amount: 85 },
      { rate: 1000, amount: 968 },
    ], true, HALF);
    expect(taxes).toEqual<TaxLine[]>([
      { rate: 2100, base: 493, tax: 104, total: 597 },
      { rate: 1000, base: 957, tax: 96, total: 1053 },
    ]);
  });

  it('accepts a Map of amounts by rate and sorts by rate descending', () => {
    const taxes = taxSummary(new Map([[0, 500], [400, 1040], [2100, 1210], [1000, 1100]]), true, HALF);
    expect(taxes.map((t) => t.rate)).toEqual([2100, 1000, 400, 0]);
    expect(taxes).toEqual([
      { rate: 2100, base: 1000, tax: 210, total: 1210 },
      { rate: 1000, base: 1000, tax: 100, total: 1100 },
      { rate: 400, base: 1000, tax: 40, total: 1040 },
      { rate: 0, base: 500, tax: 0, total: 500 },
    ]);
  });

  it('prices excluding tax: the amount is the base, tax = round(net × r), total = net + tax', () => {
    expect(taxSummary([{ rate: 2100, amount: 1000 }, { rate: 1000, amount: 995 }], false, HALF)).toEqual([
      { rate: 2100, base: 1000, tax: 210, total: 1210 },
      { rate: 1000, base: 995, tax: 100, total: 1095 }, // 99.5 → 100
    ]);
  });

  it('taxes the sum per rate, not each line (EN 16931)', () => {
    // three lines of 0.10 at 21%: per line 0.10×21/121 = 0.017 → 0.02 each = 0.06; on the sum 0.30 → 0.05
    const perDoc = taxSummary([1, 2, 3].map(() => ({ rate: 2100, amount: 10 })), true, HALF);
    expect(perDoc).toEqual([{ rate: 2100, base: 25, tax: 5, total: 30 }]);
  });

  it('passes the rounding mode through', () => {
    // 995 × 10% = 99.5
    expect(taxSummary([{ rate: 1000, amount: 995 }], false, 'half-even')[0]!.tax).toBe(100);
    expect(taxSummary([{ rate: 1000, amount: 985 }], false, 'half-even')[0]!.tax).toBe(98);
    expect(taxSummary([{ rate: 1000, amount: 985 }], false, 'down')[0]!.tax).toBe(98);
    expect(taxSummary([{ rate: 1000, amount: 981 }], false, 'up')[0]!.tax).toBe(99);
    expect(taxSummary([{ rate: 1000, amount: 985 }], false)[0]!.tax).toBe(99); // default half away from zero
  });

  it('keeps a rate whose amounts sum to zero (a fully discounted line still names its rate)', () => {
    expect(taxSummary([{ rate: 1000, amount: 0 }], true, HALF)).toEqual([{ rate: 1000, base: 0, tax: 0, total: 0 }]);
  });

  it('handles negative amounts symmetrically (refund documents)', () => {
    expect(taxSummary([{ rate: 2100, amount: -597 }], true, HALF)).toEqual([
      { rate: 2100, base: -493, tax: -104, total: -597 },
    ]);
  });

  it('returns no lines for no amounts', () => {
    expect(taxSummary([], true, HALF)).toEqual([]);
    expect(taxSummary(new Map(), false, HALF)).toEqual([]);
  });

  it('throws RangeError for a bad rate or amount (programmer error)', () => {
    expect(() => taxSummary([{ rate: -1, amount: 100 }], true, HALF)).toThrow(RangeError);
    expect(() => taxSummary([{ rate: 21.5, amount: 100 }], true, HALF)).toThrow(RangeError);
    expect(() => taxSummary([{ rate: 2100, amount: 1.5 }], true, HALF)).toThrow(RangeError);
    expect(() => taxSummary([{ rate: 2100, amount: Number.MAX_SAFE_INTEGER }, { rate: 2100, amount: 1 }], true, HALF)).toThrow(
      RangeError,
    );
  });

  it('is exact for large amounts (no float error)', () => {
    const big = 9_000_000_000_000; // 90 billion in cents
    const [t] = taxSummary([{ rate: 2100, amount: big }], false, HALF);
    expect(t).toEqual({ rate: 2100, base: big, tax: 1_890_000_000_000, total: big + 1_890_000_000_000 });
  });

  it('property: per-rate tax equals the direct formula on that rate\'s sum; base + tax = total', () => {
    const rate = fc.constantFrom(0, 400, 500, 1000, 1050, 2100, 2300, 10000);
    fc.assert(
      fc.property(
        fc.array(fc.record({ rate, amount: fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }) }), { maxLength: 30 }),
        fc.boolean(),
        (items, include) => {
          const taxes = taxSummary(items, include, HALF);
          const sums = new Map<number, number>();
          for (const it of items) sums.set(it.rate, (sums.get(it.rate) ?? 0) + it.amount);
          expect(taxes.map((t) => t.rate)).toEqual([...sums.keys()].sort((a, b) => b - a));
          for (const t of taxes) {
            const sum = sums.get(t.rate)!;
            expect(t.tax).toBe(refTax(sum, t.rate, include));
            expect(t.base + t.tax).toBe(t.total);
            expect(include ? t.total : t.base).toBe(sum);
          }
        },
      ),
    );
  });

  it('property: a Map and the equivalent list give the same summary', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ rate: fc.integer({ min: 0, max: 10000 }), amount: fc.integer({ min: 0, max: 10 ** 9 }) })),
        fc.boolean(),
        fc.constantFrom(...MODES),
        (items, include, mode) => {
          const map = new Map<number, number>();
          for (const it of items) map.set(it.rate, (map.get(it.rate) ?? 0) + it.amount);
          expect(taxSummary(map, include, mode)).toEqual(taxSummary(items, include, mode));
        },
      ),
    );
  });
});

describe('taxForRate', () => {
  it('is the one-rate formula used by taxSummary', () => {
    expect(taxForRate(597, 2100, true, HALF)).toBe(104);
    expect(taxForRate(1053, 1000, true, HALF)).toBe(96);
    expect(taxForRate(1000, 2100, false, HALF)).toBe(210);
    expect(taxForRate(1000, 0, false, HALF)).toBe(0);
  });
});

describe('allocate', () => {
  it('splits in proportion with largest remainder, ties to the earlier index', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(101, [1, 1, 1])).toEqual([34, 34, 33]);
    expect(allocate(10, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(allocate(7, [50, 30, 20])).toEqual([4, 2, 1]); // 3.5 2.1 1.4 → 3 2 1 + the .5
    expect(allocate(1, [5, 5])).toEqual([1, 0]);
    expect(allocate(3, [0, 1, 1])).toEqual([0, 2, 1]);
  });

  it('gives nothing to a zero weight', () => {
    expect(allocate(99, [0, 3, 0, 0])).toEqual([0, 99, 0, 0]);
  });

  it('splits equally when all weights are zero (ties to the earlier index)', () => {
    expect(allocate(10, [0, 0, 0])).toEqual([4, 3, 3]);
    expect(allocate(0, [0, 0])).toEqual([0, 0]);
  });

  it('allocates a negative whole as the mirror of the positive one', () => {
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate(-1, [1, 1])).toEqual([-1, 0]);
  });

  it('allocates zero to no parts, and refuses to allocate something to nobody', () => {
    expect(allocate(0, [])).toEqual([]);
    expect(() => allocate(5, [])).toThrow(RangeError);
  });

  it('throws RangeError on negative, fractional or unsafe inputs', () => {
    expect(() => allocate(10, [1, -1])).toThrow(RangeError);
    expect(() => allocate(10, [1.5])).toThrow(RangeError);
    expect(() => allocate(1.5, [1])).toThrow(RangeError);
    expect(() => allocate(10, [Number.MAX_SAFE_INTEGER + 1])).toThrow(RangeError);
  });

  it('is exact when whole × weight exceeds 2^53', () => {
    const whole = Number.MAX_SAFE_INTEGER;
    const parts = allocate(whole, [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 1]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(whole);
    expect(parts[0]! - parts[1]!).toBeLessThanOrEqual(1);
  });

  it('property: sum(parts) === whole, each part within 1 of its exact share, largest remainders win, ties to earlier', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(10 ** 12), max: 10 ** 12 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 10 ** 9 })), { minLength: 1, maxLength: 25 }),
        (whole, weights) => {
          const parts = allocate(whole, weights);
          expect(parts).toHaveLength(weights.length);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(whole);
          const allZero = weights.every((w) => w === 0);
          const ws = (allZero ? weights.map(() => 1) : weights).map(BigInt);
          const W = ws.reduce((a, b) => a + b, 0n);
          const sign = whole < 0 ? -1n : 1n;
          const abs = BigInt(whole) * sign;
          const bumped: boolean[] = [];
          const rems: bigint[] = [];
          parts.forEach((p, i) => {
            const exact = abs * ws[i]!; // share × W
            const P = BigInt(p) * sign;
            // |part − share| < 1  ⇔  |P·W − exact| < W
            const diff = P * W - exact;
            expect(diff < W && diff > -W).toBe(true);
            const floor = exact / W;
            expect(P === floor || P === floor + 1n).toBe(true);
            if (ws[i] === 0n) expect(P).toBe(0n);
            bumped.push(P === floor + 1n);
            rems.push(exact % W);
          });
          // every part that got the extra unit has a remainder at least as large as any part that did not,
          // and on equal remainders the extra went to the earlier index
          for (let i = 0; i < parts.length; i++) {
            for (let j = 0; j < parts.length; j++) {
              if (bumped[i] && !bumped[j]) {
                expect(rems[i]! >= rems[j]!).toBe(true);
                if (rems[i] === rems[j]) expect(i < j).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
