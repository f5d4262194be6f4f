/**
 * End-to-end: an exchange and a refund by scan code through the built `tpv` (exit 5 when the
 * customer does not pay the difference, nothing written). The store is set up in-process;
 * vouchers, store credit, returns without a receipt and exchanges are tested in-process in
 * tests/cli/exchanges.test.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';

const dir = tempDir();
const DB = join(dir, 'exchanges.db');
const run = (args: string[], input?: unknown) => tpv(['--db', DB, ...args, '--json'], input !== undefined ? { input: JSON.stringify(input) } : {});
const sell = async (sale: unknown) => {
  const r = await run(['sale'], sale);
  expect(r.code, r.stderr).toBe(0);
  return r.json.data.receipt;
};

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
  expect((await cli(['--db', DB, 'shift', 'open', '--float', '50', '--json'])).code).toBe(0);
});

describe('exchanges', () => {
  it('dearer goods taken: the customer pays the difference with the sale payments, or nothing is written', async () => {
    const r = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '0.99' }] });
    const documents = async (): Promise<number> => (await run(['receipts', 'list'])).json.data.length;
    const before = await documents();
    const short = await run(['exchange', r.number], { lines: [{ line: 1 }], sale: { lines: [{ code: 'LAC-001', qty: '3' }] } });
    expect(short.code).toBe(5);
    expect(short.json.error.code).toBe('payment.short');
    expect(await documents()).toBe(before);
    const paid = await run(['exchange', r.number], { lines: [{ line: 1 }], sale: { lines: [{ code: 'LAC-001', qty: '3' }], payments: [{ method: 'card', amount: '1.98' }] } });
    expect(paid.code, paid.stderr).toBe(0);
    expect(paid.json.data.exchange.difference).toBe('1.98');
    expect(paid.json.data.exchange.sale.payments).toEqual([{ method: 'exchange', amount: '0.99' }, { method: 'card', amount: '1.98' }]);
    // the receipt has nothing left to return
    expect((await run(['refund', r.number, '--all', '--method', 'cash'])).json.error.code).toBe('refund.nothing_left');
  });
});

describe('receipts by their scan code', () => {
  it('the barcode/QR text finds the receipt to refund, in any case', async () => {
    const r = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1' }] });
    const scanned = await run(['refund', `tpv:${r.number.toLowerCase()}`, '--all', '--method', 'cash']);
    expect(scanned.code, scanned.stderr).toBe(0);
    expect(scanned.json.data.refund.receipt).toBe(r.number);
  });
});
