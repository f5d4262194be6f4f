/**
 * The X and Z reports as they print, decoded from the ESC/POS bytes the encoder makes (our own
 * decoder, src/devices/escpos-decode.ts, which shares no code with it), at 32, 42 and 48 columns:
 * the difference with its sign and its word, what was taken and given back by tender (a refund to
 * store credit reads as such, never as a negative payment), gift vouchers apart from the sales so
 * the tax bases add up to the net sales, cash in and out one by one, the no-sales, the count by
 * note and coin, who opened and closed the shift, and nothing that needs another code page.
 * The same checks run on a Star model's StarPRNT bytes, read by tests/star.ts (Star's own
 * commands and code page numbers), which also checks that the cut is the job's last command.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { parseDevice, recordNoSale, saveDevice } from '../../src/app/devices.js';
import { layoutDocument } from '../../src/app/documents.js';
import { refund } from '../../src/app/refunds.js';
import { sell } from '../../src/app/sales.js';
import { cashMove, closeShift, openShift, shiftStatus, xReportLayout, zDocument } from '../../src/app/shifts.js';
import { addUser } from '../../src/app/users.js';
import { readZBody } from '../../src/core/shift.js';
import { type DecodedJob, decodedText, decodeEscpos } from '../../src/devices/escpos-decode.js';
import { encodeJob } from '../../src/devices/escpos.js';
import { type Columns, COLUMNS, type LayoutLine } from '../../src/devices/layout.js';
import { figuresRows } from '../../src/devices/shift-report.js';
import { makeShopWithCatalog, tempDir } from '../helpers.js';
import { readStar } from '../star.js';

const dir = tempDir('tpv-shift-report-');
let app: App;
let clock = Date.parse('2026-11-21T08:00:00Z');
/** A clock that moves a minute each time it is read. */
const now = (): Date => new Date((clock += 60_000));
let z = '';

/** The bytes a printer gets for a layout (Epson), decoded back into printed rows and events. */
function onPaper(layout: LayoutLine[], columns: Columns): { job: DecodedJob; text: string } {
  const job = decodeEscpos(encodeJob([layout], { profile: 'epson-tm-t20iii', columns, cut: 'partial' }), { columns });
  return { job, text: decodedText(job) };
}

/** What a Star printer prints of the same layout (StarPRNT), as rows, commands and code pages. */
function onStar(layout: LayoutLine[], columns: Columns): { rows: string[]; commands: string[]; pages: number[]; text: string } {
  const star = readStar(encodeJob([layout], { profile: 'star-tsp100iv', columns, cut: 'partial' }), columns);
  return { ...star, text: star.rows.join('\n') + '\n' };
}

/** The Z's figures a shop checks, whatever printer it came out of. */
function expectZFigures(text: string): void {
  expect(text).not.toMatch(/[…—–]/);
  const flat = text.replace(/\s+/g, ' ');
  expect(flat).toContain(`Informe Z ${z}`);
  expect(flat).toContain('Abierto por Admin (admin)');
  expect(flat).toContain('Cerrado por Sara Gil (sara)');
  // sales: gross (goods), what was refunded, net; the voucher apart, without VAT
  expect(flat).toContain('Ventas brutas 17,28 €');
  expect(flat).toContain('Importe devuelto -0,99 €');
  expect(flat).toContain('Ventas netas 16,29 €');
  expect(flat).toContain('Vales regalo (1) 25,00 €');
  expect(flat).toContain('sin IVA: no son ventas');
  // the tax bases plus their tax are the net sales
  expect(flat).toContain('IVA: base + cuota 16,29 €');
  // taken and given back by tender: the refund to store credit is given back as a voucher
  expect(flat).toMatch(/Cobrado Efectivo 38,90 € Tarjeta 3,38 € Devuelto Vale 0,99 €/);
  expect(flat).not.toContain('Forma de pago');
  expect(flat).not.toContain('-0,99 € Vale');
  // the drawer, each cash move, the no-sale, the count, the difference with its sign and word
  expect(flat).toMatch(/Entradas \(1\) 20,00 € \d\d:\d\d cambio 20,00 €/);
  expect(flat).toMatch(/Salidas \(1\) -12,50 € \d\d:\d\d pago proveedor -12,50 €/);
  expect(flat).toMatch(/Aperturas sin venta 1 \d\d:\d\d admin: cambio para el banco/);
  expect(flat).toContain('Efectivo esperado 146,40 €');
  expect(flat).toContain('Recuento 100,00 € x 1 100,00 € 20,00 € x 2 40,00 € 5,00 € x 1 5,00 € 1,00 € x 1 1,00 € 0,20 € x 1 0,20 €');
  expect(flat).toContain('Sin desglose 0,55 €');
  expect(flat).toContain('Efectivo contado 146,75 €');
  expect(flat).toContain('Descuadre (sobrante) +0,35 €');
}

beforeAll(async () => {
  app = await makeShopWithCatalog(dir, 'shop.db', now);
  const admin = actingUser(app.db);
  addUser(app, admin, { code: 'sara', name: 'Sara Gil', role: 'supervisor', pin: '1357' });
  saveDevice(app, admin, parseDevice('drawer', { url: `file:${join(dir, 'drawer.bin')}` }, () => true), false);
  const sara = app.db.prepare("SELECT * FROM users WHERE code = 'sara'").get() as ReturnType<typeof actingUser>;
  openShift(app, admin, 10000);
  // goods paid in cash with a gift voucher sold beside them, then goods paid by card and refunded to store credit
  sell(app, { lines: [{ code: 'BEB-020', qty: '2' }, { voucher: '25.00' }], payments: [{ method: 'cash', amount: '50.00' }] }, admin);
  const card = sell(app, { lines: [{ code: 'LAC-001' }, { code: 'PAN-013' }], payments: [{ method: 'card', amount: '3.38' }] }, admin);
  refund(app, card.receipt.number, { lines: [{ line: 1, qty: '1' }], method: 'store_credit' }, admin);
  cashMove(app, admin, 'in', 2000, 'cambio');
  cashMove(app, admin, 'out', 1250, 'pago proveedor');
  recordNoSale(app, admin, 'cambio para el banco');
  const expected = shiftStatus(app).cash.expected;
  expect(expected).toBe(10000 + 1390 + 2500 + 2000 - 1250);
  z = closeShift(app, sara, expected + 35, { count: [{ value: 10000, qty: 1 }, { value: 2000, qty: 2 }, { value: 500, qty: 1 }, { value: 100, qty: 1 }, { value: 20, qty: 1 }] }).number;
});
afterAll(() => app.close());

describe('the Z report on paper', () => {
  for (const columns of COLUMNS) {
    it(`at ${columns} columns: every figure a shop checks, in one code page, no row wider than the paper`, () => {
      const { job, text } = onPaper(layoutDocument(app, zDocument(app, z)), columns);
      for (const row of job.rows) expect(row.text.length, row.text).toBeLessThanOrEqual(columns);
      const codepages = job.events.flatMap((e) => (e.type === 'codepage' ? [e.n] : []));
      expect(new Set(codepages).size, `code pages ${codepages.join(',')}`).toBe(1);
      expect(codepages).not.toContain(16);
      expectZFigures(text);
      expect(job.events.at(-1)).toMatchObject({ type: 'cut' });
      expect(job.events.some((e) => e.type === 'drawer')).toBe(false);
    });

    it(`at ${columns} columns on a Star printer: the same figures, the same rows as the Epson, one code page, the cut last`, () => {
      const layout = layoutDocument(app, zDocument(app, z));
      const star = onStar(layout, columns);
      for (const row of star.rows) expect(row.length, row).toBeLessThanOrEqual(columns);
      // PC858 (Star's 4) holds every character of the report: never Windows-1252 (32) for a dash
      expect(new Set(star.pages).size, `code pages ${star.pages.join(',')}`).toBe(1);
      expect(star.pages).not.toContain(32);
      expectZFigures(star.text);
      expect(star.rows.map((r) => r.trimEnd())).toEqual(onPaper(layout, columns).job.rows.map((r) => r.text.trimEnd()));
      expect(star.commands.at(-1), star.commands.join(' ')).toBe('cut 3');
      expect(star.commands).not.toContain('flush');
    });
  }

  it('the stored Z keeps the count, who closed it, the moves and no-sales: what a reprint prints', () => {
    const f = readZBody(zDocument(app, z).body);
    expect(f.count).toEqual([
      { value: 10000, qty: 1 },
      { value: 2000, qty: 2 },
      { value: 500, qty: 1 },
      { value: 100, qty: 1 },
      { value: 20, qty: 1 },
    ]);
    expect(f.closed_by).toEqual({ code: 'sara', name: 'Sara Gil' });
    expect(f.vouchers).toEqual({ count: 1, total: 2500 });
    expect(f.moves?.map((m) => [m.kind, m.amount])).toEqual([
      ['in', 2000],
      ['out', 1250],
    ]);
    expect(f.no_sales?.map((n) => n.reason)).toEqual(['cambio para el banco']);
  });

  it('a Z of the first version (before the count and the moves were kept) still reads and prints its figures', () => {
    const { opened_by: _o, closed_by: _c, vouchers: _v, moves: _m, no_sales: _n, count: _k, ...v1 } = readZBody(zDocument(app, z).body);
    const old = readZBody({ ...v1 } as never);
    const rows = figuresRows(app.profile, old, 'es').map(([k, v]) => `${k.trim()} ${v}`);
    expect(rows).toContain('Ventas brutas 42,28 €');
    expect(rows).toContain('Efectivo contado 146,75 €');
    expect(rows).toContain('Descuadre (sobrante) +0,35 €');
    expect(rows.some((r) => r.startsWith('Cerrado por'))).toBe(false);
  });
});

describe('the X report on paper', () => {
  it('the running figures of the open shift, titled with the shift, at every width, on Epson and Star', () => {
    openShift(app, actingUser(app.db), 5000);
    cashMove(app, actingUser(app.db), 'out', 500, 'banco');
    for (const columns of COLUMNS) {
      const { job, text } = onPaper(xReportLayout(app), columns);
      for (const row of job.rows) expect(row.text.length).toBeLessThanOrEqual(columns);
      const flat = text.replace(/\s+/g, ' ');
      expect(flat).toMatch(/Informe X Turno \d+/);
      expect(flat).toContain('Salidas (1) -5,00 €');
      expect(flat).toContain('Efectivo esperado 45,00 €');
      expect(flat).not.toContain('Efectivo contado');
      expect(flat).not.toContain('Cerrado por');
      const star = onStar(xReportLayout(app), columns);
      for (const row of star.rows) expect(row.length, row).toBeLessThanOrEqual(columns);
      expect(star.rows.map((r) => r.trimEnd())).toEqual(job.rows.map((r) => r.text.trimEnd()));
      expect(new Set(star.pages).size, `code pages ${star.pages.join(',')}`).toBe(1);
      expect(star.commands.at(-1), star.commands.join(' ')).toBe('cut 3');
      expect(star.commands).not.toContain('flush');
    }
  });
});

describe('no-sales belong to their shift', () => {
  it('a shift opened in the second the last one closed: its no-sale is on its own Z, not on the one before; audit verify agrees', async () => {
    const { auditStore } = await import('../../src/app/audit.js');
    const { openShiftRow } = await import('../../src/app/shifts.js');
    const admin = actingUser(app.db);
    // a till whose clock stands still: the close, the next opening and its no-sale in one second
    const saved = app.now;
    const still = new Date(clock + 3_600_000);
    app.now = () => still;
    try {
      if (openShiftRow(app.db, app.profile.register)) closeShift(app, admin, shiftStatus(app).cash.expected);
      openShift(app, admin, 0);
      recordNoSale(app, admin, 'cambio');
      const next = closeShift(app, admin, 0);
      expect(readZBody(zDocument(app, next.number).body).no_sales).toHaveLength(1);
      const before = app.db.prepare("SELECT number FROM documents WHERE type = 'z_report' AND id < ? ORDER BY id DESC LIMIT 1").pluck().get(zDocument(app, next.number).id) as string;
      expect(readZBody(zDocument(app, before).body).no_sales).toHaveLength(0);
      expect(auditStore(app.db).findings).toEqual([]);
    } finally {
      app.now = saved;
    }
  });
});
