/**
 * Carts in progress, saved on every change (a crash or a power cut loses no scanned item), and
 * held (parked) carts recalled later — also after a restart. One open cart per user and register.
 */
import { type Cart, checkCart, priceCart } from '../core/cart.js';
import { TpvError } from '../core/errors.js';
import type { Approval } from '../core/document.js';
import { formatDecimal, formatQuantity } from '../core/money.js';
import { type Approver, auditLog, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { tillSettings } from './till.js';

/** What a cart in progress holds besides its lines: gift vouchers, approvals given, the customer. */
export interface CartExtra {
  vouchers: number[];
  approvals: Approval[];
  customerId: number | null;
}

export const NO_EXTRA: CartExtra = Object.freeze({ vouchers: [], approvals: [], customerId: null }) as CartExtra;

export interface SavedCart {
  id: number;
  status: 'open' | 'held';
  user: string;
  label: string | null;
  cart: Cart;
  extra: CartExtra;
  updated_at: string;
}

interface CartRow {
  id: number;
  status: 'open' | 'held';
  user_id: number;
  data: string;
  label: string | null;
  updated_at: string;
}

function toSaved(app: App, r: CartRow): SavedCart {
  // saved as {cart, extra}; carts saved before extras existed are the cart itself
  const data = JSON.parse(r.data) as { cart?: Cart; extra?: CartExtra } & Cart;
  const parsed = checkCart(data.cart ?? data);
  if (!parsed.ok) throw new TpvError('invalid', 'carts.damaged', { id: r.id, problem: parsed.problem.code });
  const user = (app.db.prepare('SELECT code FROM users WHERE id = ?').pluck().get(r.user_id) as string | undefined) ?? '?';
  return { id: r.id, status: r.status, user, label: r.label, cart: parsed.value, extra: { ...NO_EXTRA, ...(data.extra ?? {}) }, updated_at: r.updated_at };
}

/** The user's open cart on this register, if any (what a restarted till reopens). */
export function openCart(app: App, userId: number): SavedCart | null {
  const r = app.db
    .prepare("SELECT * FROM carts WHERE register = ? AND user_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1")
    .get(app.profile.register, userId) as CartRow | undefined;
  return r ? toSaved(app, r) : null;
}

/** Saves the user's open cart (an empty cart removes it). Called on every change. */
export function saveOpenCart(app: App, userId: number, cart: Cart, extra: CartExtra = NO_EXTRA): void {
  const now = app.now().toISOString();
  inTransaction(app, () => {
    const id = app.db
      .prepare("SELECT id FROM carts WHERE register = ? AND user_id = ? AND status = 'open'")
      .pluck()
      .get(app.profile.register, userId) as number | undefined;
    if (cart.lines.length === 0 && cart.discount === null && cart.note === null && extra.vouchers.length === 0 && extra.customerId === null) {
      if (id !== undefined) app.db.prepare('DELETE FROM carts WHERE id = ?').run(id);
      return;
    }
    const data = JSON.stringify({ cart, extra });
    if (id === undefined) {
      app.db
        .prepare("INSERT INTO carts (register, user_id, status, data, created_at, updated_at) VALUES (?, ?, 'open', ?, ?, ?)")
        .run(app.profile.register, userId, data, now, now);
    } else app.db.prepare('UPDATE carts SET data = ?, updated_at = ? WHERE id = ?').run(data, now, id);
  });
}

/** Parks the user's open cart (a customer steps aside); the till starts a fresh one. */
export function holdCart(app: App, userId: number, label?: string): SavedCart {
  return inTransaction(app, () => {
    const r = app.db
      .prepare("SELECT * FROM carts WHERE register = ? AND user_id = ? AND status = 'open'")
      .get(app.profile.register, userId) as CartRow | undefined;
    if (!r) throw new TpvError('not_found', 'carts.none_open');
    app.db.prepare("UPDATE carts SET status = 'held', label = ?, updated_at = ? WHERE id = ?").run(label ?? null, app.now().toISOString(), r.id);
    return toSaved(app, { ...r, status: 'held', label: label ?? null });
  });
}

/** Held carts of this register, oldest first. */
export function heldCarts(app: App): SavedCart[] {
  return (app.db.prepare("SELECT * FROM carts WHERE register = ? AND status = 'held' ORDER BY id").all(app.profile.register) as CartRow[]).map((r) =>
    toSaved(app, r),
  );
}

/** Takes a held cart back as the user's open cart (refused while the user has another open cart). */
export function recallCart(app: App, userId: number, id: number): SavedCart {
  return inTransaction(app, () => {
    const r = app.db.prepare("SELECT * FROM carts WHERE id = ? AND register = ? AND status = 'held'").get(id, app.profile.register) as CartRow | undefined;
    if (!r) throw new TpvError('not_found', 'carts.not_held', { id });
    if (openCart(app, userId)) throw new TpvError('conflict', 'carts.open_exists');
    app.db.prepare("UPDATE carts SET status = 'open', user_id = ?, updated_at = ? WHERE id = ?").run(userId, app.now().toISOString(), id);
    return toSaved(app, { ...r, status: 'open', user_id: userId });
  });
}

/** Drops a cart (the sale was committed, or the customer left). */
export function discardCart(app: App, id: number): void {
  inTransaction(app, () => {
    app.db.prepare('DELETE FROM carts WHERE id = ?').run(id);
  });
}

/** What a voided ticket held, as the audit log records it. */
export interface VoidedCart {
  lines: number;
  /** The ticket's total (cart and gift vouchers), minor units. */
  total: number;
  approval: Approval | null;
}

/**
 * Voids the user's whole open ticket (the customer walked away): the cart is dropped and the audit
 * log records who voided what — every line (sku, quantity, amount), the total, and the supervisor
 * who approved. With the store's `tui.void_approval` a user who may not refund needs the approval of
 * one who may: voiding takes back what was scanned, like a return, so the same people decide.
 * Nothing was sold, so no document and no outbox event. Refused when there is no open cart.
 */
export function voidOpenCart(app: App, actor: UserRow, approver?: Approver): VoidedCart {
  const { exponent, pricesIncludeTax } = app.profile;
  const totalOf = (c: SavedCart): number => priceCart(c.cart, { pricesIncludeTax }).total + c.extra.vouchers.reduce((a, b) => a + b, 0);
  const rowsOf = (c: SavedCart): number => c.cart.lines.length + c.extra.vouchers.length;
  const before = openCart(app, actor.id);
  if (!before) throw new TpvError('not_found', 'carts.none_to_void');
  // the PIN check runs scrypt: outside the transaction
  const detail = `${rowsOf(before)} / ${formatDecimal(totalOf(before), exponent)}`;
  const approval = tillSettings(app).voidApproval ? authorize(app, actor, 'void_ticket', approver, detail) : null;
  return inTransaction(app, () => {
    const open = openCart(app, actor.id);
    if (!open) throw new TpvError('not_found', 'carts.none_to_void');
    const total = totalOf(open);
    auditLog(app.db, app.now(), actor.id, 'cart_voided', {
      cart: open.id,
      lines: priceCart(open.cart, { pricesIncludeTax }).lines.map((l) => ({ sku: l.sku, qty: formatQuantity(l.qty), amount: formatDecimal(l.amount, exponent) })),
      vouchers: open.extra.vouchers.map((v) => formatDecimal(v, exponent)),
      total: formatDecimal(total, exponent),
      ...(approval ? { approval: { ...approval, action: 'void_ticket' } } : {}),
    });
    app.db.prepare('DELETE FROM carts WHERE id = ?').run(open.id);
    return { lines: rowsOf(open), total, approval };
  });
}
