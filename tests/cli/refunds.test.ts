/**
 * After a sale: a partial refund to cash, the rest to store credit, that credit spent at a new
 * sale; the Z report shows all of it and the journal verifies. A refund's reasons are stored as
 * typed and print as typed (read back from the printer's bytes), whatever words they end with;
 * whether the goods went back to stock is kept apart from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodedText, decodeEscpos } from '../../src/devices/escpos-decode.js';
import { cli, tempDir } from '../helpers.js';
import { cashierRefundNeedsApproval, cents, demoStore, jsonAt, type Shop } from '../scenarios.js';

const dir = tempDir();
const DB = join(dir, 'refunds.db');
const shop: Shop = { run: cli, db: DB, dir };
const run = jsonAt(shop);

beforeAll(async () => {
  await demoStore(shop);
  expect((await run(['shift', 'open', '--float', '100'])).code).toBe(0);
});

describe('returns', () => {
  it('sale → partial refund to cash → the rest to credit → credit spent → invoice of that sale → Z report → audit', async () => {
    const sale = await run(['sale'], JSON.stringify({
      lines: [{ code: 'LAC-001', qty: '3' }, { code: 'FRU-001', qty: '0.750' }, { code: 'LAC-001', qty: '1', discount: '50%' }],
      discount: '10%',
      payments: [{ method: 'cash', amount: '20' }],
    }));
    expect(sale.code).toBe(0);
    const receipt = sale.json.data.receipt;
    const stockBefore = (await run(['stock', 'show', 'LAC-001'])).json.data.stock;

    const part = await run(['refund', receipt.number], JSON.stringify({ lines: [{ line: 1, qty: '1', restock: true, reason: 'defective' }], method: 'cash' }));
    expect(part.code).toBe(0);
    const r1 = part.json.data.refund;
    expect(r1).toMatchObject({ number: 'T01R-000001', receipt: receipt.number, payments: [{ method: 'cash' }] });
    // what the customer paid for one of three units of line 1, cart discount included
    expect(cents(r1.total)).toBe(Math.round(cents(receipt.lines[0].amount) / 3));
    expect(Number((await run(['stock', 'show', 'LAC-001'])).json.data.stock)).toBe(Number(stockBefore) + 1);

    const over = await run(['refund', receipt.number], JSON.stringify({ lines: [{ line: 1, qty: '3' }], method: 'cash' }));
    expect(over.code).toBe(5);
    expect(over.json.error).toMatchObject({ code: 'refund.over_quantity', details: { line: 1, remaining: '2' } });

    const rest = await run(['refund', receipt.number, '--all', '--method', 'store_credit']);
    expect(rest.code).toBe(0);
    const r2 = rest.json.data.refund;
    expect(r2.store_credit.amount).toBe(r2.total);
    // refunded in pieces: exactly the total and the tax per rate of the receipt
    expect(cents(r1.total) + cents(r2.total)).toBe(cents(receipt.total));
    for (const tx of receipt.taxes) {
      const back = [r1, r2].flatMap((r: { taxes: { rate: string; tax: string }[] }) => r.taxes).filter((x) => x.rate === tx.rate);
      expect(back.reduce((a, x) => a + cents(x.tax), 0)).toBe(cents(tx.tax));
    }
    expect((await run(['refund', receipt.number, '--all', '--method', 'cash'])).json.error.code).toBe('refund.nothing_left');

    const spend = await run(['sale'], JSON.stringify({ lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'store_credit', code: r2.store_credit.code, amount: '0.99' }] }));
    expect(spend.code).toBe(0);
    const credit = await run(['credit', 'show', r2.store_credit.code]);
    expect(cents(credit.json.data.balance)).toBe(cents(r2.total) - 99);

    // the customer wants a full invoice of that last sale
    expect((await run(['customers', 'add', '--name', 'Ferretería Sol SL', '--tax-id', 'B12345674'])).code).toBe(0);
    const sold = spend.json.data.receipt;
    const inv = await run(['invoice', 'create', '--receipt', sold.number, '--customer', 'B-12345674']);
    expect(inv.code).toBe(0);
    expect(inv.json.data).toMatchObject({ number: 'T01F-000001', receipt: sold.number, total: sold.total, taxes: sold.taxes, lines: sold.lines, customer: { tax_id: 'B12345674' } });
    const again = await run(['invoice', 'create', '--receipt', sold.number, '--customer', 'B12345674']);
    expect(again.code).toBe(5);
    expect(again.json.error.message).toContain('T01F-000001');
    const text = await cli(['--db', DB, 'invoice', 'show', 'T01F-000001'], { env: { TPV_LANG: 'es' } });
    expect(text.stdout).toMatch(/Factura\s+T01F-000001/);
    expect(text.stdout).toContain('Ferretería Sol SL');
    expect(text.stdout).toContain('B12345674');

    const z = await run(['shift', 'close', '--counted', '100.00']);
    expect(z.code).toBe(0);
    const f = z.json.data;
    expect(f.refunds).toEqual({ count: 2, total: ((cents(r1.total) + cents(r2.total)) / 100).toFixed(2) });
    expect(f.tenders.find((x: { method: string }) => x.method === 'store_credit')).toMatchObject({ sales: '0.99', refunds: r2.total });
    expect(cents(f.cash.expected)).toBe(10000 + cents(receipt.payments[0].amount) - cents(r1.payments[0].amount));
    // receipt, 2 refunds, the credit sale, the invoice, the Z report, and the shift's opening
    expect((await run(['audit', 'verify'])).json.data).toMatchObject({ ok: true, entries: 7 });
  });

  it('batch invoicing from JSON Lines: re-running the same file creates nothing new', async () => {
    const { writeFileSync } = await import('node:fs');
    expect((await run(['shift', 'open', '--float', '0'])).code).toBe(0);
    const numbers: string[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await run(['sale'], JSON.stringify({ lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'card', amount: '0.99' }] }));
      numbers.push(s.json.data.receipt.number);
    }
    const file = join(dir, 'invoices.jsonl');
    writeFileSync(file, numbers.map((n, i) => JSON.stringify({ id: `inv-${i}`, receipt: n, customer: 'B12345674' })).join('\n') + '\n');
    const first = await run(['invoice', 'create', '--from', file]);
    expect(first.json.data).toMatchObject({ created: 2, existing: 0, failed: 0 });
    const second = await run(['invoice', 'create', '--from', file]);
    expect(second.json.data).toMatchObject({ created: 0, existing: 2 });
    expect(second.json.data.results.map((r: { number: string }) => r.number)).toEqual(first.json.data.results.map((r: { number: string }) => r.number));
    // refunding an invoiced receipt makes a corrective invoice that references the invoice
    const back = await run(['refund', numbers[0]!, '--all', '--method', 'card']);
    expect(back.code).toBe(0);
    const cn = back.json.data.refund.credit_note;
    expect(cn).toMatch(/^T01FR-\d{6}$/);
    const shown = await run(['invoice', 'show', cn]);
    expect(shown.json.data).toMatchObject({ type: 'credit_note', receipt: first.json.data.results[0].number, total: back.json.data.refund.total, customer: { tax_id: 'B12345674' } });
    expect((await run(['shift', 'close', '--counted', '0'])).code).toBe(0);
  });

  it('a reason typed ending in "; no restock" is stored and printed as typed; the restock flag is kept apart, the stock moves by it', async () => {
    const paperFile = join(dir, 'paper.bin');
    expect((await run(['devices', 'add', 'printer', '--url', `file:${paperFile}`, '--profile', 'epson-tm-t20iii', '--columns', '42'])).code).toBe(0);
    expect((await run(['shift', 'open', '--float', '0'])).code).toBe(0);
    const sale = await run(['sale'], { lines: [{ code: 'LAC-001', qty: '2' }, { code: 'PAN-013', qty: '2' }], payments: [{ method: 'card', amount: '6.76' }] });
    expect(sale.code, sale.stdout).toBe(0);
    const stock = async (sku: string): Promise<number> => Number((await run(['stock', 'show', sku])).json.data.stock);
    const [milk, bread] = [await stock('LAC-001'), await stock('PAN-013')];
    const typed = 'envase abierto; no restock';
    const r = await run(['refund', sale.json.data.receipt.number, '--print'], {
      lines: [
        { line: 1, qty: '1', restock: true, reason: typed },
        { line: 2, qty: '1', restock: false, reason: 'aplastado' },
      ],
      method: 'card',
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.print).toMatchObject({ ok: true });
    const number = r.json.data.refund.number as string;
    // the milk went back to stock (its reason on the move as typed), the bread did not
    expect(await stock('LAC-001')).toBe(milk + 1);
    expect(await stock('PAN-013')).toBe(bread);
    const db = new Database(DB, { readonly: true });
    try {
      const id = db.prepare('SELECT id FROM documents WHERE number = ?').pluck().get(number) as number;
      expect(db.prepare('SELECT note FROM document_lines WHERE document_id = ? ORDER BY line').pluck().all(id)).toEqual([typed, 'aplastado']);
      expect(JSON.parse(db.prepare('SELECT body FROM documents WHERE id = ?').pluck().get(id) as string)).toEqual({ no_restock: [2] });
      expect(db.prepare("SELECT reason FROM stock_moves WHERE kind = 'refund' AND ref = ?").pluck().all(number)).toEqual([typed]);
    } finally {
      db.close();
    }
    // on paper (the printer's bytes read back): each line's reason, in full
    const text = decodedText(decodeEscpos(readFileSync(paperFile), { columns: 42 }));
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(number);
    expect(flat).toContain(`Motivo: ${typed}`);
    expect(flat).toContain('Motivo: aplastado');
    expect((await run(['shift', 'close', '--counted', '0'])).code).toBe(0);
    expect((await run(['devices', 'remove', 'printer'])).code).toBe(0);
  });

  it('a cashier needs a supervisor to refund', () => cashierRefundNeedsApproval(shop));
});
