/**
 * What the server applies of a real till's outbox (src/server/projection.ts): every event of a
 * day — a voucher sold, store credit granted, voided, redeemed, refunded to, expired; an invoice, a
 * refund with its credit note, an exchange, the Z — stored and applied, none quarantined, and the
 * server's lines, credit movements and Z are the till's own (amounts exact, credits in
 * ten-thousandths). Opening the data as an older schema rebuilds the same rows.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { expireDue, issueCredit, voidCredit } from '../../src/app/credit.js';
import { addCustomer } from '../../src/app/customers.js';
import { createInvoice } from '../../src/app/invoices.js';
import { exchange, refund } from '../../src/app/refunds.js';
import { sell } from '../../src/app/sales.js';
import { cashMove, closeShift, openShift } from '../../src/app/shifts.js';
import { canonicalJson, type Json } from '../../src/core/canonical.js';
import type { ShiftFigures } from '../../src/core/shift.js';
import { connect } from '../../src/db/connection.js';
import { CREDIT_SCALE } from '../../src/server/projection.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import type { IncomingEvent, ServerStorage } from '../../src/server/storage.js';
import { makeShopWithCatalog, tempDir } from '../helpers.js';

const dir = tempDir('tpv-projection-till-');
const DATA = join(dir, 'server');
let clock = new Date('2026-11-21T10:00:00Z');
let app: App;
let figures: ShiftFigures;
let storage: ServerStorage;

const cash = (amount: string) => [{ method: 'cash', amount }];

/** The till's outbox as the server stores it (src/server/server.ts does the same to what arrives). */
function outbox(): IncomingEvent[] {
  const rows = app.db.prepare('SELECT seq, id, type, version, payload, created_at FROM outbox ORDER BY seq').all() as { seq: number; id: string; type: string; version: number; payload: string; created_at: string }[];
  return rows.map((r) => {
    const payload = JSON.parse(r.payload) as Json;
    const hash = createHash('sha256').update(canonicalJson({ type: r.type, version: r.version, at: r.created_at, payload })).digest('hex');
    return { id: r.id, seq: r.seq, type: r.type, version: r.version, at: r.created_at, payload: canonicalJson(payload), hash };
  });
}

/** A query on the server's database, beside the open storage. */
function server(sql: string): Record<string, unknown>[] {
  const db = connect(join(DATA, 'server.db'));
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  app = await makeShopWithCatalog(dir, 'till.db', () => clock);
  const a = actingUser(app.db);
  openShift(app, a, 10000);
  cashMove(app, a, 'in', 2000, 'cambio');
  const credit = issueCredit(app, 1000, a);
  voidCredit(app, issueCredit(app, 300, a).code, a, 'lost');
  sell(app, { lines: [{ voucher: '25.00' }], payments: cash('25') }, a);
  addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES' });
  const sale = sell(
    app,
    { lines: [{ code: 'LAC-001', qty: '3', discount: '50%' }, { code: 'FRU-001', qty: '0.750' }], payments: [{ method: 'store_credit', amount: '1.00', code: credit.code }, ...cash('20')] },
    a,
  ).receipt;
  createInvoice(app, sale.number, 'B12345674', a);
  refund(app, sale.number, { lines: [{ line: 1, qty: '1' }], method: 'store_credit' }, a);
  exchange(app, sale.number, { lines: [{ line: 2 }], method: 'cash', sale: { lines: [{ code: 'LAC-002' }], payments: cash('5') } }, a);
  figures = closeShift(app, a, 30000).figures;
  clock = new Date('2028-01-01T10:00:00Z');
  expireDue(app, a);

  storage = await openSqliteStorage(DATA);
  await storage.addTerminal('T01', 'Caja 1', 'enrol', '2099-01-01T00:00:00.000Z', clock.toISOString());
});

afterAll(async () => {
  await storage?.close();
  app?.close();
});

test("every event of the till's day is applied; lines, credit movements and the Z are the till's own", async () => {
  const events = outbox();
  expect(new Set(events.map((e) => e.type))).toEqual(new Set(['store_init', 'products', 'shift_open', 'cash_move', 'credit_issue', 'credit_void', 'sale', 'customers', 'invoice', 'refund', 'exchange', 'shift_close', 'credit_expire']));
  expect(await storage.ingest('T01', events, clock.toISOString())).toMatchObject({ stored: events.length, quarantined: [] });

  const lines = 'number, line, sku, name, unit, qty, unit_price, gross, line_discount, cart_discount, amount, tax_rate';
  const tillLines = app.db
    .prepare(`SELECT d.number, l.line, l.sku, l.name, l.unit, l.qty, l.unit_price, l.gross, l.line_discount, l.cart_discount, l.amount, l.tax_rate FROM document_lines l JOIN documents d ON d.id = l.document_id ORDER BY d.number, l.line`)
    .all();
  expect(tillLines.length).toBeGreaterThan(5);
  expect(server(`SELECT ${lines} FROM document_lines ORDER BY number, line`)).toEqual(tillLines);
  // the voucher line is no goods
  expect(server('SELECT sku, goods FROM document_lines WHERE goods = 0').length).toBe(1);

  // the credit ledger, movement by movement, in the till's order; amounts ×100 (EUR cents to ten-thousandths)
  const scale = 10 ** (CREDIT_SCALE - 2);
  const tillMoves = (
    app.db.prepare('SELECT c.code, e.kind, e.amount, e.ref FROM credit_events e JOIN credits c ON c.id = e.credit_id ORDER BY e.id').all() as { code: string; kind: string; amount: number; ref: string | null }[]
  ).map((m) => ({ ...m, amount: m.amount * scale }));
  const seqOf = new Map(events.map((e) => [e.id, e.seq]));
  const serverMoves = server('SELECT event_id, idx, code, kind, amount, ref FROM credit_moves')
    .sort((x, y) => seqOf.get(x.event_id as string)! - seqOf.get(y.event_id as string)! || (x.idx as number) - (y.idx as number))
    .map((m) => ({ code: String(m.code).replaceAll('-', ''), kind: m.kind, amount: m.amount, ref: m.ref }));
  expect(new Set(tillMoves.map((m) => m.kind))).toEqual(new Set(['issue', 'void', 'redeem', 'restore', 'expire']));
  expect(serverMoves).toEqual(tillMoves.map((m) => ({ ...m, code: m.code.replaceAll('-', '') })));

  const f = figures;
  expect(server('SELECT * FROM z_reports')).toEqual([
    {
      terminal: 'T01',
      number: expect.stringMatching(/Z/),
      shift_uid: app.db.prepare('SELECT uid FROM shifts WHERE id = ?').pluck().get(f.shift),
      opened_at: f.opened_at,
      closed_at: f.closed_at,
      float: f.cash.float,
      expected: f.cash.expected,
      counted: f.cash.counted,
      difference: f.cash.difference,
      receipts_count: f.receipts.count,
      receipts_total: f.receipts.total,
      refunds_count: f.refunds.count,
      refunds_total: f.refunds.total,
      cash_in: f.cash.in,
      cash_out: f.cash.out,
      rounding: f.cash.rounding,
      carts_dropped: 0,
    },
  ]);
  expect(f.cash.in).toBe(2000);
});

test('the data opened as schema 2 is rebuilt to the same rows', async () => {
  const tables = ['documents', 'document_taxes', 'document_payments', 'document_lines', 'credit_moves', 'z_reports'];
  const all = (): unknown[] => tables.map((t) => server(`SELECT * FROM ${t} ORDER BY 1, 2, 3`));
  const before = all();
  for (const rows of before) expect((rows as unknown[]).length).toBeGreaterThan(0);
  await storage.close();
  const db = connect(join(DATA, 'server.db'));
  db.exec('DELETE FROM document_lines; DELETE FROM credit_moves; DELETE FROM z_reports; PRAGMA user_version = 2');
  db.close();
  storage = await openSqliteStorage(DATA);
  expect(all()).toEqual(before);
});
