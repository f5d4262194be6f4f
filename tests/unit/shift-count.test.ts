/**
 * The cash count of a shift close (src/core/cash.ts): counts typed as people type them — a decimal
 * point or a decimal comma, parts separated by commas, semicolons, "+" or spaces — read back to
 * the same notes and coins and the same total (property tests), and the errors name the part.
 * Also the sales summary of a Z (gross − refunds = net; gift vouchers apart).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTotal, denominations, differenceKind, normalizeCount, parseCount, parseCountLines } from '../../src/core/cash.js';
import { formatDecimal } from '../../src/core/money.js';
import { salesSummary, type ShiftFigures } from '../../src/core/shift.js';

const EUR = denominations('EUR');

/** A value as a person types it: "0,50", "0.5", "50", "50,00". */
function typed(value: number, comma: boolean, trim: boolean): string {
  let text = formatDecimal(value, 2);
  if (trim) text = text.replace(/\.?0+$/, '');
  return comma ? text.replace('.', ',') : text;
}

describe('parseCountLines', () => {
  it('reads the examples of the help and of the till', () => {
    expect(parseCount('50x2,20x3,10x5,2x10,1x3,0.50x4,0.10x3', 2)).toEqual({ ok: true, value: 10000 + 6000 + 5000 + 2000 + 300 + 200 + 30 });
    expect(parseCountLines('0,50x1', 2)).toEqual({ ok: true, value: [{ value: 50, qty: 1 }] });
    expect(parseCountLines('20x3,0,50x4', 2)).toEqual({ ok: true, value: [{ value: 2000, qty: 3 }, { value: 50, qty: 4 }] });
    expect(parseCountLines('50x2; 0,50 x 4 + 1*3  2×1', 2)).toEqual({
      ok: true,
      value: [{ value: 5000, qty: 2 }, { value: 50, qty: 4 }, { value: 100, qty: 3 }, { value: 200, qty: 1 }],
    });
  });

  it('property: any count, typed with points or commas and any separator, reads back to its lines and total', () => {
    const line = fc.record({ value: fc.constantFrom(...EUR), qty: fc.integer({ min: 0, max: 500 }) });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 15 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(',', ';', '+', ' ', ', ', ' ; '),
        fc.constantFrom('x', 'X', '*', '×', ' x '),
        (lines, comma, trim, sep, times) => {
          const text = lines.map((l) => `${typed(l.value, comma, trim)}${times}${l.qty}`).join(sep);
          const r = parseCountLines(text, 2);
          expect(r).toEqual({ ok: true, value: lines });
          expect(parseCount(text, 2)).toEqual({ ok: true, value: countTotal(lines) });
        },
      ),
    );
  });

  it('property: normalizeCount keeps the total, one line per value, largest first, no zero rows', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ value: fc.constantFrom(...EUR), qty: fc.integer({ min: 0, max: 99 }) })), (lines) => {
        const n = normalizeCount(lines);
        expect(countTotal(n)).toBe(countTotal(lines));
        expect(new Set(n.map((l) => l.value)).size).toBe(n.length);
        expect(n.every((l, i) => l.qty > 0 && (i === 0 || n[i - 1]!.value > l.value))).toBe(true);
      }),
    );
  });

  it('names the part that is wrong', () => {
    expect(parseCountLines('50x2,20', 2)).toEqual({ ok: false, problem: { code: 'cash.count_format', params: { part: '20' } } });
    expect(parseCountLines('50x2,20x', 2)).toEqual({ ok: false, problem: { code: 'cash.count_format', params: { part: '20x' } } });
    expect(parseCountLines('0,505x1', 2)).toEqual({ ok: false, problem: { code: 'cash.count_format', params: { part: '0,505x1' } } });
    expect(parseCountLines('0x3', 2)).toEqual({ ok: false, problem: { code: 'cash.count_format', params: { part: '0x3' } } });
    expect(parseCountLines('', 2)).toMatchObject({ ok: false, problem: { code: 'cash.count_format' } });
    expect(parseCountLines('1x100000', 2)).toEqual({ ok: false, problem: { code: 'cash.count_pieces', params: { part: '1x100000', max: 99999 } } });
  });

  it('knows the notes and coins of the store currencies (EUR 500 € … 0,01 €); an unknown currency has none', () => {
    expect(EUR[0]).toBe(50000);
    expect(EUR.at(-1)).toBe(1);
    expect(EUR).toHaveLength(15);
    expect(denominations('XXX')).toEqual([]);
  });

  it('a difference is a surplus, a shortage or even', () => {
    expect([differenceKind(1), differenceKind(-1), differenceKind(0)]).toEqual(['surplus', 'shortage', 'even']);
  });
});

describe('salesSummary', () => {
  it('property: gross − refunds = net, gross + vouchers = the receipts total', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), fc.nat(1_000_000), (goods, refunds, vouchers) => {
        const f = { receipts: { total: goods + vouchers }, refunds: { total: refunds }, vouchers: { count: 1, total: vouchers } } as ShiftFigures;
        const s = salesSummary(f);
        expect(s).toEqual({ gross: goods, refunds, net: goods - refunds, vouchers });
      }),
    );
  });
});
