/**
 * Stored documents as printed: any document by its number, its layout with what it refers to
 * (customer, receipt), the slips it issued, the test page. No device I/O here: previews and the
 * CLI load this without the printer encoder (printing is src/app/peripherals.ts).
 */
import type { VoucherSlip } from '../core/credit.js';
import type { StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { documentNumberOf } from '../core/numbering.js';
import { readZBody } from '../core/shift.js';
import { prepared } from '../db/connection.js';
import { documentIdByNumber, loadDocument } from '../db/documents.js';
import { expiryText, type FiscalQr, layoutCreditVoucher, layoutReceipt, layoutShiftReport, layoutTestPage, type DocumentOptions } from '../devices/documents.js';
import { type Columns, COLUMNS, type LayoutLine, renderText } from '../devices/layout.js';
import { QR_HEADING, QR_QUIET_ZONE_MM, QR_SIZE_MM, VERIFACTU_LEGEND_SHORT } from '../einvoice/verifactu/qr.js';
import { t } from '../i18n/index.js';
import type { App } from './context.js';
import { slipByCode, slipsOfDocument } from './credit.js';
import { qrUrlOf } from './einvoice.js';
import { deviceOf, originalsOwed, type Paper, type PrinterConfig } from './devices.js';
import { userById } from './auth.js';
import { anchorText, documentLink } from './journal.js';

/** Any committed document by its number or its scan code (`TPV:…`). */
export function documentByNumber(app: App, typed: string): StoredDocument {
  const number = documentNumberOf(typed);
  const id = documentIdByNumber(app.db, number) ?? documentIdByNumber(app.db, number.toUpperCase());
  const doc = id === undefined ? undefined : loadDocument(app.db, id);
  if (!doc) throw new TpvError('not_found', 'document.not_found', { number });
  return doc;
}

/** The scan code at the foot of a printed document: the printer's choice, code128 without a printer. */
type Symbology = 'qr' | 'code128';

/**
 * The fiscal QR a document's paper carries, as the AEAT's QR spec wants it printed: the heading
 * "QR tributario:", the short legend "VERI*FACTU" (it fits any paper width on one line), 30–40 mm a
 * side, the recommended 6 mm of blank paper above and below.
 */
export function fiscalQrOf(app: App, doc: StoredDocument): FiscalQr | undefined {
  const url = qrUrlOf(app, doc.id);
  if (url === null) return undefined;
  return { url, heading: QR_HEADING, legend: VERIFACTU_LEGEND_SHORT, size: { minMm: QR_SIZE_MM.min, maxMm: QR_SIZE_MM.max, quietMm: QR_QUIET_ZONE_MM.recommended } };
}

/** The layout of a stored document of any type, with what it refers to (customer, receipt), and its fiscal QR. */
export function layoutDocument(app: App, doc: StoredDocument, opts: Pick<DocumentOptions, 'copy' | 'code'> = {}): LayoutLine[] {
  const { profile } = app;
  // the journal entry is the anchor a Z report always prints, and receipts when the store asks
  const link = doc.type === 'z_report' || profile.receiptJournalHead ? documentLink(app.db, doc.id) : undefined;
  const anchor = link ? { anchor: anchorText(link, profile.language) } : {};
  if (doc.type === 'z_report') return layoutShiftReport(profile, readZBody(doc.body), t('receipt.title_z', {}, profile.language), doc.number, { ...opts, ...anchor });
  // what the document refers to, by its number and the day it was issued (a correction names both)
  const referred = doc.refId ? (prepared(app.db, 'SELECT number, created_at FROM documents WHERE id = ?').get(doc.refId) as { number: string; created_at: string } | undefined) : undefined;
  const customer =
    (doc.type === 'invoice' || doc.type === 'credit_note') && doc.customerId
      ? (prepared(app.db, 'SELECT name, tax_id, address FROM customers WHERE id = ?').get(doc.customerId) as DocumentOptions['customer'])
      : undefined;
  const fiscalQr = fiscalQrOf(app, doc);
  return layoutReceipt(profile, doc, {
    ...opts,
    ...anchor,
    ...(fiscalQr ? { fiscalQr } : {}),
    userName: userById(app.db, doc.userId)?.name ?? '',
    ...(referred ? { refers: referred.number, refersAt: referred.created_at } : {}),
    ...(customer ? { customer } : {}),
  });
}

/** The slip of a code as a paper whose original can be owed (src/app/devices.ts). */
const slipPaper = (v: VoucherSlip): Paper => ({ slip: v.printed, ref: v.ref });

/** The slip of code `code` as a paper whose original can be owed. */
export const slipPaperOf = (app: App, code: string): Paper => slipPaper(slipByCode(app, code));

/** The papers of a document's print job, in print order: the document, then the slip of each code it issued. */
export function jobPapers(app: App, doc: StoredDocument): Paper[] {
  return [{ number: doc.number }, ...slipsOfDocument(app, doc.id).map(slipPaper)];
}

/**
 * A document and the credit or voucher slips it issued, laid out for one printer. `copy` is one
 * flag for all of them, or one per paper of `jobPapers` (a reprint whose slip's original is
 * still owed prints that slip as the original).
 */
export function documentJob(app: App, doc: StoredDocument, opts: { copy?: boolean | readonly boolean[]; code?: Symbology } = {}): LayoutLine[][] {
  const code = opts.code ?? 'code128';
  const copy = (i: number): boolean => (typeof opts.copy === 'boolean' ? opts.copy : (opts.copy?.[i] ?? false));
  return [layoutDocument(app, doc, { copy: copy(0), code }), ...slipsOfDocument(app, doc.id).map((v, i) => layoutCreditVoucher(app.profile, v, { copy: copy(i + 1), code }))];
}

/** A code a document issued, as the till shows it: the code, its amount, valid until (as its slip says). */
export interface IssuedCode {
  code: string;
  amount: number;
  gift: boolean;
  validUntil: string | null;
}

/** When a code stops being valid, as its slip prints it ("21/11/2027"). */
export const validUntilText = (app: App, expiresAt: string): string => expiryText(expiresAt, app.profile.timezone);

export function issuedCodes(app: App, doc: StoredDocument): IssuedCode[] {
  return slipsOfDocument(app, doc.id).map((v) => ({
    code: v.printed,
    amount: v.balance,
    gift: v.origin === 'voucher',
    validUntil: v.expires_at ? validUntilText(app, v.expires_at) : null,
  }));
}

/** A paper width typed on the command line (`--columns 32|42|48`). */
export function paperColumns(text: string): Columns {
  const n = Number(text);
  if (!(COLUMNS as readonly number[]).includes(n)) throw new TpvError('usage', 'receipt.columns', { value: text });
  return n as Columns;
}

/** A document as plain text, as the printer would print it (its columns, 42 without a printer). */
export function documentText(app: App, doc: StoredDocument, opts: { copy?: boolean; columns?: Columns } = {}): string {
  const printer = deviceOf(app, 'printer');
  return renderText(layoutDocument(app, doc, { copy: opts.copy ?? false, code: printer?.code ?? 'code128' }), opts.columns ?? printer?.columns ?? 42);
}

/** Something laid out to print, and how it reads on the printer's paper. */
export interface Page {
  layout: LayoutLine[];
  text: string;
}

/**
 * A store credit or gift voucher's slip, laid out for the store's printer (its balance now). `copy`
 * true on a reprint, false for its original; 'owed' (a reprint) asks: a copy, unless the slip's
 * original never reached paper and is still owed (src/app/devices.ts), as the reprint then prints.
 */
export function creditSlip(app: App, code: string, opts: { copy?: boolean | 'owed' } = {}): Page & { printed: string; paper: Paper; copy: boolean } {
  const slip = slipByCode(app, code);
  const paper = slipPaper(slip);
  const copy = opts.copy === 'owed' ? !originalsOwed(app, [paper])[0] : (opts.copy ?? false);
  const printer = deviceOf(app, 'printer');
  const layout = layoutCreditVoucher(app.profile, slip, { copy, code: printer?.code ?? 'code128' });
  return { printed: slip.printed, paper, copy, layout, text: renderText(layout, printer?.columns ?? 42) };
}

/** The test page of a printer. */
export function testPage(app: App, printer: PrinterConfig): Page {
  const layout = layoutTestPage(app.profile, printer, app.now());
  return { layout, text: renderText(layout, printer.columns) };
}
