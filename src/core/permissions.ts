import { type Cart, type CartLine, type Discount, priceCart, type PricedCart } from './cart.js';
import type { Approval } from './document.js';
import { fail, ok, type Result } from './errors.js';

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
  /** Another original of a printed document (`tpv print --original`): it could be used to claim money twice. */
  | 'print_original'
  /** Voiding a whole ticket at the till, when the store asks for approval (`tui.void_approval`). */
  | 'void_ticket'
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
  'print_original',
  'void_ticket',
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

/** An approval a cart needs: the action, and the line it is about (null: the whole cart). */
export interface ApprovalNeed {
  action: Action;
  lineId: number | null;
}

/** Whether a line discount is over the store's limit (its base: the line before discounts). */
export function lineDiscountOverLimit(priced: PricedCart, lineId: number, discount: Discount | null, limitBp: number): boolean {
  const line = priced.lines.find((l) => l.id === lineId);
  if (!line) throw new RangeError(`no line ${lineId}`);
  return discountNeedsApproval(discount, line.gross, limitBp);
}

/** Whether a cart discount is over the store's limit (its base: the lines after their own discounts). */
export function cartDiscountOverLimit(priced: PricedCart, discount: Discount | null, limitBp: number): boolean {
  return discountNeedsApproval(discount, priced.subtotal - priced.lineDiscounts, limitBp);
}

/**
 * Every approval a cart needs before it may be sold, the one rule for the CLI, the terminal and
 * the commit that re-checks the terminal's cart: a price other than the catalog's
 * (`price_override`), a line discount over the limit, then the cart discount over the limit
 * (`discount_over_limit`), in line order.
 */
export function approvalsNeeded(cart: Cart, limitBp: number, pricesIncludeTax: boolean): ApprovalNeed[] {
  const priced = priceCart(cart, { pricesIncludeTax });
  const needs: ApprovalNeed[] = [];
  for (const line of cart.lines) {
    if (line.originalPrice !== null) needs.push({ action: 'price_override', lineId: line.id });
    if (lineDiscountOverLimit(priced, line.id, line.discount, limitBp)) needs.push({ action: 'discount_over_limit', lineId: line.id });
  }
  if (cartDiscountOverLimit(priced, cart.discount, limitBp)) needs.push({ action: 'discount_over_limit', lineId: null });
  return needs;
}

/**
 * Whether charging `price` on a line is a price override a supervisor approves: a price other than
 * the catalog's (which the line keeps in `originalPrice` once overridden) and than the one charged now.
 */
export function priceOverrideNeeded(line: CartLine, price: number): boolean {
  return price !== (line.originalPrice ?? line.unitPrice) && price !== line.unitPrice;
}

/**
 * The approval `actor` needs for `action`: none (null) when the actor's role may do it, else the
 * approval of `approver` (a user whose PIN the caller has checked) when that role may. Problems:
 * `permission.needs_approval` {action, user, role} (nobody approved), `permission.approver_role`
 * {action, user, role} (the approver may not either).
 */
export function approvalOf(
  actor: { code: string; role: Role },
  action: Action,
  approver: { code: string; role: Role } | null,
  at: string,
  detail?: string,
): Result<Approval | null> {
  if (can(actor.role, action)) return ok(null);
  if (!approver) return fail('permission.needs_approval', { action, user: actor.code, role: actor.role });
  if (!can(approver.role, action)) return fail('permission.approver_role', { action, user: approver.code, role: approver.role });
  return ok({ action, by: approver.code, at, ...(detail ? { detail } : {}) });
}
