/**
 * End-to-end: `tpv sale` through the built `tpv`, the sale piped on stdin — its exit codes and
 * its one JSON document as a script sees them. The store is set up in-process; the whole of
 * selling is tested in-process in tests/cli/selling.test.ts, and the tests both files run are
 * written once in tests/scenarios.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';
import { missingSaleFile, saleErrorNamesTheField, saleNeedsOpenShift, type Shop, workedExample, workedExampleStore } from '../scenarios.js';

const dir = tempDir('tpv-selling-e2e-');
const shop: Shop = { run: tpv, db: join(dir, 'shop.db'), dir };

beforeAll(async () => {
  await workedExampleStore({ ...shop, run: cli });
});

describe('tpv sale', () => {
  it('needs an open shift (exit 5 shift.none_open); then sells once one is open', () => saleNeedsOpenShift(shop));

  it('the worked example: 3 × 1.99 (21 %), 1 × 0.85 (10 %), 0.750 kg × 12.90 (10 %) = 16.50', async () => {
    await workedExample(shop);
  });

  it('the error message itself names the field, also without --json', () => saleErrorNamesTheField(shop));

  it('a missing --file is exit 4 (file not found), for tpv sale and tpv sales import', () => missingSaleFile(shop));
});
