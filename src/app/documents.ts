/**
 * Stored documents as printed: any document by its number, its layout with what it refers to
 * (customer, receipt), and the slips it issued. No device here: previews and the CLI load this
 * without the printer encoder.
 */
import { TpvError } from '../core/errors.js';
import { documentNumberOf } from '../core/numbering.js';
import { documentIdByNumber, loadDocument, type StoredDocument } from '../db/documents.js';
import { layoutCreditVoucher, layoutReceipt, layoutShiftReport, type DocumentOptions } from '../devices/documents.js';
import { type Columns, type LayoutLine, renderText } from '../devices/layout.js';
import { t } from '../i18n/index.js';
import type { App } from './context.js';
import { slipsOfDocument } from './credit.js';
import { deviceOf } from './devices.js';
import type { ShiftFigures } from './shifts.js';
import { userById } from './users.js';
/** Any committed document by its number or its scan code (`TPV:…`). */
export function documentByNumber(app: App, typed: string): StoredDocument {
  const number = documentNumberOf(typed);
  const id = documentIdByNumber(app.db, number) ?? documentIdByNumber(app.db, number.toUpperCase());
  const doc = id === undefined ? undefined : loadDocument(app.db, id);
  if (!doc) throw new TpvError('not_found', 'document.not_found', { number });
  return doc;
}

/** The layout of a stored document of any type, with what it refers to (customer, receipt). */
export function layoutDocument(app: App, doc: StoredDocument, opts: Pick<DocumentOptions, 'copy' | 'code'> = {}): LayoutLine[] {
  if (doc.type === 'z_report') {
    const f = doc.body as unknown as ShiftFigures;
    return layoutShiftReport(app, f, t('receipt.title_z', {}, app.settings['store.language'] ?? 'es'), doc.number, opts);
  }
  const refers = doc.refId ? (app.db.prepare('SELECT number FROM documents WHERE id = ?').pluck().get(doc.refId) as string | undefined) : undefined;
  const customer =
    (doc.type === 'invoice' || doc.type === 'credit_note') && doc.customerId
      ? (app.db.prepare('SELECT name, tax_id, address FROM customers WHERE id = ?').get(doc.customerId) as DocumentOptions['customer'])
      : undefined;
  return layoutReceipt(app, doc, {
    ...opts,
    userName: userById(app.db, doc.userId)?.name ?? '',
    ...(refers ? { refers } : {}),
    ...(customer ? { customer } : {}),
  });
}

/** A document and the credit or voucher slips it issued, laid out for one printer. */
export function documentJob(app: App, doc: StoredDocument, opts: { copy?: boolean; code?: 'qr' | 'code128' } = {}): LayoutLine[][] {
  const code = opts.code ?? 'code128';
  return [layoutDocument(app, doc, { copy: opts.copy ?? false, code }), ...slipsOfDocument(app, doc.id).map((v) => layoutCreditVoucher(app, v, { copy: opts.copy ?? false, code }))];
}

/** Cash moved: the drawer opens for this document. */
export function opensDrawer(doc: StoredDocument): boolean {
  return doc.change > 0 || doc.payments.some((p) => p.method === 'cash' && p.amount !== 0);
}


/** A document as plain text, as the printer would print it (its columns, 42 without a printer). */
export function documentText(app: App, doc: StoredDocument, opts: { copy?: boolean; columns?: Columns } = {}): string {
  const printer = deviceOf(app, 'printer');
  return renderText(layoutDocument(app, doc, { copy: opts.copy ?? false, code: printer?.code ?? 'code128' }), opts.columns ?? printer?.columns ?? 42);
}
