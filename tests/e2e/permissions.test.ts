/**
 * End-to-end: the acting user's role through the built `tpv` — `--user`, `--approver` with
 * TPV_APPROVER_PIN from the environment, a catalog piped on stdin. The users are set up
 * in-process; permissions are tested in full in-process in tests/cli/permissions.test.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';

const dir = tempDir();
const DB = join(dir, 'perm.db');
const as = (user: string, ...args: string[]) => ['--db', DB, '--user', user, ...args, '--json'];

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo', '--json'])).code).toBe(0);
  expect((await cli(['--db', DB, 'users', 'add', 'ana', '--name', 'Ana', '--role', 'cashier'], { input: '2468\n' })).code).toBe(0);
  expect((await cli(['--db', DB, 'users', 'add', 'sup', '--name', 'Sup', '--role', 'supervisor'], { input: '1357\n' })).code).toBe(0);
});

describe('who may change what', () => {
  it('a cashier may not change the catalog; a supervisor may; an approval lets the cashier', async () => {
    const add = ['products', 'add', '--sku', 'P1', '--name', 'Pilas AA', '--price', '3.50', '--tax-rate', '21'];
    const refused = await tpv(as('ana', ...add));
    expect(refused.code).toBe(5);
    expect(refused.json.error).toMatchObject({ code: 'permission.needs_approval', details: { action: 'manage_catalog' } });
    expect((await tpv(as('ana', 'stock', 'adjust', 'LAC-001', '5', '--reason', 'x'))).code).toBe(5);
    expect((await tpv(as('ana', 'products', 'import', '-'), { input: 'sku,price\nLAC-001,1.00\n' })).code).toBe(5);
    // a dry run writes nothing: anyone may check a file
    expect((await tpv(as('ana', 'products', 'import', '-', '--dry-run'), { input: 'sku,price\nLAC-001,1.00\n' })).code).toBe(0);
    expect((await tpv(as('sup', ...add))).code).toBe(0);
    const approved = await tpv(['--db', DB, '--user', 'ana', '--approver', 'sup', 'products', 'set', 'P1', '--price', '3.75', '--json'], {
      env: { TPV_APPROVER_PIN: '1357' },
    });
    expect(approved.code).toBe(0);
    expect(approved.json.data.price).toBe('3.75');
  });
});
