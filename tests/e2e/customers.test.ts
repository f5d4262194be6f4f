/**
 * End-to-end: customers through the built `tpv` — a tax id refused naming its rule (exit 3), a
 * duplicate (exit 5), an unknown customer (exit 4), an all-or-nothing import. The store is set up
 * in-process; customers are tested in full in-process in tests/cli/customers.test.ts, and the
 * tests both files run are written once in tests/scenarios.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';
import { customersImportAllOrNothing, customerWithCif, demoStore, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: tpv, db: join(dir, 'customers.db'), dir };

beforeAll(async () => {
  await demoStore({ ...shop, run: cli });
});

describe('tpv customers', () => {
  it('adds a Spanish company with a valid CIF (any spelling) and refuses a wrong control digit naming the rule', () => customerWithCif(shop));

  it('import: every bad row listed with its line, nothing written; a good file imports', () => customersImportAllOrNothing(shop));
});
