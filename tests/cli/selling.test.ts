/**
 * Selling through the CLI (in-process) — `tpv sale`, permissions and approvals, users,
 * cash rounding, `tpv sales import`, receipts, sales reports and the audit journal. One demo
 * store (`tpv init --demo`) for the whole file; the tests run in order and build on each other.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type RunResult, tempDir } from '../helpers.js';
import { AGUA, ANA, APPROVE, at, cents, GALLETAS, JAMON, missingSaleFile, pinOf, saleAt, type SaleBody, saleErrorNamesTheField, saleNeedsOpenShift, type Shop, SUP, workedExample, workedExampleStore } from '../scenarios.js';

const dir = tempDir('tpv-selling-');
const DB = join(dir, 'shop.db');
const shop: Shop = { run: cli, db: DB, dir };
const run = at(shop);
const sell = saleAt(shop);

const sum = (xs: string[]): number => xs.reduce((a, x) => a + cents(x), 0);

/** Every printed line fits the paper (characters, not bytes: "€" and accents count one). */
const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

async function receiptCount(): Promise<number> {
  const r = await run(['receipts', 'list', '--limit', '1000', '--json']);
  expect(r.code).toBe(0);
  return r.json.data.length;
}

// what earlier tests leave for later ones
let first: { number: string; json: Record<string, unknown> } | undefined;
let today = '';

beforeAll(async () => {
  const init = await workedExampleStore(shop, ANA, SUP);
  expect(init.json.data.products).toBeGreaterThanOrEqual(300);
});

describe('tpv sale', () => {
  it('needs an open shift (exit 5 shift.none_open); then sells once one is open', () => saleNeedsOpenShift(shop));

  it('the worked example: 3 × 1.99 (21 %), 1 × 0.85 (10 %), 0.750 kg × 12.90 (10 %) = 16.50', async () => {
    const receipt = await workedExample(shop);
    first = { number: receipt.number, json: receipt };
    today = receipt.created_at.slice(0, 10);
  });

  it('the sale of the issue from --file: barcode, weighed line with its own discount, a cart discount, weight barcode', async () => {
    const file = join(dir, 'sale.json');
    writeFileSync(
      file,
      JSON.stringify({
        lines: [
          { code: '8490300000015', qty: '3' }, // LAC-001 0.99 at 4 %
          { code: 'FRU-001', qty: '0.750', discount: '10%' }, // 2.49 / kg
          { code: '2500101012349' }, // FRU-001, 1.234 kg in the barcode
        ],
        discount: '5%',
        payments: [{ method: 'cash', amount: '20.00' }],
        customer: null,
      }),
    );
    const r = await run(['sale', '--file', file, '--json']);
    expect(r.code, r.stdout).toBe(0);
    const x = r.json.data.receipt;
    // 2.97 + (1.87 − 0.19) + 3.07 = 7.72; 5 % of it = 0.39 off → 7.33, all at 4 %
    expect(x.number).toBe('T01-000002');
    expect(x.lines.map((l: { sku: string }) => l.sku)).toEqual(['LAC-001', 'FRU-001', 'FRU-001']);
    expect(x.lines[2].qty).toBe('1.234');
    expect(x.lines.map((l: { amount: string }) => l.amount)).toEqual(['2.82', '1.60', '2.91']);
    expect(x).toMatchObject({ total: '7.33', discount: '0.58', taxes: [{ rate: '4', base: '7.05', tax: '0.28' }], change: '12.67' });
    // the invariants scripts rely on
    expect(sum(x.lines.map((l: { amount: string }) => l.amount))).toBe(cents(x.total));
    expect(sum(x.lines.map((l: { discount: string }) => l.discount))).toBe(cents(x.discount));
    expect(x.taxes.reduce((a: number, t: { base: string; tax: string }) => a + cents(t.base) + cents(t.tax), 0)).toBe(cents(x.total));
  });

  it('an unknown code is exit 4; short payment exit 5; nothing is sold and no number is used', async () => {
    const before = await receiptCount();
    const unknown = await sell({ lines: [{ code: 'NOPE-999' }], payments: [{ method: 'cash', amount: '5.00' }] });
    expect(unknown.code).toBe(4);
    expect(unknown.json.error.code).toBe('product.not_found');
    const short = await sell({ lines: [{ code: GALLETAS.sku, qty: '2' }], payments: [{ method: 'cash', amount: '3.00' }] });
    expect(short.code).toBe(5);
    expect(short.json.error).toMatchObject({ code: 'payment.short', details: { missing: '0.98' } });
    expect(await receiptCount()).toBe(before);
    const next = await sell({ lines: [{ code: GALLETAS.sku }], payments: [{ method: 'card', amount: '1.99' }] });
    expect(next.json.data.receipt.number).toBe('T01-000003'); // gapless
  });

  it('bad input is exit 3 and names the field (in the JSON details)', async () => {
    const cases: [unknown, string][] = [
      [{ lines: [{ code: GALLETAS.sku, qty: 'x' }], payments: [{ method: 'cash', amount: '2' }] }, 'lines[0].qty'],
      [{ lines: [{ code: GALLETAS.sku }, { code: AGUA.sku, qty: true }], payments: [{ method: 'cash', amount: '2' }] }, 'lines[1].qty'],
      [{ lines: [{ code: GALLETAS.sku, qty: '1.5' }], payments: [{ method: 'cash', amount: '2' }] }, 'lines[0].qty'],
      [{ lines: [{ code: GALLETAS.sku }], payments: [{ method: 'cash', amount: '1.999' }] }, 'payments[0].amount'],
      [{ lines: [{ code: GALLETAS.sku }], payments: [{ method: 'bitcoin', amount: '2' }] }, 'payments[0].method'],
      [{ lines: [{ code: GALLETAS.sku, discount: 'mucho' }], payments: [{ method: 'cash', amount: '2' }] }, 'lines[0].discount'],
    ];
    for (const [body, field] of cases) {
      const r = await sell(JSON.stringify(body));
      expect(r.code, JSON.stringify(body)).toBe(3);
      expect(r.json.error.details.field, JSON.stringify(body)).toBe(field);
    }
    const notJson = await sell('{"lines": [');
    expect(notJson.code).toBe(3);
    expect(notJson.json.error.code).toBe('sale.json');
  });

  it('the error message itself names the field, also without --json', () => saleErrorNamesTheField(shop));

  it('a missing --file is exit 4 (file not found), for tpv sale and tpv sales import', () => missingSaleFile(shop));

  it('a sale with an "id" is never sold twice', async () => {
    const body: SaleBody = { id: 'web-0001', lines: [{ code: AGUA.sku, qty: '2' }], payments: [{ method: 'card', amount: '1.70' }] };
    const a = await sell(body);
    expect(a.code).toBe(0);
    expect(a.json.data).toMatchObject({ duplicate: false, receipt: { id: 'web-0001', total: '1.70' } });
    const b = await sell(body);
    expect(b.code).toBe(0);
    expect(b.json.data).toMatchObject({ duplicate: true, receipt: { number: a.json.data.receipt.number } });
  });
});

describe('permissions and approvals', () => {
  const over = (discount: string): SaleBody => ({ lines: [{ code: GALLETAS.sku, discount }], payments: [{ method: 'cash', amount: '5.00' }] });

  it('a cashier may discount up to the store limit (10 %), not above it', async () => {
    const ok = await sell(over('10%'), ['--user', 'ana'], pinOf(ANA));
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.json.data.receipt).toMatchObject({ user: 'ana', total: '1.79', approvals: [] });
    const no = await sell(over('20%'), ['--user', 'ana'], pinOf(ANA));
    expect(no.code).toBe(5);
    expect(no.json.error).toMatchObject({ code: 'permission.needs_approval', details: { action: 'discount_over_limit', user: 'ana' } });
    const cart = await sell({ lines: [{ code: GALLETAS.sku }], discount: '1.00', payments: [{ method: 'cash', amount: '5.00' }] }, ['--user', 'ana'], pinOf(ANA));
    expect(cart.code).toBe(5);
    expect(cart.json.error.code).toBe('permission.needs_approval');
  });

  it('a supervisor approves with --approver and TPV_APPROVER_PIN; the approval is on the receipt', async () => {
    const r = await sell(over('20%'), ['--user', 'ana', '--approver', 'sup'], { ...APPROVE, ...pinOf(ANA) });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.receipt).toMatchObject({ user: 'ana', total: '1.59' });
    expect(r.json.data.receipt.approvals).toEqual([expect.objectContaining({ action: 'discount_over_limit', by: 'sup' })]);
    const noPin = await sell(over('20%'), ['--user', 'ana', '--approver', 'sup'], pinOf(ANA));
    expect(noPin.code).toBe(2);
    const cashierApprover = await sell(over('20%'), ['--user', 'ana', '--approver', 'ana'], { TPV_APPROVER_PIN: '2468', ...pinOf(ANA) });
    expect(cashierApprover.code).toBe(5);
    expect(cashierApprover.json.error.code).toBe('permission.approver_role');
  });

  it('a price override: admin may; a cashier needs approval', async () => {
    const body: SaleBody = { lines: [{ code: GALLETAS.sku, price: '1.50' }], payments: [{ method: 'card', amount: '1.50' }] };
    const admin = await sell(body);
    expect(admin.code, admin.stdout).toBe(0);
    expect(admin.json.data.receipt).toMatchObject({ total: '1.50', approvals: [], lines: [{ unit_price: '1.50' }] });
    const cashier = await sell(body, ['--user', 'ana'], pinOf(ANA));
    expect(cashier.code).toBe(5);
    expect(cashier.json.error).toMatchObject({ code: 'permission.needs_approval', details: { action: 'price_override' } });
    const approved = await sell(body, ['--user', 'ana', '--approver', 'sup'], { ...APPROVE, ...pinOf(ANA) });
    expect(approved.code, approved.stdout).toBe(0);
    expect(approved.json.data.receipt.approvals).toEqual([expect.objectContaining({ action: 'price_override', by: 'sup' })]);
  });

  it('a wrong approver PIN is refused; 5 in a row lock the approver, then even the right PIN is refused', async () => {
    const wrong = { TPV_APPROVER_PIN: '0000', ...pinOf(ANA) };
    const flags = ['--user', 'ana', '--approver', 'sup'];
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await sell(over('20%'), flags, wrong);
      expect(r.code).toBe(5);
      codes.push(r.json.error.code);
    }
    expect(codes).toEqual(['user.pin_wrong', 'user.pin_wrong', 'user.pin_wrong', 'user.pin_wrong', 'user.locked']);
    const locked = await sell(over('20%'), flags, { ...APPROVE, ...pinOf(ANA) });
    expect(locked.code).toBe(5);
    expect(locked.json.error.code).toBe('user.locked');
  });

  it('users list, set-role, disable; the last admin stays; only an admin manages users', async () => {
    const list = await run(['users', 'list', '--json']);
    expect(list.code).toBe(0);
    const byCode = Object.fromEntries(list.json.data.map((u: { code: string }) => [u.code, u]));
    expect(byCode).toMatchObject({
      admin: { role: 'admin', active: true },
      ana: { role: 'cashier', active: true },
      sup: { role: 'supervisor', active: true },
    });
    expect(byCode.sup.locked_until).not.toBeNull();
    const byCashier = await run(['--user', 'ana', 'users', 'set-role', 'ana', 'admin', '--json'], { env: pinOf(ANA) });
    expect(byCashier.code).toBe(5);
    const role = await run(['users', 'set-role', 'ana', 'supervisor', '--json']);
    expect(role.json.data).toMatchObject({ code: 'ana', role: 'supervisor' });
    // a supervisor now: the 20 % discount needs nobody's approval
    const sup = await sell(over('20%'), ['--user', 'ana'], pinOf(ANA));
    expect(sup.code, sup.stdout).toBe(0);
    const lastAdmin = await run(['users', 'disable', 'admin', '--json']);
    expect(lastAdmin.code).toBe(5);
    expect(lastAdmin.json.error.code).toBe('user.last_admin');
    const disable = await run(['users', 'disable', 'ana', '--json']);
    expect(disable.json.data).toMatchObject({ code: 'ana', active: false });
    const sale = await sell({ lines: [{ code: AGUA.sku }], payments: [{ method: 'cash', amount: '1.00' }] }, ['--user', 'ana'], pinOf(ANA));
    expect(sale.code).toBe(5);
    expect(sale.json.error.code).toBe('user.pin_wrong'); // a disabled user answers like a wrong PIN
  });
});

describe('cash rounding and tenders', () => {
  beforeAll(async () => {
    const add = await run(['products', 'add', '--sku', 'RND-352', '--name', 'Vela aromática', '--price', '3.52', '--tax-rate', '21', '--json']);
    expect(add.code).toBe(0);
    const set = await run(['config', 'set', 'sales.cash_rounding', '0.05', '--json']);
    expect(set.code).toBe(0);
  });
  const pay = (...payments: [string, string][]): SaleBody => ({ lines: [{ code: 'RND-352' }], payments: payments.map(([method, amount]) => ({ method, amount })) });

  it('cash is rounded to 0.05: a total of 3.52 takes 3.50 in cash, rounding -0.02', async () => {
    const r = await sell(pay(['cash', '5.00']));
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.receipt).toMatchObject({ total: '3.52', payments: [{ method: 'cash', amount: '3.50' }], change: '1.50', rounding: '-0.02' });
    const exact = await sell(pay(['cash', '3.50']));
    expect(exact.json.data.receipt).toMatchObject({ payments: [{ method: 'cash', amount: '3.50' }], change: '0.00', rounding: '-0.02' });
  });

  it('card pays the exact total; split card + cash gives change from cash only; card over the total is refused', async () => {
    const card = await sell(pay(['card', '3.52']));
    expect(card.json.data.receipt).toMatchObject({ payments: [{ method: 'card', amount: '3.52' }], change: '0.00', rounding: '0.00' });
    const split = await sell(pay(['card', '2.00'], ['cash', '5.00']));
    expect(split.code, split.stdout).toBe(0);
    // 1.52 due in cash → 1.50; 5.00 given → 3.50 back
    expect(split.json.data.receipt).toMatchObject({
      payments: [
        { method: 'card', amount: '2.00' },
        { method: 'cash', amount: '1.50' },
      ],
      change: '3.50',
      rounding: '-0.02',
    });
    for (const body of [pay(['card', '4.00']), pay(['card', '4.00'], ['cash', '1.00'])]) {
      const over = await sell(body);
      expect(over.code).toBe(5);
      expect(over.json.error.code).toBe('payment.noncash_over_total');
    }
  });
});

describe('tpv sales import', () => {
  const good = [
    { id: 'imp-1', lines: [{ code: GALLETAS.sku, qty: '2' }], payments: [{ method: 'card', amount: '3.98' }] },
    { id: 'imp-2', lines: [{ code: 'LAC-001', qty: '6' }], payments: [{ method: 'cash', amount: '10.00' }] },
    { id: 'imp-3', lines: [{ code: JAMON.sku, qty: '0.200' }], payments: [{ method: 'card', amount: '2.58' }] },
  ];

  it('sells one sale per line; the same file again sells nothing (ids)', async () => {
    const file = join(dir, 'day.jsonl');
    writeFileSync(file, good.map((s) => JSON.stringify(s)).join('\n') + '\n');
    const before = await receiptCount();
    const r = await run(['sales', 'import', file, '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data).toMatchObject({ sold: 3, duplicates: 0, failed: 0 });
    expect(r.json.data.results.map((x: { line: number; ok: boolean }) => [x.line, x.ok])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    expect(await receiptCount()).toBe(before + 3);
    const again = await run(['sales', 'import', file, '--json']);
    expect(again.code).toBe(0);
    expect(again.json.data).toMatchObject({ sold: 0, duplicates: 3, failed: 0 });
    expect(again.json.data.results.map((x: { number: string }) => x.number)).toEqual(r.json.data.results.map((x: { number: string }) => x.number));
    expect(await receiptCount()).toBe(before + 3);
  });

  let mixed: RunResult | undefined;
  let mixedBefore = 0;
  it('a bad line is reported with its line number and the others still sell (exit 3, results in the error details)', async () => {
    const file = join(dir, 'mixed.jsonl');
    const lines = [
      JSON.stringify({ id: 'mix-1', lines: [{ code: AGUA.sku }], payments: [{ method: 'cash', amount: '1.00' }] }),
      JSON.stringify({ id: 'mix-2', lines: [{ code: 'NOPE-999' }], payments: [{ method: 'cash', amount: '1.00' }] }),
      JSON.stringify({ id: 'mix-3', lines: [{ code: AGUA.sku, qty: 'x' }], payments: [{ method: 'cash', amount: '1.00' }] }),
      JSON.stringify({ id: 'mix-4', lines: [{ code: 'LAC-001' }], payments: [{ method: 'card', amount: '0.99' }] }),
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    mixedBefore = await receiptCount();
    mixed = await run(['sales', 'import', file, '--json']);
    expect(mixed.code).toBe(3);
    // the error document (the last one printed)
    const doc = JSON.parse(mixed.stdout.trim().split('\n').pop()!);
    expect(doc).toMatchObject({ ok: false, error: { code: 'sales.some_failed', details: { sold: 2, failed: 2 } } });
    const results = doc.error.details.results;
    expect(results.map((x: { line: number; ok: boolean }) => [x.line, x.ok])).toEqual([
      [1, true],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(results[1].error.code).toBe('product.not_found');
    expect(results[2].error.code).toBe('decimal.malformed');
    expect(await receiptCount()).toBe(mixedBefore + 2);
  });

  it('--json prints exactly one document, also when some lines fail', () => {
    expect(mixed).toBeDefined();
    expect(mixed!.stdout.trim().split('\n')).toHaveLength(1);
    expect(mixed!.json).toMatchObject({ ok: false, error: { code: 'sales.some_failed' } });
  });

  it('the report of a bad line names the field', () => {
    const doc = JSON.parse(mixed!.stdout.trim().split('\n').pop()!);
    expect(JSON.stringify(doc.error.details.results[2].error)).toContain('lines[0].qty');
  });
});

describe('receipts', () => {
  it('list: all, and by date', async () => {
    const all = await run(['receipts', 'list', '--limit', '1000', '--json']);
    expect(all.code).toBe(0);
    expect(all.json.data[0]).toMatchObject({ number: 'T01-000001', user: 'admin', lines: 3, total: '16.50' });
    const range = await run(['receipts', 'list', '--from', today, '--to', today, '--limit', '1000', '--json']);
    expect(range.json.data).toHaveLength(all.json.data.length);
    const d = new Date(`${today}T12:00:00Z`);
    const shift = (days: number): string => new Date(d.getTime() + days * 86_400_000).toISOString().slice(0, 10);
    expect((await run(['receipts', 'list', '--from', shift(1), '--json'])).json.data).toEqual([]);
    expect((await run(['receipts', 'list', '--to', shift(-1), '--json'])).json.data).toEqual([]);
    expect((await run(['receipts', 'list', '--from', '21/11/2026', '--json'])).code).toBe(2);
  });

  it('show --json is the receipt as sold; an unknown number is exit 4', async () => {
    const r = await run(['receipts', 'show', first!.number, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data).toEqual(first!.json);
    const none = await run(['receipts', 'show', 'T01-999999', '--json']);
    expect(none.code).toBe(4);
    expect(none.json.error.code).toBe('receipt.not_found');
  });

  it('show prints the receipt: 42 columns (or --columns 32), in Spanish, --copy marks it', async () => {
    const text = await run(['receipts', 'show', first!.number]);
    expect(text.code).toBe(0);
    expect(widest(text.stdout)).toBeLessThanOrEqual(42);
    for (const s of ['Factura simplificada', first!.number, 'IVA', 'Base imponible', 'TOTAL', '16,50', 'Jamón cocido al corte']) expect(text.stdout).toContain(s);
    expect(text.stdout).not.toContain('COPIA');
    const narrow = await run(['receipts', 'show', first!.number, '--columns', '32', '--copy']);
    expect(narrow.code).toBe(0);
    expect(widest(narrow.stdout)).toBeLessThanOrEqual(32);
    expect(narrow.stdout).toContain('COPIA');
    expect(narrow.stdout).toContain('Base imponible');
    expect((await run(['receipts', 'show', first!.number, '--columns', '40'])).code).toBe(2);
  });

  it('no printed line is wider than the paper, even with a cashier with a long name', async () => {
    const add = await run(['users', 'add', 'maria', '--name', 'María de los Ángeles Fernández-Villaverde', '--role', 'cashier', '--json'], { input: '8642\n' });
    expect(add.code, add.stdout).toBe(0);
    const s = await sell({ lines: [{ code: AGUA.sku }], payments: [{ method: 'card', amount: '0.85' }] }, ['--user', 'maria'], { TPV_PIN: '8642' });
    expect(s.code, s.stdout).toBe(0);
    for (const columns of [42, 32]) {
      const r = await run(['receipts', 'show', s.json.data.receipt.number, '--columns', String(columns)]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('María');
      const tooWide = r.stdout.split('\n').filter((l) => [...l].length > columns);
      expect(tooWide, `${columns} columns`).toEqual([]);
    }
  });
});

describe('tpv report sales', () => {
  const BY = ['day', 'hour', 'product', 'category', 'tender', 'user', 'tax'] as const;

  it.each(BY)('--by %s --json: rows of decimal strings that add up to the total', async (by) => {
    const r = await run(['report', 'sales', '--from', today, '--to', today, '--by', by, '--json']);
    expect(r.code).toBe(0);
    const rep = r.json.data;
    expect(rep.by).toBe(by);
    expect(rep.rows.length).toBeGreaterThan(0);
    for (const row of rep.rows) expect(row.amount).toMatch(/^-?\d+\.\d{2}$/);
    expect(sum(rep.rows.map((x: { amount: string }) => x.amount))).toBe(cents(rep.total));
    if (by === 'tax') expect(rep.rows.map((x: { key: string }) => x.key)).toEqual(['21', '10', '4']);
    if (by === 'user') expect(rep.rows.map((x: { key: string }) => x.key).sort()).toEqual(['admin', 'ana', 'maria']);
    if (by === 'tender') expect(rep.rows.map((x: { key: string }) => x.key).sort()).toEqual(['card', 'cash', 'rounding']); // cash was rounded to 0.05 above
  });

  it('the whole period matches the receipts; table, --csv and --chart', async () => {
    const all = await run(['receipts', 'list', '--limit', '1000', '--json']);
    const json = await run(['report', 'sales', '--by', 'product', '--json']);
    expect(json.json.data.count).toBe(all.json.data.length);
    expect(cents(json.json.data.total)).toBe(sum(all.json.data.map((x: { total: string }) => x.total)));
    const table = await run(['report', 'sales', '--by', 'product']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Galletas María 800 g');
    expect(table.stdout).toMatch(/Total/);
    const csv = await run(['report', 'sales', '--by', 'product', '--csv']);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe('key,label,count,quantity,amount');
    expect(rows).toHaveLength(json.json.data.rows.length + 1);
    expect(rows).toContain(`${JAMON.sku},Jamón cocido al corte,2,0.95,12.26`); // 9.68 + 2.58
    const chart = await run(['report', 'sales', '--by', 'tax', '--chart']);
    expect(chart.code).toBe(0);
    expect(chart.stdout).toMatch(/█+/);
    expect((await run(['report', 'sales', '--by', 'week', '--json'])).code).toBe(2);
  });
});

describe('audit', () => {
  it('the journal verifies after sales; a total changed by hand is found (exit 5, naming the receipt)', async () => {
    const ok = await run(['audit', 'verify', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json.data).toMatchObject({ ok: true, broken: null });
    const d = new Database(DB);
    const facts = d.prepare('SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM shifts) + (SELECT count(*) FROM cash_moves)').pluck().get();
    expect(ok.json.data.entries).toBe(facts); // every document, shift opening and cash move
    d.exec('DROP TRIGGER documents_no_update');
    d.prepare("UPDATE documents SET total = total + 100 WHERE number = 'T01-000002'").run();
    d.close();
    const bad = await run(['audit', 'verify', '--json']);
    expect(bad.code).toBe(5);
    expect(bad.json.error.message).toContain('T01-000002');
    expect(bad.json.error.details.broken).toMatchObject({ number: 'T01-000002', reason: 'document_changed' });
  });
});
