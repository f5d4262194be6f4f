/** Catalog and store management from the CLI follow the acting user's role. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';
import { ANA, catalogByRole, demoStore, type Shop, SUP } from '../scenarios.js';

const dir = tempDir();
const DB = join(dir, 'perm.db');
const shop: Shop = { run: cli, db: DB, dir };
const as = (user: string, ...args: string[]) => ['--db', DB, '--user', user, ...args, '--json'];
const PINS: Record<string, string> = { admin: '1234', [ANA.code]: ANA.pin, [SUP.code]: SUP.pin };
const asUser = (user: string, ...args: string[]) => cli(as(user, ...args), { env: { TPV_PIN: PINS[user]! } });

beforeAll(async () => {
  await demoStore(shop, ANA, SUP);
});

describe('who may change what', () => {
  it('a cashier may not change the catalog; a supervisor may; an approval lets the cashier', () => catalogByRole(shop));

  it('store settings, tax rates and series are the admin\'s', async () => {
    for (const args of [['config', 'set', 'sales.discount_limit', '50'], ['taxes', 'add', '5'], ['series', 'set', 'T01', 'receipt', '--next', '100']]) {
      const r = await asUser('sup', ...args);
      expect(r.code).toBe(5);
      expect(r.json.error).toMatchObject({ code: 'permission.needs_approval', details: { action: 'manage_store' } });
    }
    expect((await asUser('admin', 'config', 'set', 'sales.discount_limit', '15')).json.data.value).toBe(1500);
    // reading is open to everyone, without a PIN
    expect((await cli(as('ana', 'config', 'get', 'sales.discount_limit'), { env: { TPV_PIN: undefined } })).json.data.value).toBe(1500);
  });
});
