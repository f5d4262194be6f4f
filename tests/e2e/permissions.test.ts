/**
 * End-to-end: the acting user's role through the built `tpv` — `--user`, `--approver` with
 * TPV_APPROVER_PIN from the environment, a catalog piped on stdin. The users are set up
 * in-process; permissions are tested in full in-process in tests/cli/permissions.test.ts, and the
 * test both files run is written once in tests/scenarios.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';
import { ANA, catalogByRole, demoStore, type Shop, SUP } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: tpv, db: join(dir, 'perm.db'), dir };

beforeAll(async () => {
  await demoStore({ ...shop, run: cli }, ANA, SUP);
});

describe('who may change what', () => {
  it('a cashier may not change the catalog; a supervisor may; an approval lets the cashier', () => catalogByRole(shop));
});
