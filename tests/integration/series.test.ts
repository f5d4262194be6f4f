/**
 * Yearly numbering on the store's clock (issue 12, finding 4): a yearly series restarts at 1 on
 * 1 January and never repeats a number — no UNIQUE failure on documents.number, whatever the
 * order in which the reset was switched on and off.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { sell } from '../../src/app/sales.js';
import { addSeries, advanceSeries, setSeries } from '../../src/app/series.js';
import { openShift } from '../../src/app/shifts.js';
import { caught, makeShopWithCatalog, tempDir } from '../helpers.js';

const dir = tempDir();
let app: App;
let n = 0;
let clock = new Date('2026-11-21T10:00:00Z');

beforeEach(async () => {
  clock = new Date('2026-12-31T12:00:00Z');
  app = await makeShopWithCatalog(dir, `series-${n++}.db`, () => clock);
  openShift(app, actingUser(app.db), 0);
});
afterEach(() => app.close());

const admin = () => actingUser(app.db);
const sale = (): string => sell(app, { lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5' }] }, admin()).receipt.number;

describe('a yearly series', () => {
  it('restarts at 1 on 1 January (store time) and counts on within the year', () => {
    setSeries(app, admin(), 'T01', 'receipt', { template: '{register}-{yyyy}-{n:6}', yearlyReset: true });
    expect([sale(), sale()]).toEqual(['T01-2026-000001', 'T01-2026-000002']);
    clock = new Date('2026-12-31T23:00:01Z'); // 00:00:01 on 1 January in Madrid
    expect([sale(), sale()]).toEqual(['T01-2027-000001', 'T01-2027-000002']);
    clock = new Date('2028-01-01T09:00:00Z');
    expect(sale()).toBe('T01-2028-000001');
  });

  it('switched on in a year it already numbered in, counts on until the next 1 January', () => {
    // on in 2026, off, numbers issued in 2027 without the reset, on again in 2027: the series'
    // stored year (2026) must not restart it now, or T01-2027-000001 would be issued twice
    setSeries(app, admin(), 'T01', 'receipt', { template: '{register}-{yyyy}-{n:6}', yearlyReset: true });
    expect(sale()).toBe('T01-2026-000001');
    setSeries(app, admin(), 'T01', 'receipt', { yearlyReset: false });
    clock = new Date('2027-03-01T10:00:00Z');
    expect([sale(), sale()]).toEqual(['T01-2027-000002', 'T01-2027-000003']);
    setSeries(app, admin(), 'T01', 'receipt', { yearlyReset: true });
    expect(sale()).toBe('T01-2027-000004');
    clock = new Date('2028-01-01T09:00:00Z');
    expect(sale()).toBe('T01-2028-000001');
  });

  it('is refused without the year in its template, added or changed', () => {
    expect(caught(() => setSeries(app, admin(), 'T01', 'receipt', { yearlyReset: true }))).toMatchObject({ kind: 'invalid', code: 'series.yearly_needs_year' });
    expect(caught(() => addSeries(app, admin(), 'T02', 'receipt', { template: 'X{n}', yearlyReset: true }))).toMatchObject({ kind: 'invalid', code: 'series.yearly_needs_year' });
    setSeries(app, admin(), 'T01', 'receipt', { template: '{register}/{yy}/{n:4}', yearlyReset: true });
    expect(caught(() => setSeries(app, admin(), 'T01', 'receipt', { template: '{register}/{n:4}' }))).toMatchObject({ code: 'series.yearly_needs_year' });
    // what the old check allowed: on 1 January every sale failed with exit 1 (UNIQUE constraint)
    expect(sale()).toBe('T01/26/0001');
    clock = new Date('2027-01-01T09:00:00Z');
    expect(sale()).toBe('T01/27/0001');
  });

  it('a template whose next number was already issued (by any series) is refused, year or not', () => {
    setSeries(app, admin(), 'T01', 'receipt', { template: '{register}-{yyyy}-{n:6}', yearlyReset: true });
    expect([sale(), sale()]).toEqual(['T01-2026-000001', 'T01-2026-000002']);
    // the refunds' series, never used, would start at T01-2026-000001: a receipt's number
    expect(caught(() => setSeries(app, admin(), 'T01', 'refund', { template: '{register}-{yyyy}-{n:6}', yearlyReset: true }))).toMatchObject({
      kind: 'conflict',
      code: 'series.template_clash',
      params: { number: 'T01-2026-000001' },
    });
    // …and so would a second till's series that forgets its register
    expect(caught(() => addSeries(app, admin(), 'T02', 'receipt', { template: 'T01-{yyyy}-{n:6}' }))).toMatchObject({ code: 'series.template_clash' });
    clock = new Date('2027-01-02T09:00:00Z');
    expect(sale()).toBe('T01-2027-000001');
    // the year written into the template: its next number, T01-2026-000002, exists
    expect(caught(() => setSeries(app, admin(), 'T01', 'receipt', { template: '{register}-2026-{n:6}', yearlyReset: false }))).toMatchObject({
      code: 'series.template_clash',
      params: { number: 'T01-2026-000002' },
    });
    expect(sale()).toBe('T01-2027-000002');
  });
});

describe('moved past the numbers the store server holds (issue 13: a till restored from an old backup)', () => {
  const events = (): number => app.db.prepare("SELECT count(*) FROM outbox WHERE type = 'series'").pluck().get() as number;

  it('a series behind is moved past the number held, once, with a series event; one ahead is left alone', () => {
    expect([sale(), sale()]).toEqual(['T01-000001', 'T01-000002']);
    const before = events();
    const held = [
      { type: 'receipt' as const, year: 2026, seq: 7, number: 'T01-000007' },
      { type: 'refund' as const, year: 2026, seq: 3, number: 'T01D-000003' },
    ];
    expect(advanceSeries(app, held, 'sync')).toEqual([
      { type: 'receipt', next: 8, held: 'T01-000007' },
      { type: 'refund', next: 4, held: 'T01D-000003' },
    ]);
    expect(events()).toBe(before + 2);
    expect(sale()).toBe('T01-000008');
    // heard again (every connect): nothing moves, nothing is recorded
    expect(advanceSeries(app, held, 'sync')).toEqual([]);
    expect(events()).toBe(before + 2);
  });

  it('a yearly series: a number of its own year moves it, one of a year it has left behind does not, one of a later year takes it there', () => {
    setSeries(app, admin(), 'T01', 'receipt', { template: '{register}-{yyyy}-{n:6}', yearlyReset: true });
    expect(sale()).toBe('T01-2026-000001');
    expect(advanceSeries(app, [{ type: 'receipt', year: 2025, seq: 90, number: 'T01-2025-000090' }], 'sync')).toEqual([]);
    expect(advanceSeries(app, [{ type: 'receipt', year: 2026, seq: 5, number: 'T01-2026-000005' }], 'sync')).toHaveLength(1);
    expect(sale()).toBe('T01-2026-000006');
    // the server holds numbers of 2027 already (this till's clock is behind): on 1 January it goes on from them
    expect(advanceSeries(app, [{ type: 'receipt', year: 2027, seq: 12, number: 'T01-2027-000012' }], 'sync')).toHaveLength(1);
    clock = new Date('2027-01-02T09:00:00Z');
    expect(sale()).toBe('T01-2027-000013');
  });
});

