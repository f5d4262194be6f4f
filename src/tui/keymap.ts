/**
 * The one keymap of the cashier terminal: which key does what on which screen. Key handling,
 * the hint bar and the help overlay (F1) are all read from it, so they cannot disagree.
 * Every function key has a Ctrl alternative for terminals (or SSH clients) that keep F-keys.
 */
import type { MessageKey } from '../core/errors.js';
import { t } from '../i18n/index.js';

export type Screen =
  | 'login'
  | 'sale'
  | 'payment'
  | 'search'
  | 'refund'
  | 'shift'
  | 'credit'
  | 'held'
  | 'report'
  | 'quick'
  | 'customers'
  // the guided close (src/tui/shift.ts): the carts to resolve, then the count
  | 'close_carts'
  | 'close_count';

export type Command =
  | 'help'
  | 'search'
  | 'customer'
  | 'qty'
  | 'discount'
  | 'cart_discount'
  | 'price'
  | 'hold'
  | 'refund'
  | 'shift'
  | 'credit'
  | 'pay'
  | 'remove'
  | 'lock'
  | 'reprint'
  | 'quit'
  | 'back'
  | 'up'
  | 'down'
  | 'page_up'
  | 'page_down'
  | 'tender_cash'
  | 'tender_card'
  | 'tender_credit'
  | 'tender_other'
  | 'quick_exact'
  | 'quick_next'
  | 'quick_10'
  | 'quick_20'
  | 'quick_50'
  | 'undo_tender'
  | 'confirm'
  | 'restock'
  | 'cash_in'
  | 'cash_out'
  | 'x_report'
  | 'close_shift'
  | 'no_sale'
  | 'open_shift'
  | 'void_cart'
  | 'keep_cart'
  | 'count_clear'
  | 'close_up'
  | 'close_down'
  | 'close_confirm'
  | 'close_cancel'
  | 'check_balance'
  | 'sell_voucher'
  | 'void_ticket'
  | 'price_check'
  | 'quick'
  | 'ack'
  | 'new_customer';

export interface Binding {
  keys: string[];
  command: Command;
  label: MessageKey;
  /** Shown in the bottom hint bar (the rest only in the help overlay). */
  hint?: boolean;
  /** A shorter label for the hint bar (it must hold F10 at 80 columns). */
  short?: MessageKey;
}

const nav: Binding[] = [
  { keys: ['up'], command: 'up', label: 'tui.key.up' },
  { keys: ['down'], command: 'down', label: 'tui.key.down' },
  { keys: ['pageup'], command: 'page_up', label: 'tui.key.page_up' },
  { keys: ['pagedown'], command: 'page_down', label: 'tui.key.page_down' },
];
const always: Binding[] = [
  { keys: ['f1'], command: 'help', label: 'tui.key.help', hint: true },
  { keys: ['ctrl+c'], command: 'quit', label: 'tui.key.quit' },
];
const back: Binding = { keys: ['escape'], command: 'back', label: 'tui.key.back', hint: true };

export const KEYMAP: Record<Screen, Binding[]> = {
  login: [{ keys: ['ctrl+c'], command: 'quit', label: 'tui.key.quit', hint: true }],
  sale: [
    ...always,
    { keys: ['f2', 'ctrl+f'], command: 'search', label: 'tui.key.search', hint: true },
    { keys: ['f3', 'ctrl+u'], command: 'customer', label: 'tui.key.customer' },
    { keys: ['f4', 'ctrl+q'], command: 'qty', label: 'tui.key.qty', hint: true },
    { keys: ['f5', 'ctrl+d'], command: 'discount', label: 'tui.key.discount' },
    { keys: ['f6', 'ctrl+g'], command: 'cart_discount', label: 'tui.key.cart_discount' },
    { keys: ['f7', 'ctrl+o'], command: 'price', label: 'tui.key.price' },
    { keys: ['f8', 'ctrl+w'], command: 'hold', label: 'tui.key.hold', hint: true, short: 'tui.hint.hold' },
    { keys: ['f9', 'ctrl+r'], command: 'refund', label: 'tui.key.refund', hint: true },
    { keys: ['f10', 'ctrl+s'], command: 'shift', label: 'tui.key.shift', hint: true },
    { keys: ['f11', 'ctrl+v'], command: 'credit', label: 'tui.key.credit' },
    { keys: ['f12', 'ctrl+t'], command: 'pay', label: 'tui.key.pay', hint: true },
    { keys: ['delete', 'ctrl+x'], command: 'remove', label: 'tui.key.remove' },
    { keys: ['ctrl+l'], command: 'lock', label: 'tui.key.lock' },
    { keys: ['ctrl+p'], command: 'reprint', label: 'tui.key.reprint' },
    { keys: ['ctrl+k'], command: 'price_check', label: 'tui.key.price_check' },
    { keys: ['ctrl+e'], command: 'quick', label: 'tui.key.quick' },
    { keys: ['ctrl+n'], command: 'void_ticket', label: 'tui.key.void_ticket' },
    // a failed scan stays in the cart, marked, until the cashier has seen it (the view hints it first then)
    { keys: ['escape'], command: 'ack', label: 'tui.key.ack' },
    ...nav,
  ],
  payment: [
    ...always,
    { keys: ['f2', 'ctrl+e'], command: 'tender_cash', label: 'tui.key.cash', hint: true },
    { keys: ['f3', 'ctrl+k'], command: 'tender_card', label: 'tui.key.card', hint: true },
    { keys: ['f4', 'ctrl+v'], command: 'tender_credit', label: 'tui.key.store_credit', hint: true },
    { keys: ['f5', 'ctrl+o'], command: 'tender_other', label: 'tui.key.other_tender' },
    { keys: ['f6', 'ctrl+g'], command: 'quick_exact', label: 'tui.key.exact' },
    { keys: ['f7', 'ctrl+n'], command: 'quick_next', label: 'tui.key.next_note' },
    { keys: ['f8', 'ctrl+w'], command: 'quick_10', label: 'tui.key.quick_10' },
    { keys: ['f9', 'ctrl+r'], command: 'quick_20', label: 'tui.key.quick_20' },
    { keys: ['f10', 'ctrl+s'], command: 'quick_50', label: 'tui.key.quick_50' },
    { keys: ['delete', 'ctrl+x'], command: 'undo_tender', label: 'tui.key.undo_tender' },
    { keys: ['f12', 'ctrl+t'], command: 'confirm', label: 'tui.key.confirm_sale', hint: true },
    back,
  ],
  search: [...always, ...nav, back],
  refund: [
    ...always,
    { keys: ['f5', 'ctrl+d'], command: 'restock', label: 'tui.key.restock', hint: true },
    { keys: ['f2', 'ctrl+e'], command: 'tender_cash', label: 'tui.key.cash', hint: true },
    { keys: ['f3', 'ctrl+k'], command: 'tender_card', label: 'tui.key.card', hint: true },
    { keys: ['f4', 'ctrl+v'], command: 'tender_credit', label: 'tui.key.store_credit', hint: true },
    ...nav,
    back,
  ],
  // the screen lists every key with F1 (the hint bar has room for the seven keys at 80 columns)
  shift: [
    { keys: ['f1'], command: 'help', label: 'tui.key.help' },
    { keys: ['ctrl+c'], command: 'quit', label: 'tui.key.quit' },
    { keys: ['f2', 'ctrl+a'], command: 'open_shift', label: 'tui.key.open_shift', hint: true, short: 'tui.hint.open_shift' },
    { keys: ['f3', 'ctrl+e'], command: 'cash_in', label: 'tui.key.cash_in', hint: true, short: 'tui.hint.cash_in' },
    { keys: ['f4', 'ctrl+k'], command: 'cash_out', label: 'tui.key.cash_out', hint: true, short: 'tui.hint.cash_out' },
    { keys: ['f5', 'ctrl+r'], command: 'x_report', label: 'tui.key.x_report', hint: true },
    { keys: ['f6', 'ctrl+z'], command: 'close_shift', label: 'tui.key.close_shift', hint: true, short: 'tui.hint.close_shift' },
    { keys: ['f7', 'ctrl+o'], command: 'no_sale', label: 'tui.key.no_sale', hint: true, short: 'tui.hint.no_sale' },
    back,
  ],
  close_carts: [
    ...always,
    { keys: ['f2', 'ctrl+a'], command: 'void_cart', label: 'tui.key.void_cart', hint: true, short: 'tui.hint.void_cart' },
    { keys: ['f3', 'ctrl+k'], command: 'keep_cart', label: 'tui.key.keep_cart', hint: true, short: 'tui.hint.keep_cart' },
    { keys: ['up'], command: 'close_up', label: 'tui.key.up' },
    { keys: ['down'], command: 'close_down', label: 'tui.key.down' },
    { keys: ['escape'], command: 'close_cancel', label: 'tui.key.close_cancel', hint: true, short: 'tui.hint.close_cancel' },
  ],
  close_count: [
    ...always,
    { keys: ['f12', 'ctrl+t'], command: 'close_confirm', label: 'tui.key.close_confirm', hint: true, short: 'tui.hint.close_confirm' },
    { keys: ['delete', 'ctrl+x'], command: 'count_clear', label: 'tui.key.count_clear', hint: true, short: 'tui.hint.count_clear' },
    { keys: ['up'], command: 'close_up', label: 'tui.key.up' },
    { keys: ['down'], command: 'close_down', label: 'tui.key.down' },
    { keys: ['escape'], command: 'close_cancel', label: 'tui.key.close_cancel', hint: true, short: 'tui.hint.close_cancel' },
  ],
  credit: [
    ...always,
    { keys: ['f2', 'ctrl+f'], command: 'check_balance', label: 'tui.key.check_balance', hint: true },
    { keys: ['f3', 'ctrl+u'], command: 'sell_voucher', label: 'tui.key.sell_voucher', hint: true },
    back,
  ],
  held: [...always, ...nav, back],
  // the store's quick items: a digit (or the arrows and Enter) sells one
  quick: [...always, ...nav, back],
  // customers found by name: Enter sets the selected one on the sale, F2 registers a new one
  customers: [...always, { keys: ['f2', 'ctrl+f'], command: 'new_customer', label: 'tui.key.new_customer', hint: true }, ...nav, back],
  report: [...always, ...nav, { keys: ['ctrl+p'], command: 'reprint', label: 'tui.key.print' }, back],
};

/** The command a key (by its keyId) runs on a screen. */
export function commandFor(screen: Screen, key: string): Command | undefined {
  return KEYMAP[screen].find((b) => b.keys.includes(key))?.command;
}

/** How a key is written for people, as the keyboard of the screen's language says it: "F2", "Ctrl+T", "Esc", "↑", "Intro"/"Enter", "RePág"/"PgUp". */
export function keyLabel(key: string): string {
  const names: Record<string, string> = {
    escape: 'Esc',
    delete: t('tui.keyname.delete'),
    up: '↑',
    down: '↓',
    pageup: t('tui.keyname.pageup'),
    pagedown: t('tui.keyname.pagedown'),
    enter: t('tui.keyname.enter'),
  };
  if (names[key]) return names[key];
  return key
    .split('+')
    .map((p) => (/^f\d+$/.test(p) ? p.toUpperCase() : p.length === 1 ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1)))
    .join('+');
}
