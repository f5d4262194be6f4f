import type { Json } from './canonical.js';

/**
 * The figures of a shift (cash session): what the X report shows while it runs and the Z report
 * keeps when it closes. Amounts in minor units. The Z report document stores them as its body,
 * versioned: {@link ZBODY_VERSION}; bodies written before the version existed read as version 1
 * (the same shape).
 */
export interface ShiftFigures {
  /** The shift's row id on this register (the outbox event names it by its uid instead). */
  shift: number;
  register: string;
  opened_at: string;
  closed_at: string | null;
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
}

export const ZBODY_VERSION = 1;

/** The body a Z report stores (and the journal hashes): its figures and the version of their shape. */
export function zBody(figures: ShiftFigures): Json {
  return { ...figures, version: ZBODY_VERSION } as unknown as Json;
}

/**
 * Reads a stored Z body (any version this program knows) as figures. Throws RangeError for a body
 * of another version or shape: a Z from a newer tpv, or a damaged one.
 */
export function readZBody(body: Json | null): ShiftFigures {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RangeError('not a Z report body');
  const version = body.version ?? 1;
  if (version !== ZBODY_VERSION) throw new RangeError(`Z report body version ${String(version)} is not known`);
  const f = body as unknown as ShiftFigures & { version?: number };
  if (typeof f.register !== 'string' || typeof f.receipts !== 'object' || typeof f.cash !== 'object' || !Array.isArray(f.taxes) || !Array.isArray(f.tenders)) {
    throw new RangeError('not a Z report body');
  }
  const { version: _version, ...figures } = f;
  return figures;
}
