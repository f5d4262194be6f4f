/** Catalog and store management from the CLI follow the acting user's role. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';
import { ANA, catalogByRole, demoStore, type Shop, SUP } from '../scenarios.js';

const dir = tempDir();
const DB = join(dir, 'perm.db');
const shop: Shop = { run: cli, db: DB, dir };
const as = (user: string, ...args: string[]) => ['--db', DB, '--user', user, ...args, '--json'];

beforeAll(async () => {
  await demoStore(shop, ANA, SUP);
});

describe('who may change what', () => {
  it('a cashier may not change the catalog; a supervisor may; an approval lets the cashier', () => catalogByRole(shop));

  it('store settings, tax rates and series are the admin\'s', async () => {
    expect((await cli(as('sup', 'config', 'set', 'sales.discount_limit', '50'))).code).toBe(5);
    expect((await cli(as('sup', 'taxes', 'add', '5'))).code).toBe(5);
    expect((await cli(as('sup', 'series', 'set', 'T01', 'receipt', '--next', '100'))).code).toBe(5);
    expect((await cli(as('admin', 'config', 'set', 'sales.discount_limit', '15'))).json.data.value).toBe(1500);
    // reading is open to everyone
    expect((await cli(as('ana', 'config', 'get', 'sales.discount_limit'))).json.data.value).toBe(1500);
  });
});
