/**
 * The drizzle schema of a register's database. drizzle-kit generates the SQL migrations in
 * `migrations/` from this file (`npm run db:generate`); what drizzle cannot express (the FTS5
 * index, triggers) lives in custom migrations next to them.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Store settings: one row per key, the value as JSON text, validated by `src/app/settings.ts`. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    role: text('role', { enum: ['cashier', 'supervisor', 'admin'] }).notNull(),
    pinHash: text('pin_hash').notNull(),
    pinSalt: text('pin_salt').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    failedPins: integer('failed_pins').notNull().default(0),
    lockedUntil: text('locked_until'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [check('users_role', sql`${t.role} in ('cashier', 'supervisor', 'admin')`)],
);

/** Tax categories: one per rate (basis points). Products point at one. */
export const taxCategories = sqliteTable('tax_categories', {
  id: integer('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  rate: integer('rate').notNull().unique(),
});

export const categories = sqliteTable('categories', {
  id: integer('id').primaryKey(),
  name: text('name').notNull().unique(),
});

export const products = sqliteTable(
  'products',
  {
    id: integer('id').primaryKey(),
    sku: text('sku').notNull().unique(),
    name: text('name').notNull(),
    /** Minor units of the store currency, per unit (each) or per kg. */
    price: integer('price').notNull(),
    taxCategoryId: integer('tax_category_id')
      .notNull()
      .references(() => taxCategories.id),
    unit: text('unit', { enum: ['each', 'kg'] }).notNull(),
    categoryId: integer('category_id').references(() => categories.id),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    trackStock: integer('track_stock', { mode: 'boolean' }).notNull().default(true),
    /** Milli-units on hand: kept equal to SUM(stock_moves.qty) by a trigger. */
    onHand: integer('on_hand').notNull().default(0),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('products_category').on(t.categoryId),
    check('products_unit', sql`${t.unit} in ('each', 'kg')`),
    check('products_price', sql`${t.price} >= 0`),
  ],
);

/**
 * Every barcode of every product; a barcode belongs to one product only.
 * The table is WITHOUT ROWID (one B-tree keyed by the code: the scan lookup and bulk loads
 * touch half the pages); drizzle cannot say so, migration 0000 does.
 */
export const barcodes = sqliteTable(
  'barcodes',
  {
    code: text('code').primaryKey(),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
  },
  (t) => [index('barcodes_product').on(t.productId)],
);

/** Stock moves: the only source of on-hand quantities (adjustments, imports, sales, refunds). */
export const stockMoves = sqliteTable(
  'stock_moves',
  {
    id: integer('id').primaryKey(),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
    /** Signed milli-units. */
    qty: integer('qty').notNull(),
    /** 'opening': the stock a product was created with (its on_hand is set in the same INSERT). */
    kind: text('kind', { enum: ['opening', 'adjust', 'import', 'sale', 'refund'] }).notNull(),
    reason: text('reason'),
    ref: text('ref'),
    userId: integer('user_id').references(() => users.id),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('stock_moves_product').on(t.productId)],
);

/**
 * A bulk catalog load in progress (see src/app/import.ts): while a row is here the FTS triggers
 * stand aside and the load rebuilds the name index at its end. A row left by a process that
 * died is found by its pid and the index rebuilt (src/db/catalog.ts `recoverBulkLoad`).
 */
export const bulkLoads = sqliteTable('bulk_loads', {
  id: integer('id').primaryKey(),
  pid: integer('pid').notNull(),
  startedAt: text('started_at').notNull(),
});

/** Applied migrations (tpv's own runner, see src/db/migrate.ts). */
export const schemaMigrations = sqliteTable('schema_migrations', {
  idx: integer('idx').primaryKey(),
  tag: text('tag').notNull(),
  hash: text('hash').notNull(),
  appliedAt: text('applied_at').notNull(),
  /** The tpv version that applied it: named when a newer database is refused. */
  tpvVersion: text('tpv_version').notNull(),
});
