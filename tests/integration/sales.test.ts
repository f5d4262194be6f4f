/** Selling through the app layer on real SQLite files: carts, shifts, series, journal. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discardCart, heldCarts, holdCart, openCart, recallCart, saveOpenCart } from '../../src/app/carts.js';
import type { App } from '../../src/app/context.js';
import { openApp } from '../../src/app/open.js';
import { auditStore } from '../../src/app/audit.js';
import { verifyJournal } from '../../src/app/journal.js';
import { commitTillSale, receiptJson, type SaleInput, sell, type TillSale } from '../../src/app/sales.js';
import { addProduct, findProduct, sellable } from '../../src/app/products.js';
import { addUser } from '../../src/app/users.js';
import { buildVariableMeasure } from '../../src/core/barcode.js';
import { setSeries } from '../../src/app/series.js';
import { cashMove, closeShift, openShift, shiftStatus } from '../../src/app/shifts.js';
import { actingUser } from '../../src/app/auth.js';
import { addLine, type Cart, emptyCart, setQuantity } from '../../src/core/cart.js';
import { caught, makeShopWithCatalog, setSetting, tempDir } from '../helpers.js';

const dir = tempDir();
let app: App;
let n = 0;
let clock = new Date('2026-11-21T10:00:00Z');

const store = (overrides = {}): Promise<App> => makeShopWithCatalog(dir, `sales-${n++}.db`, () => clock, overrides);

beforeEach(async () => {
  clock = new Date('2026-11-21T10:00:00Z');
  app = await store();
});
afterEach(() => app.close());

const admin = (): ReturnType<typeof actingUser> => actingUser(app.db);
const cash = (amount: string) => [{ method: 'cash', amount }];
const sale = (input: Partial<SaleInput> = {}) =>
  sell(app, { lines: [{ code: 'LAC-001', qty: '2' }], payments: cash('10'), ...input }, admin());


describe('a sale', () => {
  it('needs an open shift; then commits with the next number, stock moves, a journal entry and an outbox event', () => {
    expect(caught(() => sale())).toMatchObject({ kind: 'conflict', code: 'shift.none_open' });
    openShift(app, admin(), 10000);
    const before = app.db.prepare("SELECT on_hand FROM products WHERE sku = 'LAC-001'").pluck().get() as number;
    const { receipt } = sale();
    expect(receipt.number).toBe('T01-000001');
    expect(receipt.createdAt).toBe('2026-11-21T11:00:00+01:00');
    expect(app.db.prepare("SELECT on_hand FROM products WHERE sku = 'LAC-001'").pluck().get()).toBe(before - 2000);
    expect(app.db.prepare("SELECT count(*) FROM outbox WHERE type = 'sale'").pluck().get()).toBe(1);
    expect(verifyJournal(app.db)).toMatchObject({ ok: true, entries: 2 }); // the shift's opening, the sale
    expect(sale().receipt.number).toBe('T01-000002');
  });

  it('a refused sale leaves no trace and no gap in the numbers', () => {
    openShift(app, admin(), 0);
    sale();
    expect(caught(() => sale({ payments: cash('0.50') }))).toMatchObject({ code: 'payment.short' });
    expect(caught(() => sale({ lines: [{ code: 'NOPE' }] }))).toMatchObject({ kind: 'not_found' });
    expect(sale().receipt.number).toBe('T01-000002');
    expect(app.db.prepare('SELECT count(*) FROM stock_moves WHERE kind = ?').pluck().get('sale')).toBe(2);
  });

  it('in a store whose prices exclude tax, tax is added on top per rate', async () => {
    app.close();
    app = await store({ pricesIncludeTax: false });
    openShift(app, admin(), 0);
    // 3 × 1.00 net at 21% and 1 × 0.99 net at 4%
    app.db.prepare("UPDATE products SET price = 100 WHERE sku = 'LAC-002'").run();
    const { receipt } = sell(app, { lines: [{ code: 'LAC-001', qty: '1' }], payments: cash('5') }, admin());
    const json = receiptJson(app, receipt);
    expect(json.prices_include_tax).toBe(false);
    // 0.99 net at 4%: tax round(0.0396) = 0.04 → total 1.03
    expect(json).toMatchObject({ total: '1.03', taxes: [{ rate: '4', base: '0.99', tax: '0.04' }] });
  });

  it('cash rounding applies only to the cash part and is recorded', () => {
    setSetting(app, 'sales.cash_rounding', '0.05');
    openShift(app, admin(), 0);
    // LAC-001 0.99 × 3 = 2.97 → cash due 2.95
    const { receipt } = sale({ lines: [{ code: 'LAC-001', qty: '3' }], payments: cash('5') });
    expect(receiptJson(app, receipt)).toMatchObject({ total: '2.97', rounding: '-0.02', change: '2.05', payments: [{ method: 'cash', amount: '2.95' }] });
    const card = sale({ lines: [{ code: 'LAC-001', qty: '3' }], payments: [{ method: 'card', amount: '2.97' }] });
    expect(receiptJson(app, card.receipt)).toMatchObject({ rounding: '0.00', change: '0.00' });
  });
});

describe('shifts', () => {
  it('X and Z reports add up; a close is refused while a cart is held, unless forced by a supervisor', () => {
    openShift(app, admin(), 10000);
    sale({ lines: [{ code: 'LAC-001', qty: '10' }], payments: [{ method: 'card', amount: '4.00' }, { method: 'cash', amount: '10.00' }] });
    sale({ lines: [{ code: 'FRU-001', qty: '1.500' }], payments: cash('5') });
    cashMove(app, admin(), 'in', 2000, 'change');
    cashMove(app, admin(), 'out', 500, 'window cleaner');
    const x = shiftStatus(app);
    // 10 × 0.99 = 9.90 (4.00 card + 5.90 cash), 1.5 kg × 2.49 = 3.735 → 3.74 cash
    expect(x.cash).toMatchObject({ float: 10000, sales: 590 + 374, in: 2000, out: 500, expected: 10000 + 590 + 374 + 2000 - 500 });
    expect(x.receipts).toMatchObject({ count: 2, first: 'T01-000001', last: 'T01-000002', total: 990 + 374 });
    expect(x.tenders.find((t) => t.method === 'card')?.net).toBe(400);
    expect(x.taxes.reduce((a, t) => a + t.base + t.tax, 0)).toBe(990 + 374);
    expect(caught(() => cashMove(app, admin(), 'out', 1_000_000, 'too much'))).toMatchObject({ code: 'shift.cash_out_over' });

    saveOpenCart(app, admin().id, emptyCartWith('LAC-001'));
    holdCart(app, admin().id, 'señora del abrigo');
    expect(caught(() => closeShift(app, admin(), 12464))).toMatchObject({ code: 'shift.carts_pending' });
    const z = closeShift(app, admin(), 12464, { force: true });
    expect(z.number).toBe('T01Z-0001');
    expect(z.figures.cash).toMatchObject({ counted: 12464, difference: 12464 - x.cash.expected });
    expect(heldCarts(app)).toEqual([]);
    expect(caught(() => sale())).toMatchObject({ code: 'shift.none_open' });
    // 3 documents, the shift's opening (its float) and 2 cash moves
    expect(verifyJournal(app.db)).toMatchObject({ ok: true, entries: 6 });
    expect(auditStore(app.db)).toMatchObject({ ok: true, findings: [] });
  });
});

function emptyCartWith(sku: string) {
  const r = addLine(emptyCart(), { sku, name: sku, unit: 'each', unitPrice: 99, taxRate: 400 });
  if (!r.ok) throw new Error(r.problem.code);
  return r.value;
}

describe('carts', () => {
  it('the open cart survives a restart; held carts are recalled, also after a restart', async () => {
    const user = admin().id;
    saveOpenCart(app, user, emptyCartWith('LAC-001'));
    const path = app.path;
    app.close();
    app = await openApp(path);
    expect(openCart(app, user)?.cart.lines.map((l) => l.sku)).toEqual(['LAC-001']);
    const held = holdCart(app, user, 'mesa 2');
    expect(openCart(app, user)).toBeNull();
    saveOpenCart(app, user, emptyCartWith('FRU-001'));
    expect(caught(() => recallCart(app, user, held.id))).toMatchObject({ code: 'carts.open_exists' });
    discardCart(app, openCart(app, user)!.id);
    app.close();
    app = await openApp(path);
    expect(heldCarts(app).map((c) => c.label)).toEqual(['mesa 2']);
    expect(recallCart(app, user, held.id).cart.lines[0]!.sku).toBe('LAC-001');
    expect(heldCarts(app)).toEqual([]);
    saveOpenCart(app, user, emptyCart());
    expect(openCart(app, user)).toBeNull();
  });
});

describe('series and journal', () => {
  it('a yearly series starts again at 1 in a new year, in the store time zone', () => {
    setSeries(app, admin(), 'T01', 'receipt', { template: '{register}-{yyyy}-{n:4}', yearlyReset: true });
    openShift(app, admin(), 0);
    clock = new Date('2026-12-31T22:30:00Z'); // 23:30 in Madrid
    expect(sale().receipt.number).toBe('T01-2026-0001');
    expect(sale().receipt.number).toBe('T01-2026-0002');
    clock = new Date('2026-12-31T23:30:00Z'); // 00:30 on 1 January in Madrid
    expect(sale().receipt.number).toBe('T01-2027-0001');
  });

  it('a total edited by hand is found by the journal check, naming the document', () => {
    openShift(app, admin(), 0);
    sale();
    sale();
    sale();
    app.db.exec('DROP TRIGGER documents_no_update');
    app.db.prepare("UPDATE documents SET total = total + 1 WHERE number = 'T01-000002'").run();
    expect(verifyJournal(app.db)).toMatchObject({ ok: false, broken: { number: 'T01-000002', reason: 'document_changed' } });
  });

  it('a document cannot be changed or deleted while the triggers stand', () => {
    openShift(app, admin(), 0);
    sale();
    expect(() => app.db.prepare('UPDATE documents SET total = 0').run()).toThrow(/immutable/);
    expect(() => app.db.prepare('DELETE FROM document_lines').run()).toThrow(/immutable/);
    expect(() => app.db.prepare('DELETE FROM journal').run()).toThrow(/append-only/);
  });
});

describe('scale labels: the quantity printed on the label, or a supervisor', () => {
  /** Bananas weighed by the scale: 1.234 kg (FRU-001, 2.49/kg, weight labels with prefix 25). */
  const WEIGHED = '2500101012349';
  const count = (): number => app.db.prepare("SELECT count(*) FROM documents WHERE type = 'receipt'").pluck().get() as number;
  const ana = () => actingUser(app.db, 'ana');
  const sup = { code: 'sup', pin: '1357' };

  beforeEach(() => {
    addUser(app, admin(), { code: 'ana', name: 'Ana', role: 'cashier', pin: '2468' });
    addUser(app, admin(), { code: 'sup', name: 'Sam', role: 'supervisor', pin: '1357' });
    openShift(app, admin(), 0);
  });

  it('tpv sale: a weight label sold as printed needs nobody; another weight needs the price_override of a supervisor, recorded', () => {
    const asPrinted = sell(app, { lines: [{ code: WEIGHED }], payments: cash('10') }, ana()).receipt;
    expect(asPrinted.lines[0]).toMatchObject({ sku: 'FRU-001', qty: 1234, unitPrice: 249 });
    expect(sell(app, { lines: [{ code: WEIGHED, qty: '1.234' }], payments: cash('10') }, ana()).receipt.approvals).toEqual([]);

    const before = count();
    const refused = caught(() => sell(app, { lines: [{ code: WEIGHED, qty: '2' }], payments: cash('10') }, ana()));
    expect(refused).toMatchObject({ kind: 'conflict', code: 'permission.needs_approval', params: { action: 'price_override', user: 'ana', role: 'cashier' } });
    expect(count()).toBe(before); // nothing sold, no number used

    const approved = sell(app, { lines: [{ code: WEIGHED, qty: '2' }], payments: cash('10') }, ana(), sup).receipt;
    expect(approved.lines[0]).toMatchObject({ qty: 2000, amount: 498 });
    expect(approved.approvals).toEqual([expect.objectContaining({ action: 'price_override', by: 'sup', detail: `FRU-001 ${WEIGHED}: 1.234 → 2` })]);
    // a supervisor (or an admin) may change it alone, as any price
    expect(sell(app, { lines: [{ code: WEIGHED, qty: '0.5' }], payments: cash('10') }, actingUser(app.db, 'sup')).receipt.lines[0]!.qty).toBe(500);
  });

  it('tpv sale: a label priced by the scale is one unit; two of it is the same change', () => {
    addProduct(app, admin(), { sku: 'QUE-009', name: 'Queso al corte', price: '18.90', tax_rate: '10', unit: 'kg', barcodes: '2000999000003' });
    const priced = buildVariableMeasure('20', '00999', 1234, app.profile.barcodes);
    expect(sell(app, { lines: [{ code: priced, qty: '1' }], payments: cash('20') }, ana()).receipt.total).toBe(1234);
    expect(caught(() => sell(app, { lines: [{ code: priced, qty: '2' }], payments: cash('30') }, ana()))).toMatchObject({
      code: 'permission.needs_approval',
      params: { action: 'price_override' },
    });
    expect(sell(app, { lines: [{ code: priced, qty: '2' }], payments: cash('30') }, ana(), sup).receipt.total).toBe(2468);
  });

  it("the till's cart: a label's weight changed is refused at commit unless a supervisor's price_override came with it", () => {
    const labelled = addLine(emptyCart(), sellable(findProduct(app, WEIGHED)));
    if (!labelled.ok) throw new Error(labelled.problem.code);
    const edited = setQuantity(labelled.value, labelled.value.lines[0]!.id, 2000);
    if (!edited.ok) throw new Error(edited.problem.code);
    const till = (cart: Cart, approvals: TillSale['approvals'] = []): TillSale => ({ cart, vouchers: [], approvals, customerId: null, payments: [{ method: 'cash', amount: 1000 }] });
    const at = '2026-11-21T11:00:00+01:00';

    expect(commitTillSale(app, till(labelled.value), ana()).lines[0]).toMatchObject({ qty: 1234 });
    const before = count();
    expect(caught(() => commitTillSale(app, till(edited.value), ana()))).toMatchObject({ code: 'permission.needs_approval', params: { action: 'price_override' } });
    // an approval of something else, or "given" by a cashier, is not one
    expect(caught(() => commitTillSale(app, till(edited.value, [{ action: 'discount_over_limit', by: 'sup', at }]), ana()))).toMatchObject({ code: 'permission.needs_approval' });
    expect(caught(() => commitTillSale(app, till(edited.value, [{ action: 'price_override', by: 'ana', at }]), ana()))).toMatchObject({ code: 'permission.needs_approval' });
    expect(count()).toBe(before);
    // what the till records when the supervisor approved the edit (F4 on the label's line)
    const approval = { action: 'price_override', by: 'sup', at, detail: `FRU-001 ${WEIGHED}: 1,234 → 2` };
    const sold = commitTillSale(app, till(edited.value, [approval]), ana());
    expect(sold.lines[0]).toMatchObject({ qty: 2000, amount: 498 });
    expect(sold.approvals).toEqual([approval]);
    // a supervisor selling: their own right
    expect(commitTillSale(app, till(edited.value), actingUser(app.db, 'sup')).lines[0]!.qty).toBe(2000);
  });
});
