/**
 * What the cashier terminal can do: the app use cases (the same the CLI calls), shaped for the
 * screens. The terminal's state logic gets these injected; tests pass their own.
 */
import { type Approver, authorize, type UserRow, userById, verifyPin } from '../app/auth.js';
import { type CartExtra, heldCarts, holdCart, openCart, recallCart, saveOpenCart, voidOpenCart } from '../app/carts.js';
import type { App } from '../app/context.js';
import { showCredit } from '../app/credit.js';
import { deviceOf, recordNoSale } from '../app/devices.js';
import { documentText, type IssuedCode, issuedCodes, validUntilText } from '../app/documents.js';
import { slipByCode } from '../app/credit.js';
import type { PrinterState } from '../app/peripherals.js';
import { copyOf, type DisplayView, lastDocumentNumber, type PrintJob, tillDevices, tillLookup, type TillSettings, tillSettings } from '../app/till.js';
import { type SellableItem, listProducts, sellable } from '../app/products.js';
import { addCustomer, findCustomer, listCustomers } from '../app/customers.js';
import { refund, type RefundInput, refundedSoFar } from '../app/refunds.js';
import { commitTillSale, receiptByNumber, type TillSale } from '../app/sales.js';
import { cashMove, closeShift, openShift, openShiftRow, type PendingCart, pendingCarts, printXReport, resolveCart, shiftReportText, shiftStatus, xTitle } from '../app/shifts.js';
import type { CountLine } from '../core/cash.js';
import { type Cart, priceCart } from '../core/cart.js';
import type { CreditStatus } from '../core/credit.js';
import { type Approval, isVoucherLine, movesCash, type StoredDocument } from '../core/document.js';
import { type MessageKey, type Params, TpvError } from '../core/errors.js';
import type { Action } from '../core/permissions.js';
import { systemError } from '../core/system-errors.js';
import type { Unit } from '../core/product.js';
import { formatDateTimeText } from '../i18n/format.js';
import { errorMessage, t, tOr } from '../i18n/index.js';

export type { DisplayView, IssuedCode, PrintJob, PrinterState, TillSettings };

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
  /** The store's time zone (IANA): the header clock and dates on screen; absent: UTC. */
  timezone?: string;
  /** The till's guards and conveniences (`tui.*` settings); absent: their defaults. */
  till?: TillSettings;
}

/** What a code sells; from a search, also the stock on hand (milli-units) when the product keeps stock. */
export type Item = SellableItem & { stock?: number };

/** A customer found at the till. */
export interface CustomerHit {
  id: number;
  name: string;
  taxId: string | null;
}

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
  /** The open shift of this register (drawn in the status bar on every frame: a cheap lookup); `since` as the shop reads it. */
  shift(): { id: number; since?: string } | null;
  openShift(user: TillUser, float: number, approver?: Approver): void;
  /** Records cash put in or taken out; `kick`: a drawer is configured (it opens after, like for a cash sale). */
  cashMove(user: TillUser, kind: 'in' | 'out', amount: number, reason: string, approver?: Approver): { kick: boolean };
  /** The X report (running figures) as text. */
  xReport(): string;
  /** Closes the shift (the Z report): `count` by note and coin (a rest is cash without a breakdown), `keep` the carts kept for the next shift. */
  closeShift(user: TillUser, counted: number, approver?: Approver, opts?: { count?: CountLine[]; keep?: number[] }): { number: string; text: string };
  /** Every cart open or held on the register, of every user: the close resolves them before the count. */
  pendingCarts(): PendingCart[];
  /** Voids a cart at the close, or keeps it (held) for the next shift; recorded (a supervisor's part of closing). */
  resolveCart(user: TillUser, id: number, how: 'void' | 'keep', approver?: Approver): void;
  /** The cash the drawer should hold now (the X report's figure). */
  expectedCash(): number;
  /** Prints the X report now; resolves to the printer's problem as text (null when printed): it never rejects. */
  printX(): Promise<string | null>;
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
  /** Customers by id or tax id (that one alone), else whose name (or tax id) contains `query`. */
  customers(query: string, limit: number): CustomerHit[];
  /** Registers a customer at the till: a name, a tax id if the customer gives one. */
  addCustomer(name: string, taxId: string | null): CustomerHit;
  /** A store credit or gift voucher; `ref` names the document that issued it (its reprint prints the slip too). */
  credit(code: string): { code: string; balance: string; status: CreditStatus; expires: string | null; ref?: string | null };
  checkout(user: TillUser, sale: TillSale): Done;
  receipt(number: string): RefundableReceipt;
  refund(user: TillUser, number: string, input: RefundInput, approver?: Approver): Done;
  receiptText(number: string, copy: boolean): string;
  /** This register's last receipt or refund (also after a restart); null before the first. */
  lastDocument(): string | null;
  /**
   * Any document by its number or scan code, as its reprint reads and prints: a copy (`copy`), or
   * the original when the original never reached paper (a failed print still owes it).
   */
  copyOf(number: string): { number: string; text: string; copy: boolean };
  /** Voids the user's whole open ticket (recorded in the audit log; a supervisor where the store says so). */
  voidCart(user: TillUser, approver?: Approver): { lines: number; total: number };
  /** The store's quick items (`tui.quick_items`), in order; `item` null when its sku sells nothing (unknown, inactive). */
  quickItems(): { sku: string; item: Item | null }[];
  /** Prints after commit; rejects with the printer's problem (the document stays committed). */
  print(job: PrintJob): Promise<void>;
  /** Prints a credit code's slip on its own (a code issued without a document, e.g. `tpv credit issue`); resolves to whether it was a copy. */
  printSlip(code: string): Promise<boolean>;
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

/**
 * An error as the cashier reads it: the till's own wording where the CLI's points to a command or a
 * flag (`tui.err.<code>`: the key to press instead), role and action names in the screen's
 * language, and never a `{field}:` left unfilled (the till names no JSON field). Here, beside the
 * actions that raise them, so every screen's flows (src/tui/state.ts, src/tui/shift.ts) word them alike.
 */
export function tillMessage(code: MessageKey, params: Params = {}): string {
  const p: Params = { ...params };
  if (typeof p.role === 'string') p.role = tOr(`tui.role.${p.role}`, p.role);
  if (typeof p.action === 'string') p.action = tOr(`tui.action.${p.action}`, p.action);
  const own = tOr(`tui.err.${code}`, '', p);
  return (own || errorMessage(code, p)).replace(/^\{field\}:\s*/, '');
}

/** A TpvError for what the cashier can act on: tpv's own, or the system refusing (a busy database…); null for a bug. */
export function tillError(e: unknown): TpvError | null {
  if (e instanceof TpvError) return e;
  return systemError(e, '') ?? null;
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
        timezone: p.timezone,
        till: tillSettings(app),
      };
    },
    login: (code, pin) => {
      const u = verifyPin(app, code.trim(), pin);
      return { id: u.id, code: u.code, name: u.name, role: u.role };
    },
    shift: () => {
      const row = openShiftRow(app.db, app.profile.register);
      return row ? { id: row.id, since: formatDateTimeText(row.opened_at) } : null;
    },
    openShift: (u, float, approver) => void openShift(app, asUser(app, u), float, approver),
    cashMove: (u, kind, amount, reason, approver) => {
      cashMove(app, asUser(app, u), kind, amount, reason, approver);
      return { kick: deviceOf(app, 'drawer') !== null };
    },
    xReport: () => {
      const f = shiftStatus(app);
      return shiftReportText(app, f, xTitle(f));
    },
    closeShift: (u, counted, approver, opts = {}) => {
      // what the table counted by note and coin; the rest of `counted` is cash without a breakdown
      const z = closeShift(app, asUser(app, u), counted, { ...(approver ? { approver } : {}), ...(opts.count?.length ? { count: opts.count } : {}), ...(opts.keep ? { keep: opts.keep } : {}) });
      return { number: z.number, text: shiftReportText(app, z.figures, t('shift.z_title', { number: z.number }), z) };
    },
    pendingCarts: () => pendingCarts(app),
    resolveCart: (u, id, how, approver) => void resolveCart(app, asUser(app, u), id, how, approver),
    expectedCash: () => shiftStatus(app).cash.expected,
    printX: () =>
      printXReport(app).then(
        () => null,
        (e: unknown) =>
          // no printer: what the status bar says; anything else as the printer or its link said it
          e instanceof TpvError ? (e.code === 'printer.none' ? t('tui.printer_none') : tillMessage(e.code, e.params)) : e instanceof Error ? e.message : String(e),
      ),
    lookup: (code) => {
      const found = tillLookup(app, code);
      if (!found.row.active) throw new TpvError('conflict', 'sale.product_inactive', { code, sku: found.row.sku });
      return { ...sellable(found), ...(found.row.track_stock ? { stock: found.row.on_hand } : {}) };
    },
    search: (query, limit) =>
      listProducts(app, { search: query, limit }).map((r) => ({
        sku: r.sku,
        name: r.name,
        unit: r.unit,
        unitPrice: r.price,
        taxRate: r.tax_rate,
        ...(r.track_stock ? { stock: r.on_hand } : {}),
      })),
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
    customers: (query, limit) => {
      const q = query.trim();
      if (!q) return [];
      try {
        const c = findCustomer(app, q);
        return [{ id: c.id, name: c.name, taxId: c.tax_id }];
      } catch (e) {
        if (!(e instanceof TpvError) || e.code !== 'customer.not_found') throw e;
      }
      return listCustomers(app, q, limit).map((c) => ({ id: c.id, name: c.name, taxId: c.tax_id }));
    },
    addCustomer: (name, taxId) => {
      const c = addCustomer(app, { name, taxId });
      return { id: c.id, name: c.name, taxId: c.tax_id };
    },
    credit: (code) => {
      const v = showCredit(app, code);
      return { code: v.printed, balance: v.balance, status: v.status, expires: v.expires_at ? validUntilText(app, v.expires_at) : null, ref: slipByCode(app, code).ref };
    },
    checkout: (u, sale) => {
      const doc = commitTillSale(app, sale, asUser(app, u));
      return { number: doc.number, total: doc.total, change: doc.change, text: docText(app, doc), codes: issuedCodes(app, doc), kick: movesCash(doc) };
    },
    receipt: (number) => {
      const doc = receiptByNumber(app, number);
      // refused at once, not when the refund is committed: a refund is returned from its receipt
      if (doc.type !== 'receipt') throw new TpvError('conflict', 'tui.refund.of_refund', { number: doc.number });
      const before = refundedSoFar(app, doc.id);
      const lines = doc.lines
        .filter((l) => !isVoucherLine(l))
        .map((l) => ({ line: l.line, name: l.name, unit: l.unit, qty: l.qty, remaining: l.qty - (before.lines.get(l.line)?.qty ?? 0), amount: l.amount }));
      if (!lines.some((l) => l.remaining > 0)) throw new TpvError('conflict', 'refund.nothing_left', { receipt: doc.number });
      return { number: doc.number, total: doc.total, lines };
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
    lastDocument: () => lastDocumentNumber(app),
    copyOf: (number) => copyOf(app, number),
    voidCart: (u, approver) => voidOpenCart(app, asUser(app, u), approver),
    quickItems: () =>
      tillSettings(app).quickItems.map((sku) => {
        try {
          const found = tillLookup(app, sku);
          return { sku, item: found.row.active ? sellable(found) : null };
        } catch (e) {
          if (e instanceof TpvError && e.code === 'product.not_found') return { sku, item: null };
          throw e;
        }
      }),
    print: (job) => devices.print(job),
    printSlip: (code) => devices.printSlip(code),
    noSale: (u, reason, approver) => void recordNoSale(app, asUser(app, u), reason, approver),
    kickDrawer: () => devices.kickDrawer(),
    printerState: () => devices.printerState(),
    display: (view) => devices.display(view),
    closeDisplay: () => devices.close(),
    scanners: (onScan, onError) => devices.scanners(onScan, onError),
  };
}
