/**
 * End-to-end: a refund through the built `tpv` — refused to a cashier (exit 5), approved with
 * --approver and TPV_APPROVER_PIN from the process environment; `--print` on a file printer with
 * a drawer (read back with the ESC/POS decoder). The store is set up in-process;
 * refunds are tested in full in-process in tests/cli/refunds.test.ts and exchanges.test.ts, and
 * the test both files run is written once in tests/scenarios.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeEscpos } from '../../src/devices/escpos-decode.js';
import { cli, tempDir, tpv } from '../helpers.js';
import { cashierRefundNeedsApproval, demoStore, jsonAt, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: tpv, db: join(dir, 'refunds.db'), dir };

beforeAll(async () => {
  await demoStore({ ...shop, run: cli });
});

describe('returns', () => {
  it('a cashier needs a supervisor to refund', () => cashierRefundNeedsApproval(shop));

  it('tpv refund --print: a cash refund opens the drawer and prints the corrective invoice, cut last', async () => {
    const paper = join(dir, 'paper.bin');
    const setUp = jsonAt({ ...shop, run: cli });
    expect((await setUp(['devices', 'add', 'printer', '--url', `file:${paper}`, '--profile', 'epson-tm-t20iii', '--columns', '32'])).code).toBe(0);
    expect((await setUp(['devices', 'add', 'drawer', '--printer', 'printer', '--pin', '2'])).code).toBe(0);
    // the shift the test above opened (or one of its own when run alone)
    expect([0, 5]).toContain((await setUp(['shift', 'open', '--float', '0'])).code);
    const sale = await setUp(['sale'], { lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1' }] });
    expect(sale.code, sale.stdout).toBe(0);
    const r = await jsonAt(shop)(['refund', sale.json.data.receipt.number, '--all', '--method', 'cash', '--print']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.data.print).toEqual({ ok: true, printer: 'printer', kicked: true });
    const job = decodeEscpos(readFileSync(paper), { columns: 32 });
    const kinds = job.events.map((e) => e.type).filter((k) => k !== 'codepage');
    expect([kinds[0], kinds[1], kinds.at(-1)]).toEqual(['drawer', 'initialize', 'cut']);
    const rows = job.rows.map((x) => x.text.trimEnd());
    expect(rows).toContain('Factura rectificativa');
    expect(rows).toContain(`Efectivo${'-0,99'.padStart(24)}`);
    expect(rows).not.toContain('    ¡Gracias por su compra!');
  });
});
