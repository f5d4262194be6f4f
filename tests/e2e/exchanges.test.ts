/**
 * End-to-end: an exchange and a refund by scan code through the built `tpv` (exit 5 when the
 * customer does not pay the difference, nothing written). The store is set up in-process;
 * vouchers, store credit, returns without a receipt and exchanges are tested in-process in
 * tests/cli/exchanges.test.ts, and the tests both files run are written once in tests/scenarios.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';
import { dearerExchange, demoStore, jsonAt, refundByScanCode, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: tpv, db: join(dir, 'exchanges.db'), dir };

beforeAll(async () => {
  const inProcess = { ...shop, run: cli };
  await demoStore(inProcess);
  expect((await jsonAt(inProcess)(['shift', 'open', '--float', '50'])).code).toBe(0);
});

describe('exchanges', () => {
  it('dearer goods taken: the customer pays the difference with the sale payments, or nothing is written', () => dearerExchange(shop));
});

describe('receipts by their scan code', () => {
  it('the barcode/QR text finds the receipt to refund, in any case', () => refundByScanCode(shop));
});
