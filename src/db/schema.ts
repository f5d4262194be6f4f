/**
 * The drizzle schema of a register's database. drizzle-kit generates the SQL migrations in
 * `migrations/` from this file (`npm run db:generate`); what drizzle cannot express (the FTS5
 * index, triggers) lives in custom migrations next to them.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
    /** Lockouts in a row (each one lasts twice the one before); a right PIN resets it. */
    lockouts: integer('lockouts').notNull().default(0),
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

// ---- selling: series, documents, journal, outbox, shifts, carts ----------------------------

/** Numbering series: one per register and document type; the counter moves inside the document's transaction. */
export const series = sqliteTable(
  'series',
  {
    id: integer('id').primaryKey(),
    register: text('register').notNull(),
    docType: text('doc_type', { enum: ['receipt', 'refund', 'invoice', 'credit_note', 'z_report'] }).notNull(),
    /** e.g. `{register}-{n:6}`, `{register}F{yyyy}-{n:5}` */
    template: text('template').notNull(),
    /** The number the next document gets. */
    next: integer('next').notNull().default(1),
    yearlyReset: integer('yearly_reset', { mode: 'boolean' }).notNull().default(false),
    /** The year `next` counts in (yearly reset). */
    year: integer('year'),
  },
  (t) => [uniqueIndex('series_register_type').on(t.register, t.docType)],
);

/** Shifts (cash sessions) of a register; at most one open (a partial unique index in migration 0002). */
export const shifts = sqliteTable(
  'shifts',
  {
    id: integer('id').primaryKey(),
    /** UUIDv7: the shift's name off the till (outbox events). */
    uid: text('uid').unique(),
    register: text('register').notNull(),
    openedAt: text('opened_at').notNull(),
    openedBy: integer('opened_by').notNull().references(() => users.id),
    float: integer('float').notNull(),
    closedAt: text('closed_at'),
    closedBy: integer('closed_by').references(() => users.id),
    counted: integer('counted'),
    /** The Z report that closed it. */
    zDocumentId: integer('z_document_id'),
  },
  (t) => [index('shifts_register').on(t.register)],
);

/** Cash put into or taken out of the drawer during a shift (not sales). */
export const cashMoves = sqliteTable(
  'cash_moves',
  {
    id: integer('id').primaryKey(),
    shiftId: integer('shift_id').notNull().references(() => shifts.id),
    kind: text('kind', { enum: ['in', 'out'] }).notNull(),
    amount: integer('amount').notNull(),
    reason: text('reason').notNull(),
    userId: integer('user_id').notNull().references(() => users.id),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('cash_moves_shift').on(t.shiftId)],
);

/**
 * Fiscal documents: receipts, refunds, invoices, Z reports. Immutable once committed (triggers in
 * migration 0002); corrections are new documents referencing the old one.
 */
export const documents = sqliteTable(
  'documents',
  {
    id: integer('id').primaryKey(),
    type: text('type', { enum: ['receipt', 'refund', 'invoice', 'credit_note', 'z_report'] }).notNull(),
    number: text('number').notNull().unique(),
    seriesId: integer('series_id').notNull().references(() => series.id),
    /** The counter value the number was made from. */
    seq: integer('seq').notNull(),
    register: text('register').notNull(),
    /** ISO 8601 with the store's UTC offset. */
    createdAt: text('created_at').notNull(),
    userId: integer('user_id').notNull().references(() => users.id),
    shiftId: integer('shift_id').references(() => shifts.id),
    refId: integer('ref_id'),
    /** The customer of an invoice (and of a sale or refund when one was attached). */
    customerId: integer('customer_id'),
    /** A caller's idempotency key (`tpv sales import` "id"): the same key never sells twice. */
    externalId: text('external_id'),
    pricesIncludeTax: integer('prices_include_tax', { mode: 'boolean' }).notNull(),
    currency: text('currency').notNull(),
    subtotal: integer('subtotal').notNull(),
    discount: integer('discount').notNull(),
    total: integer('total').notNull(),
    tendered: integer('tendered').notNull().default(0),
    change: integer('change').notNull().default(0),
    rounding: integer('rounding').notNull().default(0),
    /** JSON: supervisor approvals [{action, by, at, detail}] and free notes. */
    approvals: text('approvals').notNull().default('[]'),
    note: text('note'),
    /** JSON body: the Z report's figures; a refund's or credit note's lines kept out of stock. */
    body: text('body'),
  },
  (t) => [
    // covers the X/Z report's per-shift sums without touching the table (100,000 receipts in a shift)
    index('documents_shift').on(t.shiftId, t.type, t.total, t.discount, t.rounding, t.seq, t.seriesId),
    index('documents_created').on(t.createdAt),
    // most documents have neither: partial indexes keep a sale from writing their pages
    uniqueIndex('documents_external_id_unique').on(t.externalId).where(sql`external_id IS NOT NULL`),
    index('documents_ref').on(t.refId).where(sql`ref_id IS NOT NULL`),
  ],
);

/** Lines, taxes and payments of a document: WITHOUT ROWID tables clustered by document (migration 0002). */
export const documentLines = sqliteTable(
  'document_lines',
  {
    documentId: integer('document_id').notNull().references(() => documents.id),
    line: integer('line').notNull(),
    productId: integer('product_id').references(() => products.id),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    unit: text('unit', { enum: ['each', 'kg'] }).notNull(),
    qty: integer('qty').notNull(),
    unitPrice: integer('unit_price').notNull(),
    /** Price before an override (null when not overridden). */
    listPrice: integer('list_price'),
    gross: integer('gross').notNull(),
    lineDiscount: integer('line_discount').notNull(),
    cartDiscount: integer('cart_discount').notNull(),
    amount: integer('amount').notNull(),
    taxRate: integer('tax_rate').notNull(),
    categoryId: integer('category_id'),
    note: text('note'),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.line] }), index('document_lines_product').on(t.productId)],
);

/**
 * Tax summary and payments repeat their document's shift and type, so the X/Z report sums them
 * from one covering index instead of a lookup per document (documents are immutable: the copies
 * cannot drift).
 */
export const documentTaxes = sqliteTable(
  'document_taxes',
  {
    documentId: integer('document_id').notNull().references(() => documents.id),
    rate: integer('rate').notNull(),
    base: integer('base').notNull(),
    tax: integer('tax').notNull(),
    shiftId: integer('shift_id'),
    docType: text('doc_type').notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.rate] }), index('document_taxes_shift').on(t.shiftId, t.docType, t.rate, t.base, t.tax)],
);

export const documentPayments = sqliteTable(
  'document_payments',
  {
    documentId: integer('document_id').notNull().references(() => documents.id),
    seq: integer('seq').notNull(),
    method: text('method').notNull(),
    amount: integer('amount').notNull(),
    reference: text('reference'),
    shiftId: integer('shift_id'),
    docType: text('doc_type').notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.seq] }), index('document_payments_shift').on(t.shiftId, t.docType, t.method, t.amount)],
);

/** The hash chain over fiscal documents: hash = sha256(prev_hash ‖ canonical(document)). */
/**
 * The hash-chained journal of fiscal facts: each entry is a document, a cash move or a shift's
 * opening (its float), exactly one of the three (src/app/journal.ts).
 */
export const journal = sqliteTable(
  'journal',
  {
    seq: integer('seq').primaryKey(),
    documentId: integer('document_id').references(() => documents.id),
    cashMoveId: integer('cash_move_id').references(() => cashMoves.id),
    shiftId: integer('shift_id').references(() => shifts.id),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('journal_document_id_unique').on(t.documentId).where(sql`document_id IS NOT NULL`),
    uniqueIndex('journal_cash_move_id_unique').on(t.cashMoveId).where(sql`cash_move_id IS NOT NULL`),
    uniqueIndex('journal_shift_id_unique').on(t.shiftId).where(sql`shift_id IS NOT NULL`),
    check('journal_one_fact', sql`(document_id IS NOT NULL) + (cash_move_id IS NOT NULL) + (shift_id IS NOT NULL) = 1`),
  ],
);

/**
 * Where the journal began covering cash moves and shift openings (migration 0008): older ones
 * were never journaled, so `tpv audit verify` does not ask for their entries.
 */
export const journalStart = sqliteTable('journal_start', {
  id: integer('id').primaryKey(),
  lastCashMove: integer('last_cash_move').notNull(),
  lastShift: integer('last_shift').notNull(),
});

/**
 * The request each sale `id` (idempotency key) came with, hashed: a retry with the same request
 * answers the same receipt, another request under a used id is a conflict.
 */
export const saleRequests = sqliteTable('sale_requests', {
  externalId: text('external_id').primaryKey(),
  hash: text('hash').notNull(),
});

/**
 * Imports of catalog files, one row per run: how many rows landed so far (written in the same
 * transaction as each batch), so an import cut short by a kill or a full disk is known and named.
 */
export const importRuns = sqliteTable('import_runs', {
  id: integer('id').primaryKey(),
  kind: text('kind').notNull(),
  source: text('source').notNull(),
  checksum: text('checksum').notNull(),
  rows: integer('rows').notNull(),
  applied: integer('applied').notNull().default(0),
  state: text('state', { enum: ['running', 'done', 'failed'] }).notNull(),
  startedAt: text('started_at').notNull(),
  endedAt: text('ended_at'),
  error: text('error'),
  /** The importing process while it runs: a 'running' run whose process is gone was cut short. */
  pid: integer('pid'),
});

/** Business events to ship to the store server, in register order; each applied once by its id. */
export const outbox = sqliteTable('outbox', {
  seq: integer('seq').primaryKey(),
  /** UUIDv7 made at the register. */
  id: text('id').notNull().unique(),
  type: text('type').notNull(),
  /** The payload's version (src/sync/contract.ts); 0: written before the contract, upgraded on open. */
  version: integer('version').notNull().default(0),
  payload: text('payload').notNull(),
  createdAt: text('created_at').notNull(),
  sentAt: text('sent_at'),
}, (t) => [index('outbox_legacy').on(t.seq).where(sql`version = 0`)]);

/** Carts in progress (saved on every change: a crash loses no scanned item) and held carts. */
export const carts = sqliteTable(
  'carts',
  {
    id: integer('id').primaryKey(),
    register: text('register').notNull(),
    userId: integer('user_id').notNull().references(() => users.id),
    status: text('status', { enum: ['open', 'held'] }).notNull(),
    /** JSON of the core cart. */
    data: text('data').notNull(),
    label: text('label'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('carts_register').on(t.register, t.status)],
);

/** Who did what outside documents: PIN failures and lockouts, approvals refused, no-sale openings. */
export const auditLog = sqliteTable('audit_log', {
  id: integer('id').primaryKey(),
  at: text('at').notNull(),
  userId: integer('user_id'),
  action: text('action').notNull(),
  detail: text('detail'),
});

// ---- customers and store credit (issue 4) ------------------------------------------------------

export const customers = sqliteTable(
  'customers',
  {
    id: integer('id').primaryKey(),
    /** UUIDv7: the customer's name off the till (outbox events). */
    uid: text('uid').unique(),
    name: text('name').notNull(),
    country: text('country'),
    /** Normalised by the country's rules (src/core/taxid.ts). */
    taxId: text('tax_id'),
    email: text('email'),
    phone: text('phone'),
    address: text('address'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('customers_tax_id').on(t.country, t.taxId), index('customers_name').on(t.name)],
);

/** Store credit and gift vouchers: the code and its terms; the balance is the sum of its events. */
export const credits = sqliteTable(
  'credits',
  {
    id: integer('id').primaryKey(),
    /** Crockford base32 with a check character, stored without dashes (src/core/credit.ts). */
    code: text('code').notNull().unique(),
    customerId: integer('customer_id').references(() => customers.id),
    origin: text('origin', { enum: ['grant', 'refund', 'voucher'] }).notNull(),
    issuedAt: text('issued_at').notNull(),
    expiresAt: text('expires_at'),
    documentId: integer('document_id').references(() => documents.id),
  },
  (t) => [index('credits_customer').on(t.customerId)],
);

/** The credit ledger: issue, redeem, restore, expire, void, adjust (append-only, migration 0003). */
export const creditEvents = sqliteTable(
  'credit_events',
  {
    id: integer('id').primaryKey(),
    creditId: integer('credit_id')
      .notNull()
      .references(() => credits.id),
    kind: text('kind', { enum: ['issue', 'redeem', 'restore', 'expire', 'void', 'adjust'] }).notNull(),
    /** Signed change of the balance, minor units. */
    amount: integer('amount').notNull(),
    at: text('at').notNull(),
    /** The document that caused it (receipt number of a redemption, refund number…). */
    ref: text('ref'),
    userId: integer('user_id').references(() => users.id),
    reason: text('reason'),
  },
  (t) => [index('credit_events_credit').on(t.creditId)],
);

// ---- devices (issue 6) -------------------------------------------------------------------------

/**
 * The register's peripherals: receipt printer, cash drawer, scanners, customer display. `options`
 * is the kind's JSON (profile, columns, pin, suffix…), validated by src/app/devices.ts.
 */
export const devices = sqliteTable('devices', {
  name: text('name').primaryKey(),
  kind: text('kind', { enum: ['printer', 'drawer', 'scanner', 'display'] }).notNull(),
  /** tcp://…, serial:…, /dev/usb/lp0, file:…; null for a drawer wired to the printer. */
  url: text('url'),
  options: text('options').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

// ---- e-invoicing (issue 14) ----------------------------------------------------------------------

/**
 * Fiscal records of the e-invoicing scheme (VERI*FACTU "registros de facturación"), one chain per
 * register (docs/einvoice.md): `id` is the chain's order, each record names the huella of the one
 * before (none for the first). Written in the transaction of their document, immutable (triggers)
 * and kept; what the tax agency answered is in einvoice_states.
 */
export const einvoiceRecords = sqliteTable(
  'einvoice_records',
  {
    id: integer('id').primaryKey(),
    scheme: text('scheme', { enum: ['verifactu'] }).notNull(),
    kind: text('kind', { enum: ['alta', 'anulacion'] }).notNull(),
    documentId: integer('document_id')
      .notNull()
      .references(() => documents.id),
    /** F1, F2, F3, R1…R5 (alta); null for an anulación. */
    tipo: text('tipo'),
    /** FechaHoraHusoGenRegistro: never before the previous record's. */
    generatedAt: text('generated_at').notNull(),
    /** The huella of the record before; null for the chain's first. Unique: the chain never forks. */
    prevHuella: text('prev_huella').unique(),
    huella: text('huella').notNull().unique(),
    /** The record as sent (src/einvoice/verifactu/record.ts), JSON. */
    record: text('record').notNull(),
  },
  (t) => [index('einvoice_records_document').on(t.documentId), uniqueIndex('einvoice_records_first').on(sql`(${t.prevHuella} IS NULL)`).where(sql`${t.prevHuella} IS NULL`)],
);

/** Each record's submissions and the agency's answers, appended: a record's state is its last row. */
export const einvoiceStates = sqliteTable(
  'einvoice_states',
  {
    id: integer('id').primaryKey(),
    recordId: integer('record_id')
      .notNull()
      .references(() => einvoiceRecords.id),
    at: text('at').notNull(),
    state: text('state', { enum: ['pending', 'sent', 'accepted', 'accepted_with_errors', 'rejected'] }).notNull(),
    code: text('code'),
    description: text('description'),
    /** The agency's CSV (código seguro de verificación) of the submission. */
    csv: text('csv'),
  },
  (t) => [index('einvoice_states_record').on(t.recordId, t.id)],
);

/**
 * Each request sent to the tax agency (`tpv einvoice submit|fix`), appended (triggers): when, how
 * many records, the agency's EstadoEnvio, CSV and TiempoEsperaEnvio — the next submission waits
 * until `at` + `wait_seconds` — or the error when no answer came (network, SOAP fault).
 */
export const einvoiceSubmissions = sqliteTable('einvoice_submissions', {
  id: integer('id').primaryKey(),
  at: text('at').notNull(),
  records: integer('records').notNull(),
  /** Correcto, ParcialmenteCorrecto, Incorrecto; null when no answer came. */
  estadoEnvio: text('estado_envio'),
  csv: text('csv'),
  /** TiempoEsperaEnvio of the answer; null when no answer came. */
  waitSeconds: integer('wait_seconds'),
  error: text('error'),
});
