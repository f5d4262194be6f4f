/**
 * The shift screen's flows: open with a float, cash in and out (the drawer opens), the X report
 * (on screen; Ctrl+P prints it), a no-sale, and the guided close — like uniCenta's "cerrar caja":
 *
 *   1. the close is approved first (a cashier asks a supervisor once, in place);
 *   2. every cart still open or held on the register, whoever's, is listed and resolved one by
 *      one: F2 voids it (the customer left), F3 keeps it for the next shift (held);
 *   3. the drawer is counted in a table of the store's notes and coins: a number is how many
 *      pieces, an amount with decimals ("1,50", "1.50") what that row's pieces are worth, and
 *      "0,50x4" (or several: "50x2;0,50x4") fills the rows it names; the last row takes cash
 *      counted without a breakdown. Expected, counted and the signed difference (surplus or
 *      shortage) follow every key;
 *   4. F12 asks once more and closes: the Z report is issued, printed and shown.
 *
 * Pure like src/tui/state.ts (which hooks these in): keys → state, the app reached only through
 * the injected actions. It cannot import state.ts (no module cycles), so it works on the fields of
 * the terminal's state it needs ({@link ShiftState}) and gets the few helpers that build prompts
 * from state.ts ({@link ShiftKit}).
 */
import type { Approver } from '../app/auth.js';
import type { CartExtra } from '../app/carts.js';
import type { PendingCart } from '../app/shifts.js';
import { type Cart, emptyCart } from '../core/cart.js';
import { type CountLine, denominations, MAX_PIECES, parseCountLines } from '../core/cash.js';
import { type MessageKey, type Params, type Result, TpvError } from '../core/errors.js';
import { parseDecimal, showParams } from '../core/money.js';
import { formatMoney } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { type PosActions, type TillInfo, type TillUser, tillError, tillMessage } from './actions.js';

export type { PendingCart };

/** The guided close in progress (null on the terminal's state when none is). */
export interface CloseState {
  step: 'carts' | 'count';
  /** Carts still to resolve (step `carts`). */
  carts: PendingCart[];
  /** Carts kept for the next shift: the close accepts them. */
  kept: number[];
  voided: number;
  /** The supervisor who approved the close (asked once, at its start; none for a supervisor). */
  approver?: Approver;
  /** Cash the drawer should hold (the X report's figure when the close started). */
  expected: number;
  /** The store's notes and coins, largest first (minor units); the count table's rows. */
  values: number[];
  /** Pieces counted, row by row (aligned with `values`). */
  qty: number[];
  /** Cash counted without a breakdown: the table's last row. */
  other: number;
  /** The selected row: a cart (step `carts`) or a row of the table (`values.length` is the last row). */
  row: number;
}

/** What a report on screen is: a stored document (`number`, Ctrl+P prints a copy) or the X report (`x`, Ctrl+P prints it now). */
export interface ReportView {
  title: string;
  text: string;
  top: number;
  number?: string;
  x?: boolean;
  /** A credit code whose slip Ctrl+P prints (a code issued without a document to reprint). */
  slip?: string;
}

/** The fields of the terminal's state the shift flows read and write. */
export interface ShiftState {
  screen: string;
  user: TillUser | null;
  entry: string;
  cart: Cart;
  extra: CartExtra;
  selected: number;
  message: { text: string; error: boolean } | null;
  bell: number;
  report: ReportView | null;
  close: CloseState | null;
}

/** The helpers state.ts lends: prompts (typed on its own state) and the in-place supervisor approval. */
export interface ShiftKit<S> {
  prompt(s: S, label: string, submit: (s: S, value: string) => S): S;
  withApproval(s: S, run: (approver?: Approver) => S): S;
}

export interface ShiftContext {
  actions: PosActions;
  info: TillInfo;
}

/** The commands of the shift and close screens (src/tui/keymap.ts binds them). */
export const SHIFT_COMMANDS = [
  'open_shift',
  'cash_in',
  'cash_out',
  'x_report',
  'no_sale',
  'close_shift',
  'void_cart',
  'keep_cart',
  'count_clear',
  'close_up',
  'close_down',
  'close_confirm',
  'close_cancel',
] as const;
export type ShiftCommand = (typeof SHIFT_COMMANDS)[number];

// ---- helpers -----------------------------------------------------------------------------------

const money = (ctx: ShiftContext, n: number): string => formatMoney(n, ctx.info.exponent, ctx.info.currency);

function info<S extends ShiftState>(s: S, text: string): S {
  return { ...s, message: { text, error: false } };
}

/**
 * An error on the message line (with the bell), as the till words it (src/tui/actions.ts
 * `tillMessage`: the key to press, never a CLI flag). No shift open, on the shift screen: F2 is
 * right there.
 */
function problem<S extends ShiftState>(s: S, code: MessageKey, params: Params = {}): S {
  const text = code === 'shift.none_open' && s.screen === 'shift' ? t('tui.shift.none_open') : tillMessage(code, params);
  return { ...s, message: { text, error: true }, bell: s.bell + 1 };
}

/** Runs `fn`; a TpvError (or the database busy) becomes the message line (with the bell), never a crash. */
function attempt<S extends ShiftState>(s: S, fn: () => S): S {
  try {
    return fn();
  } catch (e) {
    const err = tillError(e);
    if (err) return problem(s, err.code, err.params);
    throw e;
  }
}

function checked<T>(r: Result<T>, ctx: ShiftContext): T {
  if (!r.ok) throw new TpvError('invalid', r.problem.code, showParams(r.problem.params, ctx.info.exponent, (minor) => money(ctx, minor)));
  return r.value;
}

/** An amount typed in the store's money (a decimal comma or point). */
function amount(ctx: ShiftContext, text: string): number {
  return checked(parseDecimal(text, ctx.info.exponent, { decimalComma: true }), ctx);
}

/** The cash counted so far: every row's pieces times its value, plus the amount without a breakdown. */
export function countedOf(c: CloseState): number {
  return c.values.reduce((a, v, i) => a + v * (c.qty[i] ?? 0), 0) + c.other;
}

/** The rows counted by note and coin (what the Z report lists). */
export function countLinesOf(c: CloseState): CountLine[] {
  return c.values.map((value, i) => ({ value, qty: c.qty[i] ?? 0 })).filter((l) => l.qty > 0);
}

/** The close's table has one row per note or coin and one for cash without a breakdown. */
const lastRow = (c: CloseState): number => (c.step === 'carts' ? Math.max(0, c.carts.length - 1) : c.values.length);

// ---- the shift screen --------------------------------------------------------------------------

/** The opening float, asked right after login when no shift is open, or with F2. */
export function openShiftPrompt<S extends ShiftState>(s: S, ctx: ShiftContext, kit: ShiftKit<S>): S {
  return kit.prompt(s, t('tui.prompt.float'), (s1, v) => {
    const float = amount(ctx, v);
    return kit.withApproval(s1, (approver) => {
      ctx.actions.openShift(s1.user!, float, approver);
      return info({ ...s1, screen: 'sale' }, t('tui.shift.opened'));
    });
  });
}

/** Cash in or out: the amount, a reason, a supervisor when the role needs one; recorded, then the drawer opens. */
function cashMovePrompt<S extends ShiftState>(s: S, ctx: ShiftContext, kit: ShiftKit<S>, kind: 'in' | 'out'): S {
  return kit.prompt(s, t(kind === 'in' ? 'tui.prompt.cash_in' : 'tui.prompt.cash_out'), (s1, v) => {
    const value = amount(ctx, v);
    if (value <= 0) throw new TpvError('invalid', 'shift.amount_positive');
    return kit.prompt(s1, t('tui.prompt.reason'), (s2, reason) =>
      kit.withApproval(s2, (approver) => {
        const moved = ctx.actions.cashMove(s2.user!, kind, value, reason, approver);
        // recorded first: a drawer that fails to open leaves the move on record (and says so)
        if (moved.kick) void ctx.actions.kickDrawer();
        return info(s2, t('tui.shift.moved', { amount: money(ctx, value) }));
      }),
    );
  });
}

/** "No sale": the drawer opens outside a sale, with a reason, recorded before it opens. */
function noSalePrompt<S extends ShiftState>(s: S, ctx: ShiftContext, kit: ShiftKit<S>): S {
  return kit.prompt(s, t('tui.prompt.no_sale_reason'), (s1, reason) =>
    kit.withApproval(s1, (approver) => {
      ctx.actions.noSale(s1.user!, reason, approver);
      void ctx.actions.kickDrawer();
      return info(s1, t('tui.drawer_opened'));
    }),
  );
}

/** Ctrl+P on the X report: the running figures, now, on the printer (an X is no stored document: never a copy). */
export function printX<S extends ShiftState>(s: S, ctx: ShiftContext): S {
  if (!ctx.actions.shift()) return problem(s, 'shift.none_open');
  void ctx.actions.printX();
  return info(s, t('tui.x_printing'));
}

// ---- the guided close --------------------------------------------------------------------------

/** F6: approved first (a supervisor, once), then the carts to resolve, or straight to the count. */
function startClose<S extends ShiftState>(s: S, ctx: ShiftContext, kit: ShiftKit<S>): S {
  const user = s.user;
  if (!user) return s;
  if (!ctx.actions.shift()) return problem(s, 'shift.none_open');
  return kit.withApproval(s, (approver) => {
    ctx.actions.authorize(user, 'shift_close', 'shift close', approver);
    const values = [...denominations(ctx.info.currency)];
    const close: CloseState = {
      step: 'carts',
      carts: ctx.actions.pendingCarts(),
      kept: [],
      voided: 0,
      ...(approver ? { approver } : {}),
      expected: ctx.actions.expectedCash(),
      values,
      qty: values.map(() => 0),
      other: 0,
      row: 0,
    };
    return toNextStep({ ...s, screen: 'close_carts', entry: '', close });
  });
}

/** With no cart left to resolve the count starts (saying how it is typed). */
function toNextStep<S extends ShiftState>(s: S): S {
  const c = s.close!;
  if (c.step === 'carts' && c.carts.length > 0) {
    return info(s, t('tui.close.carts_hint', { n: c.carts.length }));
  }
  // what was kept and voided stays on the count's title
  return info({ ...s, screen: 'close_count', entry: '', close: { ...c, step: 'count', row: 0 } }, t('tui.close.count_hint'));
}

/** F2 voids the selected cart, F3 keeps it for the next shift; the user's own cart leaves the screen either way. */
function resolveSelected<S extends ShiftState>(s: S, ctx: ShiftContext, how: 'void' | 'keep'): S {
  const c = s.close;
  if (!c || c.step !== 'carts' || !s.user) return s;
  const cart = c.carts[c.row];
  if (!cart) return s;
  return attempt(s, () => {
    ctx.actions.resolveCart(s.user!, cart.id, how, c.approver);
    const carts = c.carts.filter((x) => x.id !== cart.id);
    const close: CloseState = {
      ...c,
      carts,
      kept: how === 'keep' ? [...c.kept, cart.id] : c.kept,
      voided: c.voided + (how === 'void' ? 1 : 0),
      row: Math.max(0, Math.min(c.row, carts.length - 1)),
    };
    // the cashier's own open cart was the one on the sale screen: it is gone (or held) now
    const own = cart.status === 'open' && cart.user === s.user!.code;
    const next: S = own ? { ...s, close, cart: emptyCart(), extra: { vouchers: [], approvals: [], customerId: null }, selected: 0 } : { ...s, close };
    // the last one resolved: on to the count (its message says what was kept and voided)
    return carts.length ? info(next, t(how === 'void' ? 'tui.close.voided' : 'tui.close.kept', { id: cart.id })) : toNextStep(next);
  });
}

/** Enter on the count: the typed entry fills rows (see the module's comment); an empty Enter goes to the next row. */
export function closeEnter<S extends ShiftState>(s: S, ctx: ShiftContext): S {
  const c = s.close;
  if (!c) return s;
  if (c.step === 'carts') return info({ ...s, entry: '' }, t('tui.close.carts_hint', { n: c.carts.length }));
  const text = s.entry.trim();
  if (!text) return { ...s, close: { ...c, row: Math.min(c.row + 1, lastRow(c)) }, message: null };
  return attempt(s, () => {
    const next = countEntry(c, text, ctx);
    return { ...s, entry: '', close: next, message: null };
  });
}

function countEntry(c: CloseState, text: string, ctx: ShiftContext): CloseState {
  if (/[xX*×]/.test(text)) {
    const lines = checked(parseCountLines(text.replace(/\s+$/, ''), ctx.info.exponent), ctx);
    const qty = [...c.qty];
    const seen = new Map<number, number>();
    let row = c.row;
    for (const l of lines) {
      const i = c.values.indexOf(l.value);
      if (i < 0) throw new TpvError('invalid', 'shift.count_unknown', { value: money(ctx, l.value), currency: ctx.info.currency });
      seen.set(i, (seen.get(i) ?? 0) + l.qty);
      row = i;
    }
    for (const [i, n] of seen) {
      if (n > MAX_PIECES) throw new TpvError('invalid', 'cash.count_pieces', { part: money(ctx, c.values[i]!), max: MAX_PIECES });
      qty[i] = n;
    }
    return { ...c, qty, row: Math.min(row + 1, lastRow(c)) };
  }
  if (c.row >= c.values.length) return { ...c, other: amount(ctx, text) };
  const value = c.values[c.row]!;
  let pieces: number;
  if (/^[0-9]+$/.test(text)) pieces = Number(text);
  else {
    // an amount with decimals: what this row's pieces are worth
    const worth = amount(ctx, text);
    if (worth % value !== 0) throw new TpvError('invalid', 'shift.count_not_multiple', { amount: money(ctx, worth), value: money(ctx, value) });
    pieces = worth / value;
  }
  if (pieces > MAX_PIECES) throw new TpvError('invalid', 'cash.count_pieces', { part: text, max: MAX_PIECES });
  const qty = [...c.qty];
  qty[c.row] = pieces;
  return { ...c, qty, row: Math.min(c.row + 1, lastRow(c)) };
}

/** F12: one more question (what was counted against what was expected), then the Z. */
function confirmClose<S extends ShiftState>(s: S, ctx: ShiftContext, kit: ShiftKit<S>): S {
  const c = s.close;
  if (!c) return s;
  if (c.step === 'carts') return problem(s, 'tui.close.carts_first', { n: c.carts.length });
  if (s.entry.trim()) {
    // a count typed but not entered yet is entered first
    const entered = closeEnter(s, ctx);
    if (entered.message?.error) return entered;
    return confirmClose(entered, ctx, kit);
  }
  const counted = countedOf(c);
  const difference = counted - c.expected;
  const label = t('tui.close.confirm', {
    counted: money(ctx, counted),
    expected: money(ctx, c.expected),
    difference: `${difference > 0 ? '+' : ''}${money(ctx, difference)}`,
    kind: t(`tui.close.${difference > 0 ? 'surplus' : difference < 0 ? 'shortage' : 'even'}`),
  });
  return kit.prompt(s, label, (s1, answer) => {
    if (!/^(s|si|sí|y|yes)$/i.test(answer)) return info(s1, t('tui.close.not_yet'));
    return closeNow(s1, ctx);
  });
}

function closeNow<S extends ShiftState>(s: S, ctx: ShiftContext): S {
  const c = s.close!;
  const counted = countedOf(c);
  try {
    const z = ctx.actions.closeShift(s.user!, counted, c.approver, { count: countLinesOf(c), keep: c.kept });
    void ctx.actions.print({ number: z.number });
    return info(
      { ...s, screen: 'report', close: null, entry: '', report: { title: z.number, text: z.text, top: 0, number: z.number } },
      t('tui.shift.closed', { number: z.number }),
    );
  } catch (e) {
    const err = tillError(e);
    if (!err) throw e;
    if (err.code !== 'shift.carts_pending') return problem(s, err.code, err.params);
    // a cart was opened or held while counting: back to the list, the count kept
    const carts = ctx.actions.pendingCarts().filter((x) => !c.kept.includes(x.id));
    return problem({ ...s, screen: carts.length ? 'close_carts' : 'close_count', close: { ...c, step: carts.length ? 'carts' : 'count', carts, row: 0 } }, 'tui.close.carts_new', { n: carts.length });
  }
}

/** What a key of the shift or close screen does. */
export function shiftCommand<S extends ShiftState>(s: S, command: ShiftCommand, ctx: ShiftContext, kit: ShiftKit<S>): S {
  const c = s.close;
  switch (command) {
    case 'open_shift': {
      const open = ctx.actions.shift();
      if (open) return problem(s, 'tui.shift.already_open', { shift: open.id });
      return openShiftPrompt(s, ctx, kit);
    }
    case 'cash_in':
    case 'cash_out':
      if (!ctx.actions.shift()) return problem(s, 'shift.none_open');
      return cashMovePrompt(s, ctx, kit, command === 'cash_in' ? 'in' : 'out');
    case 'x_report':
      return attempt(s, () => ({ ...s, screen: 'report', report: { title: 'X', text: ctx.actions.xReport(), top: 0, x: true } }));
    case 'no_sale':
      return noSalePrompt(s, ctx, kit);
    case 'close_shift':
      return startClose(s, ctx, kit);
    case 'void_cart':
    case 'keep_cart':
      if (c?.step !== 'carts') return problem(s, 'tui.close.no_cart');
      return resolveSelected(s, ctx, command === 'void_cart' ? 'void' : 'keep');
    case 'count_clear': {
      if (!c || c.step !== 'count') return s;
      if (c.row >= c.values.length) return { ...s, close: { ...c, other: 0 } };
      const qty = [...c.qty];
      qty[c.row] = 0;
      return { ...s, close: { ...c, qty } };
    }
    case 'close_up':
    case 'close_down': {
      if (!c) return s;
      const row = Math.max(0, Math.min(lastRow(c), c.row + (command === 'close_up' ? -1 : 1)));
      return { ...s, close: { ...c, row } };
    }
    case 'close_confirm':
      return confirmClose(s, ctx, kit);
    case 'close_cancel':
      return info({ ...s, screen: 'shift', close: null, entry: '' }, t('tui.close.cancelled'));
  }
}
