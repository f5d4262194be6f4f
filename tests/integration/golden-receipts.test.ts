/**
 * Golden receipts: every printed document type at 32, 42 and 48 columns, as text, compared with
 * fixtures/receipts/. The printer bytes decode back to the same text, so the paper and the preview
 * match line for line: Epson's ESC/POS through src/devices/escpos-decode.ts, a Star model's
 * StarPRNT through the small reader below (written from Star's command manual, not from the
 * encoder), which also checks that the cut is the job's last command.
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
import { codeText, COLUMNS, type LayoutLine, renderText } from '../../src/devices/layout.js';
import { STAR_CODE_PAGES } from '../../src/devices/codepages.js';
import { isVoucherLine } from '../../src/core/document.js';
import { FIXTURES, makeStore, tempDir } from '../helpers.js';

/**
 * What a Star printer prints of a StarPRNT job as tpv writes one: text rows, codes as the preview
 * labels them, and the commands in order. Any byte it does not know fails the test.
 */
function readStar(bytes: Uint8Array, columns: number): { rows: string[]; commands: string[] } {
  const rows: string[] = [];
  const commands: string[] = [];
  let line = '';
  let page = '';
  let qr = new Uint8Array(0);
  const flush = (): void => {
    if (line !== '') rows.push(line);
    line = '';
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const at = (k: number): number => bytes[i + k]!;
    if (b === 0x0a) {
      rows.push(line);
      line = '';
      i += 1;
    } else if (b >= 0x20) {
      line += b < 0x80 ? String.fromCharCode(b) : page[b - 0x80]!;
      i += 1;
    } else if (b === 0x18) {
      i += 1; // CAN after ESC @: clears the buffer
    } else if (b !== 0x1b) {
      throw new Error(`byte ${b.toString(16)} at ${i}`);
    } else if (at(1) === 0x40) {
      commands.push('initialize');
      i += 2;
    } else if (at(1) === 0x45 || at(1) === 0x46) {
      i += 2; // ESC E / ESC F: emphasis on, off
    } else if (at(1) === 0x69) {
      i += 4; // ESC i n1 n2: character size
    } else if (at(1) === 0x4a) {
      flush();
      commands.push('feed');
      i += 3;
    } else if (at(1) === 0x64) {
      flush();
      commands.push(`cut ${at(2)}`);
      i += 3;
    } else if (at(1) === 0x62) {
      // ESC b n1 n2 n3 n4 data RS; n2 = 2: text under the bars, then a line feed of its own
      flush();
      const end = bytes.indexOf(0x1e, i + 6);
      expect(at(3), 'HRI text and a feed').toBe(2);
      rows.push(codeText('code128', Buffer.from(bytes.subarray(i + 6, end)).toString('latin1'), columns));
      commands.push('barcode');
      i = end + 1;
    } else if (at(1) === 0x1d && at(2) === 0x74) {
      page = STAR_CODE_PAGES[at(3)]!;
      expect(page, `code page ${at(3)}`).toBeDefined();
      i += 4;
    } else if (at(1) === 0x1d && at(2) === 0x61) {
      i += 4; // ESC GS a n: alignment (text rows come padded)
    } else if (at(1) === 0x1d && at(2) === 0x50) {
      commands.push('flush');
      i += 4;
    } else if (at(1) === 0x1d && at(2) === 0x79 && at(3) === 0x53) {
      i += 6; // ESC GS y S n m: QR model, level, cell size
    } else if (at(1) === 0x1d && at(2) === 0x79 && at(3) === 0x44) {
      const n = at(6) + at(7) * 256;
      qr = bytes.slice(i + 8, i + 8 + n);
      i += 8 + n;
    } else if (at(1) === 0x1d && at(2) === 0x79 && at(3) === 0x50) {
      flush();
      line = codeText('qr', new TextDecoder().decode(qr), columns); // the line feed after it ends its row
      commands.push('qr');
      i += 4;
    } else {
      throw new Error(`command ${Buffer.from(bytes.subarray(i, i + 4)).toString('hex')} at ${i}`);
    }
  }
  flush();
  return { rows, commands };
}

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
