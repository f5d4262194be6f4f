/**
 * The cashier terminal's state and what each key does to it. No Ink here: `handleKey` takes the
 * state, a decoded key and the injected actions (the app use cases) and returns the next state,
 * so every flow is tested without a terminal. Business rules stay in src/app and src/core: this
 * file only decides which of them a key calls.
 */
import type { Approver } from '../app/auth.js';
import type { CartExtra } from '../app/carts.js';
import {
  addLine,
  type Cart,
  type CartLine,
  emptyCart,
  overridePrice,
  parseDiscount,
  priceCart,
  type PricedCart,
  removeLine,
  setCartDiscount,
  setLineDiscount,
  setQuantity,
} from '../core/cart.js';
import { type MessageKey, type Result, TpvError } from '../core/errors.js';
import { parseDecimal, parseQuantity, showParams } from '../core/money.js';
import type { Unit } from '../core/product.js';
import { documentNumberOf, isDocumentScan } from '../core/numbering.js';
import { roundCash } from '../core/payment.js';
import { type Action, cartDiscountOverLimit, lineDiscountOverLimit, priceOverrideNeeded } from '../core/permissions.js';
import type { Approval } from '../core/document.js';
import { formatMoney, formatQty } from '../i18n/format.js';
import { t, tOr } from '../i18n/index.js';
import { type CustomerHit, type DisplayView, type IssuedCode, type Item, type PosActions, type RefundableReceipt, type TillInfo, type TillSettings, type TillUser, tillError, tillMessage } from './actions.js';
import { bigText } from './big.js';
import { TILL_DEFAULTS } from '../app/till.js';
import { type Command, commandFor, type Screen } from './keymap.js';
import { type Key, keyId } from './keys.js';
import { closeEnter, type CloseState, openShiftPrompt, printX, type ReportView, shiftCommand, type ShiftKit } from './shift.js';

export interface Prompt {
  label: string;
  value: string;
  secret?: boolean;
  /** A serial scanner's code may land here (a receipt to reprint, an item to price-check): it is typed in and submitted. */
  scan?: boolean;
  /** Runs on Enter; a TpvError keeps the prompt open with the message. */
  submit: (s: PosState, value: string) => PosState;
  /** Runs on Esc (default: just closes the prompt). */
  cancel?: (s: PosState) => PosState;
}

export interface Tender {
  method: string;
  amount: number;
  reference?: string;
}

export interface PosState {
  screen: Screen;
  user: TillUser | null;
  /** The entry line (sale: codes; payment: amounts; refund: quantities; search: the query). */
  entry: string;
  cart: Cart;
  extra: CartExtra;
  customerName: string | null;
  /** Index of the selected row of the current list (cart lines, search results, refund lines…). */
  selected: number;
  message: { text: string; error: boolean } | null;
  /** Goes up on every error: the view rings the terminal bell when it changes. */
  bell: number;
  prompt: Prompt | null;
  help: boolean;
  quitAsked: boolean;
  quit: boolean;
  results: Item[];
  tenders: Tender[];
  method: string;
  refund: { receipt: RefundableReceipt; qty: Record<number, number>; keep: Record<number, boolean> } | null;
  /** A report or document on screen; `number` when it is a stored document (Ctrl+P prints a copy). */
  report: ReportView | null;
  /** The guided close of the shift in progress (src/tui/shift.ts). */
  close: CloseState | null;
  held: { id: number; label: string | null; user: string; lines: number; total: number }[];
  last: { number: string; total: number; change: number } | null;
  /**
   * Scans that sold nothing (an unknown code, a code in a quantity prompt…): marked lines in the
   * cart view until the cashier acknowledges them (Esc) — a following good scan never hides one,
   * and the sale is not paid while one is there.
   */
  failed: { code: string; reason: string }[];
  /** A yes/no question on the message line ("s"/"y" is yes, any other key no). */
  confirm: { text: string; yes: (s: PosState) => PosState } | null;
  /** The quick items screen: the store's list (resolved when it opens) and the quantity typed before. */
  quick: { items: { sku: string; item: Item | null }[]; qty: string | null };
  /** The customers screen: what was searched and who was found. */
  customers: { query: string; found: CustomerHit[] };
}

export interface Context {
  actions: PosActions;
  info: TillInfo;
}

export function initialState(): PosState {
  return {
    screen: 'login',
    user: null,
    entry: '',
    cart: emptyCart(),
    extra: { vouchers: [], approvals: [], customerId: null },
    customerName: null,
    selected: 0,
    message: null,
    bell: 0,
    prompt: null,
    help: false,
    quitAsked: false,
    quit: false,
    results: [],
    tenders: [],
    method: 'cash',
    refund: null,
    report: null,
    close: null,
    held: [],
    last: null,
    failed: [],
    confirm: null,
    quick: { items: [], qty: null },
    customers: { query: '', found: [] },
  };
}

/** The login prompts (first screen, and after a lock). */
export function loginPrompt(s: PosState, ctx: Context): PosState {
  return {
    ...s,
    screen: 'login',
    user: null,
    // a close half done is the locked user's: the next one starts it again (and its supervisor's approval)
    close: null,
    prompt: {
      label: t('tui.login.code'),
      value: '',
      submit: (s1, code) => ({
        ...s1,
        prompt: {
          label: t('tui.login.pin', { code }),
          value: '',
          secret: true,
          submit: (s2, pin) => afterLogin(s2, ctx, ctx.actions.login(code, pin)),
          cancel: (s2) => loginPrompt(s2, ctx),
        },
      }),
      // Esc clears what was typed: the till always has a login prompt
      cancel: (s1) => loginPrompt(s1, ctx),
    },
  };
}

function afterLogin(s: PosState, ctx: Context, user: TillUser): PosState {
  const saved = ctx.actions.openCart(user);
  const next: PosState = {
    ...s,
    user,
    prompt: null,
    screen: 'sale',
    close: null,
    entry: '',
    cart: saved?.cart ?? emptyCart(),
    extra: saved?.extra ?? { vouchers: [], approvals: [], customerId: null },
    customerName: null,
    selected: Math.max(0, (saved?.cart.lines.length ?? 0) + (saved?.extra.vouchers.length ?? 0) - 1),
    message: { text: t(saved ? 'tui.cart_restored' : 'tui.welcome', { name: user.name }), error: false },
  };
  if (!ctx.actions.shift()) return openShiftPrompt({ ...next, screen: 'shift', message: { text: t('tui.shift.none'), error: false } }, ctx, shiftKit);
  return next;
}

// ---- helpers ---------------------------------------------------------------------------------

const money = (ctx: Pick<Context, 'info'>, n: number): string => formatMoney(n, ctx.info.exponent, ctx.info.currency);

export function priced(s: PosState, ctx: Pick<Context, 'info'>): PricedCart {
  return priceCart(s.cart, { pricesIncludeTax: ctx.info.pricesIncludeTax });
}

/** The sale's total: the cart plus the gift vouchers in it. */
export function saleTotal(s: PosState, ctx: Pick<Context, 'info'>): number {
  return priced(s, ctx).total + s.extra.vouchers.reduce((a, b) => a + b, 0);
}

export const paidSoFar = (s: PosState): number => s.tenders.reduce((a, x) => a + x.amount, 0);

/** What is still due: the total minus what is paid (before any cash rounding). */
export function due(s: PosState, ctx: Pick<Context, 'info'>): number {
  return saleTotal(s, ctx) - paidSoFar(s);
}

/** Whether the payments settle the sale: nothing due, or (with cash) less than the cash rounding takes away. */
export function settled(s: PosState, ctx: Pick<Context, 'info'>): boolean {
  const left = due(s, ctx);
  return left <= 0 || (s.tenders.some((x) => x.method === 'cash') && roundCash(left, ctx.info.cashIncrement) <= 0);
}

function fail(s: PosState, text: string): PosState {
  return { ...s, message: { text, error: true }, bell: s.bell + 1 };
}

function info(s: PosState, text: string): PosState {
  return { ...s, message: { text, error: false } };
}

function problem(s: PosState, code: MessageKey, params: Record<string, string | number> = {}): PosState {
  return fail(s, tillMessage(code, params));
}

/** An error as the cashier reads it (src/tui/actions.ts: the till's wording, the key to press). */
export { tillMessage };

/** Runs `fn`; a TpvError (or a core Problem thrown as one, or the database busy) becomes the message line, never a crash. */
function attempt(s: PosState, fn: () => PosState): PosState {
  try {
    return fn();
  } catch (e) {
    const err = tillError(e);
    if (err) return problem(s, err.code, err.params);
    throw e;
  }
}

/**
 * Runs an action that may need a supervisor: when the app says it needs approval, asks for a
 * supervisor's code and PIN in place, then runs it again with them. `what` names the action when
 * the app's name for it is not what the cashier is doing (a scale label's weight is approved as a price override).
 */
function withApproval(s: PosState, run: (approver?: Approver) => PosState, what?: MessageKey): PosState {
  try {
    return run();
  } catch (e) {
    const err = tillError(e);
    if (!err) throw e;
    if (err.code !== 'permission.needs_approval') return problem(s, err.code, err.params);
    const action = String(err.params.action ?? '');
    return {
      ...s,
      message: { text: t('tui.approval.needed', { action: what ? t(what) : tOr(`tui.action.${action}`, action) }), error: false },
      bell: s.bell + 1,
      prompt: {
        label: t('tui.approval.code'),
        value: '',
        submit: (s1, code) => ({
          ...s1,
          prompt: { label: t('tui.approval.pin', { code }), value: '', secret: true, submit: (s2, pin) => ({ ...run({ code, pin }), prompt: null }) },
        }),
      },
    };
  }
}

/** The value of a core result, or its problem thrown for the message line (amounts in the store's money). */
function checked<T>(r: Result<T>, ctx: Pick<Context, 'info'>): T {
  if (!r.ok) throw new TpvError('invalid', r.problem.code, showParams(r.problem.params, ctx.info.exponent, (minor) => money(ctx, minor)));
  return r.value;
}

/** Keeps the cart in the database on every change: a crash or a kill loses no scanned item. */
function saveCart(s: PosState, ctx: Context): PosState {
  if (s.user) ctx.actions.saveCart(s.user, s.cart, s.extra);
  return s;
}

const rows = (s: PosState): number => s.cart.lines.length + s.extra.vouchers.length;

function withCart(s: PosState, ctx: Context, cart: Cart, extra: Partial<CartExtra> = {}, select?: number): PosState {
  const next = { ...s, cart, extra: { ...s.extra, ...extra } };
  const n = rows(next);
  return saveCart({ ...next, selected: Math.max(0, Math.min(select ?? s.selected, n - 1)) }, ctx);
}

function textPrompt(s: PosState, label: string, submit: Prompt['submit'], value = ''): PosState {
  return { ...s, prompt: { label, value, submit } };
}

function amount(ctx: Context, text: string): number {
  return checked(parseDecimal(text, ctx.info.exponent, { decimalComma: true }), ctx);
}

// ---- keys ----------------------------------------------------------------------------------------

/** What a key does. Never throws for a business error: those become the message line. */
export function handleKey(s: PosState, key: Key, ctx: Context): PosState {
  // no binding uses Alt: ESC then a key typed quickly (or sent in one go) is Esc, then that key
  if (key.alt && key.name !== 'escape') {
    const esc: Key = { name: 'escape', ch: '', ctrl: false, alt: false, shift: false, seq: '\x1b' };
    return handleKey(handleKey(s, esc, ctx), { ...key, alt: false, seq: key.seq.slice(1) }, ctx);
  }
  const id = keyId(key);
  if (s.quitAsked) {
    const yes = ['y', 's', 'Y', 'S'].includes(key.ch) && !key.ctrl;
    return yes ? { ...s, quit: true } : { ...s, quitAsked: false, message: null };
  }
  if (id === 'ctrl+c') return { ...s, quitAsked: true, message: { text: t('tui.quit_ask'), error: false } };
  if (s.confirm) return confirmKey(s, key, ctx);
  if (s.help) return { ...s, help: false };
  if (s.prompt) return promptKey(s, key, ctx);
  const command = commandFor(s.screen, id);
  if (command) return run(s, command, ctx);
  if (key.name === 'char' && !key.ctrl && !key.alt) return typed(s, s.entry + key.ch, ctx);
  if (key.name === 'backspace') return typed(s, s.entry.slice(0, -1), ctx);
  if (key.name === 'enter') return enter(s, ctx);
  return s;
}

/**
 * A scan from a serial scanner does what a keyboard-wedge scanner does — the code at the entry
 * line, then Enter — and keeps what the cashier had half typed. Anywhere but the sale screen, or
 * with a prompt or the help open, the scan goes nowhere: it must never land in a PIN or a cash count.
 */
export function handleScan(s: PosState, code: string, ctx: Context): PosState {
  // a prompt that asks for a code (reprint, price check) takes it as typed, and Enter
  if (s.user && s.prompt?.scan && !s.help && !s.quitAsked && !s.confirm) {
    return promptKey({ ...s, prompt: { ...s.prompt, value: code } }, { name: 'enter', ch: '', ctrl: false, alt: false, shift: false, seq: '\r' }, ctx);
  }
  // only the sale screen takes scans: on payment a code would be a cash amount, elsewhere a quantity;
  // the code refused stays in the cart view until seen, so the item is never silently missing
  if (!s.user || s.prompt || s.help || s.quitAsked || s.confirm || s.screen !== 'sale') {
    return scanFailed(problem(s, 'tui.scan_ignored', { code }), code, t('tui.failed.ignored'));
  }
  const before = s.entry;
  const next = enter({ ...s, entry: code }, ctx);
  return next.entry === '' && before ? { ...next, entry: before } : next;
}

/** What the customer display shows for this state. */
export function displayView(s: PosState, ctx: Pick<Context, 'info'>): DisplayView {
  if (!s.user) return { kind: 'welcome' };
  const m = (n: number): string => money(ctx, n);
  const lines = priced(s, ctx).lines;
  if (s.screen === 'payment') return { kind: 'total', total: m(saleTotal(s, ctx)) };
  const line = lines[lines.length - 1];
  if (line) return { kind: 'item', name: line.name, price: m(line.amount), total: m(saleTotal(s, ctx)) };
  if (s.extra.vouchers.length) return { kind: 'total', total: m(saleTotal(s, ctx)) };
  if (s.last && s.last.change > 0) return { kind: 'change', paid: m(s.last.total + s.last.change), change: m(s.last.change) };
  return { kind: 'welcome' };
}

function promptKey(s: PosState, key: Key, ctx: Context): PosState {
  const p = s.prompt!;
  if (key.name === 'escape') return p.cancel ? p.cancel({ ...s, prompt: null }) : { ...s, prompt: null, message: null };
  if (key.name === 'backspace') return { ...s, prompt: { ...p, value: p.value.slice(0, -1) } };
  if (key.name === 'char' && !key.ctrl && !key.alt) return { ...s, prompt: { ...p, value: p.value + key.ch } };
  if (key.name !== 'enter') return s;
  const value = p.value.trim();
  try {
    const next = p.submit({ ...s, prompt: null, message: null }, value);
    return next;
  } catch (e) {
    const err = tillError(e);
    if (!err) throw e;
    // a wrong PIN starts the login again; anything else stays in the prompt, cleared
    if (s.screen === 'login') return loginPrompt(problem(s, err.code, err.params), ctx);
    // a barcode scanned into a quantity: refused there, and kept in the cart view as a scan that sold nothing
    if (err.code === 'tui.qty_is_code') return scanFailed(problem({ ...s, prompt: { ...p, value: '' } }, err.code, err.params), value, t('tui.failed.in_prompt'));
    return problem({ ...s, prompt: { ...p, value: p.secret ? '' : p.value } }, err.code, err.params);
  }
}

/** The answer to a yes/no question: "s"/"y" runs it; Esc or "n" only cancels; any other key cancels and then does what it does. */
function confirmKey(s: PosState, key: Key, ctx: Context): PosState {
  const asked = s.confirm!;
  const plain = key.name === 'char' && !key.ctrl && !key.alt;
  const no = { ...s, confirm: null, message: { text: t('tui.confirm.cancelled'), error: false } };
  if (plain && ['s', 'S', 'y', 'Y'].includes(key.ch)) return attempt(no, () => asked.yes({ ...s, confirm: null, message: null }));
  if (key.name === 'escape' || (plain && ['n', 'N'].includes(key.ch))) return no;
  return handleKey(no, key, ctx);
}

/** Asks before doing something out of the ordinary (a large quantity, voiding the ticket). */
function ask(s: PosState, text: string, yes: (s: PosState) => PosState): PosState {
  return { ...s, confirm: { text, yes }, message: null, bell: s.bell + 1 };
}

/** A scan that sold nothing, kept as a marked line of the cart view until acknowledged. */
function scanFailed(s: PosState, code: string, reason: string): PosState {
  return { ...s, failed: [...s.failed, { code: code.slice(0, 48), reason }] };
}

function typed(s: PosState, entry: string, ctx: Context): PosState {
  if (s.screen === 'quick') {
    // a digit sells that quick item (1–9, 0 the tenth)
    const n = /^[0-9]$/.test(entry.slice(-1)) ? (Number(entry.slice(-1)) + 9) % 10 : -1;
    const pick = s.quick.items[n];
    return pick ? sellQuick({ ...s, entry: '' }, ctx, pick) : { ...s, entry: '' };
  }
  if (s.screen === 'search') {
    const results = entry.trim() ? ctx.actions.search(entry, 50) : [];
    return { ...s, entry, results, selected: 0 };
  }
  return { ...s, entry };
}

function enter(s: PosState, ctx: Context): PosState {
  switch (s.screen) {
    case 'sale':
      return scan({ ...s, entry: '' }, s.entry.trim(), ctx);
    case 'payment':
      return payEnter(s, ctx);
    case 'search': {
      const item = s.results[s.selected];
      if (!item) return s;
      return addItem({ ...s, screen: 'sale', entry: '', results: [] }, ctx, item, undefined);
    }
    case 'refund':
      return refundEnter(s, ctx);
    case 'quick': {
      const pick = s.quick.items[s.selected];
      return pick ? sellQuick(s, ctx, pick) : s;
    }
    case 'customers': {
      const c = s.customers.found[s.selected];
      return c ? setCustomer({ ...s, screen: 'sale', entry: '' }, ctx, c) : s;
    }
    case 'close_carts':
    case 'close_count':
      return closeEnter(s, ctx);
    case 'held': {
      const h = s.held[s.selected];
      if (!h || !s.user) return s;
      return attempt(s, () => {
        const c = ctx.actions.recallCart(s.user!, h.id);
        return { ...s, screen: 'sale', cart: c.cart, extra: c.extra, selected: Math.max(0, c.cart.lines.length - 1), message: { text: t('tui.recalled'), error: false } };
      });
    }
    default:
      return s;
  }
}

// ---- selling ----------------------------------------------------------------------------------

/** The till's guards and conveniences: the store's (`tui.*`), or their defaults. */
const tillOf = (ctx: Pick<Context, 'info'>): TillSettings => ctx.info.till ?? TILL_DEFAULTS;

/** The most one line may hold (9 999 units, 999,999 kg: a scale's range); more is a typo or a code. */
export const MAX_QTY: Readonly<Record<Unit, number>> = Object.freeze({ each: 9_999_000, kg: 999_999 });

/** A run of 8 digits or more (EAN-8 and up) where a quantity goes: a barcode scanned into the wrong place. */
export const looksScanned = (text: string): boolean => /^[0-9]{8,}$/.test(text.trim());

/**
 * A quantity typed for an item (`text` as typed): a barcode is refused as a scan in the wrong
 * place (`tui.qty_is_code`), more than {@link MAX_QTY} as a typo; above the store's threshold
 * (`tui.confirm_quantity` units, `tui.confirm_weight` kg) the cashier confirms first. Then `then`.
 */
function guardQty(s: PosState, ctx: Context, unit: Unit, name: string, text: string, then: (s: PosState, qty: number) => PosState): PosState {
  if (looksScanned(text)) throw new TpvError('invalid', 'tui.qty_is_code', { code: text.trim() });
  const qty = checked(parseQuantity(text, { decimalComma: true }), ctx);
  if (unit === 'each' && qty % 1000 !== 0) throw new TpvError('invalid', 'cart.whole_units');
  if (qty > MAX_QTY[unit]) throw new TpvError('invalid', unit === 'kg' ? 'tui.weight_too_large' : 'tui.qty_too_large', { max: formatQty(MAX_QTY[unit]) });
  const { confirmQuantity, confirmWeight } = tillOf(ctx);
  const limit = (unit === 'kg' ? confirmWeight : confirmQuantity) * 1000;
  if (limit > 0 && qty > limit) return ask(s, t(unit === 'kg' ? 'tui.confirm.weight' : 'tui.confirm.qty', { qty: formatQty(qty), name }), (s1) => then(s1, qty));
  return then(s, qty);
}

/**
 * A code from the entry line: "CODE", "3*CODE" (3 units), or a receipt's scan code (a return).
 * What sells nothing stays in the cart view, marked, until the cashier has seen it (Esc).
 */
export function scan(s: PosState, text: string, ctx: Context): PosState {
  if (!text) return s;
  if (isDocumentScan(text)) return openRefund(s, ctx, documentNumberOf(text));
  const m = /^([0-9]+(?:[.,][0-9]+)?)\s*[*xX]\s*(.+)$/.exec(text);
  try {
    const item = ctx.actions.lookup(m ? m[2]!.trim() : text);
    if (!m) return addItem(s, ctx, item, undefined);
    // a scale label's weight or price is what the scale printed: never multiplied
    if (item.label) throw new TpvError('invalid', 'tui.label_no_multiply', { code: item.label });
    return guardQty(s, ctx, item.unit, item.name, m[1]!, (s1, qty) => addItem(s1, ctx, item, qty));
  } catch (e) {
    const err = tillError(e);
    if (!err) throw e;
    const reason = err.code === 'product.not_found' ? t('tui.failed.not_found') : err.code === 'tui.label_no_multiply' ? t('tui.failed.label') : tillMessage(err.code, err.params);
    return scanFailed(problem(s, err.code, err.params), text, reason);
  }
}

function addItem(s: PosState, ctx: Context, item: Item, qty: number | undefined): PosState {
  const q = qty ?? item.qty;
  if (item.unit === 'kg' && q === undefined) {
    return { ...s, prompt: { label: t('tui.prompt.weight', { name: item.name }), value: '', submit: (s1, v) => guardQty(s1, ctx, 'kg', item.name, v, (s2, w) => addItem(s2, ctx, item, w)) } };
  }
  const into = mergeInto(s, ctx, item, q ?? 1000);
  if (into) {
    const cart = checked(setQuantity(s.cart, into.id, into.qty + (q ?? 1000)), ctx);
    return { ...withCart(s, ctx, cart, {}, cart.lines.findIndex((l) => l.id === into.id)), message: null };
  }
  const added = checked(
    addLine(s.cart, { sku: item.sku, name: item.name, unit: item.unit, unitPrice: item.unitPrice, taxRate: item.taxRate, ...(q !== undefined ? { qty: q } : {}), ...(item.label ? { label: item.label } : {}) }),
    ctx,
  );
  return { ...withCart(s, ctx, added, {}, added.lines.length - 1), message: null };
}

/**
 * With `tui.merge_scans`, the line a repeated scan adds to: the latest line of the same item sold
 * by the unit at its catalog price, without a discount or a scale label (those stay lines apart),
 * that has room for `qty` more.
 */
function mergeInto(s: PosState, ctx: Context, item: Item, qty: number): CartLine | undefined {
  if (!tillOf(ctx).mergeScans || item.label || item.unit !== 'each') return undefined;
  for (let i = s.cart.lines.length - 1; i >= 0; i--) {
    const l = s.cart.lines[i]!;
    if (l.sku !== item.sku) continue;
    const plain = l.label === undefined && l.discount === null && l.originalPrice === null && l.unitPrice === item.unitPrice;
    return plain && l.qty + qty <= MAX_QTY.each ? l : undefined;
  }
  return undefined;
}

/** A quick item picked (a digit, or Enter): one, or the quantity typed before the quick key. */
function sellQuick(s: PosState, ctx: Context, pick: PosState['quick']['items'][number]): PosState {
  if (!pick.item) return problem(s, 'tui.quick_missing', { sku: pick.sku });
  const item = pick.item;
  const { qty } = s.quick;
  const back: PosState = { ...s, screen: 'sale', entry: '', quick: { items: [], qty: null } };
  return attempt(back, () => (qty ? guardQty(back, ctx, item.unit, item.name, qty, (s1, q) => addItem(s1, ctx, item, q)) : addItem(back, ctx, item, undefined)));
}

/** Ctrl+K: what an item costs (and how many are in stock), without selling it; the prompt stays for the next. */
function priceCheck(s: PosState, ctx: Context): PosState {
  return {
    ...s,
    prompt: {
      label: t('tui.prompt.price_check'),
      value: '',
      scan: true,
      submit: (s1, v) => {
        if (!v) return s1;
        const item = ctx.actions.lookup(v);
        const one = checked(
          addLine(emptyCart(), { sku: item.sku, name: item.name, unit: item.unit, unitPrice: item.unitPrice, taxRate: item.taxRate, qty: item.qty ?? 1000 }),
          ctx,
        );
        const price = `${money(ctx, item.unitPrice)}${item.unit === 'kg' ? '/kg' : ''}`;
        const label = item.label && item.unit === 'kg' ? ` · ${t('tui.price_check.label', { qty: formatQty(item.qty ?? 0), amount: money(ctx, priced({ ...s1, cart: one }, ctx).total) })}` : '';
        const stock = item.stock !== undefined ? ` · ${t('tui.stock', { qty: formatQty(item.stock) })}` : '';
        return info(priceCheck(s1, ctx), `${t('tui.price_check.result', { name: item.name, price })}${label}${stock}`);
      },
    },
  };
}

function selectedLine(s: PosState) {
  return s.cart.lines[s.selected] ?? null;
}

function lineCommand(s: PosState, ctx: Context, command: 'qty' | 'discount' | 'price' | 'remove'): PosState {
  const line = selectedLine(s);
  if (command === 'remove' && !line && s.selected >= s.cart.lines.length && s.extra.vouchers.length) {
    const i = s.selected - s.cart.lines.length;
    return withCart(s, ctx, s.cart, { vouchers: s.extra.vouchers.filter((_, j) => j !== i) });
  }
  if (!line) return problem(s, 'tui.no_line');
  switch (command) {
    case 'remove':
      return attempt(s, () => withCart(s, ctx, checked(removeLine(s.cart, line.id), ctx)));
    case 'qty':
      return textPrompt(s, t('tui.prompt.qty', { name: line.name }), (s1, v) =>
        guardQty(s1, ctx, line.unit, line.name, v, (s2, qty) => {
          const apply = (approval: Approval | null): PosState => withCart(s2, ctx, checked(setQuantity(s2.cart, line.id, qty), ctx), approved(s2, approval));
          // a scale label's weight (or its priced unit) is what the scale printed: a supervisor changes it, as a price
          if (!line.label) return apply(null);
          return guarded(s2, ctx, 'price_override', `${line.sku} ${line.label}: ${formatQty(line.qty)} → ${formatQty(qty)}`, apply, 'tui.action.label_edit');
        }),
      );
    case 'discount':
      return textPrompt(s, t('tui.prompt.discount', { name: line.name }), (s1, v) => {
        const d = checked(parseDiscount(v, ctx.info.exponent), ctx);
        const apply = (approval: Approval | null): PosState =>
          withCart(s1, ctx, checked(setLineDiscount(s1.cart, line.id, d), ctx), approved(s1, approval));
        const over = lineDiscountOverLimit(priced(s1, ctx), line.id, d, ctx.info.discountLimit);
        return guarded(s1, ctx, over ? 'discount_over_limit' : null, `${line.sku}: ${v}`, apply);
      });
    case 'price':
      return textPrompt(s, t('tui.prompt.price', { name: line.name }), (s1, v) => {
        const price = amount(ctx, v);
        const apply = (approval: Approval | null): PosState =>
          withCart(s1, ctx, checked(overridePrice(s1.cart, line.id, price), ctx), approved(s1, approval));
        return guarded(s1, ctx, priceOverrideNeeded(line, price) ? 'price_override' : null, `${line.sku}: ${money(ctx, line.unitPrice)} → ${money(ctx, price)}`, apply);
      });
  }
}

/** The cart's approvals with `approval` added (what the receipt records). */
const approved = (s: PosState, approval: Approval | null): Partial<CartExtra> => (approval ? { approvals: [...s.extra.approvals, approval] } : {});

/** Applies a change that may need a supervisor (`action` null: nobody's approval is needed); `what` as in {@link withApproval}. */
function guarded(s: PosState, ctx: Context, action: Action | null, detail: string, apply: (a: Approval | null) => PosState, what?: MessageKey): PosState {
  if (!action || !s.user) return apply(null);
  return withApproval(s, (approver) => apply(ctx.actions.authorize(s.user!, action, detail, approver)), what);
}

function cartDiscount(s: PosState, ctx: Context): PosState {
  if (s.cart.lines.length === 0) return problem(s, 'tui.no_line');
  return textPrompt(s, t('tui.prompt.cart_discount'), (s1, v) => {
    const d = checked(parseDiscount(v, ctx.info.exponent), ctx);
    const apply = (approval: Approval | null): PosState =>
      withCart(s1, ctx, checked(setCartDiscount(s1.cart, d), ctx), approved(s1, approval));
    return guarded(s1, ctx, cartDiscountOverLimit(priced(s1, ctx), d, ctx.info.discountLimit) ? 'discount_over_limit' : null, `cart: ${v}`, apply);
  });
}

function freshCart(s: PosState): PosState {
  return { ...s, cart: emptyCart(), extra: { vouchers: [], approvals: [], customerId: null }, customerName: null, selected: 0, tenders: [], entry: '' };
}

/** Sets the sale's customer (saved with the cart) and says so. */
function setCustomer(s: PosState, ctx: Context, c: CustomerHit): PosState {
  const next = withCart({ ...s, customers: { query: '', found: [] } }, ctx, s.cart, { customerId: c.id });
  return info({ ...next, customerName: c.name }, t('tui.customer_set', { name: c.name }));
}

/**
 * Ctrl+P: a copy of any document — its number typed or its code scanned; Enter alone the register's
 * last receipt (also after a restart). An original that never reached paper prints as the original.
 */
function reprintPrompt(s: PosState, ctx: Context): PosState {
  return {
    ...s,
    prompt: {
      label: t('tui.prompt.reprint'),
      value: '',
      scan: true,
      submit: (s1, v) => {
        const number = v || ctx.actions.lastDocument();
        if (!number) throw new TpvError('not_found', 'tui.no_last');
        const doc = ctx.actions.copyOf(number);
        void ctx.actions.print({ number: doc.number, copy: true });
        return info({ ...s1, screen: 'report', report: { title: doc.number, text: doc.text, top: 0, number: doc.number } }, sentToPrinter(doc));
      },
    },
  };
}

/**
 * What a reprint sent to the printer: a copy, or the original when the original never reached
 * paper (asked before printing, as the preview is: the reprint job prints that original).
 */
function sentToPrinter(doc: { number: string; copy: boolean }): string {
  return t(doc.copy ? 'tui.reprinted' : 'tui.reprinted_original', { number: doc.number });
}

// ---- payment ----------------------------------------------------------------------------------

/** Records a payment; the next one is cash again (what a customer hands over last), whatever this one was. */
function addTender(s: PosState, ctx: Context, tender: Tender): PosState {
  if (tender.amount <= 0) return problem(s, 'tui.amount_positive');
  if (tender.method !== 'cash' && tender.amount > due(s, ctx)) {
    return problem(s, 'tui.payment.over_due', { method: tenderName(tender.method), max: money(ctx, Math.max(0, due(s, ctx))) });
  }
  return { ...s, tenders: [...s.tenders, tender], entry: '', method: 'cash', message: null };
}

const tenderName = (method: string): string => tOr(`tui.tender.${method}`, method);

function payEnter(s: PosState, ctx: Context): PosState {
  const left = due(s, ctx);
  if (!s.entry.trim()) {
    if (settled(s, ctx)) return confirmSale(s, ctx);
    return tenderWith(s, ctx, s.method, s.method === 'cash' ? roundCash(left, ctx.info.cashIncrement) : left);
  }
  return attempt(s, () => tenderWith(s, ctx, s.method, amount(ctx, s.entry)));
}

function tenderWith(s: PosState, ctx: Context, method: string, value: number): PosState {
  if (method === 'store_credit') {
    return textPrompt({ ...s, entry: '' }, t('tui.prompt.credit_code'), (s1, code) => {
      const c = ctx.actions.credit(code);
      const balance = amount(ctx, c.balance);
      if (c.status !== 'active') throw new TpvError('conflict', `credit.${c.status === 'spent' ? 'insufficient' : c.status}`, { balance: money(ctx, balance), code: c.code });
      const next = addTender(s1, ctx, { method, amount: Math.min(value, balance), reference: c.code });
      // a code worth less than asked pays what it holds: said, never silently
      return balance < value && next.tenders.length > s1.tenders.length ? info(next, t('tui.payment.credit_capped', { code: c.code, amount: money(ctx, balance) })) : next;
    });
  }
  // card and the store's own tenders never pay more than is due (change is only given in cash): refused, said
  return addTender(s, ctx, { method, amount: value });
}

function quick(s: PosState, ctx: Context, command: Command): PosState {
  const left = due(s, ctx);
  if (left <= 0) return s;
  const unit = 10 ** ctx.info.exponent;
  const exact = roundCash(left, ctx.info.cashIncrement);
  const value =
    command === 'quick_exact'
      ? exact
      : command === 'quick_next'
        ? Math.ceil(left / (5 * unit)) * 5 * unit
        : (command === 'quick_10' ? 10 : command === 'quick_20' ? 20 : 50) * unit;
  // a note handed over: what it is worth (the rest stays due), the exact amount never less than due
  return addTender({ ...s, method: 'cash' }, ctx, { method: 'cash', amount: command === 'quick_exact' ? exact : value });
}

function confirmSale(s: PosState, ctx: Context): PosState {
  if (!s.user) return s;
  return attempt(s, () => {
    const done = ctx.actions.checkout(s.user!, {
      cart: s.cart,
      vouchers: s.extra.vouchers,
      approvals: s.extra.approvals,
      customerId: s.extra.customerId,
      payments: s.tenders.map((x) => ({ method: x.method, amount: x.amount, ...(x.reference ? { reference: x.reference } : {}) })),
    });
    // committed: the cart is gone; printing comes after and never blocks the next sale
    ctx.actions.saveCart(s.user!, emptyCart(), { vouchers: [], approvals: [], customerId: null });
    void ctx.actions.print({ number: done.number, kick: done.kick });
    const next = freshCart({ ...s, screen: 'sale', last: { number: done.number, total: done.total, change: done.change } });
    const sold = t('tui.sold', { number: done.number, change: money(ctx, done.change) });
    if (done.codes.length === 0) return info(next, sold);
    // gift vouchers sold: their codes stay on the screen until the cashier goes on (Esc)
    const text = `${t('tui.code.give')}\n\n${codesText(done.codes, ctx)}\n${done.text}`;
    return info({ ...next, screen: 'report', report: { title: done.number, text, top: 0, number: done.number } }, sold);
  });
}

/**
 * The codes a document issued, large (two rows of two groups: they fit 80 columns), then as
 * text: what the cashier reads out or hands over when the slip did not print.
 */
export function codesText(codes: IssuedCode[], ctx: Pick<Context, 'info'>): string {
  const out: string[] = [];
  for (const c of codes) {
    const expiry = c.validUntil ? t('tui.code.until', { day: c.validUntil }) : t('voucher.no_expiry');
    out.push(t('tui.code.heading', { title: t(c.gift ? 'voucher.title_gift' : 'voucher.title_credit'), amount: money(ctx, c.amount), expiry }), '');
    for (const half of [c.code.slice(0, 9), c.code.slice(10)]) out.push(...bigText(half).map((row) => `  ${row}`), '');
    out.push(t('receipt.voucher_code', { code: c.code }), '');
  }
  return out.join('\n');
}

// ---- refunds ----------------------------------------------------------------------------------

function openRefund(s: PosState, ctx: Context, number: string): PosState {
  return attempt(s, () => {
    const receipt = ctx.actions.receipt(number);
    return { ...s, screen: 'refund', entry: '', selected: 0, refund: { receipt, qty: {}, keep: {} }, message: { text: t('tui.refund.pick'), error: false } };
  });
}

function refundEnter(s: PosState, ctx: Context): PosState {
  const r = s.refund!;
  const line = r.receipt.lines[s.selected];
  if (!line) return s;
  return attempt(s, () => {
    const wanted = s.entry.trim() ? checked(parseQuantity(s.entry, { decimalComma: true }), ctx) : r.qty[line.line] ? 0 : line.remaining;
    if (wanted > line.remaining) throw new TpvError('conflict', 'refund.over_quantity', { line: line.line, remaining: line.remaining / 1000 });
    return { ...s, entry: '', refund: { ...r, qty: { ...r.qty, [line.line]: wanted } }, selected: Math.min(s.selected + 1, r.receipt.lines.length - 1) };
  });
}

function refundCommit(s: PosState, ctx: Context, method: string): PosState {
  const r = s.refund!;
  const lines = r.receipt.lines
    .filter((l) => (r.qty[l.line] ?? 0) > 0)
    .map((l) => ({ line: l.line, qty: String(r.qty[l.line]! / 1000), restock: !r.keep[l.line], ...(r.keep[l.line] ? { reason: 'damaged' } : {}) }));
  if (lines.length === 0) return problem(s, 'refund.no_lines');
  return withApproval(s, (approver) => {
    const done = ctx.actions.refund(s.user!, r.receipt.number, { lines, method }, approver);
    void ctx.actions.print({ number: done.number, kick: done.kick });
    const credit = done.codes[0];
    const text = credit
      ? t('tui.refund.credit', { number: done.number, code: credit.code, amount: money(ctx, credit.amount) })
      : t('tui.refund.done', { number: done.number, amount: money(ctx, done.total) });
    // a code issued stays on the screen, large, until the cashier goes on (Esc)
    const shown = `${text}\n\n${done.codes.length ? `${codesText(done.codes, ctx)}\n` : ''}${done.text}`;
    return info({ ...s, screen: 'report', refund: null, entry: '', report: { title: done.number, text: shown, top: 0, number: done.number } }, text);
  });
}

// ---- shift (src/tui/shift.ts) --------------------------------------------------------------------

/** What the shift and close screens borrow from here: prompts and the in-place approval. */
const shiftKit: ShiftKit<PosState> = { prompt: (s, label, submit) => textPrompt(s, label, submit), withApproval };

// ---- commands ---------------------------------------------------------------------------------

const PAGE = 10;

function move(s: PosState, by: number): PosState {
  if (s.screen === 'report' && s.report) return { ...s, report: { ...s.report, top: Math.max(0, s.report.top + by) } };
  const lists: Partial<Record<Screen, number>> = {
    sale: rows(s),
    search: s.results.length,
    refund: s.refund?.receipt.lines.length ?? 0,
    held: s.held.length,
    quick: s.quick.items.length,
    customers: s.customers.found.length,
  };
  const n = lists[s.screen] ?? 0;
  return { ...s, selected: Math.max(0, Math.min(n - 1, s.selected + by)) };
}

function run(s: PosState, command: Command, ctx: Context): PosState {
  switch (command) {
    case 'help':
      return { ...s, help: true };
    case 'quit':
      return { ...s, quitAsked: true };
    case 'up':
      return move(s, -1);
    case 'down':
      return move(s, 1);
    case 'page_up':
      return move(s, -PAGE);
    case 'page_down':
      return move(s, PAGE);
    case 'back':
      if (s.screen === 'payment' && s.tenders.length) return info({ ...s, screen: 'sale', tenders: [], entry: '' }, t('tui.payment.cancelled'));
      return { ...s, screen: 'sale', entry: '', results: [], refund: null, report: null, selected: Math.max(0, rows(s) - 1), message: null };
    case 'search':
      return { ...s, screen: 'search', entry: '', results: [], selected: 0 };
    case 'customer':
      // by number or tax id that one; by name a list to pick from (or F2: a new customer)
      return textPrompt(s, t('tui.prompt.customer'), (s1, v) => {
        if (!v) return s1;
        const found = ctx.actions.customers(v, 50);
        if (found.length === 1) return setCustomer(s1, ctx, found[0]!);
        const next: PosState = { ...s1, screen: 'customers', customers: { query: v, found }, selected: 0, entry: '' };
        return found.length ? next : info(next, t('tui.customers.none', { query: v }));
      });
    case 'new_customer': {
      const q = s.customers.query;
      return textPrompt(
        s,
        t('tui.prompt.customer_name'),
        (s1, name) =>
          textPrompt(s1, t('tui.prompt.customer_tax_id'), (s2, taxId) => setCustomer({ ...s2, screen: 'sale' }, ctx, ctx.actions.addCustomer(name, taxId || null))),
        /^[0-9]+$/.test(q) ? '' : q,
      );
    }
    case 'qty':
    case 'discount':
    case 'price':
    case 'remove':
      return lineCommand(s, ctx, command);
    case 'cart_discount':
      return cartDiscount(s, ctx);
    case 'hold':
      if (!s.user) return s;
      if (rows(s) === 0) {
        const held = ctx.actions.heldCarts();
        if (held.length === 0) return problem(s, 'tui.no_held');
        return { ...s, screen: 'held', held, selected: 0 };
      }
      return textPrompt(s, t('tui.prompt.hold_label'), (s1, label) => {
        ctx.actions.holdCart(s1.user!, label || undefined);
        return info(freshCart(s1), t('tui.held'));
      });
    case 'refund':
      return textPrompt(s, t('tui.prompt.receipt'), (s1, v) => openRefund(s1, ctx, documentNumberOf(v)));
    case 'shift':
      return { ...s, screen: 'shift', message: null };
    case 'credit':
      return { ...s, screen: 'credit', message: null };
    case 'pay':
      if (rows(s) === 0) return problem(s, 'tui.cart_empty');
      // a scan that sold nothing is seen before the customer pays (the item would be missing)
      if (s.failed.length) return problem(s, 'tui.failed_pending', { n: s.failed.length });
      return { ...s, screen: 'payment', tenders: [], method: 'cash', entry: '', message: null };
    case 'lock':
      return loginPrompt(info(s, t('tui.locked', { name: s.user?.name ?? '' })), ctx);
    case 'reprint': {
      if (s.screen === 'report' && s.report) {
        if (!s.report.number && s.report.slip) {
          const code = s.report.slip;
          void ctx.actions.printSlip(code);
          return info(s, t('tui.slip_printing', { code }));
        }
        if (!s.report.number) return s.report.x ? printX(s, ctx) : problem(s, 'tui.not_printable');
        const number = s.report.number;
        // a copy, or the original when its first print never reached paper: said as it prints
        return attempt(s, () => {
          const doc = ctx.actions.copyOf(number);
          void ctx.actions.print({ number: doc.number, copy: true });
          return info(s, sentToPrinter(doc));
        });
      }
      return reprintPrompt(s, ctx);
    }
    case 'price_check':
      return priceCheck(s, ctx);
    case 'quick': {
      const items = ctx.actions.quickItems();
      if (items.length === 0) return problem(s, 'tui.no_quick_items');
      // a quantity typed before the key ("3" or "3*") sells that many
      const typed = /^([0-9]+(?:[.,][0-9]+)?)\s*[*xX]?$/.exec(s.entry.trim());
      return { ...s, screen: 'quick', quick: { items, qty: typed ? typed[1]! : null }, entry: '', selected: 0, message: null };
    }
    case 'void_ticket': {
      if (rows(s) === 0) return problem(s, 'tui.cart_empty');
      const what = { n: rows(s), total: money(ctx, saleTotal(s, ctx)) };
      return ask(s, t('tui.confirm.void', what), (s1) =>
        withApproval(
          s1,
          (approver) => {
            ctx.actions.voidCart(s1.user!, approver);
            return info(freshCart({ ...s1, failed: [], prompt: null }), t('tui.voided', what));
          },
        ),
      );
    }
    case 'ack':
      // the failed scans seen; with none, Esc clears what was typed
      if (s.failed.length) return info({ ...s, failed: [] }, t('tui.failed.acked', { n: s.failed.length }));
      return { ...s, entry: '', message: null };
    case 'tender_cash':
    case 'tender_card':
    case 'tender_credit': {
      const method = command === 'tender_cash' ? 'cash' : command === 'tender_card' ? 'card' : 'store_credit';
      if (s.screen === 'refund') return refundCommit(s, ctx, method);
      // no amount typed: this tender pays what is due
      const left = due(s, ctx);
      const value = s.entry.trim() ? null : method === 'cash' ? roundCash(left, ctx.info.cashIncrement) : left;
      if (value !== null && value <= 0) return s;
      return attempt({ ...s, method }, () => tenderWith({ ...s, method }, ctx, method, value ?? amount(ctx, s.entry)));
    }
    case 'tender_other': {
      const others = ctx.info.otherTenders;
      if (others.length === 0) return problem(s, 'tui.no_other_tenders');
      const method = others[(others.indexOf(s.method) + 1) % others.length]!;
      return { ...s, method, message: null };
    }
    case 'quick_exact':
    case 'quick_next':
    case 'quick_10':
    case 'quick_20':
    case 'quick_50':
      return quick(s, ctx, command);
    case 'undo_tender':
      return { ...s, tenders: s.tenders.slice(0, -1) };
    case 'confirm':
      if (!settled(s, ctx)) return problem(s, 'payment.short', { missing: money(ctx, due(s, ctx)) });
      return confirmSale(s, ctx);
    case 'restock': {
      const r = s.refund;
      const line = r?.receipt.lines[s.selected];
      if (!r || !line) return s;
      return { ...s, refund: { ...r, keep: { ...r.keep, [line.line]: !r.keep[line.line] } } };
    }
    case 'open_shift':
    case 'cash_in':
    case 'cash_out':
    case 'x_report':
    case 'no_sale':
    case 'close_shift':
    case 'void_cart':
    case 'keep_cart':
    case 'count_clear':
    case 'close_up':
    case 'close_down':
    case 'close_confirm':
    case 'close_cancel':
      return shiftCommand(s, command, ctx, shiftKit);
    case 'check_balance':
      // the code large, as on its slip, with its balance; Ctrl+P reprints the document that issued it (and its slip)
      return textPrompt(s, t('tui.prompt.credit_code'), (s1, v) => {
        const c = ctx.actions.credit(v);
        const line = t('tui.credit.balance', { code: c.code, balance: money(ctx, amount(ctx, c.balance)), status: t(`tui.credit.${c.status}`), expires: c.expires ?? t('voucher.no_expiry') });
        const big = [c.code.slice(0, 9), c.code.slice(10)].flatMap((half) => [...bigText(half).map((row) => `  ${row}`), '']);
        const text = [line, '', ...big, c.ref ? t('tui.credit.reprint', { number: c.ref }) : t('tui.credit.reprint_slip')].join('\n');
        return info({ ...s1, screen: 'report', report: { title: c.code, text, top: 0, ...(c.ref ? { number: c.ref } : { slip: c.code }) } }, line);
      });
    case 'sell_voucher':
      return textPrompt(s, t('tui.prompt.voucher'), (s1, v) => {
        const value = amount(ctx, v);
        if (value <= 0) throw new TpvError('invalid', 'credit.bad_amount');
        const next = withCart({ ...s1, screen: 'sale' }, ctx, s1.cart, { vouchers: [...s1.extra.vouchers, value] }, rows(s1));
        return info(next, t('tui.voucher_added', { amount: money(ctx, value) }));
      });
  }
}
