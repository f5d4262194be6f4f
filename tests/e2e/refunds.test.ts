/**
 * End-to-end: a refund through the built `tpv` — refused to a cashier (exit 5), approved with
 * --approver and TPV_APPROVER_PIN from the process environment. The store is set up in-process;
 * refunds are tested in full in-process in tests/cli/refunds.test.ts and exchanges.test.ts, and
 * the test both files run is written once in tests/scenarios.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';
import { cashierRefundNeedsApproval, demoStore, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: tpv, db: join(dir, 'refunds.db'), dir };

beforeAll(async () => {
  await demoStore({ ...shop, run: cli });
});

describe('returns', () => {
  it('a cashier needs a supervisor to refund', () => cashierRefundNeedsApproval(shop));
});
