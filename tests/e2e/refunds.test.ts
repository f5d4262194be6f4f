/**
 * End-to-end: a refund through the built `tpv` — refused to a cashier (exit 5), approved with
 * --approver and TPV_APPROVER_PIN from the process environment. The store is set up in-process;
 * refunds are tested in full in-process in tests/cli/refunds.test.ts and exchanges.test.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';

const dir = tempDir();
const DB = join(dir, 'refunds.db');
const run = (args: string[], input?: string, env?: Record<string, string>) =>
  tpv(['--db', DB, ...args, '--json'], { ...(input !== undefined ? { input } : {}), ...(env ? { env } : {}) });

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
});

describe('returns', () => {
  it('a cashier needs a supervisor to refund', async () => {
    expect((await tpv(['--db', DB, 'users', 'add', 'ana', '--name', 'Ana'], { input: '2468\n' })).code).toBe(0);
    expect((await run(['shift', 'open', '--float', '0'])).code).toBe(0);
    const sale = await run(['sale'], JSON.stringify({ lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'card', amount: '0.99' }] }));
    const refund = ['--user', 'ana', 'refund', sale.json.data.receipt.number, '--all', '--method', 'card'];
    expect((await run(refund)).json.error.code).toBe('permission.needs_approval');
    const ok = await run(['--approver', 'admin', ...refund], undefined, { TPV_APPROVER_PIN: '1234' });
    expect(ok.code).toBe(0);
    expect(ok.json.data.refund.approvals[0]).toMatchObject({ action: 'refund', by: 'admin' });
  });
});
