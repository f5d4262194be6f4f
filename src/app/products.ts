/** Catalog use cases: find by code, show, list/search, add, set, remove, stock, export. */
import { gtinAlternates, parseVariableMeasure } from '../core/barcode.js';
import { TpvError } from '../core/errors.js';
import { csvLine } from '../core/csv.js';
import { formatDecimal, formatQuantity, formatRate, problemError } from '../core/money.js';
import { PRODUCT_FIELDS, type ProductField, type ProductPatch, parseProductRow, type Unit } from '../core/product.js';
import { storedText } from '../core/text.js';
import { catalog, ftsQuery, type ProductRow } from '../db/catalog.js';
import { CatalogWriter, type WriteOutcome } from './catalog-writer.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { appendEvent } from './outbox.js';

/** A product as scripts see it: amounts as decimal strings, rates as percent strings. */
export interface ProductView {
  sku: string;
  name: string;
  price: string;
  tax_rate: string;
  barcodes: string[];
  unit: 'each' | 'kg';
  category: string | null;
  active: boolean;
  track_stock: boolean;
  stock: string;
}

/** What a variable-measure barcode carried. */
export interface Measure {
  barcode: string;
  kind: 'price' | 'weight';
  /** The price as a decimal string, or the weight in the product's unit. */
  value: string;
}

export interface Lookup {
  row: ProductRow;
  /** Set when the code was a GS1 variable-measure barcode. */
  measure: { kind: 'price' | 'weight'; value: number; barcode: string } | null;
}

/**
 * Finds a product by what a cashier types or scans: a barcode, a sku, the EAN-13/UPC-A spelling
 * of a barcode, or a GS1 variable-measure barcode (its product plus the embedded price/weight).
 * The hot path of every scan: prepared statements only.
 */
export function lookupCode(app: App, code: string): Lookup | null {
  const c = catalog(app.db);
  // barcodes are digits: a code with letters is a sku, looked up first
  const row = /^[0-9]+$/.test(code) ? (c.byBarcode.get(code) ?? c.bySku.get(code)) : (c.bySku.get(code) ?? c.byBarcode.get(code));
  if (row) return { row, measure: null };
  for (const alt of gtinAlternates(code)) {
    const r = c.byBarcode.get(alt);
    if (r) return { row: r, measure: null };
  }
  const vm = parseVariableMeasure(code, app.profile.barcodes);
  if (vm) {
    if (!vm.ok) throw problemError('invalid', vm.problem, app.profile.exponent, { barcode: code });
    const r = c.byBarcode.get(vm.value.baseCode);
    if (r) return { row: r, measure: { kind: vm.value.measure, value: vm.value.value, barcode: code } };
  }
  return null;
}

/** What a scanned code sells: the product at its price, or a scale label's price / weight. */
export interface SellableItem {
  sku: string;
  name: string;
  unit: Unit;
  unitPrice: number;
  taxRate: number;
  /** From a variable-measure barcode: the weight (milli-kg), or 1 unit of a priced label. */
  qty?: number;
  /** The variable-measure barcode it came from. */
  label?: string;
}

export function sellable({ row, measure }: Lookup): SellableItem {
  const item: SellableItem = { sku: row.sku, name: row.name, unit: row.unit, unitPrice: row.price, taxRate: row.tax_rate };
  // a label priced by the scale: one unit at the printed price
  if (measure?.kind === 'price') return { ...item, unit: 'each', unitPrice: measure.value, qty: 1000, label: measure.barcode };
  if (measure?.kind === 'weight') return { ...item, qty: measure.value, label: measure.barcode };
  return item;
}

export function findProduct(app: App, code: string): Lookup {
  const found = lookupCode(app, code.trim());
  if (!found) throw new TpvError('not_found', 'product.not_found', { code });
  return found;
}

export function productView(app: App, row: ProductRow): ProductView {
  const { exponent } = app.profile;
  return {
    sku: row.sku,
    name: row.name,
    price: formatDecimal(row.price, exponent),
    tax_rate: formatRate(row.tax_rate),
    barcodes: catalog(app.db).barcodesOf.all(row.id),
    unit: row.unit,
    category: row.category,
    active: row.active === 1,
    track_stock: row.track_stock === 1,
    stock: formatQuantity(row.on_hand),
  };
}

export function showProduct(app: App, code: string): ProductView & { measure?: Measure } {
  const { row, measure } = findProduct(app, code);
  const view: ProductView & { measure?: Measure } = productView(app, row);
  if (measure) {
    view.measure = {
      barcode: code,
      kind: measure.kind,
      value: measure.kind === 'price' ? formatDecimal(measure.value, app.profile.exponent) : formatQuantity(measure.value),
    };
  }
  return view;
}

export interface ListOptions {
  search?: string;
  category?: string;
  limit?: number;
  includeInactive?: boolean;
}

/** Lists products by sku, or searches names (accent/case-insensitive word prefixes). */
export function listProducts(app: App, opts: ListOptions = {}): ProductRow[] {
  const c = catalog(app.db);
  const limit = opts.limit ?? 50;
  let category: number | null = null;
  if (opts.category !== undefined) {
    const cat = c.categoryByName.get(opts.category.trim());
    if (!cat) throw new TpvError('not_found', 'category.not_found', { category: opts.category });
    category = cat.id;
  }
  const params = { inactive: opts.includeInactive ? 1 : 0, category, limit };
  const text = opts.search?.trim();
  if (!text) return c.list.all(params);
  const out: ProductRow[] = [];
  // a code typed into the search box finds its product first
  if (!/\s/.test(text)) {
    const hit = lookupCode(app, text);
    if (hit && (category === null || hit.row.category_id === category) && (hit.row.active || opts.includeInactive)) {
      out.push(hit.row);
    }
  }
  const match = ftsQuery(text);
  if (match) {
    for (const r of c.search.all({ ...params, match })) if (r.id !== out[0]?.id) out.push(r);
  }
  return out.slice(0, limit);
}

/** Validates text fields like an import row would (same rules, same messages). */
function patchFrom(app: App, cells: Partial<Record<ProductField, string>>): ProductPatch {
  const r = parseProductRow(cells, { exponent: app.profile.exponent, decimalComma: true });
  if (!r.patch) {
    const p = r.problems[0]!;
    throw new TpvError('invalid', p.code, { ...p.params, field: p.field }, { problems: r.problems });
  }
  return r.patch;
}

function writeOne(app: App, actor: UserRow, approver: Approver | undefined, patch: ProductPatch, mustExist: boolean, reason: string): { outcome: WriteOutcome; view: ProductView } {
  authorize(app, actor, 'manage_catalog', approver);
  return inTransaction(app, () => {
    const writer = new CatalogWriter(app);
    const existing = writer.existing(patch.sku);
    if (mustExist && !existing) throw new TpvError('not_found', 'product.not_found', { code: patch.sku });
    if (!mustExist && existing) throw new TpvError('conflict', 'product.exists', { sku: patch.sku });
    const problems = writer.check(patch, existing, (code, sku) => {
      const owner = writer.barcodeOwner(code);
      return owner !== null && owner !== sku ? owner : null;
    });
    if (problems.length) {
      const p = problems[0]!;
      throw new TpvError('invalid', p.code, { ...p.params, field: p.field }, { problems });
    }
    const outcome = writer.write(patch, existing, reason, 'adjust');
    const products = writer.takeChanges();
    if (products.length) appendEvent(app, 'products', { products, source: reason });
    return { outcome, view: productView(app, writer.existing(patch.sku)!) };
  });
}

/** `tpv products add`: a new product (exit 5 if the sku exists). */
export function addProduct(app: App, actor: UserRow, cells: Partial<Record<ProductField, string>>, approver?: Approver): ProductView {
  return writeOne(app, actor, approver, patchFrom(app, cells), false, 'products add').view;
}

/** `tpv products set CODE`: changes the given fields of an existing product. */
export function setProduct(
  app: App,
  actor: UserRow,
  code: string,
  cells: Partial<Record<ProductField, string>>,
  barcodeEdits: { add?: string[]; remove?: string[] } = {},
  approver?: Approver,
): { outcome: WriteOutcome; view: ProductView } {
  const { row } = findProduct(app, code);
  const patch = patchFrom(app, { ...cells, sku: row.sku });
  if (barcodeEdits.add?.length || barcodeEdits.remove?.length) {
    const current = patch.barcodes ?? catalog(app.db).barcodesOf.all(row.id);
    const extra = patchFrom(app, { sku: row.sku, barcodes: (barcodeEdits.add ?? []).join('|') }).barcodes ?? [];
    const drop = new Set(barcodeEdits.remove ?? []);
    for (const b of drop) if (!current.includes(b)) throw new TpvError('not_found', 'product.barcode_not_on_product', { barcode: b, sku: row.sku });
    patch.barcodes = [...current.filter((b) => !drop.has(b)), ...extra.filter((b) => !current.includes(b))];
  }
  return writeOne(app, actor, approver, patch, true, 'products set');
}

/** `tpv products remove CODE`: deactivates (history stays). */
export function removeProduct(app: App, actor: UserRow, code: string, approver?: Approver): { outcome: WriteOutcome; view: ProductView } {
  const { row } = findProduct(app, code);
  return writeOne(app, actor, approver, { sku: row.sku, active: false }, true, 'products remove');
}

export interface StockView {
  sku: string;
  name: string;
  unit: 'each' | 'kg';
  stock: string;
  moves: { at: string; qty: string; kind: string; reason: string | null }[];
}

export function adjustStock(app: App, actor: UserRow, code: string, qty: number, reason: string, approver?: Approver): StockView {
  authorize(app, actor, 'manage_catalog', approver);
  const why = storedText(reason, 'note', 'reason');
  if (!why) throw new TpvError('invalid', 'stock.reason_required');
  if (qty === 0) throw new TpvError('invalid', 'stock.zero');
  const { row } = findProduct(app, code);
  if (row.unit === 'each' && qty % 1000 !== 0) throw new TpvError('invalid', 'product.stock_fraction');
  inTransaction(app, () => {
    app.db
      .prepare('INSERT INTO stock_moves (product_id, qty, kind, reason, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(row.id, qty, 'adjust', why, app.now().toISOString());
    appendEvent(app, 'stock_adjust', { sku: row.sku, qty: formatQuantity(qty), reason: why, user: actor.code });
  });
  return stockOf(app, row.sku);
}

export function stockOf(app: App, code: string, moves = 20): StockView {
  const { row } = findProduct(app, code);
  const rows = app.db
    .prepare('SELECT created_at, qty, kind, reason FROM stock_moves WHERE product_id = ? ORDER BY id DESC LIMIT ?')
    .all(row.id, moves) as { created_at: string; qty: number; kind: string; reason: string | null }[];
  return {
    sku: row.sku,
    name: row.name,
    unit: row.unit,
    stock: formatQuantity(row.on_hand),
    moves: rows.map((m) => ({ at: m.created_at, qty: formatQuantity(m.qty), kind: m.kind, reason: m.reason })),
  };
}

/** The columns of the export that hold numbers (written as they are; text cells are neutralised). */
const NUMERIC_COLUMNS: readonly boolean[] = PRODUCT_FIELDS.map((f) => ['price', 'tax_rate', 'active', 'stock', 'track_stock'].includes(f));

/**
 * Streams the catalog as canonical CSV or JSON Lines (what `products import` reads back unchanged).
 * CSV cells that a spreadsheet would run as a formula are neutralised (core/csv.ts `csvField`).
 */
export function* exportProducts(app: App, format: 'csv' | 'jsonl'): Generator<string> {
  const { exponent } = app.profile;
  const stmt = app.db.prepare(`SELECT p.sku, p.name, p.price, t.rate, p.unit, c.name AS category, p.active,
      p.track_stock, p.on_hand, (SELECT group_concat(code, '|') FROM (SELECT code FROM barcodes
      WHERE product_id = p.id ORDER BY code)) AS barcodes
    FROM products p JOIN tax_categories t ON t.id = p.tax_category_id LEFT JOIN categories c ON c.id = p.category_id
    ORDER BY p.sku`);
  if (format === 'csv') yield csvLine(PRODUCT_FIELDS);
  let out = '';
  for (const r of stmt.iterate() as Iterable<{
    sku: string; name: string; price: number; rate: number; unit: string; category: string | null;
    active: number; track_stock: number; on_hand: number; barcodes: string | null;
  }>) {
    const stock = r.track_stock || r.on_hand !== 0 ? formatQuantity(r.on_hand) : '';
    if (format === 'csv') {
      out += csvLine([
        r.sku, r.name, formatDecimal(r.price, exponent), formatRate(r.rate),
        r.barcodes ?? '', r.unit, r.category ?? '', r.active ? '1' : '0', stock,
        r.track_stock ? '1' : '0',
      ], NUMERIC_COLUMNS);
    } else {
      out += JSON.stringify({
        sku: r.sku, name: r.name, price: formatDecimal(r.price, exponent), tax_rate: formatRate(r.rate),
        barcodes: r.barcodes ? r.barcodes.split('|') : [], unit: r.unit, category: r.category,
        active: r.active === 1, stock, track_stock: r.track_stock === 1,
      }) + '\n';
    }
    if (out.length > 1 << 16) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}
