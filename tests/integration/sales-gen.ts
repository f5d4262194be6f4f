/**
 * Shared by the selling stress tests (sales-concurrency, sales-crash): a deterministic catalog,
 * a store set up through the CLI, deterministic sales with exact payments and what each sale
 * must leave in the database, and the consistency checks every database of sales must pass.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openApp } from '../../src/app/open.js';
import { verifyJournal } from '../../src/app/journal.js';
import { buildSale, type SaleInput } from '../../src/app/sales.js';
import { actingUser } from '../../src/app/auth.js';
import { priceCart } from '../../src/core/cart.js';
import { formatDecimal } from '../../src/core/money.js';
import { type Settlement, settle } from '../../src/core/payment.js';
import type { Sqlite } from '../../src/db/connection.js';
import { type OutboxRow, parseEvent } from '../../src/sync/events.js';
import { prng } from '../../bench/generate.js';
import { gs1CheckDigit } from '../../src/core/barcode.js';
import { cli, makeStore } from '../helpers.js';

/** A deterministic PRNG (mulberry32, shared with the benchmarks): the tests never use Math.random. */
export { prng };

const int = (rnd: () => number, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const withCheck = (digits: string): string => digits + String(gs1CheckDigit(digits));

export interface CatalogProduct {
  sku: string;
  name: string;
  /** Minor units, tax included. */
  price: number;
  /** Percent. */
  rate: 21 | 10 | 4 | 0;
  unit: 'each' | 'kg';
  barcode: string;
  /** Scale item number of a weighed product (its GS1 weight labels are `25` + item + grams + check). */
  item: string | null;
  /** Opening stock, milli-units. */
  stock: number;
  track: boolean;
}

/** 48 products: 36 sold by the unit, 12 weighed; every tax rate; every 7th not stock-tracked. */
export function makeCatalog(): CatalogProduct[] {
  const rnd = prng(20261121);
  const rates = [21, 10, 4, 0] as const;
  const out: CatalogProduct[] = [];
  for (let i = 1; i <= 48; i++) {
    const kg = i > 36;
    const item = kg ? String(200 + i).padStart(5, '0') : null;
    out.push({
      sku: `${kg ? 'PES' : 'UNI'}-${String(i).padStart(3, '0')}`,
      name: `${kg ? 'Granel' : 'Artículo'} número ${i}`,
      price: int(rnd, 45, kg ? 1899 : 2999),
      rate: rates[i % 4]!,
      unit: kg ? 'kg' : 'each',
      barcode: kg ? withCheck(`25${item}00000`) : withCheck(`84123${String(i).padStart(7, '0')}`),
      item,
      stock: kg ? int(rnd, 0, 90_000) : int(rnd, 0, 400) * 1000,
      track: i % 7 !== 0,
    });
  }
  return out;
}

export function catalogCsv(products: readonly CatalogProduct[]): string {
  const rows = products.map((p) =>
    [p.sku, p.name, formatDecimal(p.price, 2), p.rate, p.barcode, p.unit, 'Pruebas', 1, p.track ? formatDecimal(p.stock, 3) : '', p.track ? 1 : 0].join(','),
  );
  return ['sku,name,price,tax_rate,barcodes,unit,category,active,stock,track_stock', ...rows].join('\n') + '\n';
}

/** A Spanish store (21/10/4/0, EUR) with the catalog, cash rounded to 0.05 and an open shift (set up through the CLI, in-process). */
export async function setUpStore(dir: string, name: string): Promise<{ path: string; catalog: CatalogProduct[] }> {
  const app = await makeStore(dir, {}, name);
  const path = app.path;
  app.close();
  const catalog = makeCatalog();
  const csv = join(dir, `${name}.catalog.csv`);
  writeFileSync(csv, catalogCsv(catalog));
  const imported = await cli(['--db', path, 'products', 'import', csv, '--json']);
  expect({ code: imported.code, stderr: imported.stderr }).toEqual({ code: 0, stderr: '' });
  expect(imported.json.data.created).toBe(catalog.length);
  const rounding = await cli(['--db', path, 'config', 'set', 'sales.cash_rounding', '0.05', '--json']);
  expect({ code: rounding.code, stderr: rounding.stderr }).toEqual({ code: 0, stderr: '' });
  const shift = await cli(['--db', path, 'shift', 'open', '--float', '100', '--json']);
  expect({ code: shift.code, stderr: shift.stderr }).toEqual({ code: 0, stderr: '' });
  return { path, catalog };
}

export interface PlannedSale {
  input: SaleInput;
  /** What the receipt must say (minor units, milli-units). */
  total: number;
  lines: { sku: string; unit: string; qty: number; amount: number; taxRate: number }[];
  settled: Settlement;
}

const CASH_INCREMENT = 5;
const money = (n: number): string => formatDecimal(n, 2);

/**
 * `count` sales over the catalog: 1–5 lines by sku, EAN or GS1 weight label; whole and weighed
 * quantities ("0.750"); line and cart discounts up to 10 % (percent or amount); payments by cash
 * (exact or with change), card (exact), or split card + cash. Each is priced by the app layer on
 * the store's database so the payments are exact; ids are left to the caller.
 */
export async function planSales(path: string, catalog: readonly CatalogProduct[], seed: number, count: number): Promise<PlannedSale[]> {
  const rnd = prng(seed);
  const app = await openApp(path);
  try {
    const actor = actingUser(app.db);
    // priced before its payments are known: a placeholder payment gets it past buildSale's checks
    const priced = (input: SaleInput) =>
      priceCart(buildSale(app, { ...input, payments: [{ method: 'cash', amount: '1' }] }, actor).cart, { pricesIncludeTax: true });
    const out: PlannedSale[] = [];
    for (let s = 0; s < count; s++) {
      const lines: SaleInput['lines'] = [];
      const n = int(rnd, 1, 5);
      for (let i = 0; i < n; i++) {
        const p = pick(rnd, catalog);
        const line: SaleInput['lines'][number] = { code: rnd() < 0.5 ? p.sku : p.barcode };
        let qty: number;
        if (p.unit === 'kg') {
          qty = int(rnd, 50, 2500);
          if (p.item && rnd() < 0.3) line.code = withCheck(`25${p.item}${String(qty).padStart(5, '0')}`); // a scale label: the weight is in the code
          else line.qty = formatDecimal(qty, 3);
        } else {
          qty = int(rnd, 1, 4) * 1000;
          if (qty > 1000 || rnd() < 0.5) line.qty = String(qty / 1000);
        }
        const d = rnd();
        if (d < 0.2) line.discount = pick(rnd, ['5%', '10%', '2.5%', '7.25%']);
        else if (d < 0.3) {
          const gross = Math.floor((p.price * qty) / 1000);
          const amount = Math.floor((gross / 10) * rnd());
          if (amount > 0) line.discount = money(amount);
        }
        lines.push(line);
      }
      const input: SaleInput = { lines, payments: [] };
      const c = rnd();
      if (c < 0.15) input.discount = pick(rnd, ['3%', '10%', '1.5%']);
      else if (c < 0.25) {
        const amount = Math.floor((priced(input).total / 10) * rnd());
        if (amount > 0) input.discount = money(amount);
      }
      const cart = priced(input);
      const total = cart.total;
      const upTo = (amount: number, step: number): number => Math.ceil(amount / step) * step;
      const k = rnd();
      if (k < 0.25 || total < 2) {
        // cash only: the exact rounded amount, or a round note with change
        input.payments = [{ method: 'cash', amount: money(rnd() < 0.5 ? upTo(total, CASH_INCREMENT) : upTo(total + 1, 500)) }];
      } else if (k < 0.45) {
        input.payments = [{ method: 'card', amount: money(total), reference: `AUTH${s}` }];
      } else {
        const card = int(rnd, 1, total - 1);
        const due = total - card;
        const cash = rnd() < 0.5 ? Math.max(upTo(due, CASH_INCREMENT), CASH_INCREMENT) : upTo(due + 1, 100) + 500;
        input.payments = rnd() < 0.5 ? [{ method: 'card', amount: money(card) }, { method: 'cash', amount: money(cash) }] : [{ method: 'cash', amount: money(cash) }, { method: 'card', amount: money(card) }];
      }
      const settled = settle(
        total,
        input.payments.map((p) => ({ method: p.method, amount: Math.round(Number(p.amount) * 100), ...(p.reference ? { reference: p.reference } : {}) })),
        { cashIncrement: CASH_INCREMENT },
      );
      if (!settled.ok) throw new Error(`planned an unpayable sale: ${JSON.stringify(input)} (${settled.problem.code})`);
      out.push({
        input,
        total,
        lines: cart.lines.map((l) => ({ sku: l.sku, unit: l.unit, qty: l.qty, amount: l.amount, taxRate: l.taxRate })),
        settled: settled.value,
      });
    }
    return out;
  } finally {
    app.close();
  }
}

export const receiptNumber = (seq: number): string => `T01-${String(seq).padStart(6, '0')}`;

type Row = Record<string, unknown>;

/** Every receipt, in number order, with its lines, taxes and payments (plain SQL, not the app's reader). */
export function loadReceipts(db: Sqlite) {
  const docs = db.prepare("SELECT * FROM documents WHERE type = 'receipt' ORDER BY seq").all() as Row[];
  const lines = db.prepare('SELECT * FROM document_lines WHERE document_id = ? ORDER BY line');
  const taxes = db.prepare('SELECT * FROM document_taxes WHERE document_id = ? ORDER BY rate DESC');
  const payments = db.prepare('SELECT * FROM document_payments WHERE document_id = ? ORDER BY seq');
  return docs.map((d) => ({
    id: d.id as number,
    seq: d.seq as number,
    number: d.number as string,
    externalId: d.external_id as string | null,
    shiftId: d.shift_id as number | null,
    total: d.total as number,
    tendered: d.tendered as number,
    change: d.change as number,
    rounding: d.rounding as number,
    approvals: d.approvals as string,
    lines: lines.all(d.id) as { sku: string; unit: string; qty: number; amount: number; tax_rate: number; product_id: number }[],
    taxes: taxes.all(d.id) as { rate: number; base: number; tax: number }[],
    payments: payments.all(d.id) as { method: string; amount: number; reference: string | null }[],
  }));
}

export type StoredReceipt = ReturnType<typeof loadReceipts>[number];

/** The receipt is what the planned sale must produce: lines, total, taxes, payments, change. */
export function expectReceiptMatches(r: StoredReceipt, plan: PlannedSale): void {
  const where = `${r.number} (${r.externalId})`;
  expect(r.lines.length, where).toBeGreaterThan(0);
  expect(
    r.lines.map((l) => ({ sku: l.sku, unit: l.unit, qty: l.qty, amount: l.amount, taxRate: l.tax_rate })),
    where,
  ).toEqual(plan.lines);
  expect(r.total, where).toBe(plan.total);
  expect(r.lines.reduce((s, l) => s + l.amount, 0), where).toBe(r.total);
  // taxes: one row per rate used, base + tax adding up to the total (prices include tax)
  expect(r.taxes.map((t) => t.rate).sort(), where).toEqual([...new Set(r.lines.map((l) => l.tax_rate))].sort());
  expect(r.taxes.reduce((s, t) => s + t.base + t.tax, 0), where).toBe(r.total);
  // payments as recorded: Σ − rounding = total; the cash recorded is what was tendered minus the change
  expect(r.payments.length, where).toBeGreaterThan(0);
  expect(r.payments.reduce((s, p) => s + p.amount, 0) - r.rounding, where).toBe(r.total);
  const cash = r.payments.filter((p) => p.method === 'cash').reduce((s, p) => s + p.amount, 0);
  expect(r.tendered - r.change, where).toBe(cash);
  expect(Math.abs(r.rounding), where).toBeLessThanOrEqual(2);
  expect(
    { payments: r.payments.map((p) => ({ method: p.method, amount: p.amount, ...(p.reference ? { reference: p.reference } : {}) })), tendered: r.tendered, change: r.change, rounding: r.rounding },
    where,
  ).toEqual({ payments: plan.settled.payments, tendered: plan.settled.tendered, change: plan.settled.change, rounding: plan.settled.rounding });
  expect(JSON.parse(r.approvals), where).toEqual([]);
}

/**
 * What must hold of any database tpv has sold into, whatever happened to the processes:
 * receipts numbered 1..N without gaps, each whole (lines, taxes, payments, journal entry,
 * outbox event, stock moves of its tracked lines), nothing referring to a missing receipt,
 * the journal verifying, stock derived from its moves, one open shift and no carts.
 * Returns the receipts (number order).
 */
export function expectConsistent(db: Sqlite, catalog: readonly CatalogProduct[]): StoredReceipt[] {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.pragma('foreign_key_check')).toEqual([]);

  const receipts = loadReceipts(db);
  const n = receipts.length;
  // gapless numbering: seq 1..N, numbers from the template, the series' counter right after N
  expect(receipts.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(receipts.map((r) => r.number)).toEqual(receipts.map((r) => receiptNumber(r.seq)));
  expect(db.prepare("SELECT type, count(*) AS n FROM documents GROUP BY type").all()).toEqual(n ? [{ type: 'receipt', n }] : []);
  expect(db.prepare("SELECT next FROM series WHERE register = 'T01' AND doc_type = 'receipt'").pluck().get()).toBe(n + 1);

  // no half-written receipt
  for (const r of receipts) {
    expect(r.lines.length, r.number).toBeGreaterThan(0);
    expect(r.taxes.length, r.number).toBeGreaterThan(0);
    expect(r.payments.length, r.number).toBeGreaterThan(0);
    expect(r.payments.reduce((s, p) => s + p.amount, 0) - r.rounding, r.number).toBe(r.total);
  }
  const count = (sql: string): number => db.prepare(sql).pluck().get() as number;
  expect(count('SELECT count(*) FROM document_lines WHERE document_id NOT IN (SELECT id FROM documents)')).toBe(0);
  expect(count('SELECT count(*) FROM document_taxes WHERE document_id NOT IN (SELECT id FROM documents)')).toBe(0);
  expect(count('SELECT count(*) FROM document_payments WHERE document_id NOT IN (SELECT id FROM documents)')).toBe(0);

  // the journal: one entry per document (and per shift opened), in number order, every entry's document there, the chain verifying
  const opened = count("SELECT count(*) FROM shifts");
  expect(count('SELECT count(*) FROM journal')).toBe(n + opened);
  expect(count('SELECT count(*) FROM journal j LEFT JOIN documents d ON d.id = j.document_id WHERE j.document_id IS NOT NULL AND d.id IS NULL')).toBe(0);
  expect(count('SELECT count(*) FROM documents d LEFT JOIN journal j ON j.document_id = d.id WHERE j.seq IS NULL')).toBe(0);
  expect(db.prepare('SELECT d.seq FROM journal j JOIN documents d ON d.id = j.document_id ORDER BY j.seq').pluck().all()).toEqual(receipts.map((r) => r.seq));
  const check = verifyJournal(db);
  expect(check).toMatchObject({ ok: true, entries: n + opened, broken: null });

  // the outbox: the store's set-up (init, catalog and settings, the shift's opening), then one 'sale' event per
  // receipt carrying it whole, in number order; distinct ids; every event as its schema says
  const rows = db.prepare('SELECT seq, id, type, version, payload, created_at FROM outbox ORDER BY seq').all() as OutboxRow[];
  const events = rows.map(parseEvent);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  const setup = events.filter((e) => e.type !== 'sale').map((e) => e.type);
  expect(setup[0]).toBe('store_init');
  expect(setup.at(-1)).toBe('shift_open');
  for (const type of setup.slice(1, -1)) expect(['products', 'settings']).toContain(type);
  const sales = events.flatMap((e) => (e.type === 'sale' ? [e.payload.receipt] : []));
  expect(sales.map((s) => s.number)).toEqual(receipts.map((r) => r.number));
  expect(sales.map((s) => s.total)).toEqual(receipts.map((r) => formatDecimal(r.total, 2)));

  // stock: a 'sale' move per tracked line, for existing receipts only; on_hand = Σ moves = opening − sold
  const bySku = new Map(catalog.map((p) => [p.sku, p]));
  const expectedMoves = new Map<string, number>();
  const sold = new Map<string, number>();
  for (const r of receipts) {
    for (const l of r.lines) {
      if (!bySku.get(l.sku)!.track) continue;
      const key = `${r.number} ${l.sku}`;
      expectedMoves.set(key, (expectedMoves.get(key) ?? 0) - l.qty);
      sold.set(l.sku, (sold.get(l.sku) ?? 0) + l.qty);
    }
  }
  const moves = db
    .prepare("SELECT m.ref, p.sku, sum(m.qty) AS qty, count(*) AS n FROM stock_moves m JOIN products p ON p.id = m.product_id WHERE m.kind = 'sale' GROUP BY m.ref, p.sku")
    .all() as { ref: string; sku: string; qty: number; n: number }[];
  expect(new Map(moves.map((m) => [`${m.ref} ${m.sku}`, m.qty]))).toEqual(expectedMoves);
  expect(count("SELECT count(*) FROM stock_moves WHERE kind = 'sale'")).toBe(receipts.reduce((s, r) => s + r.lines.filter((l) => bySku.get(l.sku)!.track).length, 0));
  expect(count("SELECT count(*) FROM stock_moves WHERE kind = 'sale' AND ref NOT IN (SELECT number FROM documents WHERE type = 'receipt')")).toBe(0);
  expect(db.prepare("SELECT DISTINCT kind FROM stock_moves ORDER BY kind").pluck().all()).toEqual(n ? ['opening', 'sale'] : ['opening']);
  const stock = db
    .prepare('SELECT p.sku, p.on_hand, (SELECT coalesce(sum(qty), 0) FROM stock_moves m WHERE m.product_id = p.id) AS moves FROM products p ORDER BY p.sku')
    .all() as { sku: string; on_hand: number; moves: number }[];
  expect(stock.length).toBe(catalog.length);
  for (const s of stock) {
    const p = bySku.get(s.sku)!;
    expect({ sku: s.sku, on_hand: s.on_hand }).toEqual({ sku: s.sku, on_hand: s.moves });
    expect({ sku: s.sku, on_hand: s.on_hand }).toEqual({ sku: s.sku, on_hand: p.track ? p.stock - (sold.get(s.sku) ?? 0) : 0 });
  }

  // the shift: the one opened, still open, every receipt in it; no cart left behind
  const shifts = db.prepare('SELECT id, closed_at, z_document_id FROM shifts').all();
  expect(shifts).toEqual([{ id: 1, closed_at: null, z_document_id: null }]);
  expect(receipts.filter((r) => r.shiftId !== 1).map((r) => r.number)).toEqual([]);
  expect(count('SELECT count(*) FROM carts')).toBe(0);
  return receipts;
}
