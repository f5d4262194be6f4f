/**
 * Refunds against a receipt: lines and quantities capped at what is left to refund, amounts and
 * taxes exact over any number of partial refunds (src/core/refund.ts), paid back in cash, to the
 * card, or as store credit; a fiscal document of its own (series {register}R-…), journaled.
 */
import { TpvError } from '../core/errors.js';
import { formatQuantity, parseQuantity } from '../core/money.js';
import { roundCash } from '../core/payment.js';
import { planRefund, type Refunded } from '../core/refund.js';
import { isoWithOffset, zonedParts } from '../core/time.js';
import { type DocumentLine, insertDocument, loadDocument, type StoredDocument } from '../db/documents.js';
import { type Approver, authorize } from './auth.js';
import { type App, inTransaction, storeMoney } from './context.js';
import { issueCreditIn } from './credit.js';
import { appendJournal } from './journal.js';
import { appendOutbox } from './outbox.js';
import { cashIncrement, receiptByNumber } from './sales.js';
import { allocateNumber } from './series.js';
import { openShiftRow, registerOf, timeZoneOf } from './shifts.js';
import type { UserRow } from './users.js';

export interface RefundInput {
  /** Lines of the receipt (by their number on it) and quantities; all of it when `all`. */
  lines?: { line: number; qty?: string | number; restock?: boolean; reason?: string }[];
  all?: boolean;
  method: string;
  reference?: string;
  restock?: boolean;
  reason?: string;
}

export interface RefundResult {
  refund: StoredDocument;
  receipt: StoredDocument;
  credit: { code: string; amount: number } | null;
  /** The corrective invoice, when the receipt had been invoiced. */
  creditNote: StoredDocument | null;
}

/** What earlier refunds of a receipt took, per line and per tax rate. */
export function refundedSoFar(app: App, receiptId: number): Refunded {
  const lines = new Map<number, { qty: number; amount: number }>();
  for (const r of app.db
    .prepare(`SELECT l.line, sum(l.qty) AS qty, sum(l.amount) AS amount FROM documents d JOIN document_lines l ON l.document_id = d.id
      WHERE d.ref_id = ? AND d.type = 'refund' GROUP BY l.line`)
    .all(receiptId) as { line: number; qty: number; amount: number }[]) {
    lines.set(r.line, { qty: r.qty, amount: r.amount });
  }
  const taxes = new Map<number, number>();
  for (const r of app.db
    .prepare(`SELECT t.rate, sum(t.tax) AS tax FROM documents d JOIN document_taxes t ON t.document_id = d.id
      WHERE d.ref_id = ? AND d.type = 'refund' GROUP BY t.rate`)
    .all(receiptId) as { rate: number; tax: number }[]) {
    taxes.set(r.rate, r.tax);
  }
  return { lines, taxes };
}

const bad = (field: string, code: string, params: Record<string, string | number> = {}): TpvError =>
  new TpvError('invalid', code, { ...params, field });

export function refund(app: App, receiptNumber: string, input: RefundInput, actor: UserRow, approver?: Approver): RefundResult {
  const approval = authorize(app, actor, 'refund', approver, receiptNumber);
  const { pricesIncludeTax, currency } = storeMoney(app);
  if (!['cash', 'card', 'store_credit'].includes(input.method)) {
    throw bad('method', 'refund.method', { method: String(input.method) });
  }
  return inTransaction(app, () => {
    const receipt = receiptByNumber(app, receiptNumber);
    if (receipt.type !== 'receipt') throw new TpvError('not_found', 'receipt.not_found', { number: receiptNumber });
    const before = refundedSoFar(app, receipt.id);
    const request = input.all
      ? receipt.lines
          .map((l) => ({ line: l.line, qty: l.qty - (before.lines.get(l.line)?.qty ?? 0) }))
          .filter((r) => r.qty > 0)
      : (input.lines ?? []).map((l, i) => {
          const sold = receipt.lines.find((x) => x.line === l.line);
          if (!sold) throw bad(`lines[${i}].line`, 'refund.line_unknown', { line: l.line });
          if (l.qty === undefined) return { line: l.line, qty: sold.qty - (before.lines.get(l.line)?.qty ?? 0) };
          const q = parseQuantity(String(l.qty));
          if (!q.ok) throw bad(`lines[${i}].qty`, q.problem.code, q.problem.params);
          if (sold.unit === 'each' && q.value % 1000 !== 0) throw bad(`lines[${i}].qty`, 'cart.whole_units');
          return { line: l.line, qty: q.value };
        });
    if (request.length === 0) throw new TpvError('conflict', input.all ? 'refund.nothing_left' : 'refund.no_lines', { receipt: receiptNumber });
    const plan = planRefund(
      receipt.lines.map((l) => ({ line: l.line, qty: l.qty, amount: l.amount, taxRate: l.taxRate })),
      receipt.taxes,
      before,
      request,
      pricesIncludeTax,
    );
    if (!plan.ok) {
      const p = plan.problem.params ?? {};
      throw new TpvError(plan.problem.code === 'refund.over_quantity' ? 'conflict' : 'invalid', plan.problem.code, {
        ...p,
        ...(typeof p.remaining === 'number' ? { remaining: formatQuantity(p.remaining) } : {}),
      });
    }
    const shift = openShiftRow(app.db, registerOf(app));
    if (input.method === 'cash' && !shift) throw new TpvError('conflict', 'shift.none_open', { register: registerOf(app) });
    const now = app.now();
    const tz = timeZoneOf(app);
    const { number, seriesId, seq } = allocateNumber(app.db, registerOf(app), 'refund', zonedParts(now, tz).year);
    const total = plan.value.total;
    let paid = total;
    let rounding = 0;
    let reference: string | null = input.reference ?? null;
    let credit: RefundResult['credit'] = null;
    if (input.method === 'cash') {
      paid = roundCash(total, cashIncrement(app));
      rounding = paid - total;
    } else if (input.method === 'store_credit') {
      const c = issueCreditIn(app, total, actor, { origin: 'refund', ref: number, ...(receipt.customerId !== null ? { customerId: receipt.customerId } : {}) });
      credit = { code: c.code, amount: total };
      reference = c.code;
    }
    const soldByLine = new Map(receipt.lines.map((l) => [l.line, l]));
    const restockOf = (line: number): boolean => input.lines?.find((l) => l.line === line)?.restock ?? input.restock ?? true;
    const reasonOf = (line: number): string | null => input.lines?.find((l) => l.line === line)?.reason ?? input.reason ?? null;
    const lines: DocumentLine[] = plan.value.lines.map((l) => {
      const s = soldByLine.get(l.line)!;
      return {
        line: l.line,
        productId: s.productId,
        sku: s.sku,
        name: s.name,
        unit: s.unit,
        qty: l.qty,
        unitPrice: s.unitPrice,
        listPrice: null,
        gross: l.amount,
        lineDiscount: 0,
        cartDiscount: 0,
        amount: l.amount,
        taxRate: l.taxRate,
        categoryId: s.categoryId,
        note: [reasonOf(l.line), restockOf(l.line) ? null : 'no restock'].filter(Boolean).join('; ') || null,
      };
    });
    const doc = insertDocument(app.db, {
      type: 'refund',
      number,
      seriesId,
      seq,
      register: registerOf(app),
      createdAt: isoWithOffset(now, tz),
      userId: actor.id,
      shiftId: shift?.id ?? null,
      refId: receipt.id,
      customerId: receipt.customerId,
      externalId: null,
      pricesIncludeTax,
      currency,
      subtotal: total,
      discount: 0,
      total,
      tendered: 0,
      change: 0,
      rounding,
      approvals: approval ? [approval] : [],
      note: null,
      body: null,
      lines,
      taxes: plan.value.taxes,
      payments: [{ method: input.method, amount: paid, reference }],
    });
    const move = app.db.prepare("INSERT INTO stock_moves (product_id, qty, kind, ref, reason, user_id, created_at) VALUES (?, ?, 'refund', ?, ?, ?, ?)");
    const tracked = app.db.prepare('SELECT track_stock FROM products WHERE id = ?').pluck();
    for (const l of lines) {
      if (l.productId !== null && restockOf(l.line) && tracked.get(l.productId) === 1) {
        move.run(l.productId, l.qty, number, reasonOf(l.line), actor.id, now.toISOString());
      }
    }
    appendJournal(app.db, doc);
    appendOutbox(app.db, 'refund', { number, receipt: receipt.number, register: doc.register, created_at: doc.createdAt }, now);
    // an invoiced receipt is corrected by a corrective invoice referencing the invoice
    let creditNote: StoredDocument | null = null;
    const invoiceId = app.db.prepare("SELECT id FROM documents WHERE type = 'invoice' AND ref_id = ?").pluck().get(receipt.id) as number | undefined;
    if (invoiceId !== undefined) {
      const invoice = loadDocument(app.db, invoiceId)!;
      const cn = allocateNumber(app.db, registerOf(app), 'credit_note', zonedParts(now, tz).year);
      creditNote = insertDocument(app.db, {
        ...doc,
        type: 'credit_note',
        number: cn.number,
        seriesId: cn.seriesId,
        seq: cn.seq,
        shiftId: null,
        refId: invoice.id,
        customerId: invoice.customerId,
        approvals: [],
        note: number,
      });
      appendJournal(app.db, creditNote);
      appendOutbox(app.db, 'credit_note', { number: cn.number, invoice: invoice.number, refund: number, created_at: creditNote.createdAt }, now);
    }
    return { refund: loadDocument(app.db, doc.id)!, receipt, credit, creditNote };
  });
}
