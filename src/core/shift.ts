import type { Json } from './canonical.js';
import type { CountLine } from './cash.js';

/** Who opened or closed a shift, as the report prints it. */
export interface ShiftUser {
  code: string;
  name: string;
}

/** A cash movement that is not a sale: cash in (change, a float top-up) or out (the bank, a supplier). */
export interface CashMoveLine {
  kind: 'in' | 'out';
  amount: number;
  reason: string;
  user: string;
  /** When, with the store's offset (as stored). */
  at: string;
}

/** The drawer opened without a sale ("no sale"). */
export interface NoSaleLine {
  user: string;
  reason: string;
  /** When, in UTC (as the audit log keeps it). */
  at: string;
}

/**
 * The figures of a shift (cash session): what the X report shows while it runs and the Z report
 * keeps when it closes. Amounts in minor units. The Z report document stores them as its body,
 * versioned: {@link ZBODY_VERSION}. Version 1 bodies (and bodies written before the version
 * existed) lack the fields marked "v2"; they read with those fields null or empty.
 */
export interface ShiftFigures {
  /** The shift's row id on this register (the outbox event names it by its uid instead). */
  shift: number;
  register: string;
  opened_at: string;
  closed_at: string | null;
  /** Receipts, gift vouchers sold in them included (see `vouchers`). */
  receipts: { count: number; first: string | null; last: string | null; total: number; discounts: number };
  refunds: { count: number; total: number };
  /** Net by tender: sales minus refunds. */
  tenders: { method: string; sales: number; refunds: number; net: number }[];
  /** Net by tax rate: sales minus refunds. */
  taxes: { rate: number; base: number; tax: number }[];
  cash: {
    float: number;
    sales: number;
    refunds: number;
    in: number;
    out: number;
    rounding: number;
    expected: number;
    counted: number | null;
    difference: number | null;
  };
  /** v2: who opened and who closed the shift (null while open). */
  opened_by?: ShiftUser | null;
  closed_by?: ShiftUser | null;
  /** v2: gift vouchers sold (not subject to VAT: kept apart from the sales the tax bases add up to). */
  vouchers?: { count: number; total: number };
  /** v2: each cash movement of the shift, in order. */
  moves?: CashMoveLine[];
  /** v2: each time the drawer was opened without a sale. */
  no_sales?: NoSaleLine[];
  /** v2: the cash counted by note and coin (null: counted as one amount, or still open). */
  count?: CountLine[] | null;
}

/** What a shift's sales come to, vouchers and refunds apart: gross − refunds = net = the tax bases plus their tax. */
export interface SalesSummary {
  /** Goods and services sold (receipts without the gift vouchers in them). */
  gross: number;
  refunds: number;
  net: number;
  vouchers: number;
}

export function salesSummary(f: ShiftFigures): SalesSummary {
  const vouchers = f.vouchers?.total ?? 0;
  const gross = f.receipts.total - vouchers;
  return { gross, refunds: f.refunds.total, net: gross - f.refunds.total, vouchers };
}

export const ZBODY_VERSION = 2;

/** The body a Z report stores (and the journal hashes): its figures and the version of their shape. */
export function zBody(figures: ShiftFigures): Json {
  return { ...figures, version: ZBODY_VERSION } as unknown as Json;
}

/** The version of a stored Z body's shape (1 for bodies written before the version existed). */
export function zBodyVersion(body: Json | null): number {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 0;
  const v = body.version ?? 1;
  return typeof v === 'number' ? v : 0;
}

/**
 * Reads a stored Z body (any version this program knows) as figures. Throws RangeError for a body
 * of another version or shape: a Z from a newer tpv, or a damaged one.
 */
export function readZBody(body: Json | null): ShiftFigures {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RangeError('not a Z report body');
  const version = body.version ?? 1;
  if (version !== 1 && version !== 2) throw new RangeError(`Z report body version ${String(version)} is not known`);
  const f = body as unknown as ShiftFigures & { version?: number };
  if (typeof f.register !== 'string' || typeof f.receipts !== 'object' || typeof f.cash !== 'object' || !Array.isArray(f.taxes) || !Array.isArray(f.tenders)) {
    throw new RangeError('not a Z report body');
  }
  if (version === 2 && (!Array.isArray(f.moves) || !Array.isArray(f.no_sales) || typeof f.vouchers !== 'object')) throw new RangeError('not a Z report body');
  const { version: _version, ...figures } = f;
  return figures;
}
