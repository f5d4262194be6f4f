import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/context.js';
import { importProducts, type ImportOptions, type ImportReport } from '../../src/app/import.js';
import { exportProducts, showProduct } from '../../src/app/products.js';
import { actingUser } from '../../src/app/auth.js';
import { TpvError } from '../../src/core/errors.js';
import { FIXTURES, makeStore, tempDir } from '../helpers.js';

const dir = tempDir();
let app: App;
let n = 0;

beforeEach(async () => {
  app = await makeStore(dir, {}, `import-${n++}.db`);
});
afterEach(() => app.close());

const admin = (): ReturnType<typeof actingUser> => actingUser(app.db);

const fromFile = (name: string, opts: ImportOptions = {}): Promise<ImportReport> => {
  const path = join(FIXTURES, 'imports', name);
  return importProducts(app, admin(), createReadStream(path), statSync(path).size, { source: name, ...opts });
};
const fromText = (text: string | Buffer, opts: ImportOptions = {}): Promise<ImportReport> =>
  importProducts(app, admin(), Readable.from([Buffer.from(text)]), null, opts);

async function rejection(p: Promise<unknown>): Promise<TpvError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TpvError) return e;
    throw e;
  }
  throw new Error('expected the import to be rejected');
}

const count = (): number => (app.db.prepare('SELECT count(*) FROM products').pluck().get() as number);

describe('valid files of every shape', () => {
  it('semicolon, UTF-8 BOM, CRLF, decimal comma', async () => {
    const r = await fromFile('valid-semicolon-bom.csv');
    expect(r).toMatchObject({ delimiter: ';', created: 5, rejected: 0, written: true });
    const rows = app.db.prepare('SELECT sku, name, price FROM products ORDER BY sku').all() as { sku: string; name: string; price: number }[];
    expect(rows[0]!.sku).not.toMatch(/^\uFEFF/);
    expect(rows.some((x) => /[áéíóúñ]/i.test(x.name))).toBe(true);
    const text = readFileSync(join(FIXTURES, 'imports', 'valid-semicolon-bom.csv'), 'utf8');
    const firstPrice = text.split('\r\n')[1]!.split(';')[2]!; // e.g. "1,99"
    expect(rows[0]!.price).toBe(Math.round(Number(firstPrice.replace(',', '.')) * 100));
  });

  it('windows-1252 with € and accented letters', async () => {
    const r = await fromFile('valid-latin1.csv', { encoding: 'latin1' });
    expect(r.created).toBe(7);
    const names = (app.db.prepare('SELECT name FROM products').pluck().all() as string[]).join(' ');
    expect(names).toContain('€');
    expect(names).toMatch(/ñ/);
    expect(names).not.toMatch(/[\u0080-\u009f]/);
  });

  it('the same latin1 file read as UTF-8 is refused with a hint', async () => {
    const e = await rejection(fromFile('valid-latin1.csv'));
    expect(e.code).toBe('import.encoding');
    expect(count()).toBe(0);
  });

  it('tab-delimited', async () => {
    const r = await fromFile('valid-tab.tsv');
    expect(r).toMatchObject({ delimiter: '\t', created: 5 });
  });

  it('quoted fields with delimiters, quotes and newlines', async () => {
    const r = await fromFile('valid-quoted.csv');
    expect(r.created).toBe(5);
    const names = app.db.prepare('SELECT name FROM products').pluck().all() as string[];
    expect(names.some((x) => x.includes('"'))).toBe(true);
    expect(names.some((x) => x.includes(','))).toBe(true);
    expect(names.every((x) => !x.includes('\n'))).toBe(true);
  });

  it('other headers with --map', async () => {
    const r = await fromFile('valid-mapped.csv', {
      map: { sku: 'Referencia', name: 'Descripción', price: 'PVP', tax_rate: 'IVA', barcodes: 'EAN', unit: 'Unidad', category: 'Familia' },
    });
    expect(r).toMatchObject({ created: 5, ignoredColumns: [] });
  });

  it('a --map naming a column the file lacks is an error naming both', async () => {
    const e = await rejection(fromFile('valid-mapped.csv', { map: { sku: 'Codigo' } }));
    expect(e.code).toBe('import.map_column_missing');
    expect(e.params).toMatchObject({ field: 'sku', column: 'Codigo' });
  });

  it('JSON Lines', async () => {
    const r = await fromFile('valid.jsonl');
    expect(r).toMatchObject({ format: 'jsonl', created: 5 });
  });
});

describe('invalid rows', () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'imports', 'invalid-mixed.expected.json'), 'utf8')) as {
    line: number;
    field: string;
    code: string;
  }[];

  it('all-or-nothing: every error listed with line, column and reason; nothing written', async () => {
    const e = await rejection(fromFile('invalid-mixed.csv'));
    expect(e.kind).toBe('invalid');
    const report = e.details as ImportReport;
    expect(report.errors.map((x) => ({ line: x.line, field: x.field, code: x.code }))).toEqual(expected);
    expect(report.errors.every((x) => x.column.length > 0)).toBe(true);
    expect(report.rejected).toBe(expected.length);
    expect(count()).toBe(0);
  });

  it('--skip-invalid writes the valid rows and reports the rest', async () => {
    const r = await fromFile('invalid-mixed.csv', { skipInvalid: true });
    expect(r.rejected).toBe(expected.length);
    expect(r.created).toBe(r.rows - expected.length);
    expect(count()).toBe(r.created);
  });

  it('--dry-run validates and counts without writing', async () => {
    const r = await fromFile('valid-tab.tsv', { dryRun: true });
    expect(r).toMatchObject({ created: 5, written: false, dryRun: true });
    expect(count()).toBe(0);
  });

  const header = 'sku,name,price,tax_rate,barcodes,unit,category,active,stock\n';
  it.each([
    ['A1,Name,1.00,7,,each,,1,', 'tax_rate', 'product.tax_rate_unknown'],
    ['A1,,1.00,21,,each,,1,', 'name', 'product.name_empty'],
    ['A1,Name,abc,21,,each,,1,', 'price', 'decimal.malformed'],
    ['A1,Name,1.00,21,1234567890,each,,1,', 'barcodes', 'barcode.length'],
    ['A1,Name,1.00,21,,each,,maybe,', 'active', 'product.boolean'],
    ['A1,Name,1.00,21,,each,,1,2.5', 'stock', 'product.stock_fraction'],
    ['A1,Name,1.00,21,4006381333931|4006381333931,each,,1,', 'barcodes', 'product.barcode_repeated'],
    [',Name,1.00,21,,each,,1,', 'sku', 'product.sku_empty'],
    ['A1,Name,1.00,21,,each,,1', null, 'import.field_count'],
  ])('%s → %s %s', async (row, field, code) => {
    const e = await rejection(fromText(header + row + '\n'));
    const report = e.details as ImportReport;
    expect(report.errors[0]).toMatchObject({ line: 2, field, code });
  });

  it('a repeated sku is reported at its second line', async () => {
    const e = await rejection(fromText(header + 'A1,One,1,21,,,,,\nA2,Two,1,21,,,,,\nA1,Three,1,21,,,,,\n'));
    expect((e.details as ImportReport).errors).toEqual([
      expect.objectContaining({ line: 4, field: 'sku', code: 'product.sku_duplicate_in_file' }),
    ]);
  });

  it('a new product needs name, price and tax rate; an existing one does not', async () => {
    await fromText(header + 'A1,One,1,21,,,,,\n');
    const e = await rejection(fromText('sku,price\nA2,3.00\n'));
    expect((e.details as ImportReport).errors[0]).toMatchObject({ code: 'product.required_new' });
    const r = await fromText('sku;price\nA1;3,50\n');
    expect(r).toMatchObject({ updated: 1, created: 0 });
    expect(showProduct(app, 'A1').price).toBe('3.50');
  });

  it('a barcode owned by another product is refused, unless it moves within the same file', async () => {
    await fromText(header + 'A1,One,1,21,4006381333931,,,,\nA2,Two,1,21,,,,,\n');
    const e = await rejection(fromText('sku,barcodes\nA2,4006381333931\n'));
    expect((e.details as ImportReport).errors[0]).toMatchObject({ code: 'product.barcode_taken', params: { sku: 'A1' } });
    const r = await fromText('sku,barcodes\nA2,4006381333931\nA1,\n');
    expect(r.updated).toBe(2);
    expect(showProduct(app, '4006381333931').sku).toBe('A2');
  });
});

describe('upsert and round trip', () => {
  it('re-importing the demo catalog changes nothing; a changed row is one update', async () => {
    const file = join(FIXTURES, 'demo-catalog.csv');
    const first = await importProducts(app, admin(), createReadStream(file), null);
    expect(first.created).toBeGreaterThanOrEqual(200);
    const again = await importProducts(app, admin(), createReadStream(file), null);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: first.created });
    const text = readFileSync(file, 'utf8').replace(/^(FRU-001,[^,]+,)2\.49,/m, '$12.59,');
    const changed = await fromText(text);
    expect(changed).toMatchObject({ created: 0, updated: 1 });
  });

  it.each(['csv', 'jsonl'] as const)('export → import (%s) reports 0 created, 0 updated', async (format) => {
    await importProducts(app, admin(), createReadStream(join(FIXTURES, 'demo-catalog.csv')), null);
    await fromFile('valid-quoted.csv');
    const out = join(dir, `export-${n}.${format}`);
    writeFileSync(out, [...exportProducts(app, format)].join(''));
    const r = await importProducts(app, admin(), createReadStream(out), null, { format });
    expect(r).toMatchObject({ created: 0, updated: 0, rejected: 0 });
    expect(r.unchanged).toBe(count());
  });

  it('stock from the import is a stock move; on hand equals the sum of moves', async () => {
    await importProducts(app, admin(), createReadStream(join(FIXTURES, 'demo-catalog.csv')), null);
    await fromText('sku,stock\nFRU-001,10.5\n');
    const bad = app.db
      .prepare('SELECT count(*) FROM products p WHERE on_hand != (SELECT coalesce(sum(qty), 0) FROM stock_moves m WHERE m.product_id = p.id)')
      .pluck()
      .get();
    expect(bad).toBe(0);
    expect(showProduct(app, 'FRU-001').stock).toBe('10.5');
  });
});

describe('bulk loads', () => {
  it('a large load into an empty catalog indexes names at the end; search finds every row', async () => {
    const { writeCatalogCsv } = await import('../../bench/generate.js');
    const file = join(dir, 'bulk.csv');
    await writeCatalogCsv(file, 12_000);
    const r = await importProducts(app, admin(), createReadStream(file), null);
    expect(r.created).toBe(12_000);
    expect(app.db.prepare('SELECT count(*) FROM bulk_loads').pluck().get()).toBe(0);
    const indexed = app.db.prepare("SELECT count(*) FROM products_fts WHERE products_fts MATCH 'leche*'").pluck().get();
    const expected = app.db.prepare("SELECT count(*) FROM products WHERE name LIKE '%leche%'").pluck().get();
    expect(indexed).toBe(expected);
    // FTS5 checks the index against the content table and throws when they differ
    expect(() => app.db.prepare("INSERT INTO products_fts(products_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });

  it('into a catalog that has products: updates row by row, then the new rows as a bulk load', async () => {
    const { writeCatalogCsv } = await import('../../bench/generate.js');
    await importProducts(app, admin(), createReadStream(join(FIXTURES, 'demo-catalog.csv')), null);
    const file = join(dir, 'bulk-mixed.csv');
    await writeCatalogCsv(file, 11_000);
    // the same file also renames a product of the demo catalog
    writeFileSync(file, readFileSync(file, 'utf8') + 'LAC-001,Leche entera de pastoreo 1 L,0.99,4,,each,Lácteos,1,23,1\n');
    const r = await importProducts(app, admin(), createReadStream(file), null);
    expect(r).toMatchObject({ created: 11_000, updated: 1 });
    const match = (q: string) => app.db.prepare('SELECT count(*) FROM products_fts WHERE products_fts MATCH ?').pluck().get(q);
    expect(match('pastoreo')).toBe(1);
    expect(match('leche*')).toBe(app.db.prepare("SELECT count(*) FROM products WHERE name LIKE '%leche%'").pluck().get());
    expect(() => app.db.prepare("INSERT INTO products_fts(products_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });

  it('a load whose process died is finished by the next open: the index is rebuilt', async () => {
    const { openApp } = await import('../../src/app/open.js');
    await fromText('sku,name,price,tax_rate\nA1,Leche entera,1,4\n');
    // a crashed bulk load: its mark is left and a product it wrote is not in the index
    app.db.prepare("INSERT INTO bulk_loads (pid, started_at) VALUES (999999999, '2026-11-21T10:00:00Z')").run();
    app.db.prepare("INSERT INTO products (sku, name, price, tax_category_id, unit, created_at, updated_at) VALUES ('A2', 'Café con leche', 100, 1, 'each', 'x', 'x')").run();
    expect(app.db.prepare("SELECT count(*) FROM products_fts WHERE products_fts MATCH 'cafe*'").pluck().get()).toBe(0);
    const notices: string[] = [];
    const again = await openApp(app.path, { notice: (n) => notices.push(n.code) });
    expect(notices).toEqual(['import.recovered']);
    expect(again.db.prepare("SELECT count(*) FROM products_fts WHERE products_fts MATCH 'cafe*'").pluck().get()).toBe(1);
    expect(again.db.prepare('SELECT count(*) FROM bulk_loads').pluck().get()).toBe(0);
    again.close();
  });
});
