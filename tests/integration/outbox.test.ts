/**
 * The fiscal-document pipeline and the outbox contract, on a real database: every document type
 * goes through issueDocument (its hook sees it, in the document's transaction), every write use
 * case appends exactly one event and every event parses with its schema; a sale's event is enough
 * to rebuild the receipt; rows from before the contract are upgraded on open; settings changed by
 * another process are seen; the till's cart is re-checked at commit.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, type DocumentHook, inTransaction } from '../../src/app/context.js';
import { actingUser, type UserRow } from '../../src/app/auth.js';
import { discardCart, holdCart, saveOpenCart } from '../../src/app/carts.js';
import { expireDue, issueCredit, voidCredit } from '../../src/app/credit.js';
import { addCustomer, importCustomers, setCustomer } from '../../src/app/customers.js';
import { parseDevice, recordNoSale, saveDevice } from '../../src/app/devices.js';
import { importProducts } from '../../src/app/import.js';
import { createInvoice } from '../../src/app/invoices.js';
import { type DocumentDraft, issueDocument } from '../../src/app/issue.js';
import { verifyJournal } from '../../src/app/journal.js';
import { openApp } from '../../src/app/open.js';
import { appendEvent } from '../../src/app/outbox.js';
import { addProduct, adjustStock, removeProduct, setProduct } from '../../src/app/products.js';
import { exchange, refund } from '../../src/app/refunds.js';
import { commitTillSale, receiptJson, sell } from '../../src/app/sales.js';
import { addSeries, listSeries, setSeries } from '../../src/app/series.js';
import { changeSetting } from '../../src/app/settings.js';
import { cashMove, closeShift, openShift } from '../../src/app/shifts.js';
import { addTax } from '../../src/app/taxes.js';
import { moveAfterFork } from '../../src/app/sync.js';
import { addUser, disableUser, setPin, setRole } from '../../src/app/users.js';
import { findProduct, sellable } from '../../src/app/products.js';
import { buildVariableMeasure } from '../../src/core/barcode.js';
import { addLine, emptyCart, overridePrice, setLineDiscount } from '../../src/core/cart.js';
import { DOC_TYPES } from '../../src/core/numbering.js';
import { EVENT_TYPES, EVENT_VERSION } from '../../src/sync/contract.js';
import { type OutboxEvent, type OutboxRow, parseEvent } from '../../src/sync/events.js';
import { caught, FIXTURES, makeShopWithCatalog, tempDir } from '../helpers.js';

const dir = tempDir('tpv-outbox-');
let app: App;
let n = 0;
let clock = new Date('2026-11-21T10:00:00Z');

const store = (): Promise<App> => makeShopWithCatalog(dir, `outbox-${n++}.db`, () => clock);

beforeEach(async () => {
  clock = new Date('2026-11-21T10:00:00Z');
  app = await store();
});
afterEach(() => app.close());

const admin = (): UserRow => actingUser(app.db);
const cash = (amount: string) => [{ method: 'cash', amount }];

function outbox(a: App = app): OutboxEvent[] {
  return (a.db.prepare('SELECT seq, id, type, version, payload, created_at FROM outbox ORDER BY seq').all() as OutboxRow[]).map(parseEvent);
}

/** Runs a use case; it must append exactly one event, of `type` (none when `type` is null). */
function oneEvent<T>(type: OutboxEvent['type'] | null, run: () => T): T {
  const before = outbox().length;
  const result = run();
  const after = outbox();
  expect(after.length - before, `events appended by a ${type ?? 'non-evented'} use case`).toBe(type === null ? 0 : 1);
  if (type !== null) expect(after.at(-1)!.type).toBe(type);
  return result;
}

async function oneEventAsync<T>(type: OutboxEvent['type'], run: () => Promise<T>): Promise<T> {
  const before = outbox().length;
  const result = await run();
  const after = outbox();
  expect(after.length - before, `events appended by ${type}`).toBe(1);
  expect(after.at(-1)!.type).toBe(type);
  return result;
}

describe('the pipeline', () => {
  it('issues every document type, each seen by the document hook inside its transaction, journaled', () => {
    const seen: { type: string; number: string; inTransaction: boolean }[] = [];
    const hook: DocumentHook = (a, doc) => void seen.push({ type: doc.type, number: doc.number, inTransaction: a.db.inTransaction });
    app.documentHooks.push(hook);
    openShift(app, admin(), 10000);
    const sale = sell(app, { lines: [{ code: 'LAC-001', qty: '3' }], payments: cash('10') }, admin()).receipt;
    addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES' });
    createInvoice(app, sale.number, 'B12345674', admin());
    refund(app, sale.number, { lines: [{ line: 1, qty: '1' }], method: 'cash' }, admin());
    const other = sell(app, { lines: [{ code: 'LAC-001', qty: '1' }], payments: cash('5') }, admin()).receipt;
    exchange(app, other.number, { lines: [{ line: 1 }], method: 'cash', sale: { lines: [{ code: 'LAC-002' }], payments: cash('5') } }, admin());
    closeShift(app, admin(), 10000);

    const documents = app.db.prepare('SELECT type, number FROM documents ORDER BY id').all() as { type: string; number: string }[];
    expect(seen.map(({ type, number }) => ({ type, number }))).toEqual(documents);
    expect(seen.every((s) => s.inTransaction)).toBe(true);
    expect(new Set(seen.map((s) => s.type))).toEqual(new Set(DOC_TYPES));
    // every document, and the shift's opening
    expect(verifyJournal(app.db)).toMatchObject({ ok: true, entries: documents.length + 1 });
  });

  it('a hook that fails rolls the document back: no number taken, no journal entry, no event', () => {
    openShift(app, admin(), 0);
    app.documentHooks.push(() => {
      throw new Error('the fiscal scheme refused it');
    });
    const events = outbox().length;
    expect(() => sell(app, { lines: [{ code: 'LAC-001' }], payments: cash('5') }, admin())).toThrow('the fiscal scheme refused it');
    app.documentHooks.length = 0;
    expect(outbox().length).toBe(events);
    expect(verifyJournal(app.db)).toMatchObject({ ok: true, entries: 1 }); // the shift's opening only
    expect(sell(app, { lines: [{ code: 'LAC-001' }], payments: cash('5') }, admin()).receipt.number).toBe('T01-000001');
  });

  it('a document written without its event never commits', () => {
    const draft: DocumentDraft = {
      userId: admin().id,
      shiftId: null,
      refId: null,
      customerId: null,
      externalId: null,
      pricesIncludeTax: true,
      currency: 'EUR',
      subtotal: 0,
      discount: 0,
      total: 0,
      tendered: 0,
      change: 0,
      rounding: 0,
      approvals: [],
      note: null,
      body: null,
      lines: [],
      taxes: [],
      payments: [],
    };
    expect(() => issueDocument(app, 'receipt', () => draft)).toThrow(/inside the transaction/);
    expect(() => inTransaction(app, () => issueDocument(app, 'receipt', () => draft))).toThrow(/without an outbox event: T01-000001/);
    expect(app.db.prepare('SELECT count(*) FROM documents').pluck().get()).toBe(0);
    // an event that leaves the document out is refused too
    expect(() =>
      inTransaction(app, () => {
        issueDocument(app, 'receipt', () => draft);
        appendEvent(app, 'no_sale', { user: 'admin', reason: 'x', drawer: 'drawer', at: '2026-11-21T11:00:00+01:00', approval: null });
      }),
    ).toThrow(/does not carry T01-000001/);
    expect(app.db.prepare('SELECT count(*) FROM documents').pluck().get()).toBe(0);
    expect(app.db.prepare("SELECT count(*) FROM outbox WHERE type = 'no_sale'").pluck().get()).toBe(0);
  });
});

describe('the outbox contract', () => {
  it('every write use case appends exactly one event, and every event parses with its schema', async () => {
    const events0 = outbox();
    // the store, then its catalog: one event per write batch of the import (batches are cut by time too)
    expect(events0[0]!.type).toBe('store_init');
    expect(events0.length).toBeGreaterThan(1);
    expect(events0.slice(1).every((e) => e.type === 'products')).toBe(true);
    expect(events0.slice(1).flatMap((e) => (e.type === 'products' ? e.payload.products : [])).length).toBe(
      app.db.prepare('SELECT count(*) FROM products').pluck().get(),
    );
    const a = admin();
    // users, settings, series, taxes
    const sup = oneEvent('user', () => addUser(app, a, { code: 'sup', name: 'Sam Super', role: 'supervisor', pin: '1357' }));
    oneEvent('user', () => addUser(app, a, { code: 'ana', name: 'Ana', role: 'cashier', pin: '2468' }));
    oneEvent('user', () => addUser(app, a, { code: 'leo', name: 'Leo', role: 'cashier', pin: '3579' }));
    oneEvent('user', () => setPin(app, a, 'ana', '1122'));
    oneEvent('user', () => setRole(app, a, 'ana', 'supervisor'));
    oneEvent('user', () => disableUser(app, a, 'ana'));
    await oneEventAsync('settings', () => changeSetting(app, a, 'sales.cash_rounding', '0.05'));
    oneEvent('series', () => setSeries(app, a, 'T01', 'invoice', { template: '{register}F{yyyy}-{n:5}' }));
    oneEvent('series', () => addSeries(app, a, 'T02', 'receipt', {}));
    oneEvent(null, () => listSeries(app));
    oneEvent('tax_category', () => addTax(app, a, 500));
    // catalog and customers
    oneEvent('products', () => addProduct(app, a, { sku: 'CAF-001', name: 'Café', price: '3.45', tax_rate: '10', barcodes: '8412345678905', stock: '12' }));
    oneEvent('products', () => setProduct(app, a, 'CAF-001', { price: '3.55' }));
    oneEvent('stock_adjust', () => adjustStock(app, a, 'CAF-001', -2000, 'caducado'));
    oneEvent('products', () => removeProduct(app, a, 'CAF-001'));
    await oneEventAsync('products', () => importProducts(app, a, createReadStream(join(FIXTURES, 'imports', 'valid.jsonl')), null, { format: 'jsonl' }));
    const customer = oneEvent('customers', () => addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES', address: 'Calle Mayor 1' }));
    oneEvent('customers', () => setCustomer(app, 'B12345674', { email: 'compras@sol.es' }));
    const csv = join(dir, `customers-${n}.csv`);
    writeFileSync(csv, 'name,tax_id,country\nBar Pepe,,ES\nLuis Pérez,12345678Z,ES\n');
    oneEvent('customers', () => importCustomers(app, a, csv));
    // the shift and what happens in it
    oneEvent('shift_open', () => openShift(app, a, 10000));
    oneEvent('cash_move', () => cashMove(app, a, 'in', 2000, 'cambio'));
    oneEvent('cash_move', () => cashMove(app, a, 'out', 500, 'proveedor'));
    const credit = oneEvent('credit_issue', () => issueCredit(app, 1000, a));
    const lost = issueCredit(app, 300, a);
    oneEvent('credit_void', () => voidCredit(app, lost.code, a, 'lost'));
    const gift = oneEvent('sale', () => sell(app, { lines: [{ voucher: '25.00' }], payments: cash('25') }, a)).receipt;
    const sale = oneEvent('sale', () =>
      sell(
        app,
        {
          lines: [{ code: 'LAC-001', qty: '3', discount: '50%' }, { code: 'FRU-001', qty: '0.750' }],
          payments: [{ method: 'store_credit', amount: '1.00', code: credit.code }, ...cash('20')],
          customer: 'B12345674',
        },
        actingUser(app.db, 'leo'),
        { code: 'sup', pin: '1357' },
      ),
    ).receipt;
    oneEvent('invoice', () => createInvoice(app, sale.number, 'B12345674', a));
    const back = oneEvent('refund', () => refund(app, sale.number, { lines: [{ line: 1, qty: '1' }], method: 'store_credit' }, a));
    expect(back.creditNote).not.toBeNull();
    oneEvent('refund', () => refund(app, null, { lines: [{ code: 'LAC-001', qty: '1' }], method: 'store_credit' }, a));
    oneEvent('exchange', () => exchange(app, sale.number, { lines: [{ line: 2 }], method: 'cash', sale: { lines: [{ code: 'LAC-002' }], payments: cash('5') } }, a));
    oneEvent('credit_expire', () => {
      clock = new Date('2028-01-01T10:00:00Z');
      return expireDue(app, a);
    });
    // the drawer: its device is the register's own (no event), the "no sale" is one
    oneEvent(null, () => saveDevice(app, a, parseDevice('drawer', { url: `file:${join(dir, 'drawer.bin')}` }, () => true), false));
    oneEvent('no_sale', () => recordNoSale(app, a, 'change for the bank'));
    // carts are not facts until sold
    oneEvent(null, () => {
      saveOpenCart(app, a.id, emptyCart());
      const cart = addLine(emptyCart(), { sku: 'LAC-001', name: 'Leche', unit: 'each', unitPrice: 99, taxRate: 400 });
      if (!cart.ok) throw new Error(cart.problem.code);
      saveOpenCart(app, a.id, cart.value);
      const held = holdCart(app, a.id);
      discardCart(app, held.id);
    });
    oneEvent('shift_close', () => closeShift(app, a, 30000));
    // `tpv sync resolve` on a till behind its server: the event that says so (its own seq past the server's)
    const last = outbox().at(-1)!.seq;
    oneEvent('resync', () => moveAfterFork(app, { server: 'ws://127.0.0.1:8787', fork: last, serverHwm: last + 5, by: a.code }));
    expect(outbox().at(-1)!.seq).toBe(last + 6);

    const events = outbox();
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.every((e) => e.version === EVENT_VERSION)).toBe(true);
    // the contract covers every event type committed here, and this test commits every type there is
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    // no row ids: documents are named by number, people by code, shifts and customers by uid
    const text = JSON.stringify(events.map((e) => e.payload));
    expect(text).not.toMatch(/"(user_id|shift_id|customer_id|document_id|ref_id|product_id|category_id)"/);
    expect(gift.lines[0]!.note).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    expect(customer.id).toBeGreaterThan(0);
    expect(sup.role).toBe('supervisor');
  });

  it("a sale's event holds the whole receipt: lines, taxes, payments, approvals, customer, credits and its journal link", () => {
    const a = admin();
    addUser(app, a, { code: 'sup', name: 'Sam Super', role: 'supervisor', pin: '1357' });
    addUser(app, a, { code: 'ana', name: 'Ana', role: 'cashier', pin: '2468' });
    const ana = actingUser(app.db, 'ana');
    const c = addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES' });
    openShift(app, a, 0);
    const credit = issueCredit(app, 150, a);
    const { receipt } = sell(
      app,
      {
        lines: [{ code: 'LAC-001', qty: '3', discount: '20%' }, { code: 'FRU-001', qty: '0.750' }, { voucher: '10.00' }],
        discount: '5%',
        payments: cash('20'),
        customer: 'B12345674',
      },
      ana,
      { code: 'sup', pin: '1357' },
    );
    const sold = sell(app, { lines: [{ code: 'LAC-001' }], payments: [{ method: 'store_credit', amount: '0.99', code: credit.code }] }, a).receipt;
    const events = outbox().filter((e) => e.type === 'sale');
    const first = events[0]!;
    if (first.type !== 'sale') throw new Error('not a sale');
    const doc = first.payload.receipt;
    const json = receiptJson(app, receipt);
    expect(doc).toMatchObject({
      type: 'receipt',
      number: receipt.number,
      register: 'T01',
      seq: 1,
      user: 'ana',
      created_at: json.created_at,
      total: json.total,
      subtotal: json.subtotal,
      discount: json.discount,
      change: json.change,
      approvals: json.approvals,
      customer: { name: c.name, tax_id: c.tax_id, uid: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      taxes: json.taxes,
      payments: json.payments.map((p) => ({ ...p, reference: p.reference ?? null })),
    });
    expect(doc.approvals.map((x) => x.action)).toEqual(['discount_over_limit']);
    expect(doc.lines.map((l) => ({ line: l.line, sku: l.sku, qty: l.qty, unit_price: l.unit_price, amount: l.amount, tax_rate: l.tax_rate, goods: l.goods }))).toEqual(
      json.lines.map((l) => ({ line: l.line, sku: l.sku, qty: l.qty, unit_price: l.unit_price, amount: l.amount, tax_rate: l.tax_rate, goods: l.voucher === undefined })),
    );
    // the journal link is the till's own
    const link = app.db.prepare('SELECT prev_hash AS prev, hash FROM journal WHERE document_id = ?').get(receipt.id);
    expect(doc.journal).toEqual(link);
    expect(doc.shift).toBe(app.db.prepare('SELECT uid FROM shifts WHERE id = ?').pluck().get(receipt.shiftId));
    // the voucher sold: its code issued, by this receipt
    expect(first.payload.credits).toEqual([expect.objectContaining({ kind: 'issue', amount: '10.00', ref: receipt.number, origin: 'voucher' })]);
    // a sale paid with store credit carries the redemption
    const second = events[1]!;
    if (second.type !== 'sale') throw new Error('not a sale');
    expect(second.payload.receipt.number).toBe(sold.number);
    expect(second.payload.credits).toEqual([expect.objectContaining({ code: credit.code, kind: 'redeem', amount: '-0.99', ref: sold.number })]);
  });
});

describe('outbox rows from before the contract', () => {
  it('are rebuilt from the documents when the database is opened: same ids, one refund event with its corrective invoice', async () => {
    const a = admin();
    openShift(app, a, 10000);
    const sale = sell(app, { lines: [{ code: 'LAC-001', qty: '2' }], payments: cash('10') }, a).receipt;
    addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES' });
    createInvoice(app, sale.number, 'B12345674', a);
    const r = refund(app, sale.number, { lines: [{ line: 1, qty: '1' }], method: 'cash' }, a);
    cashMove(app, a, 'out', 100, 'proveedor');
    const z = closeShift(app, a, 10000);
    const shift = app.db.prepare('SELECT id, uid, opened_at FROM shifts').get() as { id: number; uid: string; opened_at: string };
    // what tpv wrote before the contract (src/app/outbox.ts at f1dd7e0)
    const legacy: [string, unknown][] = [
      ['shift_open', { register: 'T01', shift: shift.id, at: shift.opened_at, float: 10000, user: 'admin' }],
      ['sale', { number: sale.number, register: 'T01', total: '1.98', created_at: sale.createdAt }],
      ['invoice', { number: 'T01F-000001', receipt: sale.number, customer: 'B12345674', created_at: sale.createdAt }],
      ['refund', { number: r.refund.number, receipt: sale.number, register: 'T01', created_at: r.refund.createdAt }],
      ['credit_note', { number: r.creditNote!.number, invoice: 'T01F-000001', refund: r.refund.number, created_at: r.refund.createdAt }],
      ['cash_move', { shift: shift.id, kind: 'out', amount: 100, reason: 'proveedor', user: 'admin', at: shift.opened_at, approval: null }],
      ['shift_close', { z: z.number, shift: shift.id, figures: {} }],
    ];
    app.db.prepare('DELETE FROM outbox').run();
    const insert = app.db.prepare("INSERT INTO outbox (id, type, version, payload, created_at) VALUES (?, ?, 0, ?, '2026-11-21T10:00:00.000Z')");
    const ids = legacy.map(([type, payload], i) => {
      const id = `0190a1b2-c3d4-7e5f-8a9b-${String(i).padStart(12, '0')}`;
      insert.run(id, type, JSON.stringify(payload));
      return id;
    });
    app.close();
    app = await openApp(app.path);
    const events = outbox();
    expect(events.map((e) => e.type)).toEqual(['shift_open', 'sale', 'invoice', 'refund', 'cash_move', 'shift_close']);
    expect(events.map((e) => e.id)).toEqual(ids.filter((_, i) => i !== 4));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const refundEvent = events[3]!;
    if (refundEvent.type !== 'refund') throw new Error('not a refund');
    expect(refundEvent.payload.refund.number).toBe(r.refund.number);
    expect(refundEvent.payload.credit_note?.number).toBe(r.creditNote!.number);
    expect(events[0]!.payload).toMatchObject({ shift: shift.uid, float: '100.00' });
    expect(events[4]!.payload).toMatchObject({ shift: shift.uid, amount: '1.00' });
    // opened again: nothing left to upgrade, nothing changes
    app.close();
    app = await openApp(app.path);
    expect(outbox()).toEqual(events);
  });
});

describe('the store profile', () => {
  it('is re-read when another process changes a setting', async () => {
    const other = await openApp(app.path);
    try {
      expect(app.profile.cashIncrement).toBe(1);
      await changeSetting(other, actingUser(other.db), 'sales.cash_rounding', '0.05');
      expect(other.profile.cashIncrement).toBe(5);
      expect(app.profile.cashIncrement).toBe(5);
      openShift(app, admin(), 0);
      // LAC-001 0.99 × 3 = 2.97: this till now settles cash to 0.05
      expect(sell(app, { lines: [{ code: 'LAC-001', qty: '3' }], payments: cash('5') }, admin()).receipt.rounding).toBe(-2);
    } finally {
      other.close();
    }
  });
});

describe("the till's cart, re-checked at commit", () => {
  const line = (price = 99) => {
    const r = addLine(emptyCart(), { sku: 'LAC-001', name: 'Leche entera 1 L', unit: 'each', unitPrice: price, taxRate: 400 });
    if (!r.ok) throw new Error(r.problem.code);
    return r.value;
  };
  const till = (cart: ReturnType<typeof line>, approvals: { action: string; by: string; at: string }[] = []) => ({
    cart,
    vouchers: [],
    approvals,
    customerId: null,
    payments: [{ method: 'cash', amount: 5000 }],
  });

  beforeEach(() => {
    addUser(app, admin(), { code: 'ana', name: 'Ana', role: 'cashier', pin: '2468' });
    addUser(app, admin(), { code: 'sup', name: 'Sam', role: 'supervisor', pin: '1357' });
    openShift(app, admin(), 0);
  });
  const ana = () => actingUser(app.db, 'ana');
  const at = '2026-11-21T11:00:00+01:00';

  it('sells what the catalog says', () => {
    expect(commitTillSale(app, till(line()), ana()).total).toBe(99);
  });

  it('refuses a price the catalog does not have, or a tax rate it does not have', () => {
    expect(caught(() => commitTillSale(app, till(line(1)), ana()))).toMatchObject({ kind: 'conflict', code: 'sale.price_changed', params: { sku: 'LAC-001' } });
    const taxed = addLine(emptyCart(), { sku: 'LAC-001', name: 'Leche entera 1 L', unit: 'each', unitPrice: 99, taxRate: 0 });
    if (!taxed.ok) throw new Error('no cart');
    expect(caught(() => commitTillSale(app, till(taxed.value), ana()))).toMatchObject({ code: 'sale.price_changed' });
  });

  it('needs the approvals the cart needs, from an active user whose role may give them', () => {
    const overridden = overridePrice(line(), 1, 50);
    if (!overridden.ok) throw new Error('no cart');
    expect(caught(() => commitTillSale(app, till(overridden.value), ana()))).toMatchObject({ code: 'permission.needs_approval', params: { action: 'price_override' } });
    // an approval a cashier "gave", or one by nobody, is not one
    expect(caught(() => commitTillSale(app, till(overridden.value, [{ action: 'price_override', by: 'ana', at }]), ana()))).toMatchObject({ code: 'permission.needs_approval' });
    expect(caught(() => commitTillSale(app, till(overridden.value, [{ action: 'price_override', by: 'ghost', at }]), ana()))).toMatchObject({ code: 'permission.needs_approval' });
    expect(commitTillSale(app, till(overridden.value, [{ action: 'price_override', by: 'sup', at }]), ana()).total).toBe(50);
    const discounted = setLineDiscount(line(), 1, { kind: 'percent', bp: 5000 });
    if (!discounted.ok) throw new Error('no cart');
    expect(caught(() => commitTillSale(app, till(discounted.value), ana()))).toMatchObject({ code: 'permission.needs_approval', params: { action: 'discount_over_limit' } });
    expect(commitTillSale(app, till(discounted.value), admin()).total).toBe(49);
  });

  it('sells a scale label at the price printed on it, and a weight label at the catalog price', () => {
    // a product the scale prices by weight: its labels (prefix 20) carry the price
    addProduct(app, admin(), { sku: 'QUE-009', name: 'Queso al corte', price: '18.90', tax_rate: '10', unit: 'kg', barcodes: '2000999000003' });
    const label = buildVariableMeasure('20', '00999', 1234, app.profile.barcodes);
    const priced = sellable(findProduct(app, label));
    const cart = addLine(emptyCart(), priced);
    if (!cart.ok) throw new Error(cart.problem.code);
    expect(cart.value.lines[0]).toMatchObject({ unitPrice: 1234, label });
    expect(commitTillSale(app, till(cart.value), ana()).total).toBe(1234);
    // the same line without its label is a price the catalog does not have
    const { label: _label, ...unlabelled } = cart.value.lines[0]!;
    expect(caught(() => commitTillSale(app, till({ ...cart.value, lines: [unlabelled] }), ana()))).toMatchObject({ code: 'sale.price_changed' });
    // a weight label: the catalog's price per kg, the label's weight
    const weighed = addLine(emptyCart(), sellable(findProduct(app, '2500101012349')));
    if (!weighed.ok) throw new Error(weighed.problem.code);
    expect(commitTillSale(app, till(weighed.value), ana()).lines[0]).toMatchObject({ sku: 'FRU-001', qty: 1234, unitPrice: 249 });
  });
});
