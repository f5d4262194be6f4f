/**
 * Selling benchmarks (issue: checkout, a till next to a 1M-row import, the Z report of a big shift).
 * Each figure beside a baseline measured in the same run.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../src/app/context.js';
import { importProducts } from '../src/app/import.js';
import { type SaleInput, sell } from '../src/app/sales.js';
import { changeSetting } from '../src/app/settings.js';
import { closeShift, openShift, openShiftRow } from '../src/app/shifts.js';
import { DEMO_STORE, initStore } from '../src/app/store.js';
import { actingUser } from '../src/app/auth.js';
import { immediate } from '../src/db/connection.js';

export interface Latency {
  n: number;
  perSec: number;
  p50: number;
  p99: number;
  max: number;
}

export function latency(samplesMs: number[], totalMs: number): Latency {
  const s = Float64Array.from(samplesMs).sort();
  const pick = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
  return { n: s.length, perSec: (s.length / totalMs) * 1000, p50: pick(50), p99: pick(99), max: s[s.length - 1] ?? Number.NaN };
}

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/** A demo store with its catalog and an open shift. */
async function shop(root: string, path: string): Promise<App> {
  removeDb(path);
  const app = await initStore(path, { ...DEMO_STORE, admin: { code: 'admin', name: 'Admin', pin: '1234' } });
  await importProducts(app, actingUser(app.db), createReadStream(join(root, 'fixtures', 'demo-catalog.csv')), null);
  openShift(app, actingUser(app.db), 10000);
  return app;
}

/** 20 lines of unit products from the demo catalog, paid by card and cash. */
export function twentyLines(app: App): SaleInput {
  const skus = app.db
    .prepare("SELECT sku FROM products WHERE unit = 'each' AND active = 1 AND track_stock = 1 ORDER BY sku LIMIT 20")
    .pluck()
    .all() as string[];
  return {
    lines: skus.map((code, i) => ({ code, qty: String(1 + (i % 3)) })),
    payments: [
      { method: 'card', amount: '10.00' },
      { method: 'cash', amount: '500.00' },
    ],
  };
}

/**
 * The same work as a tpv checkout, by hand with raw prepared statements: the counter, the
 * document with 20 lines, 2 tax rows and 2 payments, 20 stock moves — one immediate transaction.
 */
function rawCheckout(app: App, sales: number): Latency {
  const db = app.db;
  const shift = openShiftRow(db, 'T01')!.id;
  const products = db
    .prepare("SELECT id, sku, name, price, tax_category_id FROM products WHERE unit = 'each' AND active = 1 AND track_stock = 1 ORDER BY sku LIMIT 20")
    .all() as { id: number; sku: string; name: string; price: number }[];
  db.prepare("INSERT OR IGNORE INTO series (register, doc_type, template) VALUES ('RAW', 'receipt', '{register}-{n:6}')").run();
  const seriesId = db.prepare("SELECT id FROM series WHERE register = 'RAW'").pluck().get() as number;
  const counter = db.prepare('UPDATE series SET next = next + 1 WHERE id = ? RETURNING next - 1 AS n');
  const header = db.prepare(`INSERT INTO documents (type, number, series_id, seq, register, created_at, user_id, shift_id,
    prices_include_tax, currency, subtotal, discount, total, tendered, change, rounding) VALUES
    ('receipt', ?, ?, ?, 'RAW', ?, 1, ?, 1, 'EUR', ?, 0, ?, ?, ?, 0)`);
  const line = db.prepare(`INSERT INTO document_lines (document_id, line, product_id, sku, name, unit, qty, unit_price, gross,
    line_discount, cart_discount, amount, tax_rate) VALUES (?, ?, ?, ?, ?, 'each', ?, ?, ?, 0, 0, ?, 400)`);
  const tax = db.prepare("INSERT INTO document_taxes (document_id, rate, base, tax, shift_id, doc_type) VALUES (?, ?, ?, ?, ?, 'receipt')");
  const pay = db.prepare("INSERT INTO document_payments (document_id, seq, method, amount, shift_id, doc_type) VALUES (?, ?, ?, ?, ?, 'receipt')");
  const move = db.prepare("INSERT INTO stock_moves (product_id, qty, kind, ref, user_id, created_at) VALUES (?, ?, 'sale', ?, 1, ?)");
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < sales; i++) {
    const t0 = process.hrtime.bigint();
    immediate(db, () => {
      const n = (counter.get(seriesId) as { n: number }).n;
      const number = `RAW-${String(n).padStart(6, '0')}`;
      const now = new Date().toISOString();
      let total = 0;
      const amounts = products.map((p, k) => p.price * (1 + (k % 3)));
      for (const a of amounts) total += a;
      const id = Number(header.run(number, seriesId, n, now, shift, total, total, total + 49000, 49000 - 1000 + 1000).lastInsertRowid);
      products.forEach((p, k) => line.run(id, k + 1, p.id, p.sku, p.name, (1 + (k % 3)) * 1000, p.price, amounts[k], amounts[k]));
      tax.run(id, 2100, Math.round(total * 0.8), total - Math.round(total * 0.8), shift);
      tax.run(id, 400, 0, 0, shift);
      pay.run(id, 1, 'card', 1000, shift);
      pay.run(id, 2, 'cash', total - 1000, shift);
      products.forEach((p, k) => move.run(p.id, -(1 + (k % 3)) * 1000, number, now));
    });
    samples.push(ms(t0));
  }
  return latency(samples, ms(start));
}

function tpvCheckout(app: App, sales: number): Latency {
  const input = twentyLines(app);
  const actor = actingUser(app.db);
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < sales; i++) {
    const t0 = process.hrtime.bigint();
    sell(app, input, actor);
    samples.push(ms(t0));
  }
  return latency(samples, ms(start));
}

export interface CheckoutResult {
  raw: Latency;
  tpv: Latency;
  ratio: number;
  /** The same sales with VERI*FACTU on: each gets its registro de alta, chained, in its transaction. */
  verifactu: Latency;
}

export async function benchCheckout(root: string, out: string, sales: number): Promise<CheckoutResult> {
  const rawApp = await shop(root, join(out, 'checkout-raw.db'));
  const tpvApp = await shop(root, join(out, 'checkout-tpv.db'));
  const vfApp = await shop(root, join(out, 'checkout-verifactu.db'));
  await changeSetting(vfApp, actingUser(vfApp.db), 'einvoice.scheme', 'verifactu');
  // warm-up, then alternate halves so all see the same machine
  rawCheckout(rawApp, 50);
  tpvCheckout(tpvApp, 50);
  tpvCheckout(vfApp, 50);
  const half = Math.ceil(sales / 2);
  const r1 = rawCheckout(rawApp, half);
  const t1 = tpvCheckout(tpvApp, half);
  const v1 = tpvCheckout(vfApp, half);
  const r2 = rawCheckout(rawApp, half);
  const t2 = tpvCheckout(tpvApp, half);
  const v2 = tpvCheckout(vfApp, half);
  rawApp.close();
  tpvApp.close();
  vfApp.close();
  const merge = (a: Latency, b: Latency): Latency => ({
    n: a.n + b.n,
    perSec: (a.n + b.n) / (a.n / a.perSec + b.n / b.perSec),
    p50: (a.p50 + b.p50) / 2,
    p99: Math.max(a.p99, b.p99),
    max: Math.max(a.max, b.max),
  });
  const raw = merge(r1, r2);
  const tpv = merge(t1, t2);
  return { raw, tpv, ratio: tpv.perSec / raw.perSec, verifactu: merge(v1, v2) };
}

export interface ContentionResult {
  alone: Latency;
  duringImport: Latency;
  importRows: number;
  importMs: number;
  importExit: number | null;
}

/** A till selling every ~20 ms while `tpv products import` loads a big catalog into the same database. */
export async function benchTillDuringImport(root: string, out: string, csv: string, rows: number): Promise<ContentionResult> {
  const path = join(out, 'contention.db');
  const app = await shop(root, path);
  const input = twentyLines(app);
  const actor = actingUser(app.db);
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
  const alone: number[] = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) {
    const t = process.hrtime.bigint();
    sell(app, input, actor);
    alone.push(ms(t));
    await pause();
  }
  const aloneStats = latency(alone, ms(t0));
  const child = spawn(process.execPath, [join(root, 'bin', 'tpv'), '--db', path, 'products', 'import', csv], { stdio: 'ignore', env: { ...process.env, TPV_PIN: '1234' } });
  let exit: number | null | undefined;
  const started = process.hrtime.bigint();
  child.on('exit', (code) => (exit = code));
  const during: number[] = [];
  while (exit === undefined) {
    const t = process.hrtime.bigint();
    sell(app, input, actor);
    during.push(ms(t));
    await pause();
  }
  const importMs = ms(started);
  app.close();
  return { alone: aloneStats, duringImport: latency(during, importMs), importRows: rows, importMs, importExit: exit };
}

export interface ZResult {
  receipts: number;
  ms: number;
}

/** Closes a shift of `receipts` receipts (written in bulk first) and times the Z report. */
export async function benchZReport(root: string, out: string, receipts: number): Promise<ZResult> {
  const path = join(out, 'zreport.db');
  const app = await shop(root, path);
  const shift = openShiftRow(app.db, 'T01')!.id;
  const seriesId = Number(
    app.db.prepare("INSERT INTO series (register, doc_type, template, next) VALUES ('T01', 'receipt', '{register}-{n:6}', ?)").run(receipts + 1).lastInsertRowid,
  );
  const header = app.db.prepare(`INSERT INTO documents (type, number, series_id, seq, register, created_at, user_id, shift_id,
    prices_include_tax, currency, subtotal, discount, total, tendered, change, rounding) VALUES
    ('receipt', ?, ?, ?, 'T01', '2026-11-21T10:00:00+01:00', 1, ?, 1, 'EUR', ?, ?, ?, ?, ?, 0)`);
  const line = app.db.prepare(`INSERT INTO document_lines (document_id, line, sku, name, unit, qty, unit_price, gross, line_discount,
    cart_discount, amount, tax_rate) VALUES (?, ?, 'X', 'x', 'each', 1000, ?, ?, 0, 0, ?, ?)`);
  const tax = app.db.prepare("INSERT INTO document_taxes (document_id, rate, base, tax, shift_id, doc_type) VALUES (?, ?, ?, ?, ?, 'receipt')");
  const pay = app.db.prepare("INSERT INTO document_payments (document_id, seq, method, amount, shift_id, doc_type) VALUES (?, ?, ?, ?, ?, 'receipt')");
  app.db.pragma('synchronous = OFF');
  for (let start = 1; start <= receipts; start += 10_000) {
    immediate(app.db, () => {
      for (let i = start; i < Math.min(start + 10_000, receipts + 1); i++) {
        const total = 100 + (i % 5000);
        const id = Number(header.run(`T01-${String(i).padStart(6, '0')}`, seriesId, i, shift, total, i % 7, total, total, 0).lastInsertRowid);
        line.run(id, 1, total, total, total, i % 2 ? 2100 : 1000);
        tax.run(id, i % 2 ? 2100 : 1000, Math.round(total / 1.1), total - Math.round(total / 1.1), shift);
        pay.run(id, 1, i % 3 ? 'card' : 'cash', total, shift);
      }
    });
  }
  app.db.pragma('synchronous = FULL');
  const t0 = process.hrtime.bigint();
  closeShift(app, actingUser(app.db), 0);
  const took = ms(t0);
  app.close();
  return { receipts, ms: took };
}

export const hasCsv = (csv: string): boolean => existsSync(csv);
