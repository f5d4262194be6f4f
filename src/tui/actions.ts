/**
 * What the cashier terminal can do: the app use cases (the same the CLI calls), shaped for the
 * screens. The terminal's state logic gets these injected; tests pass their own.
 */
import { type Approver, authorize, type UserRow, userById, verifyPin } from '../app/auth.js';
import { type CartExtra, heldCarts, holdCart, openCart, recallCart, saveOpenCart } from '../app/carts.js';
import type { App } from '../app/context.js';
import { showCredit } from '../app/credit.js';
import { recordNoSale } from '../app/devices.js';
import { documentText, type IssuedCode, issuedCodes } from '../app/documents.js';
import type { PrinterState } from '../app/peripherals.js';
import { type DisplayView, type PrintJob, tillDevices } from '../app/till.js';
import { findProduct, listProducts, type SellableItem, sellable } from '../app/products.js';
import { findCustomer } from '../app/customers.js';
import { refund, type RefundInput, refundedSoFar } from '../app/refunds.js';
import { commitTillSale, receiptByNumber, type TillSale } from '../app/sales.js';
import { cashMove, closeShift, openShift, openShiftRow, shiftReportText, shiftStatus } from '../app/shifts.js';
import { type Cart, priceCart } from '../core/cart.js';
import type { CreditStatus } from '../core/credit.js';
import { type Approval, isVoucherLine, movesCash, type StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import type { Action } from '../core/permissions.js';
import type { Unit } from '../core/product.js';
import { t } from '../i18n/index.js';

export type { DisplayView, IssuedCode, PrintJob, PrinterState };

export type TillUser = Pick<UserRow, 'id' | 'code' | 'name' | 'role'>;

export interface TillInfo {
  store: string;
  register: string;
  currency: string;
  exponent: number;
  pricesIncludeTax: boolean;
  /** Tenders besides cash, card and store credit. */
  otherTenders: string[];
  cashIncrement: number;
  /** Largest discount without a supervisor, in basis points. */
  discountLimit: number;
  /** Minutes without a key before the terminal locks (0: never). */
  lockMinutes: number;
}

export type Item = SellableItem;

export interface HeldCart {
  id: number;
  label: string | null;
  user: string;
  lines: number;
  total: number;
}

export interface RefundableLine {
  line: number;
  name: string;
  unit: Unit;
  qty: number;
  /** What is left to refund (milli-units). */
  remaining: number;
  amount: number;
}

export interface RefundableReceipt {
  number: string;
  total: number;
  lines: RefundableLine[];
}

export interface Done {
  number: string;
  total: number;
  change: number;
  /** The document as printed. */
  text: string;
  /** The codes it issued (gift vouchers sold, store credit): shown large until the cashier goes on. */
  codes: IssuedCode[];
  /** Cash moved: the drawer opens with the receipt. */
  kick: boolean;
}

export interface PosActions {
  info(): TillInfo;
  login(code: string, pin: string): TillUser;
  /** The open shift of this register (drawn in the status bar on every frame: a cheap lookup). */
  shift(): { id: number } | null;
  openShift(user: TillUser, float: number, approver?: Approver): void;
  cashMove(user: TillUser, kind: 'in' | 'out', amount: number, reason: string, approver?: Approver): void;
  /** The X report (running figures) as text. */
  xReport(): string;
  closeShift(user: TillUser, counted: number, approver?: Approver): { number: string; text: string };
  lookup(code: string): Item;
  search(query: string, limit: number): Item[];
  /** Null when the user may do it; the approval to record otherwise (or throws needs_approval). */
  authorize(user: TillUser, action: Action, detail: string, approver?: Approver): Approval | null;
  openCart(user: TillUser): { cart: Cart; extra: CartExtra } | null;
  saveCart(user: TillUser, cart: Cart, extra: CartExtra): void;
  holdCart(user: TillUser, label?: string): void;
  heldCarts(): HeldCart[];
  recallCart(user: TillUser, id: number): { cart: Cart; extra: CartExtra };
  customer(key: string): { id: number; name: string };
  credit(code: string): { code: string; balance: string; status: CreditStatus; expires: string | null };
  checkout(user: TillUser, sale: TillSale): Done;
  receipt(number: string): RefundableReceipt;
  refund(user: TillUser, number: string, input: RefundInput, approver?: Approver): Done;
  receiptText(number: string, copy: boolean): string;
  /** Prints after commit; rejects with the printer's problem (the document stays committed). */
  print(job: PrintJob): Promise<void>;
  /** Records a "no sale" (permission, audit log); the drawer is opened by kickDrawer after. */
  noSale(user: TillUser, reason: string, approver?: Approver): void;
  kickDrawer(): Promise<void>;
  printerState(): Promise<PrinterState | null>;
  /** Shows on the customer display, if there is one (a failing display never stops a sale). */
  display(view: DisplayView): void;
  /** Lets go of the customer display (its port would keep the program running). */
  closeDisplay(): Promise<void>;
  /** Opens the serial scanners; each scan comes to `onScan`. Resolves to the closer. */
  scanners(onScan: (code: string) => void, onError: (e: Error) => void): Promise<() => Promise<void>>;
}

const asUser = (app: App, u: TillUser): UserRow => {
  const row = userById(app.db, u.id);
  if (!row) throw new Error(`user ${u.code} is gone`);
  return row;
};

const docText = (app: App, doc: StoredDocument, copy = false): string => documentText(app, doc, { copy });

/** The terminal's actions over an open store. */
export function appActions(app: App): PosActions {
  const devices = tillDevices(app);
  return {
    info: () => {
      const p = app.profile;
      return {
        store: p.name,
        register: p.register,
        currency: p.currency,
        exponent: p.exponent,
        pricesIncludeTax: p.pricesIncludeTax,
        otherTenders: p.tenders.slice(3),
        cashIncrement: p.cashIncrement,
        discountLimit: p.discountLimit,
        lockMinutes: p.lockMinutes,
      };
    },
    login: (code, pin) => {
      const u = verifyPin(app, code.trim(), pin);
      return { id: u.id, code: u.code, name: u.name, role: u.role };
    },
    shift: () => {
      const row = openShiftRow(app.db, app.profile.register);
      return row ? { id: row.id } : null;
    },
    openShift: (u, float, approver) => void openShift(app, asUser(app, u), float, approver),
    cashMove: (u, kind, amount, reason, approver) => void cashMove(app, asUser(app, u), kind, amount, reason, approver),
    xReport: () => {
      const f = shiftStatus(app);
      return shiftReportText(app, f, t('shift.x_title', { shift: f.shift, since: f.opened_at }));
    },
    closeShift: (u, counted, approver) => {
      const z = closeShift(app, asUser(app, u), counted, approver ? { approver } : {});
      return { number: z.number, text: shiftReportText(app, z.figures, t('shift.z_title', { number: z.number }), z) };
    },
    lookup: (code) => {
      const found = findProduct(app, code);
      if (!found.row.active) throw new TpvError('conflict', 'sale.product_inactive', { code, sku: found.row.sku });
      return sellable(found);
    },
    search: (query, limit) =>
      listProducts(app, { search: query, limit }).map((r) => ({ sku: r.sku, name: r.name, unit: r.unit, unitPrice: r.price, taxRate: r.tax_rate })),
    authorize: (u, action, detail, approver) => authorize(app, asUser(app, u), action, approver, detail),
    openCart: (u) => {
      const c = openCart(app, u.id);
      return c ? { cart: c.cart, extra: c.extra } : null;
    },
    saveCart: (u, cart, extra) => saveOpenCart(app, u.id, cart, extra),
    holdCart: (u, label) => void holdCart(app, u.id, label),
    heldCarts: () =>
      heldCarts(app).map((c) => ({
        id: c.id,
        label: c.label,
        user: c.user,
        lines: c.cart.lines.length + c.extra.vouchers.length,
        total: priceCart(c.cart, { pricesIncludeTax: app.profile.pricesIncludeTax }).total + c.extra.vouchers.reduce((a, b) => a + b, 0),
      })),
    recallCart: (u, id) => {
      const c = recallCart(app, u.id, id);
      return { cart: c.cart, extra: c.extra };
    },
    customer: (key) => {
      const c = findCustomer(app, key);
      return { id: c.id, name: c.name };
    },
    credit: (code) => {
      const v = showCredit(app, code);
      return { code: v.printed, balance: v.balance, status: v.status, expires: v.expires_at };
    },
    checkout: (u, sale) => {
      const doc = commitTillSale(app, sale, asUser(app, u));
      return { number: doc.number, total: doc.total, change: doc.change, text: docText(app, doc), codes: issuedCodes(app, doc), kick: movesCash(doc) };
    },
    receipt: (number) => {
      const doc = receiptByNumber(app, number);
      const before = refundedSoFar(app, doc.id);
      return {
        number: doc.number,
        total: doc.total,
        lines: doc.lines
          .filter((l) => !isVoucherLine(l))
          .map((l) => ({ line: l.line, name: l.name, unit: l.unit, qty: l.qty, remaining: l.qty - (before.lines.get(l.line)?.qty ?? 0), amount: l.amount })),
      };
    },
    refund: (u, number, input, approver) => {
      const r = refund(app, number, input, asUser(app, u), approver);
      return {
        number: r.refund.number,
        total: r.refund.total,
        change: 0,
        text: docText(app, r.refund),
        codes: issuedCodes(app, r.refund),
        kick: movesCash(r.refund),
      };
    },
    receiptText: (number, copy) => docText(app, receiptByNumber(app, number), copy),
    print: (job) => devices.print(job),
    noSale: (u, reason, approver) => void recordNoSale(app, asUser(app, u), reason, approver),
    kickDrawer: () => devices.kickDrawer(),
    printerState: () => devices.printerState(),
    display: (view) => devices.display(view),
    closeDisplay: () => devices.close(),
    scanners: (onScan, onError) => devices.scanners(onScan, onError),
  };
}
