import { assertSafe, mulDiv, type RoundingMode } from './money.js';

/**
 * Taxes per document and per rate (the EN 16931 way), and the largest-remainder allocation
 * used for cart discounts and proportional refunds. Screen, receipt, invoice, refund and report
 * all call {@link taxSummary}, so they can never disagree by a cent.
 */

/** One line of a document's tax breakdown. All amounts in minor units; `rate` in basis points. */
export interface TaxLine {
  /** Tax rate in basis points (2100 = 21%). */
  rate: number;
  /** Taxable base (net). */
  base: number;
  /** Tax amount. */
  tax: number;
  /** base + tax. */
  total: number;
}

/** Amounts of a document grouped by rate: a Map rate → amount, or a list (same rates are summed). */
export type AmountsByRate = ReadonlyMap<number, number> | ReadonlyArray<{ rate: number; amount: number }>;

export const DEFAULT_ROUNDING: RoundingMode = 'half-away-from-zero';

const BP = 10000;

function assertRate(rate: number): void {
  if (!Number.isSafeInteger(rate) || rate < 0) throw new RangeError(`not a tax rate in basis points: ${rate}`);
}

/**
 * The tax contained in (prices include tax) or due on (prices exclude tax) an amount at one rate:
 * including: round(gross × rate / (10000 + rate)); excluding: round(net × rate / 10000).
 * Throws RangeError for a negative or fractional rate or an unsafe amount.
 */
export function taxForRate(amount: number, rate: number, pricesIncludeTax: boolean, mode: RoundingMode = DEFAULT_ROUNDING): number {
  assertSafe(amount);
  assertRate(rate);
  return pricesIncludeTax ? mulDiv(amount, rate, BP + rate, mode) : mulDiv(amount, rate, BP, mode);
}

/**
 * The tax breakdown of a document: one {@link TaxLine} per rate, sorted by rate descending,
 * computed on the SUM of the (final, discounted) amounts of that rate.
 *
 * - `pricesIncludeTax`: the amounts are gross; tax = round(gross × r / (1 + r)), base = gross − tax.
 * - otherwise the amounts are net; tax = round(net × r), total = net + tax.
 *
 * A rate whose amounts sum to 0 still gets a (zero) line: every rate used on the document is listed.
 * Negative amounts (refund documents) are taxed symmetrically. Throws RangeError on a bad rate or
 * amount, or when a per-rate sum is no longer a safe integer.
 */
export function taxSummary(
  amountsByRate: AmountsByRate,
  pricesIncludeTax: boolean,
  mode: RoundingMode = DEFAULT_ROUNDING,
): TaxLine[] {
  const sums = new Map<number, number>();
  const entries: Iterable<readonly [number, number]> = isMap(amountsByRate)
    ? amountsByRate.entries()
    : amountsByRate.map((a) => [a.rate, a.amount] as const);
  for (const [rate, amount] of entries) {
    assertRate(rate);
    assertSafe(amount);
    const sum = (sums.get(rate) ?? 0) + amount;
    assertSafe(sum);
    sums.set(rate, sum);
  }
  return [...sums.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([rate, amount]) => {
      const tax = taxForRate(amount, rate, pricesIncludeTax, mode);
      const base = pricesIncludeTax ? amount - tax : amount;
      const total = pricesIncludeTax ? amount : amount + tax;
      assertSafe(total);
      return { rate, base, tax, total };
    });
}

function isMap(x: AmountsByRate): x is ReadonlyMap<number, number> {
  return x instanceof Map;
}

/**
 * Splits `whole` into parts proportional to `weights` by the largest-remainder method, so that
 * `sum(parts) === whole` always and each part is within 1 of its exact proportional share
 * (it is the share's floor, or the floor + 1).
 *
 * - The units left after flooring go to the largest remainders; equal remainders go to the
 *   earlier index.
 * - A zero weight gets 0 — unless ALL weights are 0, in which case `whole` is split equally
 *   (as if every weight were 1; the extra units go to the earliest indexes).
 * - A negative `whole` is allocated as the mirror image of the positive one (each part negated).
 * - `allocate(0, [])` is `[]`; allocating a non-zero whole to no weights throws.
 *
 * Exact for any safe integers (BigInt arithmetic). Throws RangeError for a fractional/unsafe
 * whole, or a negative/fractional/unsafe weight.
 */
export function allocate(whole: number, weights: readonly number[]): number[] {
  assertSafe(whole);
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError(`not a non-negative integer weight: ${w}`);
  }
  if (weights.length === 0) {
    if (whole !== 0) throw new RangeError(`cannot allocate ${whole} to no parts`);
    return [];
  }
  const ws = (weights.every((w) => w === 0) ? weights.map(() => 1) : weights).map(BigInt);
  const total = ws.reduce((a, b) => a + b, 0n);
  const negative = whole < 0;
  const abs = BigInt(negative ? -whole : whole);

  const floors: bigint[] = [];
  const remainders: bigint[] = [];
  let given = 0n;
  for (const w of ws) {
    const exact = abs * w;
    const f = exact / total;
    floors.push(f);
    remainders.push(exact - f * total);
    given += f;
  }
  let left = Number(abs - given); // < number of parts
  const order = ws
    .map((_, i) => i)
    .sort((a, b) => (remainders[b]! > remainders[a]! ? 1 : remainders[b]! < remainders[a]! ? -1 : a - b));
  for (const i of order) {
    if (left === 0) break;
    floors[i]! += 1n;
    left--;
  }
  return floors.map((f) => (f === 0n ? 0 : Number(negative ? -f : f)));
}
