/**
 * Writes validated product patches (from an import, `products add` or `products set`):
 * checks them against the database (tax rate known, barcodes free, required fields for a new
 * product) and upserts by sku. Callers own the transaction.
 */
import type { Statement } from 'better-sqlite3';
import type { FieldProblem, ProductPatch } from '../core/product.js';
import { formatDecimal, formatQuantity, formatRate } from '../core/money.js';
import { catalog, type ProductRow } from '../db/catalog.js';
import type { ProductPayload } from '../sync/events.js';
import type { App } from './context.js';
import { taxIdsByRate } from './taxes.js';

const ROWS_PER_STATEMENT = 50;
const PRODUCT_INSERT_COLUMNS = ['id', 'sku', 'name', 'price', 'tax_category_id', 'unit', 'category_id', 'active',
  'track_stock', 'on_hand', 'created_at', 'updated_at'] as const;

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

export interface Plan {
  outcome: WriteOutcome;
  /** Whether the products row itself changes. */
  fields: boolean;
  addBarcodes: string[];
  dropBarcodes: string[];
  stockDelta: number;
}

interface Stmts {
  insert: Statement;
  update: Statement;
  insertBarcode: Statement;
  deleteBarcode: Statement;
  insertMove: Statement;
  insertCategory: Statement;
}

export class CatalogWriter {
  private readonly taxIds: Map<number, number>;
  private readonly categories = new Map<string, number>();
  private readonly gaveAway = new Set<string>();
  private readonly s: Stmts;
  private readonly c;
  /** Products written since the last `takeChanges`, as their outbox event carries them. */
  private changes: ProductPayload[] = [];

  constructor(private readonly app: App) {
    const db = app.db;
    this.taxIds = taxIdsByRate(db);
    for (const r of db.prepare('SELECT id, name FROM categories').all() as { id: number; name: string }[]) {
      this.categories.set(r.name.toLowerCase(), r.id);
    }
    this.c = catalog(db);
    this.s = {
      insert: db.prepare(`INSERT INTO products (sku, name, price, tax_category_id, unit, category_id, active,
        track_stock, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      update: db.prepare(`UPDATE products SET name = ?, price = ?, tax_category_id = ?, unit = ?, category_id = ?,
        active = ?, track_stock = ?, updated_at = ? WHERE id = ?`),
      insertBarcode: db.prepare('INSERT INTO barcodes (code, product_id) VALUES (?, ?)'),
      deleteBarcode: db.prepare('DELETE FROM barcodes WHERE code = ? AND product_id = ?'),
      insertMove: db.prepare(
        'INSERT INTO stock_moves (product_id, qty, kind, reason, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      insertCategory: db.prepare('INSERT INTO categories (name) VALUES (?)'),
    };
  }

  /**
   * Inserts new products (checked, none existing) with multi-row statements: the bulk path of
   * an import into an empty catalog. Ids are given explicitly (max(id) + n, read inside the
   * caller's transaction, which holds the write lock), so barcodes and stock moves can follow
   * in multi-row statements too. Returns how many were created.
   */
  createMany(patches: ProductPatch[], reason: string): number {
    const db = this.app.db;
    const now = this.app.now().toISOString();
    let id = db.prepare('SELECT coalesce(max(id), 0) FROM products').pluck().get() as number;
    const products: unknown[] = [];
    const codes: unknown[] = [];
    const moves: unknown[] = [];
    for (const p of patches) {
      id++;
      products.push(id, p.sku, p.name!, p.price!, this.taxIds.get(p.taxRate!)!, p.unit ?? 'each',
        this.categoryId(p.category), p.active === false ? 0 : 1, p.trackStock === false ? 0 : 1, p.stock ?? 0, now, now);
      for (const code of p.barcodes ?? []) codes.push(code, id);
      // the opening stock is already in on_hand: the move records where it came from
      if (p.stock) moves.push(id, p.stock, 'opening', reason, now);
      this.changed(p, undefined, p.stock ?? 0);
    }
    this.insertRows('products', PRODUCT_INSERT_COLUMNS, products);
    this.insertRows('barcodes', ['code', 'product_id'], codes);
    this.insertRows('stock_moves', ['product_id', 'qty', 'kind', 'reason', 'created_at'], moves);
    return patches.length;
  }

  private readonly multi = new Map<string, Statement>();

  /** INSERTs flat `values` as rows of `columns`, up to ROWS_PER_STATEMENT rows per statement. */
  private insertRows(table: string, columns: readonly string[], values: unknown[]): void {
    const width = columns.length;
    const stmt = (rows: number): Statement => {
      const key = `${table}/${rows}`;
      let st = this.multi.get(key);
      if (!st) {
        const row = `(${columns.map(() => '?').join(', ')})`;
        st = this.app.db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`);
        this.multi.set(key, st);
      }
      return st;
    };
    const step = ROWS_PER_STATEMENT * width;
    let i = 0;
    for (; i + step <= values.length; i += step) stmt(ROWS_PER_STATEMENT).run(values.slice(i, i + step));
    if (i < values.length) stmt((values.length - i) / width).run(values.slice(i));
  }

  /** The products written since the last call (for the event of the transaction that wrote them). */
  takeChanges(): ProductPayload[] {
    const out = this.changes;
    this.changes = [];
    return out;
  }

  /** Records a product's state after a write: the patch over what it was. */
  private changed(patch: ProductPatch, existing: ProductRow | undefined, stockDelta: number): void {
    const e = this.app.profile.exponent;
    this.changes.push({
      sku: patch.sku,
      name: patch.name ?? existing!.name,
      price: formatDecimal(patch.price ?? existing!.price, e),
      tax_rate: formatRate(patch.taxRate ?? existing!.tax_rate),
      unit: patch.unit ?? existing?.unit ?? 'each',
      category: patch.category === undefined ? (existing?.category ?? null) : patch.category,
      active: patch.active ?? (existing ? existing.active === 1 : true),
      track_stock: patch.trackStock ?? (existing ? existing.track_stock === 1 : true),
      ...(patch.barcodes !== undefined || !existing ? { barcodes: patch.barcodes ?? [] } : {}),
      stock_delta: formatQuantity(stockDelta),
    });
  }

  existing(sku: string): ProductRow | undefined {
    return this.c.bySku.get(sku);
  }

  barcodesOf(id: number): string[] {
    return this.c.barcodesOf.all(id);
  }

  /**
   * Problems of a patch against the database. `owners` tells who owns a barcode after the whole
   * batch is applied (barcodes moving between products of the same import are fine).
   */
  check(
    patch: ProductPatch,
    existing: ProductRow | undefined,
    barcodeFree: (code: string, sku: string) => string | null,
  ): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (!existing) {
      if (patch.name === undefined) problems.push({ field: 'name', code: 'product.required_new', params: { field: 'name' } });
      if (patch.price === undefined) problems.push({ field: 'price', code: 'product.required_new', params: { field: 'price' } });
      if (patch.taxRate === undefined) problems.push({ field: 'tax_rate', code: 'product.required_new', params: { field: 'tax_rate' } });
    }
    if (patch.taxRate !== undefined && !this.taxIds.has(patch.taxRate)) {
      problems.push({
        field: 'tax_rate',
        code: 'product.tax_rate_unknown',
        params: { rate: formatRate(patch.taxRate), known: [...this.taxIds.keys()].map(formatRate).join(', ') || '-' },
      });
    }
    for (const code of patch.barcodes ?? []) {
      const owner = barcodeFree(code, patch.sku);
      if (owner !== null) problems.push({ field: 'barcodes', code: 'product.barcode_taken', params: { barcode: code, sku: owner } });
    }
    const unit = patch.unit ?? existing?.unit ?? 'each';
    if (patch.stock !== undefined && unit === 'each' && patch.stock % 1000 !== 0) {
      problems.push({ field: 'stock', code: 'product.stock_fraction' });
    }
    return problems;
  }

  /** The owner sku of a barcode in the database, or null. */
  barcodeOwner(code: string): string | null {
    return this.c.barcodeOwner.get(code)?.sku ?? null;
  }

  private categoryId(name: string | null | undefined): number | null {
    if (name === undefined || name === null) return null;
    const key = name.toLowerCase();
    let id = this.categories.get(key);
    if (id === undefined) {
      id = Number(this.s.insertCategory.run(name).lastInsertRowid);
      this.categories.set(key, id);
    }
    return id;
  }

  /** What writing a patch would change, without writing (dry runs use it too). */
  plan(patch: ProductPatch, existing: ProductRow | undefined): Plan {
    if (!existing) {
      return { outcome: 'created', fields: true, addBarcodes: patch.barcodes ?? [], dropBarcodes: [], stockDelta: patch.stock ?? 0 };
    }
    const sameCategory =
      patch.category === undefined ||
      (patch.category === null
        ? existing.category === null
        : existing.category !== null && patch.category.toLowerCase() === existing.category.toLowerCase());
    const fields =
      (patch.name !== undefined && patch.name !== existing.name) ||
      (patch.price !== undefined && patch.price !== existing.price) ||
      (patch.taxRate !== undefined && patch.taxRate !== existing.tax_rate) ||
      (patch.unit !== undefined && patch.unit !== existing.unit) ||
      !sameCategory ||
      (patch.active !== undefined && (patch.active ? 1 : 0) !== existing.active) ||
      (patch.trackStock !== undefined && (patch.trackStock ? 1 : 0) !== existing.track_stock);
    let addBarcodes: string[] = [];
    let dropBarcodes: string[] = [];
    if (patch.barcodes !== undefined) {
      const current = this.barcodesOf(existing.id);
      const wanted = new Set(patch.barcodes);
      const have = new Set(current);
      dropBarcodes = current.filter((c) => !wanted.has(c));
      addBarcodes = patch.barcodes.filter((c) => !have.has(c));
    }
    const stockDelta = patch.stock !== undefined ? patch.stock - existing.on_hand : 0;
    const changed = fields || addBarcodes.length > 0 || dropBarcodes.length > 0 || stockDelta !== 0;
    return { outcome: changed ? 'updated' : 'unchanged', fields, addBarcodes, dropBarcodes, stockDelta };
  }

  /**
   * Upserts one checked patch. `existing` is the row read in the same transaction (or undefined).
   * `moving` are barcodes that other products of the same import give away.
   */
  write(
    patch: ProductPatch,
    existing: ProductRow | undefined,
    reason: string,
    kind: 'import' | 'adjust',
    moving?: ReadonlySet<string>,
  ): WriteOutcome {
    const now = this.app.now().toISOString();
    const plan = this.plan(patch, existing);
    // a product whose barcode another row of the same import took has changed too
    if (plan.outcome === 'unchanged') return this.gaveAway.has(patch.sku) ? 'updated' : 'unchanged';
    let id: number;
    if (!existing) {
      const r = this.s.insert.run(
        patch.sku,
        patch.name!,
        patch.price!,
        this.taxIds.get(patch.taxRate!)!,
        patch.unit ?? 'each',
        this.categoryId(patch.category),
        patch.active === false ? 0 : 1,
        patch.trackStock === false ? 0 : 1,
        now,
        now,
      );
      id = Number(r.lastInsertRowid);
    } else {
      id = existing.id;
      if (plan.fields) {
        this.s.update.run(
          patch.name ?? existing.name,
          patch.price ?? existing.price,
          patch.taxRate !== undefined ? this.taxIds.get(patch.taxRate)! : existing.tax_category_id,
          patch.unit ?? existing.unit,
          patch.category === undefined ? existing.category_id : this.categoryId(patch.category),
          patch.active === undefined ? existing.active : patch.active ? 1 : 0,
          patch.trackStock === undefined ? existing.track_stock : patch.trackStock ? 1 : 0,
          now,
          id,
        );
      }
    }
    for (const code of plan.dropBarcodes) this.s.deleteBarcode.run(code, id);
    for (const code of plan.addBarcodes) {
      if (moving?.has(code)) this.releaseBarcode(code, patch.sku);
      this.s.insertBarcode.run(code, id);
    }
    if (plan.stockDelta !== 0) this.s.insertMove.run(id, plan.stockDelta, kind, reason, now);
    this.changed(patch, existing, plan.stockDelta);
    return plan.outcome;
  }

  /** Releases a barcode another product gives away in the same import, before it is re-assigned. */
  private releaseBarcode(code: string, sku: string): void {
    const owner = this.c.barcodeOwner.get(code);
    if (owner && owner.sku !== sku) {
      this.s.deleteBarcode.run(code, owner.product_id);
      this.gaveAway.add(owner.sku);
      this.changed({ sku: owner.sku, barcodes: this.barcodesOf(owner.product_id) }, this.c.bySku.get(owner.sku), 0);
    }
  }
}
