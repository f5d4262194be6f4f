/**
 * The shift screen and the guided close, drawn as fixed-width rows (src/tui/view.tsx puts them in
 * its frame): the shift's keys with their Ctrl alternatives; the carts to resolve; the count
 * table with what the drawer should hold, what was counted and the signed difference always in
 * view (the table scrolls around the selected row when the terminal is short). Selected rows are
 * marked with ">" as well as shown inverse (NO_COLOR and plain consoles read the same).
 */
import { formatMoney } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { terminalText } from '../core/text.js';
import type { MessageKey } from '../core/errors.js';
import type { TillInfo } from './actions.js';
import { KEYMAP, keyLabel } from './keymap.js';
import { type CloseState, countedOf, type ShiftState } from './shift.js';

export interface ShiftRow {
  text: string;
  inverse?: boolean;
  bold?: boolean;
  dim?: boolean;
}

/** Control characters escaped, cut to width (an ellipsis marks the cut). */
const fit = (raw: string, width: number): string => {
  const text = terminalText(raw);
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text.padEnd(width);
};
const right = (text: string, width: number): string => (text.length >= width ? text.slice(0, width) : text.padStart(width));

/** The slice of `items` around `selected` that fits `height`. */
function around<T>(items: T[], selected: number, height: number): { items: T[]; offset: number } {
  if (items.length <= height) return { items, offset: 0 };
  const offset = Math.max(0, Math.min(items.length - height, selected - Math.floor(height / 2)));
  return { items: items.slice(offset, offset + height), offset };
}

const pad = (rows: ShiftRow[], height: number): ShiftRow[] => {
  while (rows.length < height) rows.push({ text: '' });
  return rows.slice(0, height);
};

/** What each key of the shift screen does, in full (the hint bar has the short names). */
const DOES: Partial<Record<string, MessageKey>> = {
  help: 'tui.shift.do.help',
  open_shift: 'tui.shift.do.open_shift',
  cash_in: 'tui.shift.do.cash_in',
  cash_out: 'tui.shift.do.cash_out',
  x_report: 'tui.shift.do.x_report',
  close_shift: 'tui.shift.do.close_shift',
  no_sale: 'tui.shift.do.no_sale',
  back: 'tui.shift.do.back',
};

/** The shift screen: each key (its F-key and its Ctrl alternative) and what it does. */
export function shiftRows(height: number): ShiftRow[] {
  const out: ShiftRow[] = [{ text: t('tui.shift_title'), bold: true }, { text: '' }];
  for (const b of KEYMAP.shift) {
    const does = DOES[b.command];
    if (!does) continue;
    const [main, alt] = b.keys;
    out.push({ text: `  ${(keyLabel(main!) ?? '').padEnd(5)} ${(alt ? keyLabel(alt) : '').padEnd(7)} ${t(does)}` });
  }
  return pad(out, height);
}

const money = (info: TillInfo, n: number): string => formatMoney(n, info.exponent, info.currency);

/** The close's first step: every cart still open or held, whoever's, to void or keep. */
export function closeCartsRows(s: ShiftState, info: TillInfo, columns: number, height: number): ShiftRow[] {
  const c = s.close;
  if (!c) return pad([], height);
  const w = columns;
  const labelW = Math.max(6, w - 2 - 9 - 10 - 18 - 7 - 13);
  const line = (id: string, status: string, user: string, label: string, lines: string, total: string): string =>
    `${right(id, 8)} ${fit(status, 9)} ${fit(user, 17)} ${fit(label, labelW)} ${right(lines, 6)} ${right(total, 12)}`;
  const out: ShiftRow[] = [
    { text: t('tui.close.carts_title', { n: c.carts.length }), bold: true },
    { text: `  ${line(t('tui.close.col.cart'), t('tui.close.col.status'), t('tui.close.col.user'), t('tui.close.col.label'), t('tui.close.col.lines'), t('tui.close.col.total'))}`, dim: true },
  ];
  const body = height - 4;
  const win = around(c.carts, c.row, body);
  win.items.forEach((x, i) => {
    const sel = win.offset + i === c.row;
    const who = x.userName && x.userName !== x.user ? `${x.user} (${x.userName})` : x.user;
    out.push({ text: `${sel ? '>' : ' '} ${line(`#${x.id}`, t(`tui.close.status.${x.status}`), who, x.label ?? '', String(x.lines), money(info, x.total))}`, inverse: sel });
  });
  while (out.length < height - 1) out.push({ text: '' });
  out.push({ text: t('tui.close.kept_summary', { kept: c.kept.length, voided: c.voided }), dim: true });
  return pad(out, height);
}

/** Expected, counted and the difference with its word: the line that follows every key of the count. */
export function countSummary(c: CloseState, info: TillInfo): string {
  const counted = countedOf(c);
  const diff = counted - c.expected;
  const kind = diff > 0 ? 'surplus' : diff < 0 ? 'shortage' : 'even';
  const signed = `${diff > 0 ? '+' : ''}${money(info, diff)}`;
  return `${t('tui.close.expected')} ${money(info, c.expected)}   ${t('tui.close.counted')} ${money(info, counted)}   ${t(`tui.close.difference_${kind}`)} ${signed}`;
}

/** The close's count: one row per note and coin of the store's currency, and one for cash without a breakdown. */
export function closeCountRows(s: ShiftState, info: TillInfo, columns: number, height: number): ShiftRow[] {
  const c = s.close;
  if (!c) return pad([], height);
  const w = columns;
  const row = (piece: string, qty: string, amount: string): string => `${fit(piece, 24)} ${right(qty, 10)} ${right(amount, 16)}`;
  const resolved = c.kept.length || c.voided ? t('tui.close.kept_summary', { kept: c.kept.length, voided: c.voided }) : '';
  const out: ShiftRow[] = [
    { text: `${fit(t('tui.close.count_title'), Math.max(0, w - resolved.length - 1))} ${resolved}`, bold: true },
    { text: fit(countSummary(c, info), w - 1), bold: true },
    { text: `  ${row(t('tui.close.col.piece'), t('tui.close.col.qty'), t('tui.close.col.amount'))}`, dim: true },
  ];
  const rows = [
    ...c.values.map((v, i) => row(right(money(info, v), 14), String(c.qty[i] ?? 0), money(info, v * (c.qty[i] ?? 0)))),
    row(t('tui.close.other'), '', money(info, c.other)),
  ];
  const win = around(rows, c.row, height - out.length);
  win.items.forEach((text, i) => {
    const sel = win.offset + i === c.row;
    out.push({ text: `${sel ? '>' : ' '} ${text}`, inverse: sel });
  });
  return pad(out, height);
}

/** The entry line's label on the close screens: the row the typed count goes to. */
export function closeEntryLabel(s: ShiftState, info: TillInfo): string {
  const c = s.close;
  if (!c || s.screen !== 'close_count') return '> ';
  const value = c.values[c.row];
  return `${t('tui.close.entry')} ${value === undefined ? t('tui.close.other') : money(info, value)} > `;
}
