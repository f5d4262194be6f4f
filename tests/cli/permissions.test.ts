/** Catalog and store management from the CLI follow the acting user's role. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';

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
    const refused = await cli(as('ana', ...add));
    expect(refused.code).toBe(5);
    expect(refused.json.error).toMatchObject({ code: 'permission.needs_approval', details: { action: 'manage_catalog' } });
    expect((await cli(as('ana', 'stock', 'adjust', 'LAC-001', '5', '--reason', 'x'))).code).toBe(5);
    expect((await cli(as('ana', 'products', 'import', '-'), { input: 'sku,price\nLAC-001,1.00\n' })).code).toBe(5);
    // a dry run writes nothing: anyone may check a file
    expect((await cli(as('ana', 'products', 'import', '-', '--dry-run'), { input: 'sku,price\nLAC-001,1.00\n' })).code).toBe(0);
    expect((await cli(as('sup', ...add))).code).toBe(0);
    const approved = await cli(['--db', DB, '--user', 'ana', '--approver', 'sup', 'products', 'set', 'P1', '--price', '3.75', '--json'], {
      env: { TPV_APPROVER_PIN: '1357' },
    });
    expect(approved.code).toBe(0);
    expect(approved.json.data.price).toBe('3.75');
  });

  it('store settings, tax rates and series are the admin\'s', async () => {
    expect((await cli(as('sup', 'config', 'set', 'sales.discount_limit', '50'))).code).toBe(5);
    expect((await cli(as('sup', 'taxes', 'add', '5'))).code).toBe(5);
    expect((await cli(as('sup', 'series', 'set', 'T01', 'receipt', '--next', '100'))).code).toBe(5);
    expect((await cli(as('admin', 'config', 'set', 'sales.discount_limit', '15'))).json.data.value).toBe(1500);
    // reading is open to everyone
    expect((await cli(as('ana', 'config', 'get', 'sales.discount_limit'))).json.data.value).toBe(1500);
  });
});
