import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  checkTemplate,
  DEFAULT_TEMPLATES,
  documentNumberOf,
  documentScanCode,
  formatNumber,
  isDocumentScan,
  type SeriesState,
} from '../../src/core/numbering.js';

describe('templates', () => {
  it('formats every default template', () => {
    const v = { register: 'T01', n: 42, year: 2026 };
    expect(formatNumber(DEFAULT_TEMPLATES.receipt, v)).toBe('T01-000042');
    expect(formatNumber(DEFAULT_TEMPLATES.refund, v)).toBe('T01R-000042');
    expect(formatNumber(DEFAULT_TEMPLATES.invoice, v)).toBe('T01F-000042');
    expect(formatNumber(DEFAULT_TEMPLATES.credit_note, v)).toBe('T01FR-000042');
    expect(formatNumber(DEFAULT_TEMPLATES.z_report, v)).toBe('T01Z-0042');
    expect(formatNumber('{yyyy}/{yy}-{n}', { ...v, year: 2005 })).toBe('2005/05-42');
    // a counter wider than its padding is not cut
    expect(formatNumber('{n:2}', { ...v, n: 12345 })).toBe('12345');
  });

  it('needs exactly one counter and plain characters', () => {
    expect(checkTemplate('{register}-{n:6}').ok).toBe(true);
    expect(checkTemplate('{register}-{yyyy}').ok).toBe(false);
    expect(checkTemplate('{n}-{n}').ok).toBe(false);
    expect(checkTemplate('A {n}').ok).toBe(false);
    expect(checkTemplate('A'.repeat(40) + '{n}').ok).toBe(false);
  });
});

describe('allocate', () => {
  it('counts on without a yearly reset, and restarts at 1 in a new year with one', () => {
    const plain: SeriesState = { next: 7, yearlyReset: false, year: null };
    expect(allocate(plain, 2027)).toEqual({ n: 7, year: 2027, next: { next: 8, yearlyReset: false, year: null } });
    const yearly: SeriesState = { next: 7, yearlyReset: true, year: 2026 };
    expect(allocate(yearly, 2026).n).toBe(7);
    expect(allocate(yearly, 2027)).toEqual({ n: 1, year: 2027, next: { next: 2, yearlyReset: true, year: 2027 } });
    expect(allocate({ next: 1, yearlyReset: true, year: null }, 2026).next.year).toBe(2026);
  });

  it('never gives a number twice within a year (any sequence of allocations)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2024, max: 2030 }), { maxLength: 60 }).map((ys) => ys.sort()), fc.boolean(), (years, yearlyReset) => {
        let state: SeriesState = { next: 1, yearlyReset, year: null };
        const seen = new Set<string>();
        for (const y of years) {
          const a = allocate(state, y);
          const key = yearlyReset ? `${a.year}/${a.n}` : String(a.n);
          expect(seen.has(key)).toBe(false);
          seen.add(key);
          state = a.next;
        }
      }),
    );
  });
});

describe('document scan codes', () => {
  it('round-trips a number through its printed code, and reads typed numbers as they are', () => {
    expect(documentScanCode('T01-000042')).toBe('TPV:T01-000042');
    expect(documentNumberOf('TPV:T01-000042')).toBe('T01-000042');
    expect(documentNumberOf(' tpv:T01-000042\r')).toBe('T01-000042');
    expect(documentNumberOf('T01-000042')).toBe('T01-000042');
    expect(isDocumentScan('tpv:x')).toBe(true);
    // a product barcode is not a document
    expect(isDocumentScan('8410000000012')).toBe(false);
    fc.assert(fc.property(fc.stringMatching(/^[A-Z0-9][A-Z0-9\-/._]{0,30}$/), (n) => documentNumberOf(documentScanCode(n)) === n));
  });
});
