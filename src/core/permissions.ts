import type { Discount } from './cart.js';

/**
 * Who may do what at the till. An action a role may not do itself is not forbidden: it needs the
 * approval of a user whose role can (a supervisor keys in their PIN). Unknown roles and actions
 * are denied (fail closed).
 */

export type Role = 'cashier' | 'supervisor' | 'admin';
export const ROLES: readonly Role[] = Object.freeze(['cashier', 'supervisor', 'admin'] as const);

export type Action =
  | 'sell'
  | 'cash_in'
  | 'shift_open'
  | 'discount_over_limit'
  | 'price_override'
  | 'refund'
  /** A return without its receipt (at today's price). */
  | 'refund_no_receipt'
  | 'no_sale'
  | 'cash_out'
  | 'shift_close'
  | 'manage_catalog'
  | 'manage_users'
  /** Store settings, tax rates, numbering series. */
  | 'manage_store';
export const ACTIONS: readonly Action[] = Object.freeze([
  'sell',
  'cash_in',
  'shift_open',
  'discount_over_limit',
  'price_override',
  'refund',
  'refund_no_receipt',
  'no_sale',
  'cash_out',
  'shift_close',
  'manage_catalog',
  'manage_users',
  'manage_store',
] as const);

const CASHIER: ReadonlySet<Action> = new Set<Action>(['sell', 'cash_in', 'shift_open']);
const SUPERVISOR: ReadonlySet<Action> = new Set<Action>(ACTIONS.filter((a) => a !== 'manage_users' && a !== 'manage_store'));
const ADMIN: ReadonlySet<Action> = new Set<Action>(ACTIONS);
const ALLOWED: ReadonlyMap<string, ReadonlySet<Action>> = new Map<string, ReadonlySet<Action>>([
  ['cashier', CASHIER],
  ['supervisor', SUPERVISOR],
  ['admin', ADMIN],
]);
const ACTION_SET: ReadonlySet<string> = new Set<string>(ACTIONS);

/** Whether a string (e.g. a database column) is a role name. */
export function isRole(name: string): name is Role {
  return ALLOWED.has(name);
}

/** Whether a string is an action name. */
export function isAction(name: string): name is Action {
  return ACTION_SET.has(name);
}

/**
 * Whether `role` may do `action` by itself. Cashier: sell, cash_in, shift_open. Supervisor:
 * everything but manage_users. Admin: everything. Unknown role or action: false.
 */
export function can(role: Role, action: Action): boolean {
  return ALLOWED.get(role)?.has(action) ?? false;
}

/** Whether `role` needs someone else's approval for `action` (= !can). */
export function needsApproval(role: Role, action: Action): boolean {
  return !can(role, action);
}

/**
 * Whether a discount is above the store's limit and so is the action 'discount_over_limit'.
 * `base` is the amount the discount applies to (the line gross for a line discount, the sum of
 * the line amounts for a cart discount), `limitBp` the limit in basis points of that amount.
 * A percent is compared directly (bp > limitBp); an amount exactly, without rounding
 * (amount × 10000 > limitBp × base), so any amount off a zero base is over any limit.
 * No discount (null, or zero) never is. Throws RangeError on a negative or fractional limit or base.
 */
export function discountNeedsApproval(discount: Discount | null, base: number, limitBp: number): boolean {
  if (!Number.isSafeInteger(limitBp) || limitBp < 0) throw new RangeError(`not a discount limit in basis points: ${limitBp}`);
  if (!Number.isSafeInteger(base) || base < 0) throw new RangeError(`not an amount: ${base}`);
  if (discount === null) return false;
  if (discount.kind === 'percent') return discount.bp > limitBp;
  return BigInt(discount.amount) * 10000n > BigInt(limitBp) * BigInt(base);
}
