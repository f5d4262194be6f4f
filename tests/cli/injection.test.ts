/**
 * Injection closed (issue 12, finding 10), through the CLI in-process: CSV exports neutralise
 * formula-like cells and read back what they wrote; stored text refuses control characters and
 * overlong values naming the field; what a terminal shows is escaped, also for rows written into
 * the database by hand (older data); a sale id reused for another sale is a conflict.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CsvReader } from '../../src/core/csv.js';
import { connect } from '../../src/db/connection.js';
import { cli, tempDir } from '../helpers.js';
import { AGUA, at, jsonAt, type Shop, workedExampleStore } from '../scenarios.js';

const dir = tempDir('tpv-injection-');
const shop: Shop = { run: cli, db: join(dir, 'shop.db'), dir };
const run = at(shop);
const json = jsonAt(shop);

/** Every character a terminal acts on (ESC, other C0 but LF, C1, bidi controls). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const FORMULA = /^[=+\-@\t\r]/;
const HYPERLINK = '=HYPERLINK("http://x","y")';

/** The records of a CSV text, as cells (before tpv takes its neutralising quote off). */
function cells(text: string): string[][] {
  const r = new CsvReader(',');
  return [...r.push(text), ...r.end()].map((x) => x.fields);
}

/** Writes rows straight into the database, as an older tpv (or a hand edit) could have left them. */
function sql(statement: string, ...params: unknown[]): void {
  const db = connect(shop.db);
  try {
    db.prepare(statement).run(...params);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  await workedExampleStore(shop);
  expect((await json(['shift', 'open', '--float', '0'])).code).toBe(0);
});

describe('CSV exports neutralise formulas (OWASP) and import back unchanged', () => {
  it('products export: a name like =HYPERLINK(…) is written as text, and imports back as it was', async () => {
    const add = await json(['products', 'add', '--sku', 'INJ-1', '--name', HYPERLINK, '--price', '1.09', '--tax-rate', '21', '--category', '@cmd']);
    expect(add.code, add.stdout).toBe(0);
    await json(['products', 'add', '--sku', 'INJ-2', '--name', "'t Hoekje", '--price', '2.00', '--tax-rate', '21']);
    await json(['products', 'add', '--sku', 'INJ-3', '--name', "'=already quoted", '--price', '3.00', '--tax-rate', '21']);
    const file = join(dir, 'catalog.csv');
    const exp = await run(['products', 'export', file]);
    expect(exp.code, exp.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    // the cell as a spreadsheet reads it: a leading quote, so a text and no formula
    expect(text).toContain(`INJ-1,"'=HYPERLINK(""http://x"",""y"")",1.09,21,,each,'@cmd,1,`);
    const rows = cells(text);
    const header = rows[0]!;
    for (const row of rows.slice(1)) {
      for (const [i, cell] of row.entries()) {
        if (['name', 'sku', 'category', 'barcodes'].includes(header[i]!)) expect(cell, `${header[i]} of ${row[0]}`).not.toMatch(FORMULA);
      }
    }
    expect(rows.find((r) => r[0] === 'INJ-2')![1]).toBe("'t Hoekje"); // a real apostrophe before a letter is left alone
    expect(rows.find((r) => r[0] === 'INJ-3')![1]).toBe("''=already quoted");

    // importing the export gives back the same values: the quote tpv added comes off, a real one stays
    await json(['products', 'set', 'INJ-1', '--name', 'changed']);
    const imp = await json(['products', 'import', file]);
    expect(imp.code, imp.stdout).toBe(0);
    expect((await json(['products', 'show', 'INJ-1'])).json.data).toMatchObject({ name: HYPERLINK, category: '@cmd' });
    expect((await json(['products', 'show', 'INJ-2'])).json.data.name).toBe("'t Hoekje");
    expect((await json(['products', 'show', 'INJ-3'])).json.data.name).toBe("'=already quoted");
  });

  it('report --csv: text cells neutralised, amounts stay numbers (a refund gives -1.09, not \'-1.09)', async () => {
    const sale = await json(['sale'], { lines: [{ code: 'INJ-1' }], payments: [{ method: 'card', amount: '1.09' }] });
    expect(sale.code, sale.stdout).toBe(0);
    const refund = await json(['refund', sale.json.data.receipt.number, '--all', '--method', 'cash']);
    expect(refund.code, refund.stdout).toBe(0);
    const byProduct = await run(['report', 'sales', '--by', 'product', '--csv']);
    expect(byProduct.code, byProduct.stderr).toBe(0);
    const product = cells(byProduct.stdout).find((r) => r[0] === 'INJ-1')!;
    expect(product[1]).toBe(`'${HYPERLINK}`);
    const byTender = await run(['report', 'sales', '--by', 'tender', '--csv']);
    const cash = cells(byTender.stdout).find((r) => r[0] === 'cash')!;
    expect(cash[4]).toBe('-1.09');
    expect(byTender.stdout).toMatch(/^cash,cash,1,,-1\.09$/m);
  });
});

describe('stored text refuses control characters and overlong values, naming the field', () => {
  it.each([
    ['an ESC sequence', 'Evil\u001b[2J\u001b]0;owned\u0007', 'text.control', { char: 'U+001B' }],
    ['a NUL', 'Nul\u0000Name', 'text.control', { char: 'U+0000' }],
    ['a C1 control (CSI)', 'Csi\u009b31m', 'text.control', { char: 'U+009B' }],
    ['a bidi override', 'abc\u202Etxt.exe', 'text.control', { char: 'U+202E' }],
    ['100,000 characters', 'x'.repeat(100_000), 'text.too_long', { max: 120 }],
  ])('customers add refuses a name with %s (exit 3, field "name")', async (_what, name, code, params) => {
    const r = await json(['customers', 'add', '--name', name]);
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code, details: { field: 'name', ...params } });
    const human = await run(['customers', 'add', '--name', name]);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/^tpv: name: /);
    expect(human.stderr.length).toBeLessThan(300);
    expect(human.stderr).not.toMatch(RAW_CONTROL);
  });

  it('every other field of a customer too: address, e-mail, phone, tax id', async () => {
    for (const [flag, field] of [['--address', 'address'], ['--email', 'email'], ['--phone', 'phone'], ['--tax-id', 'tax_id']] as const) {
      const r = await json(['customers', 'add', '--name', 'Ok', flag, 'a\u001bb']);
      expect(r.code, flag).toBe(3);
      expect(r.json.error, flag).toMatchObject({ code: 'text.control', details: { field } });
    }
    const long = await json(['customers', 'add', '--name', 'Ok', '--address', 'a'.repeat(301)]);
    expect(long.json.error).toMatchObject({ code: 'text.too_long', details: { field: 'address', max: 300 } });
  });

  it('a customers import names the line and the field of each bad row, and imports nothing', async () => {
    const file = join(dir, 'customers.csv');
    writeFileSync(file, 'name,address\nGood One,Calle 1\nBad\u001b[31m,Calle 2\nAlso good,Calle\u0000 3\n');
    const r = await json(['customers', 'import', file]);
    expect(r.code).toBe(3);
    expect(r.json.error.details.errors).toEqual([
      expect.objectContaining({ line: 3, field: 'name', code: 'text.control' }),
      expect.objectContaining({ line: 4, field: 'address', code: 'text.control' }),
    ]);
    const human = await run(['customers', 'import', file]);
    expect(human.stderr).not.toMatch(RAW_CONTROL);
    expect((await json(['customers', 'list', '--search', 'Good One'])).json.data).toEqual([]);
  });

  it('names are NFC, notes and reasons are bounded and clean too', async () => {
    const nfd = await json(['customers', 'add', '--name', 'Jose\u0301 Pe\u0301rez']);
    expect(nfd.json.data.name).toBe('José Pérez');
    const note = await json(['sale'], { lines: [{ code: AGUA.sku, note: 'ok\u001b[8m' }], payments: [{ method: 'card', amount: '0.85' }] });
    expect(note.code).toBe(3);
    expect(note.json.error.details.field).toBe('lines[0].note');
    const saleNote = await json(['sale'], { lines: [{ code: AGUA.sku }], payments: [{ method: 'card', amount: '0.85' }], note: 'x'.repeat(501) });
    expect(saleNote.json.error).toMatchObject({ code: 'cart.note_too_long', details: { field: 'note', max: 500 } });
    const cashOut = await json(['shift', 'cash-out', '1.00', '--reason', 'pago\u202Eproveedor']);
    expect(cashOut.json.error).toMatchObject({ code: 'text.control', details: { field: 'reason', char: 'U+202E' } });
    const user = await json(['users', 'add', 'eve', '--name', 'Eve\u001b[2J'], '2468\n');
    expect(user.json.error).toMatchObject({ code: 'text.control', details: { field: 'name' } });
  });
});

describe('what a terminal shows is escaped, also for data stored before these checks', () => {
  const RAW = 'Older\u001b]0;owned\u0007\u001b[2J\u202Egnp.exe\u0000';

  beforeAll(() => {
    // written by hand, as an older tpv accepted it
    sql(`INSERT INTO customers (uid, name, country, tax_id, email, phone, address, created_at)
      VALUES ('01900000-0000-7000-8000-000000000001', ?, 'ES', 'B12345674', NULL, NULL, 'Calle\u001b[31m Roja', '2026-01-01T00:00:00Z')`, RAW);
    sql(`INSERT INTO customers (uid, name, country, tax_id, email, phone, address, created_at)
      VALUES ('01900000-0000-7000-8000-000000000002', ?, 'ES', NULL, NULL, NULL, NULL, '2026-01-01T00:00:00Z')`, 'NoTaxId\u001b[5m');
  });

  it('customers list prints the name and address escaped (\\x1b), never the raw bytes', async () => {
    const r = await run(['customers', 'list', '--search', 'Older']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('Older\\x1b]0;owned\\x07\\x1b[2J\\u202egnp.exe\\x00');
    // --json carries the exact value (JSON escapes it), a bidi override as \u202e
    const j = await json(['customers', 'list', '--search', 'Older']);
    expect(j.json.data[0].name).toBe(RAW);
    expect(j.stdout).not.toMatch(RAW_CONTROL);
  });

  it('an error message quoting a stored name is escaped too (stderr and --json)', async () => {
    const sale = await json(['sale'], { lines: [{ code: AGUA.sku }], payments: [{ method: 'card', amount: '0.85' }] });
    const id = (await json(['customers', 'list', '--search', 'NoTaxId'])).json.data[0].id;
    const r = await run(['invoice', 'create', '--receipt', sale.json.data.receipt.number, '--customer', String(id)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('NoTaxId\\x1b[5m');
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });

  it('invoice show prints the customer escaped', async () => {
    const sale = await json(['sale'], { lines: [{ code: AGUA.sku }], payments: [{ method: 'card', amount: '0.85' }] });
    const inv = await json(['invoice', 'create', '--receipt', sale.json.data.receipt.number, '--customer', 'B12345674']);
    expect(inv.code, inv.stdout).toBe(0);
    const show = await run(['invoice', 'show', inv.json.data.number]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('Older\\x1b]0;owned');
    expect(show.stdout).not.toMatch(RAW_CONTROL);
  });
});

describe('a sale id is an idempotency key: the same request is a retry, another one a conflict', () => {
  const body = { id: 'web-7', lines: [{ code: AGUA.sku, qty: '2', note: 'sin gas' }], payments: [{ method: 'cash', amount: '5.00' }] };
  const documentsWithId = (id: string): number => {
    const db = connect(shop.db);
    try {
      return db.prepare('SELECT count(*) FROM documents WHERE external_id = ?').pluck().get(id) as number;
    } finally {
      db.close();
    }
  };

  it('the same id with the same request answers the same sale, once in the database', async () => {
    const a = await json(['sale'], body);
    expect(a.code, a.stdout).toBe(0);
    expect(a.json.data.duplicate).toBe(false);
    // the same request, its keys in another order
    const again = await json(['sale'], { payments: body.payments.map((p) => ({ amount: p.amount, method: p.method })), lines: body.lines.map((l) => ({ note: l.note, qty: l.qty, code: l.code })), id: body.id });
    expect(again.code, again.stdout).toBe(0);
    expect(again.json.data).toMatchObject({ duplicate: true, receipt: { number: a.json.data.receipt.number, id: 'web-7' } });
    expect(documentsWithId('web-7')).toBe(1);
  });

  it('a retry after a price change is still the same sale', async () => {
    expect((await json(['products', 'set', AGUA.sku, '--price', '0.95'])).code).toBe(0);
    const again = await json(['sale'], body);
    expect(again.code, again.stdout).toBe(0);
    expect(again.json.data.duplicate).toBe(true);
    expect(await json(['products', 'set', AGUA.sku, '--price', '0.85'])).toMatchObject({ code: 0 });
  });

  it.each([
    ['another quantity', { ...body, lines: [{ ...body.lines[0]!, qty: '3' }] }],
    ['another product', { ...body, lines: [{ ...body.lines[0]!, code: 'LAC-001' }] }],
    ['another line', { ...body, lines: [...body.lines, { code: 'LAC-001' }] }],
    ['a discount', { ...body, lines: [{ ...body.lines[0]!, discount: '10%' }] }],
    ['another note', { ...body, lines: [{ ...body.lines[0]!, note: 'con gas' }] }],
    ['another payment', { ...body, payments: [{ method: 'card', amount: '1.70' }] }],
    ['cash tendered otherwise', { ...body, payments: [{ method: 'cash', amount: '10.00' }] }],
    ['a customer', { ...body, customer: 'B12345674' }],
  ])('the same id with %s: exit 5, nothing sold', async (_what, other) => {
    const r = await json(['sale'], other);
    expect(r.code, r.stdout).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'sale.id_reused', details: { id: 'web-7' } });
    expect(documentsWithId('web-7')).toBe(1);
    const human = await run(['sale'], { input: JSON.stringify(other) });
    expect(human.stderr).toMatch(/id "web-7" was already used by sale T01-\d+ with another request/);
  });

  it('tpv sales import: a reused id is a failed row, a repeated one a duplicate', async () => {
    const file = join(dir, 'day.jsonl');
    writeFileSync(file, [JSON.stringify(body), JSON.stringify({ ...body, payments: [{ method: 'card', amount: '1.70' }] })].join('\n') + '\n');
    const r = await json(['sales', 'import', file]);
    expect(r.code).toBe(3);
    expect(r.json.error.details).toMatchObject({ sold: 0, duplicates: 1, failed: 1 });
    expect(r.json.error.details.results[1]).toMatchObject({ ok: false, error: { code: 'sale.id_reused' } });
    expect(documentsWithId('web-7')).toBe(1);
  });

  it('invoices too: the same id and request answers the invoice made, the id reused for another receipt is refused', async () => {
    const one = await json(['sale'], { lines: [{ code: AGUA.sku }], payments: [{ method: 'card', amount: '0.85' }] });
    const two = await json(['sale'], { lines: [{ code: AGUA.sku }], payments: [{ method: 'card', amount: '0.85' }] });
    const file = join(dir, 'invoices.jsonl');
    const request = (receipt: string): string => JSON.stringify({ id: 'inv-1', receipt, customer: 'B12345674' });
    writeFileSync(file, [request(one.json.data.receipt.number), request(one.json.data.receipt.number), request(two.json.data.receipt.number)].join('\n') + '\n');
    const r = await json(['invoice', 'create', '--from', file]);
    expect(r.code).toBe(3);
    expect(r.json.error.details).toMatchObject({ created: 1, existing: 1, failed: 1 });
    expect(r.json.error.details.results[2]).toMatchObject({ ok: false, error: { code: 'invoice.id_reused' } });
    expect(documentsWithId('inv-1')).toBe(1);
    // a sale's id is not an invoice's
    writeFileSync(file, JSON.stringify({ id: 'web-7', receipt: two.json.data.receipt.number, customer: 'B12345674' }) + '\n');
    const crossed = await json(['invoice', 'create', '--from', file]);
    expect(crossed.json.error.details.results[0]).toMatchObject({ ok: false, error: { code: 'invoice.id_reused' } });
  });

  it('an id is stored text: bounded and without control characters', async () => {
    const r = await json(['sale'], { ...body, id: 'web\u001b[2J' });
    expect(r.json.error).toMatchObject({ code: 'text.control', details: { field: 'id' } });
    const long = await json(['sale'], { ...body, id: 'x'.repeat(101) });
    expect(long.json.error).toMatchObject({ code: 'text.too_long', details: { field: 'id', max: 100 } });
  });
});
