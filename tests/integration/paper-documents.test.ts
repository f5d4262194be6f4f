/**
 * Issue 16, part 1: every document as a Spanish shop and the law expect it on paper, checked on
 * the bytes a printer gets (Epson's ESC/POS read back by src/devices/escpos-decode.ts; a Star
 * model's StarPRNT / Star Line bytes where the point is Star's), at 32, 42 and 48 columns:
 *
 * - a refund is a "Factura rectificativa simplificada" naming the receipt it corrects and its
 *   date, the reason, its amounts negative (cash given back reads `Efectivo -3,89`), no thanks;
 * - a gift voucher sold alone is no "Factura simplificada": "operación no sujeta a IVA", no tax table;
 * - an invoice and a corrective invoice give each line's unit price before tax and its rate
 *   (RD 1619/2012 art. 6.1.f–g), the invoice the date of the sale (6.1.e);
 * - a ticket keys each line to its rate in the tax table (A, B, C…), says "IVA incluido" when prices
 *   include it, and prints a card's last 4 digits and authorisation;
 * - a number never parts from its unit ("250 g", "5 €") when a line wraps, and no non-breaking
 *   space reaches the printer;
 * - on Star models no blank line after a barcode, and the cut is the last command;
 * - a refund's reason prints as typed, whatever words it ends with ("…; no restock" too), on the
 *   refund and on its corrective invoice; a refund stored before the restock flag was kept apart
 *   from the reason (`reason; no restock` in the line's note, no body) prints as it always did.
 *
 * The store is real (a SQLite file, the app's use cases); the golden files of the same documents
 * are in tests/integration/golden-receipts.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { addCustomer } from '../../src/app/customers.js';
import { layoutDocument } from '../../src/app/documents.js';
import { createInvoice } from '../../src/app/invoices.js';
import { refund, type RefundResult } from '../../src/app/refunds.js';
import { sell } from '../../src/app/sales.js';
import { openShift } from '../../src/app/shifts.js';
import { isVoucherLine, type StoredDocument } from '../../src/core/document.js';
import { cardDetail, refundBody, refundReason, unitPriceBeforeTax } from '../../src/devices/documents.js';
import { encodeDocument } from '../../src/devices/escpos.js';
import { decodeEscpos, type DecodedEvent } from '../../src/devices/escpos-decode.js';
import { COLUMNS, type Columns, layoutRows, type LayoutLine, NBSP, renderText } from '../../src/devices/layout.js';
import { makeStore, setSetting, tempDir } from '../helpers.js';

const dir = tempDir('tpv-paper-');
let app: App;
let clock = new Date('2026-11-21T10:15:00Z');

/** The Spanish store's documents, by what they are. */
const docs = {} as Record<'sale' | 'invoice' | 'refund' | 'creditNote' | 'twoReasons' | 'noReceipt' | 'voucher' | 'mixed' | 'net' | 'long', StoredDocument>;
let refunded: RefundResult;

beforeAll(async () => {
  app = await makeStore(dir);
  app.now = () => clock;
  const insert = app.db.prepare("INSERT INTO products (sku, name, price, tax_category_id, unit, track_stock, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 'x', 'x')");
  insert.run('CAFE', 'Café molido natural 250 g', 389, 1, 'each');
  insert.run('PAN', 'Pan de pueblo', 120, 2, 'each');
  insert.run('LECHE', 'Leche entera', 99, 3, 'each');
  // names whose unit falls just past 32 columns: a plain space there would part it from its number
  insert.run('CAFE2', 'Café molido natural tostado 250 g', 429, 1, 'each');
  insert.run('RECARGA', 'Tarjeta de recarga telefónica 5 €', 500, 1, 'each');
  const admin = actingUser(app.db);
  openShift(app, admin, 10000);
  docs.sale = sell(
    app,
    {
      lines: [{ code: 'CAFE', qty: '2' }, { code: 'PAN' }, { code: 'LECHE', qty: '3' }],
      payments: [
        { method: 'card', amount: '5.00', reference: '****4321/123456' },
        { method: 'cash', amount: '20.00' },
      ],
    },
    admin,
  ).receipt;
  addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES', address: 'Avenida de América 3, 28028 Madrid' });
  docs.invoice = createInvoice(app, docs.sale.number, 'B12345674', admin).invoice;
  // the next day: the refunds (their own date, the receipt's date beside its number)
  clock = new Date('2026-11-22T17:30:00Z');
  refunded = refund(app, docs.sale.number, { lines: [{ line: 1, qty: '1', reason: 'mal molido' }], method: 'cash' }, admin);
  docs.refund = refunded.refund;
  docs.creditNote = refunded.creditNote!;
  docs.twoReasons = refund(app, docs.sale.number, { lines: [{ line: 2 }, { line: 3, qty: '1', reason: 'caducada' }], method: 'card', reference: '4321' }, admin).refund;
  docs.noReceipt = refund(app, null, { lines: [{ code: 'PAN' }], method: 'store_credit' }, admin).refund;
  docs.voucher = sell(app, { lines: [{ voucher: '25.00' }], payments: [{ method: 'card', amount: '25.00', reference: 'TPV 00042 lote 7' }] }, admin).receipt;
  docs.mixed = sell(app, { lines: [{ code: 'PAN' }, { voucher: '10' }], payments: [{ method: 'cash', amount: '20' }] }, admin).receipt;
  docs.long = sell(app, { lines: [{ code: 'CAFE2' }, { code: 'RECARGA' }], payments: [{ method: 'cash', amount: '10' }] }, admin).receipt;
  setSetting(app, 'store.prices_include_tax', false);
  docs.net = sell(app, { lines: [{ code: 'PAN', qty: '2' }], payments: [{ method: 'cash', amount: '5' }] }, admin).receipt;
  setSetting(app, 'store.prices_include_tax', true);
});
afterAll(() => app.close());

/** A document as printed on an Epson at `columns`: its rows (trailing blanks off) and the job's events. */
function paper(doc: StoredDocument, columns: Columns): { rows: string[]; flat: string; events: DecodedEvent[]; lines: LayoutLine[] } {
  const lines = layoutDocument(app, doc);
  const job = decodeEscpos(encodeDocument(lines, { profile: 'epson-tm-t20iii', columns }), { columns });
  const rows = job.rows.map((r) => r.text.trimEnd());
  // the paper is the preview, line for line
  expect(rows.join('\n') + '\n').toBe(renderText(lines, columns));
  for (const r of rows) expect(r.length, r).toBeLessThanOrEqual(columns);
  return { rows, flat: rows.map((r) => r.trim()).join(' ').replace(/ +/g, ' '), events: job.events, lines };
}

/** "1.234,56" / "-3,89" / "12,50 €" → minor units. */
const cents = (text: string): number => Math.round(Number(text.replace(/\s*€$/, '').replaceAll('.', '').replace(',', '.')) * 100);
/** The amount at the end of the row that starts with `label` (a marker letter after it aside). */
function amountOf(rows: string[], label: RegExp): number {
  const row = rows.find((r) => label.test(r));
  expect(row, `a row ${label}`).toBeDefined();
  return cents(/(-?[\d.]+,\d\d)(?: €)?(?: [A-J])?$/.exec(row!)![1]!);
}
const money = (minor: number): string => (minor / 100).toFixed(2).replace('.', ',');
const THANKS = '¡Gracias por su compra!';

describe.each(COLUMNS)('at %i columns', (columns) => {
  it('a refund is a simplified corrective invoice: the receipt and its date, the reason, negative amounts, no thanks', () => {
    const { rows, flat, events } = paper(docs.refund, columns);
    expect(flat).toContain(`Factura rectificativa simplificada ${docs.refund.number}`);
    expect(flat).not.toContain('Factura simplificada');
    // its own date, and the receipt's number and date
    expect(flat).toContain('22/11/2026 18:30');
    expect(flat).toContain(`Rectifica el ticket ${docs.sale.number} del 21/11/2026`);
    expect(flat).toContain('Motivo: mal molido');
    // every amount is given back: the line, the total, the bases and taxes, the cash
    const total = docs.refund.total;
    expect(total).toBe(389);
    expect(amountOf(rows, /^ {2}1 x 3,89 /)).toBe(-389);
    expect(amountOf(rows, /^TOTAL /)).toBe(-total);
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^Efectivo +-${money(total)}$`)));
    const tax = docs.refund.taxes[0]!;
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^A  21 % +-${money(tax.base)} +-${money(tax.tax)}$`)));
    expect(rows.filter((r) => /^Efectivo +\d/.test(r))).toEqual([]);
    expect(flat).not.toContain(THANKS);
    // the scan code a later return reads, then the cut, last
    expect(events.filter((e) => e.type === 'barcode' || e.type === 'qr').map((e) => ('data' in e ? e.data : ''))).toEqual([`TPV:${docs.refund.number}`]);
    expect(events.at(-1)).toMatchObject({ type: 'cut' });
    // the sale it corrects thanks its customer
    expect(paper(docs.sale, columns).flat).toContain(THANKS);
  });

  it("a refund of lines with different reasons gives each line's, the return of goods when none is given; one without receipt says so", () => {
    const { rows, flat } = paper(docs.twoReasons, columns);
    expect(flat).toContain(`Rectifica el ticket ${docs.sale.number} del 21/11/2026`);
    // no reason for the whole document: each line's under it
    expect(flat.match(/Motivo:/g)).toHaveLength(2);
    const pan = rows.findIndex((r) => r === 'Pan de pueblo');
    const leche = rows.findIndex((r) => r === 'Leche entera');
    expect(rows.slice(pan, leche).join(' ').replace(/ +/g, ' ')).toContain('Motivo: devolución de mercancía');
    expect(rows.slice(leche).join(' ')).toContain('Motivo: caducada');
    // paid back to the card the sale was paid with: its last digits, the amount negative
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^Tarjeta +-${money(docs.twoReasons.total)}$`)));
    expect(rows).toContain('  **** 4321');
    const none = paper(docs.noReceipt, columns).flat;
    expect(none).toContain('Factura rectificativa simplificada');
    expect(none).toContain('Devolución sin ticket de compra');
    expect(none).toContain('Motivo: devolución de mercancía');
    expect(none).toMatch(/Vale -1,20 Código [0-9A-Z]{4}-/);
  });

  it('a gift voucher sold alone is what it is: no simplified invoice, not subject to VAT, no tax table', () => {
    const { rows, flat } = paper(docs.voucher, columns);
    expect(flat).toContain(`Venta de vale regalo ${docs.voucher.number}`);
    expect(flat).not.toContain('Factura');
    expect(flat).toContain('Operación no sujeta a IVA');
    expect(flat).not.toContain('Base imponible');
    expect(flat).not.toContain('IVA incluido');
    expect(rows.filter((r) => /^[A-J] +\d+ %/.test(r))).toEqual([]);
    expect(amountOf(rows, /^TOTAL /)).toBe(2500);
    // a reference that is no card's digits prints as it is
    expect(flat).toContain('Ref. TPV 00042 lote 7');
    // sold with goods: a simplified invoice, its tax table for the goods, the voucher outside it
    const mixed = paper(docs.mixed, columns);
    expect(mixed.flat).toContain(`Factura simplificada ${docs.mixed.number}`);
    const taxed = docs.mixed.taxes.reduce((a, x) => a + x.base + x.tax, 0);
    expect(amountOf(mixed.rows, /^Vales, no sujetos a IVA /)).toBe(1000);
    expect(taxed + 1000).toBe(docs.mixed.total);
    expect(amountOf(mixed.rows, /^TOTAL /)).toBe(docs.mixed.total);
  });

  it('an invoice gives each line its unit price before tax and its rate, and the date of the sale', () => {
    const { rows, flat } = paper(docs.invoice, columns);
    expect(flat).toContain(`Factura ${docs.invoice.number}`);
    expect(flat).toContain(`Ticket ${docs.sale.number}`);
    expect(flat).toContain('Fecha de la operación 21/11/2026');
    expect(flat).toContain('Ferretería Sol SL');
    const expected = [
      ['Café molido natural 250 g', '3,2149', '21'],
      ['Pan de pueblo', '1,0909', '10'],
      ['Leche entera', '0,9519', '4'],
    ];
    for (const [name, net, rate] of expected) {
      const at = rows.indexOf(name!);
      expect(at, name).toBeGreaterThan(0);
      expect(rows[at + 2]).toMatch(new RegExp(`^  ${net} sin IVA +IVA ${rate} %$`));
    }
    expect(flat).toContain(THANKS);
  });

  it('a corrective invoice names the invoice and its date, the reason, unit prices before tax and rates, negative amounts', () => {
    const { rows, flat } = paper(docs.creditNote, columns);
    expect(flat).toContain(`Factura rectificativa ${docs.creditNote.number}`);
    expect(flat).not.toContain('simplificada');
    expect(flat).toContain(`Rectifica la factura ${docs.invoice.number} del 21/11/2026`);
    expect(flat).toContain('Motivo: mal molido');
    expect(flat).toContain('Ferretería Sol SL');
    const at = rows.indexOf('Café molido natural 250 g');
    expect(rows[at + 1]).toMatch(/^ {2}1 x 3,89 +-3,89 A$/);
    expect(rows[at + 2]).toMatch(/^ {2}3,2149 sin IVA +IVA 21 %$/);
    expect(amountOf(rows, /^TOTAL /)).toBe(-389);
    expect(rows).toContainEqual(expect.stringMatching(/^Efectivo +-3,89$/));
    expect(flat).not.toContain(THANKS);
  });

  it('a ticket keys each line to its rate in the tax table, says IVA incluido, and prints the card\'s last digits and authorisation', () => {
    const { rows, flat } = paper(docs.sale, columns);
    // the table: marker, rate, base, tax
    const table = new Map(rows.flatMap((r) => {
      const m = /^([A-J]) +(\d+) % +([\d,.]+) +([\d,.]+)$/.exec(r);
      return m ? [[m[1]!, Number(m[2]) * 100]] : [];
    }));
    expect([...table.entries()]).toEqual([['A', 2100], ['B', 1000], ['C', 400]]);
    for (const line of docs.sale.lines) {
      const at = rows.indexOf(line.name);
      const marker = /\s([A-J])$/.exec(rows[at + 1]!)?.[1];
      expect(table.get(marker!), `${line.name}: ${rows[at + 1]}`).toBe(line.taxRate);
    }
    // "IVA incluido" right under the total
    expect(rows[rows.findIndex((r) => r.startsWith('TOTAL')) + 1]).toBe('IVA incluido'.padStart(columns));
    const card = rows.findIndex((r) => /^Tarjeta +5,00$/.test(r));
    expect(rows[card + 1]).toBe('  **** 4321  Aut. 123456');
    expect(flat).toContain('Factura simplificada');
    // prices without tax: the table still, "IVA incluido" not
    const net = paper(docs.net, columns);
    expect(net.flat).not.toContain('IVA incluido');
    expect(net.rows).toContainEqual(expect.stringMatching(/^A  10 % +2,40 +0,24$/));
    expect(amountOf(net.rows, /^TOTAL /)).toBe(264);
  });

  it('a number never parts from its unit when a line wraps; the printer gets plain spaces', () => {
    const { rows } = paper(docs.long, columns);
    const text = rows.join('\n');
    expect(text).toContain('250 g');
    expect(text).toContain('5 €');
    if (columns === 32) {
      expect(rows).toContain('Café molido natural tostado');
      expect(rows).toContain('250 g');
      expect(rows).toContain('Tarjeta de recarga telefónica');
      expect(rows).toContain('5 €');
    }
    const bytes = encodeDocument(layoutDocument(app, docs.long), { profile: 'epson-tm-t20iii', columns });
    // the text prints from PC858, where the non-breaking space is 0xFF
    expect(decodeEscpos(bytes).events).toContainEqual(expect.objectContaining({ type: 'codepage', n: 19 }));
    expect(bytes.indexOf(0xff)).toBe(-1);
  });

  it.each(['star-tsp100iv', 'star-tsp650'])('on %s every document ends with the cut, no blank line after a barcode', (profile) => {
    for (const doc of Object.values(docs)) {
      const bytes = encodeDocument(layoutDocument(app, doc), { profile, columns });
      expect(Buffer.from(bytes.subarray(-3)).toString('hex'), doc.number).toBe('1b6403');
      const rs = bytes.indexOf(0x1e);
      if (rs >= 0) expect(Buffer.from(bytes.subarray(rs + 1, rs + 5)).toString('hex'), `after the barcode of ${doc.number}`).toBe('1b1d6100');
    }
  });
});

describe('refund reasons, before and after the restock flag was kept apart', () => {
  it.each(COLUMNS)('at %i columns: a refund stored with "reason; no restock" notes and no body prints as it always did', (columns) => {
    // as tpv stored refunds before: the flag after the reason in each line's note, no body
    const legacy: StoredDocument = { ...docs.twoReasons, body: null, lines: docs.twoReasons.lines.map((x, i) => ({ ...x, note: i === 0 ? 'no restock' : 'caducada; no restock' })) };
    const { flat } = paper(legacy, columns);
    expect(flat).toContain('Motivo: devolución de mercancía');
    expect(flat).toContain('Motivo: caducada');
    expect(flat).not.toContain('restock');
    // and a legacy refund whose lines all had one reason prints it once, for the whole document
    const one = paper({ ...docs.refund, body: null, lines: docs.refund.lines.map((x) => ({ ...x, note: 'mal molido; no restock' })) }, columns).flat;
    expect(one.match(/Motivo:/g)).toHaveLength(1);
    expect(one).toContain('Motivo: mal molido');
  });

  it('a reason typed ending in "; no restock" prints in full, on the refund and on its corrective invoice, at every width', () => {
    const admin = actingUser(app.db);
    const sold = sell(app, { lines: [{ code: 'CAFE' }, { code: 'PAN' }], payments: [{ method: 'card', amount: '5.09' }] }, admin).receipt;
    createInvoice(app, sold.number, 'B12345674', admin);
    const typed = 'precinto roto; no restock';
    const back = refund(app, sold.number, { lines: [{ line: 1, reason: typed, restock: false }, { line: 2, reason: typed }], method: 'card' }, admin);
    expect(back.refund.lines.map((x) => x.note)).toEqual([typed, typed]);
    expect(back.refund.body).toEqual({ no_restock: [1] });
    expect(back.creditNote!.body).toEqual({ no_restock: [1] });
    for (const columns of COLUMNS) {
      for (const doc of [back.refund, back.creditNote!]) {
        const { flat } = paper(doc, columns);
        expect(flat.match(/Motivo:/g), doc.number).toHaveLength(1);
        expect(flat).toContain(`Motivo: ${typed}`);
      }
    }
  });
});

describe('the rules behind the paper', () => {
  it('a unit price before tax times (1 + rate) rounds back to the price paid (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom(0, 400, 500, 1000, 1050, 2100, 1200, 1600), (price, rate) => {
        const text = unitPriceBeforeTax(price, rate, true, 2, 'es');
        expect(text).toMatch(/^\d{1,3}(\.\d{3})*,\d{2}(\d{2})?$/);
        const [int, frac] = text.replaceAll('.', '').split(',') as [string, string];
        // in ten-thousandths of a euro, back to cents with the tax: the price paid
        const net = Number(int) * 10000 + Number(frac.padEnd(4, '0'));
        expect(Math.round((net * (10000 + rate)) / 10000 / 100)).toBe(price);
      }),
      { numRuns: 500 },
    );
    expect(unitPriceBeforeTax(389, 2100, true, 2, 'es')).toBe('3,2149');
    expect(unitPriceBeforeTax(121, 2100, true, 2, 'es')).toBe('1,00');
    expect(unitPriceBeforeTax(120, 1000, false, 2, 'en')).toBe('1.20');
    expect(unitPriceBeforeTax(1190, 1900, true, 0, 'es')).toBe('1.000');
    expect(unitPriceBeforeTax(1000, 1900, true, 0, 'es')).toBe('840,34');
  });

  it("reads a card payment's reference: last 4, authorisation after a slash, anything else as it is", () => {
    expect(cardDetail('4321', 'es')).toBe(`****${NBSP}4321`);
    expect(cardDetail('****4321/A1B2C3', 'es')).toBe(`****${NBSP}4321  Aut. A1B2C3`);
    expect(cardDetail('XXXX 4321; aut. 998877', 'en')).toBe(`****${NBSP}4321  Auth. 998877`);
    expect(cardDetail('op 12345', 'es')).toBe('Ref. op 12345');
  });

  it('no wrap ever parts a number from its unit, and rows carry no non-breaking space (property)', () => {
    const words = fc.constantFrom('Café', 'molido', 'natural', 'de', 'tueste', 'Aceite', 'oliva', 'virgen', 'extra', 'x', 'pack', 'ahorro', '2', '1,5');
    const units = fc.constantFrom('250 g', '5 €', '0,5 l', '21 %', '1,25 kg', '12,50 €', '2 u.', '750 ml');
    fc.assert(
      fc.property(fc.array(fc.oneof(words, units), { minLength: 1, maxLength: 14 }), fc.constantFrom(...COLUMNS), fc.boolean(), (parts, columns, pair) => {
        const text = parts.join(' ');
        const line: LayoutLine = pair ? { kind: 'pair', left: text, right: '12,50 €' } : { kind: 'text', text };
        const rows = layoutRows([line], columns).flatMap((r) => (r.kind === 'text' ? [r.text] : []));
        for (const r of rows) expect(r).not.toContain(NBSP);
        // each row ends in a digit only when the next row does not start with a unit
        for (let i = 0; i + 1 < rows.length; i++) {
          if (/\d$/.test(rows[i]!)) expect(rows[i + 1]!.trimStart(), `${rows[i]} | ${rows[i + 1]}`).not.toMatch(/^(g|€|l|%|kg|u\.|ml)(\s|$)/);
        }
        // nothing is lost
        expect(rows.join(' ').replace(/\s+/g, ' ').trim()).toContain(parts.filter((p) => !/ /.test(p)).at(-1) ?? '');
      }),
      { numRuns: 400 },
    );
  });

  it('a reason is read as stored in a refund with a body, and without the trailing flag in one without (property)', () => {
    const reason = fc.string({ minLength: 0, maxLength: 40 }).filter((r) => !/[\u0000-\u001f]/.test(r));
    fc.assert(
      fc.property(reason, fc.boolean(), (r, restock) => {
        const stored = r.trim() === '' ? null : r.trim();
        // now: the note is the reason as typed, whatever it ends with
        expect(refundReason(stored, refundBody(restock ? [] : [1]))).toBe(stored);
        // before: the note was the reason, then "; no restock" when the goods stayed out of stock
        const legacy = [stored, restock ? null : 'no restock'].filter(Boolean).join('; ') || null;
        if (!/(?:^|; )no restock$/.test(stored ?? '')) expect(refundReason(legacy, null)).toBe(stored);
      }),
      { numRuns: 500 },
    );
    expect(refundReason('x; no restock', refundBody([]))).toBe('x; no restock');
    expect(refundReason('x; no restock', null)).toBe('x');
    expect(refundReason('no restock', null)).toBe(null);
  });

  it('the voucher lines of a mixed sale carry no marker: they are outside the tax table', () => {
    const rows = renderText(layoutDocument(app, docs.mixed), 42).split('\n');
    const voucher = docs.mixed.lines.find(isVoucherLine)!;
    const at = rows.indexOf(voucher.name);
    expect(rows[at + 1]).toMatch(/ 10,00$/);
  });
});
