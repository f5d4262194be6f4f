/**
 * No money without its code (issue 12, finding 11): a gift voucher sold and store credit issued
 * (a refund, an exchange's remainder, `tpv credit issue`) come out of the printer with their own
 * slip — code, barcode, amount, expiry, terms, the document they came from — right after the
 * document, whose own lines name the code too; reprints carry them, marked as copies. The printer
 * is a file (`file:`), read back through the ESC/POS decoder: what the customer takes home.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodedText, decodeEscpos, type DecodedJob } from '../../src/devices/escpos-decode.js';
import { cli, tempDir } from '../helpers.js';
import { demoStore, jsonAt, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: cli, db: join(dir, 'slips.db'), dir };
const run = jsonAt(shop);
const PAPER = join(dir, 'paper.bin');

/** What the printer printed since the last call. */
let read = 0;
function paper(): { job: DecodedJob; text: string } {
  const bytes = readFileSync(PAPER);
  const job = decodeEscpos(bytes.subarray(read), { columns: 42 });
  read = bytes.length;
  return { job, text: decodedText(job) };
}

/** The last day a code is valid, as a shop in Madrid reads it: the day before the midnight it expires at. */
function lastDay(expiresAt: string): string {
  const at = new Date(expiresAt);
  const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Madrid', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  expect(wall, 'a code expires at the end of a day in the store').toBe('00:00');
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Madrid', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(at.getTime() - 1));
}

/** The document a code is linked to (credits.document_id), by its number. */
function documentOf(code: string): string | null {
  const db = new Database(shop.db, { readonly: true });
  try {
    const row = db.prepare('SELECT d.number FROM credits c LEFT JOIN documents d ON d.id = c.document_id WHERE c.code = ?').get(code.replaceAll('-', '')) as
      | { number: string | null }
      | undefined;
    return row?.number ?? null;
  } finally {
    db.close();
  }
}

/** The printed slip of `code`: from the rule under the store's header (a copy's mark, its title) to its barcode. */
function slipOf(text: string, code: string, title: string): string {
  const titled = text.lastIndexOf(`\n${title}\n`, text.indexOf(`  ${code}`));
  expect(titled, `a slip titled ${title} for ${code}`).toBeGreaterThanOrEqual(0);
  const start = text.lastIndexOf('\n---', titled);
  const end = text.indexOf(code.replaceAll('-', ''), titled);
  expect(end, `the barcode of ${code} on its slip`).toBeGreaterThan(titled);
  return text.slice(start, end + 16);
}

beforeAll(async () => {
  await demoStore(shop);
  expect((await run(['shift', 'open', '--float', '100'])).code).toBe(0);
  const printer = await run(['devices', 'add', 'printer', '--url', `file:${PAPER}`, '--profile', 'epson-tm-t20iii', '--columns', '42']);
  expect(printer.code, printer.stdout).toBe(0);
  expect((await run(['devices', 'add', 'drawer', '--printer', 'printer', '--pin', '2'])).code).toBe(0);
});

describe('a gift voucher sold with --print', () => {
  let receipt: { number: string };
  let code = '';

  it('prints the receipt naming the code, then the voucher slip: code, barcode, amount, expiry, terms, receipt number', async () => {
    const r = await run(['sale', '--print'], { lines: [{ code: 'LAC-001' }, { voucher: '25' }], payments: [{ method: 'cash', amount: '30' }] });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.print).toMatchObject({ ok: true, printer: 'printer', kicked: true });
    receipt = r.json.data.receipt;
    // a script learns the code, its amount and expiry from the result
    expect(r.json.data.credits).toEqual([{ code: expect.stringMatching(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/), origin: 'voucher', amount: '25.00', expires_at: expect.any(String) }]);
    code = r.json.data.credits[0].code;
    expect(r.json.data.receipt.lines[1].voucher).toBe(code);

    const { job, text } = paper();
    // the receipt first, its voucher line naming the code
    const receiptEnds = text.indexOf('VALE REGALO');
    expect(text.indexOf(receipt.number)).toBeLessThan(receiptEnds);
    expect(text.slice(0, receiptEnds)).toMatch(new RegExp(`Vale regalo\\n.*25,00\\n +Código ${code}\\n`));
    // then the voucher's own slip
    const slip = slipOf(text, code, 'VALE REGALO');
    expect(slip).toContain(receipt.number);
    expect(slip).toMatch(/Saldo +25,00 €/);
    expect(slip).toMatch(new RegExp(`Válido hasta +${lastDay(r.json.data.credits[0].expires_at)}`));
    expect(slip).toContain('Canjeable en esta tienda, no por dinero.');
    expect(slip).not.toContain('COPIA');
    // the code large and bold, and as a barcode a till scans back
    const row = job.rows.find((x) => x.text.trim() === code);
    expect(row).toMatchObject({ bold: true, large: true });
    expect(job.events).toContainEqual(expect.objectContaining({ type: 'barcode', data: code.replaceAll('-', '') }));
    // a cash sale: the drawer opened with it
    expect(job.events.filter((e) => e.type === 'drawer')).toHaveLength(1);
  });

  it('the code is linked to its receipt (credits.document_id)', () => {
    expect(documentOf(code)).toBe(receipt.number);
  });

  it('a reprint of the receipt (tpv print) reprints its slip, both marked COPIA', async () => {
    const r = await run(['print', receipt.number]);
    expect(r.code, r.stdout).toBe(0);
    const { text } = paper();
    expect(text.match(/\*\*\* COPIA \*\*\*/g)).toHaveLength(2);
    expect(text).toContain(`Código ${code}`);
    expect(slipOf(text, code, 'VALE REGALO')).toContain('COPIA');
  });

  it('tpv credit print reprints the slip alone, with the balance now, marked COPIA', async () => {
    const spend = await run(['sale'], { lines: [{ code: 'LAC-001' }], payments: [{ method: 'store_credit', code, amount: '0.99' }] });
    expect(spend.code, spend.stdout).toBe(0);
    const r = await run(['credit', 'print', code]);
    expect(r.code, r.stdout).toBe(0);
    const { text } = paper();
    const slip = slipOf(text, code, 'VALE REGALO');
    expect(slip).toContain('COPIA');
    expect(slip).toMatch(/Saldo +24,01 €/);
    expect(slip).toContain(receipt.number);
  });

  it('a voucher sold before codes were linked to their documents still reprints with its receipt', async () => {
    const r = await run(['sale'], { lines: [{ voucher: '5' }], payments: [{ method: 'card', amount: '5' }] });
    const old = r.json.data.credits[0].code;
    const db = new Database(shop.db);
    db.prepare('UPDATE credits SET document_id = NULL WHERE code = ?').run(old.replaceAll('-', ''));
    db.close();
    expect((await run(['print', r.json.data.receipt.number])).code).toBe(0);
    expect(slipOf(paper().text, old, 'VALE REGALO')).toContain(r.json.data.receipt.number);
  });
});

describe('store credit with --print', () => {
  it('a refund to store credit prints the refund naming the code, then the credit slip; the code is linked to the refund', async () => {
    const sale = await run(['sale'], { lines: [{ code: 'LAC-001', qty: '3' }], payments: [{ method: 'card', amount: '2.97' }] });
    expect(sale.code, sale.stdout).toBe(0);
    const r = await run(['refund', sale.json.data.receipt.number, '--all', '--method', 'store_credit', '--print']);
    expect(r.code, r.stdout).toBe(0);
    const refund = r.json.data.refund;
    const code = refund.store_credit.code;
    expect(r.json.data.credits).toEqual([{ code, origin: 'refund', amount: '2.97', expires_at: expect.any(String) }]);
    expect(r.json.data.print).toMatchObject({ ok: true, printer: 'printer', kicked: false });

    const { job, text } = paper();
    const slipStarts = text.indexOf('VALE DE COMPRA');
    expect(text.slice(0, slipStarts)).toContain(refund.number);
    expect(text.slice(0, slipStarts)).toMatch(new RegExp(`Vale +-2,97\\n +Código ${code}\\n`));
    const slip = slipOf(text, code, 'VALE DE COMPRA');
    expect(slip).toContain(refund.number);
    expect(slip).toMatch(/Saldo +2,97 €/);
    expect(slip).toMatch(new RegExp(`Válido hasta +${lastDay(r.json.data.credits[0].expires_at)}`));
    expect(slip).toContain('Canjeable en esta tienda, no por dinero.');
    expect(job.events).toContainEqual(expect.objectContaining({ type: 'barcode', data: code.replaceAll('-', '') }));
    // no cash moved: the drawer stays shut
    expect(job.events.filter((e) => e.type === 'drawer')).toHaveLength(0);
    expect(documentOf(code)).toBe(refund.number);
  });

  it('a cash refund with --print prints the refund and opens the drawer, like a cash sale', async () => {
    const sale = await run(['sale'], { lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1' }] });
    paper();
    const r = await run(['refund', sale.json.data.receipt.number, '--all', '--method', 'cash', '--print']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.print).toMatchObject({ ok: true, kicked: true });
    expect(r.json.data.credits).toEqual([]);
    const { job, text } = paper();
    expect(text).toContain(r.json.data.refund.number);
    expect(text).not.toContain('VALE');
    expect(job.events.filter((e) => e.type === 'drawer')).toHaveLength(1);
  });

  it("an exchange's remainder to store credit prints both documents and the slip, linked to the refund", async () => {
    const sale = await run(['sale'], { lines: [{ code: 'LAC-001', qty: '4' }], payments: [{ method: 'card', amount: '3.96' }] });
    const r = await run(['exchange', sale.json.data.receipt.number, '--method', 'store_credit', '--print'], {
      lines: [{ line: 1, qty: '4' }],
      sale: { lines: [{ code: 'LAC-001' }], payments: [] },
    });
    expect(r.code, r.stdout).toBe(0);
    const ex = r.json.data.exchange;
    expect(ex.credits).toEqual([{ code: ex.refund.store_credit.code, origin: 'refund', amount: '2.97', expires_at: expect.any(String) }]);
    const { text } = paper();
    expect(text).toContain(ex.refund.number);
    expect(text).toContain(ex.sale.number);
    expect(slipOf(text, ex.refund.store_credit.code, 'VALE DE COMPRA')).toContain(ex.refund.number);
    expect(documentOf(ex.refund.store_credit.code)).toBe(ex.refund.number);
  });

  it('tpv credit issue --print prints the slip of a code issued on its own; --expires is the last valid day in the store', async () => {
    const r = await run(['credit', 'issue', '10', '--expires', '2027-12-31', '--print']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.print).toMatchObject({ ok: true, printer: 'printer' });
    expect(lastDay(r.json.data.expires_at)).toBe('31/12/2027');
    const { text } = paper();
    const slip = slipOf(text, r.json.data.printed, 'VALE DE COMPRA');
    expect(slip).toMatch(/Saldo +10,00 €/);
    expect(slip).toMatch(/Válido hasta +31\/12\/2027/);
    expect(slip).not.toContain('COPIA');
  });
});
