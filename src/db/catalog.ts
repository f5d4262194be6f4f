/**
 * Catalog statements, prepared once per connection (the hot paths: lookup by code, search).
 * Rows come back in database shape; src/app/products.ts maps them to views.
 */
import type { Statement } from 'better-sqlite3';
import { immediate, type Sqlite } from './connection.js';

export interface ProductRow {
  id: number;
  sku: string;
  name: string;
  price: number;
  tax_rate: number;
  tax_category_id: number;
  unit: 'each' | 'kg';
  category: string | null;
  category_id: number | null;
  active: number;
  track_stock: number;
  on_hand: number;
}

const PRODUCT_COLUMNS = `p.id, p.sku, p.name, p.price, t.rate AS tax_rate, p.tax_category_id, p.unit,
  c.name AS category, p.category_id, p.active, p.track_stock, p.on_hand`;
const JOINS = `JOIN tax_categories t ON t.id = p.tax_category_id LEFT JOIN categories c ON c.id = p.category_id`;

export interface ListParams {
  /** 1 to include inactive products. */
  inactive: number;
  category: number | null;
  limit: number;
}
const FILTER = '(p.active = 1 OR @inactive) AND (@category IS NULL OR p.category_id = @category)';

export interface CatalogStatements {
  byBarcode: Statement<[string], ProductRow>;
  bySku: Statement<[string], ProductRow>;
  byId: Statement<[number], ProductRow>;
  barcodesOf: Statement<[number], string>;
  barcodeOwner: Statement<[string], { product_id: number; sku: string }>;
  search: Statement<[ListParams & { match: string }], ProductRow>;
  /** Ordered by sku. */
  list: Statement<[ListParams], ProductRow>;
  categoryByName: Statement<[string], { id: number; name: string }>;
}

const cache = new WeakMap<Sqlite, CatalogStatements>();

export function catalog(db: Sqlite): CatalogStatements {
  let s = cache.get(db);
  if (s) return s;
  const sel = `SELECT ${PRODUCT_COLUMNS} FROM products p ${JOINS}`;
  const fts = `SELECT ${PRODUCT_COLUMNS} FROM products_fts f JOIN products p ON p.id = f.rowid ${JOINS}
    WHERE products_fts MATCH @match`;
  s = {
    byBarcode: db.prepare(
      `SELECT ${PRODUCT_COLUMNS} FROM barcodes b JOIN products p ON p.id = b.product_id ${JOINS} WHERE b.code = ?`,
    ),
    bySku: db.prepare(`${sel} WHERE p.sku = ?`),
    byId: db.prepare(`${sel} WHERE p.id = ?`),
    barcodesOf: db.prepare('SELECT code FROM barcodes WHERE product_id = ? ORDER BY code').pluck(),
    barcodeOwner: db.prepare(
      'SELECT b.product_id, p.sku FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ?',
    ),
    search: db.prepare(`${fts} AND ${FILTER} LIMIT @limit`),
    list: db.prepare(`${sel} WHERE ${FILTER} ORDER BY p.sku LIMIT @limit`),
    categoryByName: db.prepare('SELECT id, name FROM categories WHERE name = ? COLLATE NOCASE'),
  } as CatalogStatements;
  cache.set(db, s);
  return s;
}

/**
 * An FTS5 query for what a cashier types: every word is a prefix, all must match
 * ("choc mil" → "choc"* "mil"*). Returns null when there is no word to search.
 */
export function ftsQuery(text: string): string | null {
  const words = text
    .normalize('NFC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 8);
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replaceAll('"', '""')}"*`).join(' ');
}

// ---- bulk loads: the name index is built after the load, not row by row ----

/** Marks a bulk load as running (the FTS triggers stand aside). Returns its id. */
export function beginBulkLoad(db: Sqlite, pid: number, now: Date): number {
  return Number(
    db.prepare('INSERT INTO bulk_loads (pid, started_at) VALUES (?, ?)').run(pid, now.toISOString()).lastInsertRowid,
  );
}

/**
 * Indexes the names of products with id > `after` into the FTS table, `chunk` rows per transaction,
 * then ends the bulk load in the same transaction as the last chunk. Yields between chunks.
 */
export async function endBulkLoad(db: Sqlite, id: number, after: number, chunk = 20_000): Promise<void> {
  const max = db.prepare('SELECT coalesce(max(id), 0) FROM products').pluck();
  const index = db.prepare('INSERT INTO products_fts (rowid, name) SELECT id, name FROM products WHERE id > ? AND id <= ?');
  let from = after;
  for (;;) {
    const top = max.get() as number;
    if (top - from <= chunk) {
      immediate(db, () => {
        index.run(from, Number.MAX_SAFE_INTEGER);
        db.prepare('DELETE FROM bulk_loads WHERE id = ?').run(id);
      });
      return;
    }
    immediate(db, () => index.run(from, from + chunk));
    from += chunk;
    await new Promise<void>((resolve) => setTimeout(resolve, 3)); // a gap for other writers
  }
}

/**
 * A bulk load whose process died left the name index incomplete: rebuild it and clear the mark.
 * Loads still running (their pid alive) are left alone. Returns whether it rebuilt.
 */
export function recoverBulkLoads(db: Sqlite, isAlive: (pid: number) => boolean): boolean {
  const rows = db.prepare('SELECT id, pid FROM bulk_loads').all() as { id: number; pid: number }[];
  if (rows.length === 0 || rows.some((r) => isAlive(r.pid))) return false;
  immediate(db, () => {
    db.exec("INSERT INTO products_fts (products_fts) VALUES ('rebuild')");
    db.exec('DELETE FROM bulk_loads');
  });
  return true;
}
