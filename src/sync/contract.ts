/**
 * The outbox contract's constants, free of the validation library so the till loads them at no
 * cost: the event types and the version of their payloads. The schemas are in ./events.ts.
 */
export const EVENT_TYPES = [
  'store_init',
  'sale',
  'refund',
  'exchange',
  'invoice',
  'shift_open',
  'cash_move',
  'shift_close',
  'no_sale',
  'credit_issue',
  'credit_void',
  'credit_expire',
  'customers',
  'products',
  'stock_adjust',
  'tax_category',
  'user',
  'settings',
  'series',
  'resync',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The version of every payload this program writes. A change of shape bumps it, and readers keep
 * reading the older versions they know. Outbox rows written before the contract existed carry
 * version 0 and are upgraded when the database is opened (src/app/outbox.ts).
 */
export const EVENT_VERSION = 1;
