/**
 * Fiscal documents in the database: one header row, its lines, tax summary and payments.
 * Written once (triggers forbid changes); read back whole for receipts, reports and the journal.
 */
import type { Statement } from 'better-sqlite3';
import type { Json } from '../core/canonical.js';
import type { Approval, DocumentPayment, DocumentTax, NewDocument, StoredDocument } from '../core/document.js';
import type { DocType } from '../core/numbering.js';
import type { Sqlite } from './connection.js';

interface Stmts {
  header: Statement;
  line: Statement;
  tax: Statement;
  payment: Statement;
  byId: Statement<[number], Record<string, unknown>>;
  byNumber: Statement<[string], { id: number }>;
  lines: Statement<[number], Record<string, unknown>>;
  taxes: Statement<[number], DocumentTax>;
  payments: Statement<[number], DocumentPayment>;
}

const cache = new WeakMap<Sqlite, Stmts>();

function stmts(db: Sqlite): Stmts {
  let s = cache.get(db);
  if (s) return s;
  s = {
    header: db.prepare(`INSERT INTO documents (type, number, series_id, seq, register, created_at, user_id, shift_id,
      ref_id, customer_id, external_id, prices_include_tax, currency, subtotal, discount, total, tendered, change,
      rounding, approvals, note, body) VALUES (@type, @number, @seriesId, @seq, @register, @createdAt, @userId,
      @shiftId, @refId, @customerId, @externalId, @pricesIncludeTax, @currency, @subtotal, @discount, @total,
      @tendered, @change, @rounding, @approvals, @note, @body)`),
    line: db.prepare(`INSERT INTO document_lines (document_id, line, product_id, sku, name, unit, qty, unit_price,
      list_price, gross, line_discount, cart_discount, amount, tax_rate, category_id, note)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    tax: db.prepare('INSERT INTO document_taxes (document_id, rate, base, tax, shift_id, doc_type) VALUES (?, ?, ?, ?, ?, ?)'),
    payment: db.prepare(
      'INSERT INTO document_payments (document_id, seq, method, amount, reference, shift_id, doc_type) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    byId: db.prepare('SELECT * FROM documents WHERE id = ?'),
    byNumber: db.prepare('SELECT id FROM documents WHERE number = ?'),
    lines: db.prepare('SELECT * FROM document_lines WHERE document_id = ? ORDER BY line'),
    taxes: db.prepare('SELECT rate, base, tax FROM document_taxes WHERE document_id = ? ORDER BY rate DESC'),
    payments: db.prepare('SELECT method, amount, reference FROM document_payments WHERE document_id = ? ORDER BY seq'),
  };
  cache.set(db, s);
  return s;
}

/**
 * Inserts a whole document (inside the caller's transaction) and returns it as stored: the same
 * value `loadDocument` reads back (taxes by rate, highest first), without reading it back.
 */
export function insertDocument(db: Sqlite, doc: NewDocument): StoredDocument {
  const id = insertRows(db, doc);
  return { ...doc, id, taxes: [...doc.taxes].sort((a, b) => b.rate - a.rate) };
}

function insertRows(db: Sqlite, doc: NewDocument): number {
  const s = stmts(db);
  const id = Number(
    s.header.run({
      ...doc,
      pricesIncludeTax: doc.pricesIncludeTax ? 1 : 0,
      approvals: JSON.stringify(doc.approvals),
      body: doc.body === null ? null : JSON.stringify(doc.body),
    }).lastInsertRowid,
  );
  for (const l of doc.lines) {
    s.line.run(id, l.line, l.productId, l.sku, l.name, l.unit, l.qty, l.unitPrice, l.listPrice, l.gross, l.lineDiscount,
      l.cartDiscount, l.amount, l.taxRate, l.categoryId, l.note);
  }
  for (const t of doc.taxes) s.tax.run(id, t.rate, t.base, t.tax, doc.shiftId, doc.type);
  doc.payments.forEach((p, i) => s.payment.run(id, i + 1, p.method, p.amount, p.reference, doc.shiftId, doc.type));
  return id;
}

export function documentIdByNumber(db: Sqlite, number: string): number | undefined {
  return stmts(db).byNumber.get(number)?.id;
}

export function loadDocument(db: Sqlite, id: number): StoredDocument | undefined {
  const s = stmts(db);
  const h = s.byId.get(id);
  if (!h) return undefined;
  return {
    id,
    type: h.type as DocType,
    number: h.number as string,
    seriesId: h.series_id as number,
    seq: h.seq as number,
    register: h.register as string,
    createdAt: h.created_at as string,
    userId: h.user_id as number,
    shiftId: h.shift_id as number | null,
    refId: h.ref_id as number | null,
    customerId: h.customer_id as number | null,
    externalId: h.external_id as string | null,
    pricesIncludeTax: h.prices_include_tax === 1,
    currency: h.currency as string,
    subtotal: h.subtotal as number,
    discount: h.discount as number,
    total: h.total as number,
    tendered: h.tendered as number,
    change: h.change as number,
    rounding: h.rounding as number,
    approvals: JSON.parse(h.approvals as string) as Approval[],
    note: h.note as string | null,
    body: h.body === null ? null : (JSON.parse(h.body as string) as Json),
    lines: s.lines.all(id).map((l) => ({
      line: l.line as number,
      productId: l.product_id as number | null,
      sku: l.sku as string,
      name: l.name as string,
      unit: l.unit as 'each' | 'kg',
      qty: l.qty as number,
      unitPrice: l.unit_price as number,
      listPrice: l.list_price as number | null,
      gross: l.gross as number,
      lineDiscount: l.line_discount as number,
      cartDiscount: l.cart_discount as number,
      amount: l.amount as number,
      taxRate: l.tax_rate as number,
      categoryId: l.category_id as number | null,
      note: l.note as string | null,
    })),
    taxes: s.taxes.all(id),
    payments: s.payments.all(id),
  };
}

/** The document as the journal hashes it: every stored field, in a stable shape. */
export function canonicalDocument(doc: StoredDocument): Json {
  const rest: Partial<StoredDocument> = { ...doc };
  delete rest.id;
  return rest as unknown as Json;
}
