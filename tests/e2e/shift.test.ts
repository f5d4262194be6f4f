/**
 * End-to-end: shifts through the built `tpv` — four processes refused at once without a shift,
 * opening (exit codes 0, 5, 3) and the refusals of a close, as separate processes see them. The
 * store is set up in-process; the whole of shifts is tested in-process in tests/cli/shift.test.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type RunResult, tempDir, tpv } from '../helpers.js';

const dir = tempDir('tpv-shift-e2e-');
const DB = join(dir, 'shop.db');
const run = (args: string[], opts: Parameters<typeof tpv>[1] = {}): Promise<RunResult> => tpv(['--db', DB, ...args], opts);
const sell = (body: unknown): Promise<RunResult> => run(['sale', '--json'], { input: JSON.stringify(body) });

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo', '--json'])).code).toBe(0);
  const r = await cli(['--db', DB, 'users', 'add', 'ana', '--name', 'Ana', '--role', 'cashier', '--json'], { input: '2468\n' });
  expect(r.code, r.stdout).toBe(0);
});

describe('a shift', () => {
  it('selling, the X report and cash moves need an open shift (exit 5 shift.none_open)', async () => {
    const runs = [
      sell({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1.00' }] }),
      run(['shift', 'status', '--json']),
      run(['shift', 'cash-in', '10.00', '--reason', 'cambio', '--json']),
      run(['shift', 'close', '--counted', '0', '--json']),
    ];
    for (const r of await Promise.all(runs)) {
      expect(r.code).toBe(5);
      expect(r.json.error.code).toBe('shift.none_open');
    }
  });

  it('shift open --float 100.00 (by a cashier); a second open is refused; a bad float is exit 3', async () => {
    const bad = await run(['shift', 'open', '--float', 'cien', '--json']);
    expect(bad.code).toBe(3);
    const open = await run(['--user', 'ana', 'shift', 'open', '--float', '100.00', '--json']);
    expect(open.code, open.stdout).toBe(0);
    expect(open.json.data).toMatchObject({ register: 'T01', float: '100.00' });
    expect(open.json.data.opened_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    const again = await run(['shift', 'open', '--float', '50.00', '--json']);
    expect(again.code).toBe(5);
    expect(again.json.error.code).toBe('shift.already_open');
  });

  it('closing: a cashier needs approval; a count is required and checked', async () => {
    const cashier = await run(['--user', 'ana', 'shift', 'close', '--counted', '100', '--json']);
    expect(cashier.code).toBe(5);
    expect(cashier.json.error.code).toBe('permission.needs_approval');
    expect((await run(['shift', 'close', '--json'])).code).toBe(2);
    const bad = await run(['shift', 'close', '--count', '50x2,20x', '--json']);
    expect(bad.code).toBe(3);
    expect(bad.json.error.code).toBe('cash.count_format');
  });
});
