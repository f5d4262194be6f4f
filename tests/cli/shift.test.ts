/**
 * Shifts through the CLI (in-process) — open with a float, cash in/out, the X report, the
 * Z report on close (and its reprint), receipts by shift, numbering series and the journal.
 * One demo store for the whole file; the tests run in order and build on each other.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatePrinter } from '../../src/devices/simulators.js';
import { decodedText, decodeEscpos } from '../../src/devices/escpos-decode.js';
import { cli, tempDir, until } from '../helpers.js';
import { ANA, APPROVE, at, cents, dec, demoStore, ISO_WITH_OFFSET, pinOf, type SaleBody, saleAt, type Shop, shiftCloseRefusals, shiftNeededFirst, shiftOpenByCashier, SUP } from '../scenarios.js';
import Database from 'better-sqlite3';
import { saveOpenCart } from '../../src/app/carts.js';
import { openApp } from '../../src/app/open.js';
import { userByCode } from '../../src/app/auth.js';
import { emptyCart } from '../../src/core/cart.js';

const dir = tempDir('tpv-shift-');
const shop: Shop = { run: cli, db: join(dir, 'shop.db'), dir };
const run = at(shop);
const sell = saleAt(shop);

/** A cash count by denomination ("50x2,20x1,…") adding up to `total` cents. */
function countOf(total: number): string {
  const parts: string[] = [];
  let left = total;
  for (const d of [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1]) {
    const n = Math.floor(left / d);
    if (n > 0) parts.push(`${dec(d).replace(/\.00$/, '')}x${n}`);
    left -= n * d;
  }
  return parts.join(',');
}

interface Receipt {
  number: string;
  total: string;
  discount: string;
  created_at: string;
  taxes: { rate: string; base: string; tax: string }[];
  payments: { method: string; amount: string }[];
}
/** The receipts sold in the first shift, as `tpv sale` returned them. */
const sold: Receipt[] = [];

/** What the Z report of the sold receipts must say. */
function expectedFigures(receipts: Receipt[]) {
  const by = (method: string): number =>
    receipts.reduce((a, r) => a + r.payments.filter((p) => p.method === method).reduce((b, p) => b + cents(p.amount), 0), 0);
  const taxes = new Map<string, { base: number; tax: number }>();
  for (const r of receipts) {
    for (const t of r.taxes) {
      const x = taxes.get(t.rate) ?? { base: 0, tax: 0 };
      taxes.set(t.rate, { base: x.base + cents(t.base), tax: x.tax + cents(t.tax) });
    }
  }
  return {
    count: receipts.length,
    total: receipts.reduce((a, r) => a + cents(r.total), 0),
    discounts: receipts.reduce((a, r) => a + cents(r.discount), 0),
    cash: by('cash'),
    card: by('card'),
    taxes: [...taxes.entries()].map(([rate, x]) => ({ rate, base: dec(x.base), tax: dec(x.tax) })),
  };
}

const FLOAT = 10000;
const CASH_IN = 2000;
const CASH_OUT = 1550;

beforeAll(async () => {
  await demoStore(shop, ANA, SUP);
  expect((await run(['config', 'set', 'sales.cash_rounding', '0.05', '--json'])).code).toBe(0);
  expect((await run(['taxes', 'add', '5.5', '--json'])).code).toBe(0);
  expect((await run(['products', 'add', '--sku', 'LIB-001', '--name', 'Libro de bolsillo', '--price', '10.00', '--tax-rate', '5.5', '--json'])).code).toBe(0);
});

describe('a shift', () => {
  it('selling, the X report and cash moves need an open shift (exit 5 shift.none_open)', () => shiftNeededFirst(shop));

  it('shift open --float 100.00 (by a cashier); a second open is refused; a bad float is exit 3', () => shiftOpenByCashier(shop));

  it('sells: cash (rounded to 0.05), card, and split card + cash with a discount', async () => {
    const bodies: SaleBody[] = [
      // 2 × 6.95 (21 %) + 3 × 0.99 (4 %) = 16.87 → 16.85 in cash
      { lines: [{ code: 'BEB-020', qty: '2' }, { code: '8490300000015', qty: '3' }], payments: [{ method: 'cash', amount: '20.00' }] },
      // 2.39 (10 %) + 10.00 (5.5 %) by card
      { lines: [{ code: 'PAN-013' }, { code: 'LIB-001' }], payments: [{ method: 'card', amount: '12.39' }] },
      // 3.99 − 10 % = 3.59 (21 %) + 0.500 kg × 2.49 = 1.25 (4 %) = 4.84: 2.00 card, 2.84 → 2.85 cash
      { lines: [{ code: 'BEB-018', discount: '10%' }, { code: 'FRU-001', qty: '0.500' }], payments: [{ method: 'card', amount: '2.00' }, { method: 'cash', amount: '5.00' }] },
    ];
    for (const body of bodies) {
      const r = await sell(body, ['--user', 'ana'], pinOf(ANA));
      expect(r.code, r.stdout).toBe(0);
      sold.push(r.json.data.receipt);
    }
    expect(sold.map((r) => r.number)).toEqual(['T01-000001', 'T01-000002', 'T01-000003']);
    expect(sold[0]).toMatchObject({ total: '16.87', payments: [{ method: 'cash', amount: '16.85' }], change: '3.15', rounding: '-0.02' });
    expect(sold[1]).toMatchObject({ total: '12.39', payments: [{ method: 'card', amount: '12.39' }] });
    expect(sold[2]).toMatchObject({ total: '4.84', discount: '0.40', change: '2.15', rounding: '0.01' });
  });

  it('cash-in by a cashier; cash-out by a cashier needs a supervisor; bad amounts and missing reasons', async () => {
    const cin = await run(['--user', 'ana', 'shift', 'cash-in', dec(CASH_IN), '--reason', 'cambio', '--json'], { env: pinOf(ANA) });
    expect(cin.code, cin.stdout).toBe(0);
    expect(cin.json.data.cash).toMatchObject({ in: dec(CASH_IN), out: '0.00' });
    const refused = await run(['--user', 'ana', 'shift', 'cash-out', dec(CASH_OUT), '--reason', 'pago proveedor', '--json'], { env: pinOf(ANA) });
    expect(refused.code).toBe(5);
    expect(refused.json.error).toMatchObject({ code: 'permission.needs_approval', details: { action: 'cash_out' } });
    const out = await run(['--user', 'ana', '--approver', 'sup', 'shift', 'cash-out', dec(CASH_OUT), '--reason', 'pago proveedor', '--json'], { env: { ...APPROVE, ...pinOf(ANA) } });
    expect(out.code, out.stdout).toBe(0);
    expect(out.json.data.cash).toMatchObject({ in: dec(CASH_IN), out: dec(CASH_OUT) });
    expect((await run(['shift', 'cash-in', '0', '--reason', 'x', '--json'])).code).toBe(3);
    expect((await run(['shift', 'cash-out', '5.00', '--json'])).code).toBe(2);
  });

  it('a cash-out above what the drawer holds is refused, saying how much it holds (as money)', async () => {
    const r = await run(['shift', 'cash-out', '5000.00', '--reason', 'banco', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('shift.cash_out_over');
    const e = expectedFigures(sold);
    const expected = dec(FLOAT + e.cash + CASH_IN - CASH_OUT);
    expect(r.json.error.message).toContain(expected);
  });

  it('shift status --json is the X report: running figures, and the shift stays open', async () => {
    const x = await run(['shift', 'status', '--json']);
    expect(x.code).toBe(0);
    const e = expectedFigures(sold);
    expect(x.json.data).toMatchObject({
      closed_at: null,
      receipts: { count: 3, first: 'T01-000001', last: 'T01-000003', total: dec(e.total), discounts: dec(e.discounts) },
      cash: { float: '100.00', sales: dec(e.cash), in: dec(CASH_IN), out: dec(CASH_OUT), expected: dec(FLOAT + e.cash + CASH_IN - CASH_OUT), counted: null },
    });
    const text = await run(['shift', 'status']);
    expect(text.stdout).toContain('X report');
    // still open: one more sale, counted by the next status
    const more = await sell({ lines: [{ code: 'BEB-017', qty: '4' }], payments: [{ method: 'cash', amount: '5.00' }] });
    expect(more.code, more.stdout).toBe(0);
    sold.push(more.json.data.receipt);
    const x2 = await run(['shift', 'status', '--json']);
    expect(x2.json.data.receipts).toMatchObject({ count: 4, last: 'T01-000004' });
  });

  it('the JSON of the X report is locale-free: a 5.5 % rate is "5.5" whatever the language', async () => {
    const x = await run(['shift', 'status', '--json'], { env: { TPV_LANG: 'es' } });
    expect(x.code).toBe(0);
    expect(x.json.data.taxes.map((t: { rate: string }) => t.rate)).toContain('5.5');
  });

  let z: Record<string, unknown> | undefined;
  it('closing: a cashier needs approval; a count is required and checked', () => shiftCloseRefusals(shop));

  it('shift close --count → the Z report T01Z-0001: receipts, tenders, taxes, cash expected = float + cash sales + in − out', async () => {
    const e = expectedFigures(sold);
    const expected = FLOAT + e.cash + CASH_IN - CASH_OUT;
    const counted = expected - 10; // ten cents short
    const r = await run(['shift', 'close', '--count', countOf(counted), '--json']);
    expect(r.code, r.stdout).toBe(0);
    const d = r.json.data;
    expect(d).toMatchObject({
      number: 'T01Z-0001',
      register: 'T01',
      receipts: { count: 4, first: 'T01-000001', last: 'T01-000004', total: dec(e.total), discounts: dec(e.discounts) },
      refunds: { count: 0, total: '0.00' },
      tenders: [
        { method: 'card', sales: dec(e.card), net: dec(e.card) },
        { method: 'cash', sales: dec(e.cash), net: dec(e.cash) },
      ],
      cash: {
        float: '100.00',
        sales: dec(e.cash),
        in: dec(CASH_IN),
        out: dec(CASH_OUT),
        expected: dec(expected),
        counted: dec(counted),
        difference: '-0.10',
      },
    });
    expect(d.closed_at).toMatch(ISO_WITH_OFFSET);
    const byRate = (xs: { rate: string }[]) => [...xs].sort((a, b) => a.rate.localeCompare(b.rate));
    expect(byRate(d.taxes)).toEqual(byRate(e.taxes));
    // by tender and by rate, the Z adds up to what was sold (cash is after rounding)
    const rounding = sold.reduce((a, s) => a + cents((s as unknown as { rounding: string }).rounding), 0);
    expect(e.cash + e.card).toBe(e.total + rounding);
    expect(d.taxes.reduce((a: number, t: { base: string; tax: string }) => a + cents(t.base) + cents(t.tax), 0)).toBe(e.total);
    z = d;
  });

  it('after the close selling is refused; shift report [Z] reprints it identically', async () => {
    const sale = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1.00' }] });
    expect(sale.code).toBe(5);
    expect(sale.json.error.code).toBe('shift.none_open');
    const last = await run(['shift', 'report', '--json']);
    expect(last.code).toBe(0);
    expect(last.json.data).toEqual(z);
    const byNumber = await run(['shift', 'report', 'T01Z-0001', '--json']);
    expect(byNumber.json.data).toEqual(z);
    const text = await run(['shift', 'report', 'T01Z-0001']);
    expect(text.stdout).toContain('T01Z-0001');
    expect(text.stdout).toMatch(/Difference \(shortage\)\s+-€0\.10/);
    const none = await run(['shift', 'report', 'T01Z-0009', '--json']);
    expect(none.code).toBe(4);
    expect(none.json.error.code).toBe('shift.z_not_found');
  });

  it('receipts list --shift Z: the receipts of that shift only', async () => {
    expect((await run(['shift', 'open', '--float', '50,00', '--json'])).code).toBe(0);
    const next = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'card', amount: '0.99' }] });
    expect(next.json.data.receipt.number).toBe('T01-000005');
    const close = await run(['shift', 'close', '--counted', '50.00', '--json']);
    expect(close.json.data).toMatchObject({ number: 'T01Z-0002', receipts: { count: 1, first: 'T01-000005', last: 'T01-000005' }, cash: { difference: '0.00' } });
    const one = await run(['receipts', 'list', '--shift', 'T01Z-0001', '--json']);
    expect(one.json.data.map((r: { number: string }) => r.number)).toEqual(sold.map((r) => r.number));
    const two = await run(['receipts', 'list', '--shift', 'T01Z-0002', '--json']);
    expect(two.json.data.map((r: { number: string }) => r.number)).toEqual(['T01-000005']);
    expect((await run(['receipts', 'list', '--shift', 'T01Z-0099', '--json'])).code).toBe(4);
  });

  it('a Z report is not a receipt: receipts show T01Z-0001 is exit 4', async () => {
    const r = await run(['receipts', 'show', 'T01Z-0001', '--json']);
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('receipt.not_found');
  });
});

describe('numbering series', () => {
  let year = '';
  it('series list shows each type and its next number', async () => {
    const r = await run(['series', 'list', '--json']);
    expect(r.code).toBe(0);
    const byType = Object.fromEntries(r.json.data.map((s: { type: string }) => [s.type, s]));
    expect(byType.receipt).toMatchObject({ register: 'T01', template: '{register}-{n:6}', next: 6, preview: 'T01-000006' });
    expect(byType.z_report).toMatchObject({ next: 3, preview: 'T01Z-0003' });
    year = sold[0]!.created_at.slice(0, 4);
  });

  it('series set --template changes the numbers from the next one on', async () => {
    const set = await run(['series', 'set', 'T01', 'receipt', '--template', '{register}/{yyyy}/{n:5}', '--json']);
    expect(set.code, set.stdout).toBe(0);
    expect(set.json.data).toMatchObject({ next: 6, preview: `T01/${year}/00006` });
    expect((await run(['shift', 'open', '--float', '0', '--json'])).code).toBe(0);
    const r = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'card', amount: '0.99' }] });
    expect(r.json.data.receipt.number).toBe(`T01/${year}/00006`);
    const old = await run(['receipts', 'show', 'T01-000005', '--json']);
    expect(old.code).toBe(0);
  });

  it('--next only moves forward; a template without {n} is exit 3; only an admin changes series', async () => {
    const back = await run(['series', 'set', 'T01', 'receipt', '--next', '3', '--json']);
    expect(back.code).toBe(5);
    expect(back.json.error.code).toBe('series.next_backwards');
    const fwd = await run(['series', 'set', 'T01', 'receipt', '--next', '100', '--json']);
    expect(fwd.json.data).toMatchObject({ next: 100, preview: `T01/${year}/00100` });
    const r = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'card', amount: '0.99' }] });
    expect(r.json.data.receipt.number).toBe(`T01/${year}/00100`);
    for (const template of ['{register}-x', '{register}-{n}-{n}']) {
      const bad = await run(['series', 'set', 'T01', 'receipt', '--template', template, '--json']);
      expect(bad.code, template).toBe(3);
      expect(bad.json.error.code).toBe('series.template_counter');
    }
    expect((await run(['--user', 'ana', 'series', 'set', 'T01', 'receipt', '--next', '200', '--json'], { env: pinOf(ANA) })).code).toBe(5);
  });

  it('the journal holds every receipt and Z report and verifies', async () => {
    const r = await run(['audit', 'verify', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data).toMatchObject({ ok: true, entries: 7 + 2 + 5, findings: [] }); // 7 receipts, 2 Z reports, the shifts' openings and cash moves
  });
});

// ---- the Z and X on paper: a receipt printer that is a TCP server of our own ------------------------

/** The store's printer simulator on 127.0.0.1 (online, paper in), each job's bytes kept. */
async function printerSink(): Promise<{ port: number; jobs: Buffer[]; close(): Promise<void> }> {
  const jobs: Buffer[] = [];
  const printer = await simulatePrinter({ host: '127.0.0.1', port: 0, state: 'online', onJob: (j) => jobs.push(Buffer.from(j.bytes)) });
  return { port: printer.port, jobs, close: () => printer.close() };
}

/** The text a job printed (status requests and the drawer aside), as the printer's paper reads. */
const printed = (job: Buffer, columns = 42): string => decodedText(decodeEscpos(job, { columns }));

describe('the Z report on paper (tpv shift close) and the X report (tpv shift status --print)', () => {
  const paper: Shop = { run: cli, db: join(dir, 'paper.db'), dir };
  const on = at(paper);
  let sink: Awaited<ReturnType<typeof printerSink>>;
  beforeAll(async () => {
    sink = await printerSink();
    await demoStore(paper, ANA, SUP);
  });
  afterAll(async () => {
    await sink.close();
  });

  it('without a printer: the Z is issued and not printed; --print says there is none (exit 0, the close is committed)', async () => {
    expect((await on(['shift', 'open', '--float', '50', '--json'])).code).toBe(0);
    const r = await on(['shift', 'close', '--counted', '50', '--print', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ number: 'T01Z-0001', print: { ok: false, error: { code: 'printer.none' } } });
    expect(r.stderr).toContain('T01Z-0001');
    expect(r.stderr).toContain('tpv print T01Z-0001');
    expect((await on(['shift', 'open', '--float', '50', '--json'])).code).toBe(0);
    const quiet = await on(['shift', 'close', '--counted', '50', '--json']);
    expect(quiet.json.data.print).toBeUndefined();
    expect(quiet.stderr).toBe('');
  });

  it('with a printer: cash moves, a no-sale, vouchers apart on the X and Z; the Z prints by default, --no-print does not', async () => {
    expect((await on(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${sink.port}`, '--profile', 'epson-tm-t20iii', '--json'])).code).toBe(0);
    expect((await on(['devices', 'add', 'drawer', '--printer', 'printer', '--json'])).code).toBe(0);
    expect((await on(['shift', 'open', '--float', '100', '--json'])).code).toBe(0);
    const sale = await saleAt(paper)({ lines: [{ code: 'BEB-020', qty: '2' }, { voucher: '20.00' }], payments: [{ method: 'cash', amount: '40.00' }] } as unknown as SaleBody);
    expect(sale.code, sale.stdout).toBe(0);
    expect((await on(['shift', 'cash-in', '10.00', '--reason', 'cambio', '--json'])).code).toBe(0);
    expect((await on(['shift', 'cash-out', '5,25', '--reason', 'pago proveedor', '--json'])).code).toBe(0);
    expect((await on(['drawer', 'open', '--reason', 'cambio para el banco', '--json'])).code).toBe(0);
    const jobsBefore = sink.jobs.length;

    // the sales report by rate: the voucher has a row of its own (no tax), so the rows add up to the total
    const byTax = (await on(['report', 'sales', '--by', 'tax', '--json'])).json.data;
    expect(byTax.rows.map((r: { key: string; amount: string }) => [r.key, r.amount])).toEqual([
      ['21', '13.90'],
      ['vouchers', '20.00'],
    ]);
    expect(byTax.total).toBe('33.90');
    const taxEs = await on(['report', 'sales', '--by', 'tax'], { env: { TPV_LANG: 'es' } });
    expect(taxEs.stdout).toMatch(/21 % .*13,90/);
    expect(taxEs.stdout).toMatch(/Vales regalo \(sin IVA\) .*20,00/);
    const tenderEs = await on(['report', 'sales', '--by', 'tender'], { env: { TPV_LANG: 'es' } });
    expect(tenderEs.stdout).toMatch(/Efectivo .*33,90/);
    expect(tenderEs.stdout).not.toMatch(/\bcash\b/);

    const x = await on(['shift', 'status', '--print', '--json']);
    expect(x.code, x.stdout).toBe(0);
    expect(x.json.data).toMatchObject({
      sales: { gross: '13.90', refunds: '0.00', net: '13.90', vouchers: '20.00' },
      vouchers: { count: 1, total: '20.00' },
      moves: [
        { kind: 'in', amount: '10.00', reason: 'cambio', user: 'admin' },
        { kind: 'out', amount: '5.25', reason: 'pago proveedor', user: 'admin' },
      ],
      no_sales: [{ user: 'admin', reason: 'cambio para el banco' }],
      print: { ok: true, printer: 'printer' },
    });
    await waitUntil(() => sink.jobs.length > jobsBefore);
    const xText = printed(sink.jobs.at(-1)!);
    // on paper in the store's language (the demo store's is Spanish)
    expect(xText).toMatch(/Informe X +Turno \d+/);
    expect(xText).toMatch(/Vales regalo \(1\) +20,00 €\n +sin IVA: no son ventas/);
    expect(xText).toMatch(/Ventas brutas +13,90 €/);
    expect(xText).toMatch(/IVA: base \+ cuota +13,90 €/);
    expect(xText).toMatch(/Entradas \(1\) +10,00 €\n +\d\d:\d\d cambio +10,00 €/);
    expect(xText).toMatch(/Salidas \(1\) +-5,25 €/);
    expect(xText).toMatch(/Aperturas sin venta +1\n +\d\d:\d\d admin: cambio para el banco/);

    const expected = 10000 + 3390 + 1000 - 525;
    const quiet = await on(['shift', 'close', '--count', '100x1;20x1;10x1;2x3;1,00x2;0,50x1;0,20x1;0,10x1;0,05x1', '--no-print', '--json']);
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(quiet.json.data.print).toBeUndefined();
    expect(quiet.json.data.cash).toMatchObject({ expected: dec(expected), counted: '138.85', difference: '0.20', difference_kind: 'surplus' });
    expect(quiet.json.data.count).toEqual([
      { value: '100.00', qty: 1, amount: '100.00' },
      { value: '20.00', qty: 1, amount: '20.00' },
      { value: '10.00', qty: 1, amount: '10.00' },
      { value: '2.00', qty: 3, amount: '6.00' },
      { value: '1.00', qty: 2, amount: '2.00' },
      { value: '0.50', qty: 1, amount: '0.50' },
      { value: '0.20', qty: 1, amount: '0.20' },
      { value: '0.10', qty: 1, amount: '0.10' },
      { value: '0.05', qty: 1, amount: '0.05' },
    ]);
    expect(sink.jobs.length).toBe(jobsBefore + 1);
    // reprinted by number it is a copy; the close itself printed nothing
    expect((await on(['print', quiet.json.data.number, '--json'])).code).toBe(0);
    await waitUntil(() => sink.jobs.length === jobsBefore + 2);
    expect(printed(sink.jobs.at(-1)!)).toContain('COPIA');
  });

  it('a close prints its Z by default when a printer is configured: decoded from the bytes, in the store\'s language', async () => {
    expect((await on(['shift', 'open', '--float', '20', '--json'])).code).toBe(0);
    expect((await on(['shift', 'cash-out', '0.50', '--reason', 'x', '--json'])).code).toBe(0);
    const before = sink.jobs.length;
    const z = await on(['shift', 'close', '--counted', '19.40', '--json']);
    expect(z.code, z.stdout).toBe(0);
    expect(z.json.data.print).toEqual({ ok: true, printer: 'printer' });
    await waitUntil(() => sink.jobs.length > before);
    const job = sink.jobs.at(-1)!;
    const text = printed(job);
    expect(text).toMatch(new RegExp(`Informe Z +${z.json.data.number}`));
    expect(text).toMatch(/Cerrado por +Admin \(admin\)/);
    expect(text).toMatch(/Descuadre \(faltante\) +-0,10 €/);
    expect(text).not.toMatch(/Forma de pago/);
    expect(text).not.toContain('…');
    const events = decodeEscpos(job).events;
    expect(events.filter((e) => e.type === 'codepage').map((e) => (e as { n: number }).n)).not.toContain(16);
    expect(events.some((e) => e.type === 'drawer')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'cut' });
  });

  it('open or held carts: refused naming the till keys and the flags; --keep-carts keeps them, held, for the next shift', async () => {
    expect((await on(['shift', 'open', '--float', '0', '--json'])).code).toBe(0);
    // Ana left a cart open at the till (a gift voucher in it)
    const app = await openApp(paper.db);
    try {
      const ana = userByCode(app.db, 'ana')!;
      saveOpenCart(app, ana.id, emptyCart(), { vouchers: [500], approvals: [], customerId: null });
    } finally {
      app.close();
    }
    const refused = await on(['shift', 'close', '--counted', '0', '--no-print', '--json']);
    expect(refused.code).toBe(5);
    expect(refused.json.error.code).toBe('shift.carts_pending');
    expect(refused.json.error.message).toContain('F6');
    expect(refused.json.error.message).toContain('--keep-carts');
    expect((await on(['shift', 'close', '--counted', '0', '--keep-carts', '--force', '--json'])).code).toBe(2);
    const cashier = await on(['--user', 'ana', 'shift', 'close', '--counted', '0', '--keep-carts', '--no-print', '--json'], { env: pinOf(ANA) });
    expect(cashier.code).toBe(5);
    expect(cashier.json.error.code).toBe('permission.needs_approval');
    const kept = await on(['--user', 'ana', '--approver', 'sup', 'shift', 'close', '--counted', '0', '--keep-carts', '--no-print', '--json'], { env: { ...APPROVE, ...pinOf(ANA) } });
    expect(kept.code, kept.stdout).toBe(0);
    expect(kept.json.data.closed_by).toBe('ana');
    const left = new Database(paper.db, { readonly: true });
    try {
      expect(left.prepare('SELECT status FROM carts').pluck().all()).toEqual(['held']);
    } finally {
      left.close();
    }
    const verified = await on(['audit', 'verify', '--json']);
    expect(verified.json.data, verified.stdout + verified.stderr).toMatchObject({ ok: true, findings: [] });
  });
});

const waitUntil = (ok: () => boolean): Promise<boolean> => until(ok, 'the printer never got the job');
