/**
 * End-to-end: shifts through the built `tpv` — four processes refused at once without a shift,
 * opening (exit codes 0, 5, 3) and the refusals of a close, as separate processes see them. The
 * store is set up in-process; the whole of shifts is tested in-process in tests/cli/shift.test.ts,
 * and the tests both files run are written once in tests/scenarios.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';
import { ANA, demoStore, type Shop, shiftCloseRefusals, shiftNeededFirst, shiftOpenByCashier } from '../scenarios.js';

const dir = tempDir('tpv-shift-e2e-');
const shop: Shop = { run: tpv, db: join(dir, 'shop.db'), dir };

beforeAll(async () => {
  await demoStore({ ...shop, run: cli }, ANA);
});

describe('a shift', () => {
  it('selling, the X report and cash moves need an open shift (exit 5 shift.none_open)', () => shiftNeededFirst(shop));

  it('shift open --float 100.00 (by a cashier); a second open is refused; a bad float is exit 3', () => shiftOpenByCashier(shop));

  it('closing: a cashier needs approval; a count is required and checked', () => shiftCloseRefusals(shop));
});
