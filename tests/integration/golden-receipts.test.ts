/**
 * Golden receipts: every printed document type at 32, 42 and 48 columns, as text, compared with
 * fixtures/receipts/. The printer bytes decode back to the same text, so the paper and the preview
 * match line for line: Epson's ESC/POS through src/devices/escpos-decode.ts, a Star model's
 * StarPRNT through the small reader in tests/star.ts (written from Star's command manual, not
 * from the encoder), which also checks that the cut is the job's last command.
 * `UPDATE_GOLDEN=1 npx vitest run tests/integration/golden-receipts.test.ts` rewrites the files
 * after a deliberate layout change (review the diff before committing).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/context.js';
import { addCustomer } from '../../src/app/customers.js';
import { documentByNumber, layoutDocument } from '../../src/app/documents.js';
import { createInvoice } from '../../src/app/invoices.js';
import { refund } from '../../src/app/refunds.js';
import { sell } from '../../src/app/sales.js';
import { closeShift, openShift } from '../../src/app/shifts.js';
import { actingUser } from '../../src/app/auth.js';
import { layoutCreditVoucher, layoutTestPage } from '../../src/devices/documents.js';
import { encodeDocument } from '../../src/devices/escpos.js';
import { decodeEscpos } from '../../src/devices/escpos-decode.js';
import { COLUMNS, type LayoutLine, renderText } from '../../src/devices/layout.js';
import { isVoucherLine } from '../../src/core/document.js';
import { FIXTURES, makeStore, tempDir } from '../helpers.js';
import { readStar } from '../star.js';

const dir = tempDir();
const GOLDEN = join(FIXTURES, 'receipts');
const docs: Record<string, LayoutLine[]> = {};
let app: App;

beforeAll(async () => {
  app = await makeStore(dir);
  let clock = new Date('2026-11-21T10:15:00Z');
  app.now = () => clock;
  const insert = app.db.prepare("INSERT INTO products (sku, name, price, tax_category_id, unit, track_stock, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 'x', 'x')");
  insert.run('CAFE', 'Café molido natural 250 g', 389, 1, 'each');
  insert.run('PAO', 'Pão de queijo congelado', 295, 2, 'each');
  insert.run('CREME', 'Crème brûlée (2 u.)', 240, 2, 'each');
  insert.run('BIER', 'Weißbier 0,5 l', 185, 1, 'each');
  insert.run('MANZ', 'Manzana Golden', 249, 3, 'kg');
  const admin = actingUser(app.db);
  openShift(app, admin, 10000);
  const sale = sell(
    app,
    {
      lines: [
        { code: 'CAFE', qty: '2', discount: '10%' },
        { code: 'PAO', qty: '1' },
        { code: 'CREME', qty: '1' },
        { code: 'BIER', qty: '6' },
        { code: 'MANZ', qty: '1.250' },
      ],
      discount: '5%',
      payments: [
        { method: 'card', amount: '10.00', reference: '4321/A1B2C3' },
        { method: 'cash', amount: '20.00' },
      ],
    },
    admin,
  ).receipt;
  docs.receipt = layoutDocument(app, sale);
  docs.copy = layoutDocument(app, sale, { copy: true, code: 'qr' });
  clock = new Date('2026-11-21T11:40:00Z');
  const back = refund(app, sale.number, { lines: [{ line: 4, qty: '2', reason: 'botellas rotas' }], method: 'cash' }, admin);
  docs.refund = layoutDocument(app, back.refund);
  addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES', address: 'Avenida de América 3, 28028 Madrid' });
  docs.invoice = layoutDocument(app, createInvoice(app, sale.number, 'B12345674', admin).invoice);
  clock = new Date('2026-11-21T20:05:00Z');
  const z = closeShift(app, admin, 12990);
  docs.z_report = layoutDocument(app, documentByNumber(app, z.number));
  // the next day (after the Z above, which they would change): a gift voucher sold alone, and an
  // invoiced sale refunded, which makes a corrective invoice besides the refund
  clock = new Date('2026-11-22T09:30:00Z');
  openShift(app, admin, 10000);
  const voucher = sell(app, { lines: [{ voucher: '25.00' }], payments: [{ method: 'card', amount: '25.00', reference: '****9876' }] }, admin).receipt;
  // the voucher's code is random: the golden file shows a fixed one
  docs.voucher_sale = layoutDocument(app, { ...voucher, lines: voucher.lines.map((x) => (isVoucherLine(x) ? { ...x, note: 'K3F9-2QRM-X7TD-8W4P' } : x)) });
  const invoiced = sell(app, { lines: [{ code: 'CAFE', qty: '2' }, { code: 'PAO', qty: '1' }], payments: [{ method: 'card', amount: '10.73' }] }, admin).receipt;
  createInvoice(app, invoiced.number, 'B12345674', admin);
  clock = new Date('2026-11-23T10:00:00Z');
  const corrected = refund(app, invoiced.number, { lines: [{ line: 1, qty: '1', reason: 'envase abierto' }], method: 'card' }, admin);
  docs.credit_note = layoutDocument(app, corrected.creditNote!);
  docs.credit_voucher = layoutCreditVoucher(app.profile, {
    printed: 'K3F9-2QRM-X7TD-8W4P',
    balance: 2500,
    expires_at: '2027-11-22T00:00:00+01:00', // valid through 21/11/2027, the store's day
    origin: 'voucher',
    ref: sale.number,
    issued_at: '2026-11-21T11:15:00+01:00',
  });
  docs.test_page = layoutTestPage(app.profile, { name: 'printer', url: 'tcp://192.168.1.50:9100', profile: 'epson-tm-t20iii', columns: 42 }, new Date('2026-11-21T09:00:00Z'));
});
afterAll(() => app.close());

describe('golden receipts', () => {
  const kinds = ['receipt', 'copy', 'refund', 'invoice', 'credit_note', 'voucher_sale', 'z_report', 'credit_voucher', 'test_page'];
  for (const kind of kinds) {
    for (const columns of COLUMNS) {
      it(`${kind} at ${columns} columns matches fixtures/receipts/${kind}-${columns}.txt, on paper too`, () => {
        const lines = kind === 'test_page' ? layoutTestPage(app.profile, { name: 'printer', url: 'tcp://192.168.1.50:9100', profile: 'epson-tm-t20iii', columns }, new Date('2026-11-21T09:00:00Z')) : docs[kind]!;
        const text = renderText(lines, columns);
        const file = join(GOLDEN, `${kind}-${columns}.txt`);
        if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
        expect(text).toBe(readFileSync(file, 'utf8'));
        for (const row of text.split('\n')) expect(row.length, row).toBeLessThanOrEqual(columns);
        const paper = decodeEscpos(encodeDocument(lines, { profile: 'epson-tm-t20iii', columns }));
        expect(paper.rows.map((r) => r.text.trimEnd()).join('\n') + '\n').toBe(text);
        expect(paper.events.at(-1)).toMatchObject({ type: 'cut' });
        const star = readStar(encodeDocument(lines, { profile: 'star-tsp100iv', columns }), columns);
        expect(star.rows.map((r) => r.trimEnd()).join('\n') + '\n').toBe(text);
        expect(star.commands.at(-1), star.commands.join(' ')).toBe('cut 3');
        expect(star.commands).not.toContain('flush');
      });
    }
  }
});
