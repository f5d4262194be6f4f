/**
 * Full invoices: a simplified receipt (ticket) turned into an invoice for a customer with a tax id
 * — same lines, taxes and total to the cent, its own series (T01F-…), at most once per receipt.
 */
import type { StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { storedText } from '../core/text.js';
import { prepared } from '../db/connection.js';
import { documentIdByNumber, loadDocument } from '../db/documents.js';
import { type App, inTransaction } from './context.js';
import { type Customer, findCustomer } from './customers.js';
import { documentPayload } from './events.js';
import { issueDocument } from './issue.js';
import { appendEvent } from './outbox.js';
import { receiptByNumber } from './sales.js';
import type { UserRow } from './auth.js';

export interface InvoiceResult {
  invoice: StoredDocument;
  receipt: StoredDocument;
  customer: Customer;
  duplicate: boolean;
}

function result(app: App, invoice: StoredDocument, duplicate: boolean): InvoiceResult {
  const receipt = loadDocument(app.db, invoice.refId!)!;
  return { invoice, receipt, customer: findCustomer(app, String(invoice.customerId)), duplicate };
}

export function createInvoice(app: App, receiptNumber: string, customerKey: string, actor: UserRow, id?: string): InvoiceResult {
  const externalId = id ? storedText(String(id), 'id', 'id') || undefined : undefined;
  return inTransaction(app, () => {
    if (externalId) {
      const existing = prepared(app.db, 'SELECT id FROM documents WHERE external_id = ?').pluck().get(externalId) as number | undefined;
      if (existing !== undefined) {
        // a retry answers the invoice made then; the id reused for another receipt or customer is a conflict
        const done = loadDocument(app.db, existing)!;
        const same = done.type === 'invoice' && done.refId === receiptByNumber(app, receiptNumber).id && done.customerId === findCustomer(app, customerKey).id;
        if (!same) throw new TpvError('conflict', 'invoice.id_reused', { id: externalId, number: done.number });
        return result(app, done, true);
      }
    }
    const receipt = receiptByNumber(app, receiptNumber);
    if (receipt.type !== 'receipt') throw new TpvError('conflict', 'invoice.not_a_sale', { number: receiptNumber });
    const existing = app.db.prepare("SELECT number FROM documents WHERE type = 'invoice' AND ref_id = ?").pluck().get(receipt.id) as string | undefined;
    if (existing) throw new TpvError('conflict', 'invoice.exists', { receipt: receipt.number, invoice: existing });
    const customer = findCustomer(app, customerKey);
    if (!customer.tax_id) throw new TpvError('invalid', 'invoice.customer_tax_id', { customer: customer.name });
    // the same lines, taxes and payments to the cent: the invoice replaces the ticket's paper
    const invoice = issueDocument(app, 'invoice', () => ({
      userId: actor.id,
      // the receipt already counted in its shift: the invoice only replaces its paper
      shiftId: null,
      refId: receipt.id,
      customerId: customer.id,
      externalId: externalId ?? null,
      pricesIncludeTax: receipt.pricesIncludeTax,
      currency: receipt.currency,
      subtotal: receipt.subtotal,
      discount: receipt.discount,
      total: receipt.total,
      tendered: receipt.tendered,
      change: receipt.change,
      rounding: receipt.rounding,
      approvals: [],
      note: null,
      body: null,
      lines: receipt.lines,
      taxes: receipt.taxes,
      payments: receipt.payments,
    }));
    appendEvent(app, 'invoice', { invoice: documentPayload(app, invoice) });
    return { invoice, receipt, customer, duplicate: false };
  });
}

export function invoiceByNumber(app: App, number: string): InvoiceResult {
  const id = documentIdByNumber(app.db, number);
  const doc = id === undefined ? undefined : loadDocument(app.db, id);
  // a corrective invoice shows like an invoice; its reference is the invoice it corrects
  if (!doc || (doc.type !== 'invoice' && doc.type !== 'credit_note')) throw new TpvError('not_found', 'invoice.not_found', { number });
  return result(app, doc, false);
}
