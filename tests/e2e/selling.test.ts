/**
 * End-to-end: `tpv sale` through the built `tpv`, the sale piped on stdin — its exit codes and
 * its one JSON document as a script sees them. The store is set up in-process; the whole of
 * selling is tested in-process in tests/cli/selling.test.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type RunResult, tempDir, tpv } from '../helpers.js';

const dir = tempDir('tpv-selling-e2e-');
const DB = join(dir, 'shop.db');
const run = (args: string[], opts: Parameters<typeof tpv>[1] = {}): Promise<RunResult> => tpv(['--db', DB, ...args], opts);

interface SaleBody {
  lines: { code: string; qty?: string }[];
  payments: { method: string; amount: string }[];
  customer?: null;
}
/** `tpv sale --json` with the sale on stdin. */
const sell = (body: SaleBody): Promise<RunResult> => run(['sale', '--json'], { input: JSON.stringify(body) });

/** A decimal string ("-0.02", "16.50", "3") as integer cents, exactly. */
function cents(s: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new Error(`not an amount: ${s}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0')));
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

// The worked example's catalog: prices include tax, EUR.
const GALLETAS = { sku: 'GAL-001', barcode: '8412345678905' }; // 1.99 at 21 %
const AGUA = { sku: 'AGU-001' }; // 0.85 at 10 %
const JAMON = { sku: 'JAM-001' }; // 12.90 / kg at 10 %

beforeAll(async () => {
  const init = await cli(['--db', DB, 'init', '--demo', '--json']);
  expect(init.code).toBe(0);
  const adds = [
    ['--sku', GALLETAS.sku, '--name', 'Galletas María 800 g', '--price', '1.99', '--tax-rate', '21', '--barcode', GALLETAS.barcode],
    ['--sku', AGUA.sku, '--name', 'Agua mineral 1,5 L', '--price', '0.85', '--tax-rate', '10'],
    ['--sku', JAMON.sku, '--name', 'Jamón cocido al corte', '--price', '12.90', '--tax-rate', '10', '--unit', 'kg'],
  ];
  for (const a of adds) {
    const r = await cli(['--db', DB, 'products', 'add', ...a, '--json']);
    expect(r.code, r.stdout).toBe(0);
  }
});

describe('tpv sale', () => {
  it('needs an open shift (exit 5 shift.none_open); then sells once one is open', async () => {
    const none = await sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1.00' }] });
    expect(none.code).toBe(5);
    expect(none.json).toMatchObject({ ok: false, error: { code: 'shift.none_open' } });
    const open = await run(['shift', 'open', '--float', '100.00', '--json']);
    expect(open.code).toBe(0);
    expect(open.json.data).toMatchObject({ register: 'T01', float: '100.00' });
  });

  it('the worked example: 3 × 1.99 (21 %), 1 × 0.85 (10 %), 0.750 kg × 12.90 (10 %) = 16.50', async () => {
    const r = await sell({
      lines: [
        { code: GALLETAS.barcode, qty: '3' },
        { code: AGUA.sku, qty: '1' },
        { code: JAMON.sku, qty: '0.750' },
      ],
      payments: [{ method: 'cash', amount: '20.00' }],
      customer: null,
    });
    expect(r.code, r.stdout).toBe(0);
    const receipt = r.json.data.receipt;
    expect(receipt).toMatchObject({
      number: 'T01-000001',
      register: 'T01',
      user: 'admin',
      total: '16.50',
      discount: '0.00',
      taxes: [
        { rate: '21', base: '4.93', tax: '1.04' },
        { rate: '10', base: '9.57', tax: '0.96' },
      ],
      payments: [{ method: 'cash', amount: '16.50' }],
      change: '3.50',
      rounding: '0.00',
    });
    expect(receipt.created_at).toMatch(ISO_WITH_OFFSET);
    expect(receipt.lines.map((l: { line: number; sku: string; unit_price: string; amount: string; tax_rate: string }) => [l.line, l.sku, l.unit_price, l.amount, l.tax_rate])).toEqual([
      [1, GALLETAS.sku, '1.99', '5.97', '21'],
      [2, AGUA.sku, '0.85', '0.85', '10'],
      [3, JAMON.sku, '12.90', '9.68', '10'],
    ]);
    expect(cents(receipt.lines[0].qty)).toBe(300);
  });

  it('the error message itself names the field, also without --json', async () => {
    const text = await run(['sale'], { input: JSON.stringify({ lines: [{ code: GALLETAS.sku }], payments: [{ method: 'cash', amount: '1.999' }] }) });
    expect(text.code).toBe(3);
    expect(text.stderr).toContain('payments[0].amount');
  });

  it('a missing --file is exit 4 (file not found), for tpv sale and tpv sales import', async () => {
    const sale = await run(['sale', '--file', join(dir, 'nope.json'), '--json']);
    expect(sale.code).toBe(4);
    expect(sale.json.error.code).toBe('file.not_found');
    const imp = await run(['sales', 'import', join(dir, 'nope.jsonl'), '--json']);
    expect(imp.code).toBe(4);
    expect(imp.json.error.code).toBe('file.not_found');
  });
});
