/**
 * What else follows a sale: gift vouchers (not taxed when sold), store credit going back to its
 * code on a refund, returns without a receipt, exchanges, and receipts found by their scan code.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';
import { ANA, cents, dearerExchange, demoStore, jsonAt, pinOf, receiptAt, refundByScanCode, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: cli, db: join(dir, 'exchanges.db'), dir };
const run = jsonAt(shop);
const sell = receiptAt(shop);

beforeAll(async () => {
  await demoStore(shop, ANA);
  expect((await run(['shift', 'open', '--float', '50'])).code).toBe(0);
});

describe('gift vouchers', () => {
  it('a voucher sold with goods: taxed goods only, the voucher code printed on its line and spendable', async () => {
    const r = await sell({ lines: [{ code: 'LAC-001', qty: '2' }, { voucher: '25' }], payments: [{ method: 'cash', amount: '30' }] });
    const goods = r.lines[0];
    const voucher = r.lines[1];
    expect(voucher).toMatchObject({ sku: 'VOUCHER', amount: '25.00', tax_rate: '0' });
    expect(voucher.voucher).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    expect(cents(r.total)).toBe(cents(goods.amount) + 2500);
    // the tax table holds the goods only: the voucher is taxed when it buys something
    expect(r.taxes.reduce((a: number, t: { base: string; tax: string }) => a + cents(t.base) + cents(t.tax), 0)).toBe(cents(goods.amount));
    const credit = await run(['credit', 'show', voucher.voucher]);
    expect(credit.json.data).toMatchObject({ origin: 'voucher', balance: '25.00', status: 'active' });
    const spent = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'store_credit', code: voucher.voucher, amount: '0.99' }] });
    expect(spent.taxes.length).toBeGreaterThan(0);
    expect((await run(['credit', 'show', voucher.voucher])).json.data.balance).toBe('24.01');

    // a voucher line is not refunded as goods; a refund of everything leaves it alone
    const line = await run(['refund', r.number], { lines: [{ line: 2 }], method: 'cash' });
    expect(line.code).toBe(3);
    expect(line.json.error).toMatchObject({ code: 'refund.voucher_line' });
    const all = await run(['refund', r.number, '--all', '--method', 'cash']);
    expect(all.code).toBe(0);
    expect(all.json.data.refund.total).toBe(goods.amount);
  });

  it('a voucher cannot be paid with store credit, and has nothing but its amount', async () => {
    const withCredit = await run(['sale'], { lines: [{ voucher: '10' }], payments: [{ method: 'store_credit', code: 'AAAA-AAAA-AAAA-AAAA', amount: '10' }] });
    expect(withCredit.json.error).toMatchObject({ code: 'sale.voucher_with_credit', details: { field: 'payments[0].method' } });
    const discounted = await run(['sale'], { lines: [{ voucher: '10', discount: '10%' }], payments: [{ method: 'cash', amount: '10' }] });
    expect(discounted.json.error).toMatchObject({ code: 'sale.voucher_alone', details: { field: 'lines[0].discount' } });
    expect((await run(['sale'], { lines: [{ voucher: '0' }], payments: [{ method: 'cash', amount: '1' }] })).json.error.details.field).toBe('lines[0].voucher');
  });
});

describe('refunds of sales paid with store credit', () => {
  it('give the credit part back to its code first, the rest by the method asked', async () => {
    const issued = await run(['credit', 'issue', '5']);
    const code = issued.json.data.printed;
    const r = await sell({ lines: [{ code: 'LAC-001', qty: '6' }], payments: [{ method: 'store_credit', code, amount: '5' }, { method: 'cash', amount: '0.94' }] });
    expect((await run(['credit', 'show', code])).json.data.balance).toBe('0.00');
    // 2 of 6 units: 1.98, all of it back to the code (the credit part covers it)
    const first = await run(['refund', r.number], { lines: [{ line: 1, qty: '2' }], method: 'cash' });
    expect(first.json.data.refund.payments).toEqual([{ method: 'store_credit', amount: '1.98', reference: expect.any(String) }]);
    expect(first.json.data.refund.restored_credit).toEqual([{ code, amount: '1.98' }]);
    // the rest (3.96): 3.02 of credit left to give back, 0.94 in cash
    const rest = await run(['refund', r.number, '--all', '--method', 'cash']);
    expect(rest.json.data.refund.payments).toEqual([
      { method: 'store_credit', amount: '3.02', reference: expect.any(String) },
      { method: 'cash', amount: '0.94' },
    ]);
    const shown = (await run(['credit', 'show', code])).json.data;
    expect(shown.balance).toBe('5.00');
    expect(shown.events.map((e: { kind: string }) => e.kind)).toEqual(['issue', 'redeem', 'restore', 'restore']);
  });

  it('--no-restore-credit sends it all by the method', async () => {
    const code = (await run(['credit', 'issue', '1'])).json.data.printed;
    const r = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'store_credit', code, amount: '0.99' }] });
    const back = await run(['refund', r.number, '--all', '--method', 'card', '--no-restore-credit']);
    expect(back.json.data.refund.payments).toEqual([{ method: 'card', amount: '0.99' }]);
    expect((await run(['credit', 'show', code])).json.data.balance).toBe('0.01');
  });

  it('a voided code cannot take the credit back: a new code is issued for it', async () => {
    const code = (await run(['credit', 'issue', '2'])).json.data.printed;
    const r = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'store_credit', code, amount: '0.99' }] });
    expect((await run(['credit', 'void', code])).code).toBe(0);
    const back = await run(['refund', r.number, '--all', '--method', 'cash']);
    const restored = back.json.data.refund.restored_credit;
    expect(restored).toHaveLength(1);
    expect(restored[0].code).not.toBe(code);
    expect((await run(['credit', 'show', restored[0].code])).json.data.balance).toBe('0.99');
  });
});

describe('returns without a receipt', () => {
  it('need a supervisor, are priced today, go to store credit (cash only when the store allows it)', async () => {
    const req = { lines: [{ code: 'LAC-001', qty: '2', reason: 'gift' }], method: 'store_credit', customer: undefined };
    const asCashier = await run(['--user', 'ana', 'refund', '--without-receipt'], req, pinOf(ANA));
    expect(asCashier.json.error.code).toBe('permission.needs_approval');
    const ok = await run(['--user', 'ana', '--approver', 'admin', 'refund', '--without-receipt'], req, { TPV_APPROVER_PIN: '1234', ...pinOf(ANA) });
    expect(ok.code, ok.stderr).toBe(0);
    const refund = ok.json.data.refund;
    expect(refund).toMatchObject({ receipt: null, total: '1.98', approvals: [{ action: 'refund_no_receipt', by: 'admin' }] });
    expect(refund.store_credit.amount).toBe('1.98');
    expect(refund.taxes.length).toBe(1);

    const cash = await run(['refund', '--without-receipt'], { ...req, method: 'cash' });
    expect(cash.code).toBe(3);
    expect(cash.json.error).toMatchObject({ code: 'refund.no_receipt_method', details: { field: 'method' } });
    expect((await run(['config', 'set', 'refunds.no_receipt_cash', 'yes'])).code).toBe(0);
    const allowed = await run(['refund', '--without-receipt'], { ...req, method: 'cash' });
    expect(allowed.json.data.refund.payments).toEqual([{ method: 'cash', amount: '1.98' }]);
    expect((await run(['config', 'set', 'refunds.no_receipt_cash', 'no'])).code).toBe(0);
  });

  it('name each product by code, and attach the customer given', async () => {
    expect((await run(['customers', 'add', '--name', 'Ana Pérez', '--tax-id', '12345678Z'])).code).toBe(0);
    const missing = await run(['refund', '--without-receipt'], { lines: [{ line: 1 }], method: 'store_credit' });
    expect(missing.json.error).toMatchObject({ code: 'refund.code_missing', details: { field: 'lines[0].code' } });
    const both = await run(['refund', 'T01-000001', '--without-receipt'], { lines: [{ code: 'LAC-001' }], method: 'store_credit' });
    expect(both.json.error.code).toBe('refund.receipt_and_without');
    const r = await run(['refund', '--without-receipt', '--customer', '12345678Z'], { lines: [{ code: 'LAC-001' }], method: 'store_credit' });
    expect(r.code).toBe(0);
    const credit = await run(['credit', 'show', r.json.data.refund.store_credit.code]);
    expect(credit.json.data.customer).toBe(r.json.data.refund.customer);
  });
});

describe('exchanges', () => {
  it('cheaper goods taken: the difference goes back by the method; both documents carry the exchange', async () => {
    const r = await sell({ lines: [{ code: 'LAC-001', qty: '4' }], payments: [{ method: 'card', amount: '3.96' }] });
    const x = await run(['exchange', r.number, '--method', 'cash'], { lines: [{ line: 1, qty: '3', reason: 'size' }], sale: { lines: [{ code: 'LAC-001' }] } });
    expect(x.code, x.stderr).toBe(0);
    const { refund, sale, difference } = x.json.data.exchange;
    expect(refund.total).toBe('2.97');
    expect(sale.total).toBe('0.99');
    expect(difference).toBe('-1.98');
    expect(refund.payments).toEqual([{ method: 'exchange', amount: '0.99' }, { method: 'cash', amount: '1.98' }]);
    expect(sale.payments).toEqual([{ method: 'exchange', amount: '0.99' }]);
    expect(sale.note).toBe(`exchange ${refund.number}`);
  });

  it('dearer goods taken: the customer pays the difference with the sale payments, or nothing is written', () => dearerExchange(shop));
});

describe('receipts by their scan code', () => {
  it('the barcode/QR text finds the receipt to refund, in any case', () => refundByScanCode(shop));

  it('the Z report counts all of it and the journal verifies', async () => {
    const z = await run(['shift', 'close', '--counted', '0', '--force']);
    expect(z.code, z.stderr).toBe(0);
    expect(z.json.data.tenders.find((t: { method: string }) => t.method === 'exchange')).toMatchObject({ sales: '1.98', refunds: '1.98' });
    expect((await run(['audit', 'verify'])).code).toBe(0);
  });
});
