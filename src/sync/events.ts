/**
 * The outbox contract: one zod schema per event type (payload version {@link EVENT_VERSION}).
 * Every committed write of a register appends exactly one of these, in the same transaction. They
 * carry global identifiers only — document numbers, register codes, user codes, SKUs, credit
 * codes, UUIDv7 for shifts and customers — never a row id, and money, quantities and rates as
 * decimal strings, so a store server can rebuild a till's day without its database.
 * The till writes them typed (the TypeScript types below come from these schemas) and never loads
 * zod to do so; readers (tests, the sync client and server) validate with `parseEvent`.
 */
import { z } from 'zod';
import { EVENT_TYPES, EVENT_VERSION, type EventType } from './contract.js';

/** "12.34", "-0.05", "3": a decimal in the document's currency (or a quantity). */
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');
/** A tax rate in percent: "21", "10.5". */
const rate = z.string().regex(/^\d+(\.\d+)?$/, 'a percent string');
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, 'an ISO 8601 instant');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a UUID');
const code = z.string().min(1);
const hash = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex');

export const approvalSchema = z.strictObject({ action: z.string(), by: code, at: instant, detail: z.string().optional() });

export const customerSchema = z.strictObject({
  uid: uuid,
  name: z.string(),
  tax_id: z.string().nullable(),
  country: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
});

export const shiftFiguresSchema = z.strictObject({
  shift: uuid,
  register: code,
  opened_at: instant,
  closed_at: instant.nullable(),
  receipts: z.strictObject({ count: z.number().int(), first: z.string().nullable(), last: z.string().nullable(), total: decimal, discounts: decimal }),
  refunds: z.strictObject({ count: z.number().int(), total: decimal }),
  tenders: z.array(z.strictObject({ method: z.string(), sales: decimal, refunds: decimal, net: decimal })),
  taxes: z.array(z.strictObject({ rate, base: decimal, tax: decimal })),
  cash: z.strictObject({
    float: decimal,
    sales: decimal,
    refunds: decimal,
    in: decimal,
    out: decimal,
    rounding: decimal,
    expected: decimal,
    counted: decimal.nullable(),
    difference: decimal.nullable(),
  }),
});

/** A fiscal document whole: what a server needs to keep it without the till's database. */
export const documentSchema = z.strictObject({
  type: z.enum(['receipt', 'refund', 'invoice', 'credit_note', 'z_report']),
  number: code,
  register: code,
  /** Its place in its series (gapless per register and type). */
  seq: z.number().int().positive(),
  created_at: instant,
  user: code,
  shift: uuid.nullable(),
  /** The number of the document it refers to (a refund's receipt, an invoice's receipt…). */
  refers: z.string().nullable(),
  customer: customerSchema.nullable(),
  external_id: z.string().nullable(),
  prices_include_tax: z.boolean(),
  currency: z.string().length(3),
  subtotal: decimal,
  discount: decimal,
  total: decimal,
  tendered: decimal,
  change: decimal,
  rounding: decimal,
  approvals: z.array(approvalSchema),
  note: z.string().nullable(),
  lines: z.array(
    z.strictObject({
      line: z.number().int().positive(),
      sku: code,
      name: z.string(),
      unit: z.enum(['each', 'kg']),
      qty: decimal,
      unit_price: decimal,
      list_price: decimal.nullable(),
      gross: decimal,
      line_discount: decimal,
      cart_discount: decimal,
      amount: decimal,
      tax_rate: rate,
      category: z.string().nullable(),
      /** false for a gift voucher line (its note is the voucher's code). */
      goods: z.boolean(),
      note: z.string().nullable(),
    }),
  ),
  taxes: z.array(z.strictObject({ rate, base: decimal, tax: decimal })),
  payments: z.array(z.strictObject({ method: z.string(), amount: decimal, reference: z.string().nullable() })),
  /** The Z report's figures (z_report only). */
  figures: shiftFiguresSchema.nullable(),
  /** The document's link in the register's hash-chained journal. */
  journal: z.strictObject({ prev: hash, hash }),
});

/** A movement of a store credit or gift voucher code's ledger. */
export const creditMoveSchema = z.strictObject({
  code,
  kind: z.enum(['issue', 'redeem', 'restore', 'void', 'expire', 'adjust']),
  /** Signed: issue and restore add; redeem, void and expire take; adjust either. */
  amount: decimal,
  at: instant,
  /** The document number it belongs to, when there is one. */
  ref: z.string().nullable(),
  /** Set on `issue`: where the code comes from, when it expires, whose it is. */
  origin: z.enum(['grant', 'refund', 'voucher']).optional(),
  expires_at: instant.nullable().optional(),
  customer: uuid.nullable().optional(),
  reason: z.string().nullable().optional(),
});

export const productSchema = z.strictObject({
  sku: code,
  name: z.string(),
  price: decimal,
  tax_rate: rate,
  unit: z.enum(['each', 'kg']),
  category: z.string().nullable(),
  active: z.boolean(),
  track_stock: z.boolean(),
  /** The product's barcodes when this change set them (absent: unchanged). */
  barcodes: z.array(z.string()).optional(),
  /** Stock moved by this change (opening stock, an import's stock column, `products set --stock`). */
  stock_delta: decimal,
});

const userSchema = z.strictObject({ code, name: z.string(), role: z.enum(['cashier', 'supervisor', 'admin']), active: z.boolean() });
const taxCategorySchema = z.strictObject({ code, name: z.string(), rate });
const json: z.ZodType<unknown> = z.unknown();

export const EVENT_SCHEMAS = {
  /** `tpv init`: the store's settings, tax categories and first admin. */
  store_init: z.strictObject({ settings: z.record(z.string(), json), taxes: z.array(taxCategorySchema), admin: userSchema }),
  sale: z.strictObject({ receipt: documentSchema, credits: z.array(creditMoveSchema) }),
  /** A refund; `credit_note` when the receipt had been invoiced. */
  refund: z.strictObject({ refund: documentSchema, credit_note: documentSchema.nullable(), credits: z.array(creditMoveSchema) }),
  /** A refund and a new sale in one transaction. */
  exchange: z.strictObject({ refund: documentSchema, credit_note: documentSchema.nullable(), sale: documentSchema, credits: z.array(creditMoveSchema) }),
  invoice: z.strictObject({ invoice: documentSchema }),
  shift_open: z.strictObject({ shift: uuid, register: code, opened_at: instant, float: decimal, user: code, approval: approvalSchema.nullable() }),
  cash_move: z.strictObject({ shift: uuid, kind: z.enum(['in', 'out']), amount: decimal, reason: z.string(), user: code, at: instant, approval: approvalSchema.nullable() }),
  shift_close: z.strictObject({ shift: uuid, z: documentSchema, carts_dropped: z.number().int() }),
  no_sale: z.strictObject({ user: code, reason: z.string(), drawer: z.string(), at: instant, approval: approvalSchema.nullable() }),
  /** A code granted on its own (`tpv credit issue`). */
  credit_issue: z.strictObject({ credits: z.array(creditMoveSchema), user: code }),
  credit_void: z.strictObject({ credits: z.array(creditMoveSchema), user: code }),
  credit_expire: z.strictObject({ credits: z.array(creditMoveSchema) }),
  customers: z.strictObject({ customers: z.array(customerSchema) }),
  /** Products created or changed (one per `products add|set|remove`, one per write batch of an import). */
  products: z.strictObject({ products: z.array(productSchema), source: z.string() }),
  stock_adjust: z.strictObject({ sku: code, qty: decimal, reason: z.string(), user: code }),
  tax_category: z.strictObject({ tax: taxCategorySchema }),
  user: z.strictObject({ user: userSchema, change: z.enum(['added', 'pin', 'role', 'disabled']), by: code }),
  settings: z.strictObject({ changes: z.record(z.string(), json), by: code }),
  series: z.strictObject({ register: code, type: z.enum(['receipt', 'refund', 'invoice', 'credit_note', 'z_report']), template: z.string(), next: z.number().int().positive(), yearly_reset: z.boolean(), by: code }),
  /**
   * `tpv sync resolve`: this till's history parted from the server's after seq `fork` (a till
   * restored from an old backup); its events after the fork, `moved` of them, now follow the
   * server's hwm, from seq `from`. The seqs between are the server's (docs/sync.md).
   */
  resync: z.strictObject({ server: z.string(), fork: z.number().int().nonnegative(), server_hwm: z.number().int().nonnegative(), moved: z.number().int().nonnegative(), from: z.number().int().positive().nullable(), by: code }),
} satisfies Record<EventType, z.ZodType>;

export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;
export type DocumentPayload = z.infer<typeof documentSchema>;
export type CreditMove = z.infer<typeof creditMoveSchema>;
export type CustomerPayload = z.infer<typeof customerSchema>;
export type ProductPayload = z.infer<typeof productSchema>;
export type FiguresPayload = z.infer<typeof shiftFiguresSchema>;

/** An outbox row as stored. */
export interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  version: number;
  payload: string;
  created_at: string;
}

export type OutboxEvent = { [T in EventType]: { seq: number; id: string; type: T; version: number; at: string; payload: EventPayload<T> } }[EventType];

/** Reads and validates an outbox row; throws a ZodError (or Error) naming what is wrong. */
export function parseEvent(row: OutboxRow): OutboxEvent {
  if (!(EVENT_TYPES as readonly string[]).includes(row.type)) throw new Error(`unknown event type: ${row.type}`);
  if (row.version !== EVENT_VERSION) throw new Error(`event ${row.id}: version ${row.version} is not ${EVENT_VERSION}`);
  const type = row.type as EventType;
  const payload = EVENT_SCHEMAS[type].parse(JSON.parse(row.payload));
  return { seq: row.seq, id: row.id, type, version: row.version, at: row.created_at, payload } as OutboxEvent;
}
