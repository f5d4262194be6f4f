import type { Json } from './canonical.js';
import { mulDiv } from './money.js';
import type { DocType } from './numbering.js';

/**
 * Fiscal documents as a register keeps them: a receipt, refund, invoice, corrective invoice or
 * Z report, immutable once issued. References (user, shift, customer, the document referred to)
 * are the register's own row ids; the outbox event of a document carries global identifiers
 * instead (src/sync/events.ts). Amounts in minor units, quantities in milli-units, rates in bp.
 */
export interface DocumentHeader {
  type: DocType;
  number: string;
  seriesId: number;
  seq: number;
  register: string;
  /** ISO 8601 with the store's offset. */
  createdAt: string;
  userId: number;
  shiftId: number | null;
  refId: number | null;
  customerId: number | null;
  /** The idempotency key a script gave (`"id"` of `tpv sale`). */
  externalId: string | null;
  pricesIncludeTax: boolean;
  currency: string;
  subtotal: number;
  discount: number;
  total: number;
  tendered: number;
  change: number;
  rounding: number;
  approvals: Approval[];
  note: string | null;
  /** The Z report's figures (src/core/shift.ts); a refund's or credit note's lines kept out of stock (`{"no_restock":[2]}`); null for other documents. */
  body: Json | null;
}

/** A supervisor's approval of something the acting user's role may not do alone. */
export interface Approval {
  action: string;
  /** The approving user's code. */
  by: string;
  at: string;
  detail?: string;
}

export interface DocumentLine {
  line: number;
  productId: number | null;
  sku: string;
  name: string;
  unit: 'each' | 'kg';
  qty: number;
  unitPrice: number;
  listPrice: number | null;
  gross: number;
  lineDiscount: number;
  cartDiscount: number;
  amount: number;
  taxRate: number;
  categoryId: number | null;
  note: string | null;
}

export interface DocumentTax {
  rate: number;
  base: number;
  tax: number;
}

export interface DocumentPayment {
  method: string;
  amount: number;
  reference: string | null;
}

export type NewDocument = DocumentHeader & { lines: DocumentLine[]; taxes: DocumentTax[]; payments: DocumentPayment[] };

export interface StoredDocument extends NewDocument {
  id: number;
}

/** The sku of a gift voucher line on a receipt (such a line has no product; its note is the code). */
export const VOUCHER_SKU = 'VOUCHER';

/** Whether a receipt line is a gift voucher (not goods: not taxed, not refunded as goods). */
export const isVoucherLine = (l: { productId: number | null; sku: string }): boolean => l.productId === null && l.sku === VOUCHER_SKU;

/** Cash moved with this document: the drawer opens for it. */
export function movesCash(doc: Pick<NewDocument, 'change' | 'payments'>): boolean {
  return doc.change > 0 || doc.payments.some((p) => p.method === 'cash' && p.amount !== 0);
}

/**
 * A line as paper shows it: quantity × unit price (`amount`), less `discount`, gives what was
 * charged. A refunded line carries what was paid for it (after the sale's discounts, as `gross`):
 * the difference from quantity × price shows as its discount, so every line adds up on paper.
 */
export function printedLine(l: DocumentLine): { amount: number; discount: number } {
  const listed = mulDiv(l.unitPrice, l.qty, 1000, 'half-away-from-zero');
  const discount = l.lineDiscount || (l.cartDiscount === 0 && l.gross !== listed ? listed - l.gross : 0);
  return { amount: l.lineDiscount ? l.gross : l.gross + discount, discount };
}

/** The document's cart discount (the sum of its lines' shares) and what the lines add up to before it. */
export function cartDiscountOf(doc: Pick<NewDocument, 'lines' | 'total'>): { discount: number; before: number } {
  const discount = doc.lines.reduce((a, x) => a + x.cartDiscount, 0);
  return { discount, before: doc.total + discount };
}
