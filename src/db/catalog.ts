/**
 * Catalog statements, prepared once per connection (the hot paths: lookup by code, search).
 * Rows come back in database shape; src/app/products.ts maps them to views.
 */
import type { Statement } from 'better-sqlite3';
import { immediate, prepared, type Sqlite } from './connection.js';

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

// ---- import runs: how far each import got, so one cut short is known and named ----

export type ImportKind = 'products';

export interface ImportRun {
  id: number;
  kind: ImportKind;
  source: string;
  checksum: string;
  rows: number;
  applied: number;
  state: 'running' | 'done' | 'failed';
  started_at: string;
  ended_at: string | null;
  error: string | null;
  pid: number | null;
}

/** Records an import about to write `rows` rows (its own short transaction). Returns its id. */
export function startImportRun(db: Sqlite, run: { kind: ImportKind; source: string; checksum: string; rows: number; pid: number; at: Date }): number {
  return immediate(db, () =>
    Number(
      db
        .prepare("INSERT INTO import_runs (kind, source, checksum, rows, state, started_at, pid) VALUES (?, ?, ?, ?, 'running', ?, ?)")
        .run(run.kind, run.source, run.checksum, run.rows, run.at.toISOString(), run.pid).lastInsertRowid,
    ),
  );
}

/** How many rows have landed: called inside the transaction of each batch, so it is never more or less than what committed. */
export function importRunApplied(db: Sqlite, id: number, applied: number): void {
  prepared(db, 'UPDATE import_runs SET applied = ? WHERE id = ?').run(applied, id);
}

/** The end of an import: done, or failed with its error. */
export function endImportRun(db: Sqlite, id: number, end: { state: 'done' | 'failed'; at: Date; error?: string }): void {
  immediate(db, () =>
    db.prepare('UPDATE import_runs SET state = ?, ended_at = ?, error = ?, pid = NULL WHERE id = ?').run(end.state, end.at.toISOString(), end.error ?? null, id),
  );
}

/**
 * Imports that stopped before their end — failed, or still 'running' though their process is
 * gone (killed) — and that no later run of the same file (kind and checksum) finished since.
 * Empty on a database from before import runs were recorded.
 */
export function unfinishedImports(db: Sqlite, isAlive: (pid: number) => boolean): ImportRun[] {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'import_runs'").get()) return [];
  const rows = db
    .prepare(
      `SELECT * FROM import_runs r WHERE r.state != 'done' AND NOT EXISTS (SELECT 1 FROM import_runs d
         WHERE d.kind = r.kind AND d.checksum = r.checksum AND d.state = 'done' AND d.id > r.id) ORDER BY r.id`,
    )
    .all() as ImportRun[];
  return rows.filter((r) => r.state === 'failed' || r.pid === null || !isAlive(r.pid));
}
