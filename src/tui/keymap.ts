/**
 * The one keymap of the cashier terminal: which key does what on which screen. Key handling,
 * the hint bar and the help overlay (F1) are all read from it, so they cannot disagree.
 * Every function key has a Ctrl alternative for terminals (or SSH clients) that keep F-keys.
 */
import type { MessageKey } from '../core/errors.js';

export type Screen = 'login' | 'sale' | 'payment' | 'search' | 'refund' | 'shift' | 'credit' | 'held' | 'report';

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
  | 'check_balance'
  | 'sell_voucher';

export interface Binding {
  keys: string[];
  command: Command;
  label: MessageKey;
  /** Shown in the bottom hint bar (the rest only in the help overlay). */
  hint?: boolean;
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
    { keys: ['f5', 'ctrl+d'], command: 'discount', label: 'tui.key.discount', hint: true },
    { keys: ['f6', 'ctrl+g'], command: 'cart_discount', label: 'tui.key.cart_discount' },
    { keys: ['f7', 'ctrl+o'], command: 'price', label: 'tui.key.price' },
    { keys: ['f8', 'ctrl+w'], command: 'hold', label: 'tui.key.hold', hint: true },
    { keys: ['f9', 'ctrl+r'], command: 'refund', label: 'tui.key.refund', hint: true },
    { keys: ['f10', 'ctrl+s'], command: 'shift', label: 'tui.key.shift', hint: true },
    { keys: ['f11', 'ctrl+v'], command: 'credit', label: 'tui.key.credit' },
    { keys: ['f12', 'ctrl+t'], command: 'pay', label: 'tui.key.pay', hint: true },
    { keys: ['delete', 'ctrl+x'], command: 'remove', label: 'tui.key.remove' },
    { keys: ['ctrl+l'], command: 'lock', label: 'tui.key.lock' },
    { keys: ['ctrl+p'], command: 'reprint', label: 'tui.key.reprint' },
    ...nav,
  ],
  payment: [
    ...always,
    { keys: ['f2', 'ctrl+e'], command: 'tender_cash', label: 'tui.key.cash', hint: true },
    { keys: ['f3', 'ctrl+k'], command: 'tender_card', label: 'tui.key.card', hint: true },
    { keys: ['f4', 'ctrl+v'], command: 'tender_credit', label: 'tui.key.store_credit', hint: true },
    { keys: ['f5', 'ctrl+o'], command: 'tender_other', label: 'tui.key.other_tender' },
    { keys: ['f6'], command: 'quick_exact', label: 'tui.key.exact' },
    { keys: ['f7'], command: 'quick_next', label: 'tui.key.next_note' },
    { keys: ['f8'], command: 'quick_10', label: 'tui.key.quick_10' },
    { keys: ['f9'], command: 'quick_20', label: 'tui.key.quick_20' },
    { keys: ['f10'], command: 'quick_50', label: 'tui.key.quick_50' },
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
  shift: [
    ...always,
    { keys: ['f2'], command: 'open_shift', label: 'tui.key.open_shift', hint: true },
    { keys: ['f3'], command: 'cash_in', label: 'tui.key.cash_in', hint: true },
    { keys: ['f4'], command: 'cash_out', label: 'tui.key.cash_out', hint: true },
    { keys: ['f5'], command: 'x_report', label: 'tui.key.x_report', hint: true },
    { keys: ['f6'], command: 'close_shift', label: 'tui.key.close_shift', hint: true },
    { keys: ['f7'], command: 'no_sale', label: 'tui.key.no_sale', hint: true },
    back,
  ],
  credit: [
    ...always,
    { keys: ['f2'], command: 'check_balance', label: 'tui.key.check_balance', hint: true },
    { keys: ['f3'], command: 'sell_voucher', label: 'tui.key.sell_voucher', hint: true },
    back,
  ],
  held: [...always, ...nav, back],
  report: [...always, ...nav, { keys: ['ctrl+p'], command: 'reprint', label: 'tui.key.print' }, back],
};

/** The command a key (by its keyId) runs on a screen. */
export function commandFor(screen: Screen, key: string): Command | undefined {
  return KEYMAP[screen].find((b) => b.keys.includes(key))?.command;
}

/** How a key is written for people: "F2", "Ctrl+T", "Esc", "↑". */
export function keyLabel(key: string): string {
  const names: Record<string, string> = { escape: 'Esc', delete: 'Supr/Del', up: '↑', down: '↓', pageup: 'PgUp', pagedown: 'PgDn', enter: 'Enter' };
  if (names[key]) return names[key];
  return key
    .split('+')
    .map((p) => (/^f\d+$/.test(p) ? p.toUpperCase() : p.length === 1 ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1)))
    .join('+');
}
