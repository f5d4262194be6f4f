/**
 * The cashier terminal's screens: pure rendering of the state, one fixed-width row per line so
 * the layout holds in 80×24 and follows a resize. The selected row is marked with ">" as well as
 * shown inverse, so it reads the same with NO_COLOR or on a plain console.
 */
import { Box, Text } from 'ink';
import { formatMoney, formatQty } from '../i18n/format.js';
import { t, tOr } from '../i18n/index.js';
import type { LoopState } from '../app/sync.js';
import type { TillInfo } from './actions.js';
import { bigText } from './big.js';
import type { EinvoiceCounts } from './einvoice.js';
import { KEYMAP, keyLabel } from './keymap.js';
import { closeCartsRows, closeCountRows, closeEntryLabel, shiftRows } from './shift-view.js';
import { due, paidSoFar, type PosState, priced, saleTotal, settled } from './state.js';
import { terminalText } from '../core/text.js';

export interface ViewProps {
  state: PosState;
  info: TillInfo;
  columns: number;
  rows: number;
  /** "HH:MM" for the status bar. */
  clock: string;
  shift: string;
  printer: string;
  /** The background sync loop's state; absent when the till is not registered with a store server. */
  sync?: LoopState | null;
  /** The VERI*FACTU queue; absent or null when the store's scheme is off. */
  einvoice?: EinvoiceCounts | null;
}

interface Row {
  text: string;
  inverse?: boolean;
  bold?: boolean;
  dim?: boolean;
  /** A problem the cashier must see (red, bold; marked with ✗ in the text for NO_COLOR). */
  error?: boolean;
}

/** A tender's name on screen: cash, card, store credit translated; the store's own as configured. */
export const tenderLabel = (method: string): string => tOr(`tui.tender.${method}`, method);

/** A cell of the screen: control characters shown escaped (a name stored with ESC never reaches the terminal), cut to width. */
const fit = (raw: string, width: number): string => {
  const text = terminalText(raw);
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text.padEnd(width);
};
const right = (text: string, width: number): string => (text.length >= width ? text.slice(0, width) : text.padStart(width));

/** A row with text on the left and on the right, filling `width`. */
const spread = (left: string, r: string, width: number): string => fit(left, Math.max(0, width - r.length - 1)) + ' ' + r;

function window<T>(items: T[], selected: number, height: number): { items: T[]; offset: number } {
  if (items.length <= height) return { items, offset: 0 };
  const offset = Math.max(0, Math.min(items.length - height, selected - Math.floor(height / 2)));
  return { items: items.slice(offset, offset + height), offset };
}

/** The large TOTAL under the cart needs this many rows of the body (and leaves the cart the rest). */
const BIG_TOTAL_ROWS = 5;

function saleRows(p: ViewProps, height: number): Row[] {
  const { state: s, info, columns: w } = p;
  const $ = (n: number): string => formatMoney(n, info.exponent, info.currency);
  const cart = priced(s, { info });
  const count = cart.lines.length + s.extra.vouchers.length;
  // only the rows on screen are formatted: a keystroke on a long cart costs what 20 lines cost
  const row = (i: number) => {
    const l = cart.lines[i];
    if (!l) {
      const v = s.extra.vouchers[i - cart.lines.length]!;
      return { qty: '1', name: t('voucher.line'), price: $(v), amount: $(v) };
    }
    return {
      qty: formatQty(l.qty),
      name: l.name + (l.lineDiscount || l.cartDiscount ? `  -${$(l.lineDiscount + l.cartDiscount)}` : '') + (l.originalPrice !== null ? ' *' : ''),
      price: $(l.unitPrice),
      amount: $(l.amount),
    };
  };
  const nameW = Math.max(10, w - 8 - 12 - 12 - 2);
  const header: Row = { text: `  ${right(t('tui.col.qty'), 6)} ${fit(t('tui.col.name'), nameW)}${right(t('tui.col.price'), 11)} ${right(t('tui.col.amount'), 11)}`, dim: true };
  // the large TOTAL when the terminal has room for it and 10 cart rows (80×24 has)
  const big = height >= 10 + BIG_TOTAL_ROWS + 2 + 1 && w >= 60;
  const footer = big ? BIG_TOTAL_ROWS : 2;
  const list = height - 1 - 1 - footer;
  // scans that sold nothing stay at the foot of the list, marked, until seen (Esc): never scrolled away
  const failed = s.failed.slice(-Math.max(1, list - 4));
  const more = s.failed.length - failed.length;
  const lines = Math.max(1, list - failed.length - (more ? 1 : 0));
  const offset = count <= lines ? 0 : Math.max(0, Math.min(count - lines, s.selected - Math.floor(lines / 2)));
  const out: Row[] = [header];
  for (let i = offset; i < Math.min(count, offset + lines); i++) {
    const l = row(i);
    const sel = i === s.selected;
    out.push({ text: `${sel ? '>' : ' '} ${right(l.qty, 6)} ${fit(l.name, nameW)}${right(l.price, 11)} ${right(l.amount, 11)}`, inverse: sel });
  }
  if (count === 0) out.push({ text: `  ${t('tui.cart_empty_hint')}`, dim: true });
  while (out.length < 1 + lines) out.push({ text: '' });
  if (more) out.push({ text: `  … ${t('tui.failed.more', { n: more })}`, error: true });
  for (const f of failed) out.push({ text: `  ✗ ${f.code}  ${f.reason}`, error: true });
  while (out.length < 1 + list) out.push({ text: '' });
  const total = saleTotal(s, { info });
  const items = cart.itemCount + s.extra.vouchers.length;
  const discounts = cart.lineDiscounts + cart.cartDiscount;
  out.push({ text: '─'.repeat(w), dim: true });
  const summary = `${items === 1 ? t('tui.items_one') : t('tui.items', { n: items })}   ${discounts ? `${t('tui.discounts')} -${$(discounts)}   ` : ''}${t('tui.tax')} ${$(cart.taxTotal)}`;
  const customer = s.customerName || s.extra.customerId ? `${t('tui.customer')}: ${s.customerName ?? `#${s.extra.customerId}`}` : '';
  const last = s.last ? `${t('tui.last', { number: s.last.number })} ${t('tui.change')} ${$(s.last.change)}` : '';
  const totalText = `${t('tui.total')}  ${$(total)}`;
  if (!big) {
    out.push({ text: spread(`${summary}${customer ? `   ${customer}` : ''}`, '', w) });
    out.push({ text: spread(last, totalText, w), bold: true });
    return out;
  }
  // the TOTAL in large digits on the right (what the customer and the cashier read first), the rest on the left
  const digits = bigText($(total).replace(/[^0-9.,-]/g, ''));
  const bigW = Math.max(...digits.map((r) => r.length));
  const left = [summary, customer, last, '', totalText];
  left.forEach((text, i) => out.push({ text: spread(text, digits[i]!.padEnd(bigW), w), bold: i === BIG_TOTAL_ROWS - 1 }));
  return out;
}

function paymentRows(p: ViewProps, height: number): Row[] {
  const { state: s, info, columns: w } = p;
  const ctx = { info };
  const $ = (n: number): string => formatMoney(n, info.exponent, info.currency);
  const total = saleTotal(s, ctx);
  const left = due(s, ctx);
  const out: Row[] = [
    { text: spread(t('tui.total'), $(total), w), bold: true },
    ...s.tenders.map((x) => ({ text: spread(`  ${tenderLabel(x.method)}${x.reference ? ` ${x.reference}` : ''}`, $(x.amount), w) })),
    { text: spread(t('tui.paid'), $(paidSoFar(s)), w) },
    { text: '' },
  ];
  if (!settled(s, ctx)) out.push({ text: spread(t('tui.due'), $(left), w), bold: true });
  else {
    out.push({ text: t('tui.change').toUpperCase(), bold: true });
    for (const r of bigText(formatMoney(Math.max(0, -left), info.exponent, info.currency).replace(/[^0-9.,-]/g, ''))) out.push({ text: '  ' + r, bold: true });
    out.push({ text: t('tui.confirm_hint'), dim: true });
  }
  out.push({ text: '' }, { text: t('tui.payment.method', { method: tenderLabel(s.method) }), dim: true });
  while (out.length < height) out.push({ text: '' });
  return out.slice(0, height);
}

function listRows(p: ViewProps, height: number, title: string, items: string[]): Row[] {
  const { state: s, columns: w } = p;
  const out: Row[] = [{ text: fit(title, w), bold: true }];
  const win = window(items, s.selected, height - 1);
  win.items.forEach((text, i) => {
    const sel = win.offset + i === s.selected;
    out.push({ text: `${sel ? '>' : ' '} ${fit(text, w - 2)}`, inverse: sel });
  });
  while (out.length < height) out.push({ text: '' });
  return out;
}

function bodyRows(p: ViewProps, height: number): Row[] {
  const { state: s, info, columns: w } = p;
  const $ = (n: number): string => formatMoney(n, info.exponent, info.currency);
  if (s.help) {
    // every binding, in two columns when one does not fit
    const items = KEYMAP[s.screen].map((b) => `${b.keys.map(keyLabel).join('/')} ${t(b.label)}`);
    const perColumn = height - 1;
    const col = Math.floor(w / 2);
    const lines = items.length <= perColumn ? items : items.slice(0, Math.ceil(items.length / 2)).map((a, i) => fit(a, col) + (items[i + Math.ceil(items.length / 2)] ?? ''));
    return listRows({ ...p, state: { ...s, selected: -1 } }, height, t('tui.help_title'), lines);
  }
  switch (s.screen) {
    case 'sale':
      return saleRows(p, height);
    case 'payment':
      return paymentRows(p, height);
    case 'search':
      return listRows(
        p,
        height,
        `${t('tui.search')}: ${s.entry}`,
        s.results.map((r) =>
          spread(`${r.sku}  ${r.name}`, `${r.stock !== undefined ? `${t('tui.stock', { qty: formatQty(r.stock) })}  ` : ''}${right(`${$(r.unitPrice)}${r.unit === 'kg' ? '/kg' : ''}`, 12)}`, w - 2),
        ),
      );
    case 'quick': {
      // 1–9 and 0 pick the first ten (as typed on the keypad); the rest with the arrows and Enter
      const title = `${t('tui.quick_title')}${s.quick.qty ? ` · ${t('tui.quick_qty', { qty: s.quick.qty })}` : ''}`;
      return listRows(
        p,
        height,
        title,
        s.quick.items.map((q, i) => {
          const n = i < 9 ? String(i + 1) : i === 9 ? '0' : ' ';
          if (!q.item) return `${n}  ✗ ${q.sku}  ${t('tui.failed.not_found')}`;
          return spread(`${n}  ${q.item.name}`, `${$(q.item.unitPrice)}${q.item.unit === 'kg' ? '/kg' : ''}`, w - 2);
        }),
      );
    }
    case 'customers':
      return listRows(
        p,
        height,
        t('tui.customers_title', { query: s.customers.query }),
        s.customers.found.map((c) => spread(`#${c.id}  ${c.name}`, c.taxId ?? '', w - 2)),
      );
    case 'refund': {
      const r = s.refund!;
      return listRows(
        p,
        height,
        t('tui.refund.title', { number: r.receipt.number, total: $(r.receipt.total) }),
        r.receipt.lines.map((l) =>
          spread(
            `${l.line}. ${l.name}`,
            `${formatQty(l.qty)} / ${t('tui.refund.left')} ${formatQty(l.remaining)}  → ${formatQty(r.qty[l.line] ?? 0)}${r.keep[l.line] ? ` ${t('tui.refund.no_restock')}` : ''}`,
            w - 2,
          ),
        ),
      );
    }
    case 'held':
      return listRows(p, height, t('tui.held_title'), s.held.map((h) => spread(`#${h.id} ${h.label ?? ''} (${h.user})`, `${h.lines}  ${$(h.total)}`, w - 2)));
    case 'report': {
      const lines = (s.report?.text ?? '').split('\n');
      const top = Math.min(s.report?.top ?? 0, Math.max(0, lines.length - height));
      const out = lines.slice(top, top + height).map((text) => ({ text: fit(text, w) }));
      while (out.length < height) out.push({ text: '' });
      return out;
    }
    case 'shift':
      return shiftRows(height);
    case 'close_carts':
      return closeCartsRows(s, info, w, height);
    case 'close_count':
      return closeCountRows(s, info, w, height);
    case 'credit':
    case 'login': {
      const title = s.screen === 'credit' ? t('tui.credit_title') : t('tui.login_title', { store: info.store });
      const items = s.screen === 'login' ? [] : KEYMAP[s.screen].filter((b) => b.hint && b.command !== 'help' && b.command !== 'back').map((b) => `${fit(keyLabel(b.keys[0]!), 6)} ${t(b.label)}`);
      const out: Row[] = [{ text: title, bold: true }, { text: '' }, ...items.map((text) => ({ text: `  ${text}` }))];
      while (out.length < height) out.push({ text: '' });
      return out;
    }
  }
}

/** The bottom hint bar: the screen's bindings marked as hints, as many as fit. */
function hints(p: ViewProps): string {
  const s = p.state;
  if (s.confirm) return t('tui.confirm.keys');
  // the key that finishes the screen's job first (Pay, Confirm), help last
  const rank = (c: string): number => (c === 'pay' || c === 'confirm' ? 0 : c === 'help' ? 1 : 2);
  const parts = KEYMAP[s.prompt ? 'login' : s.screen]
    .filter((b) => b.hint)
    .sort((a, b) => rank(a.command) - rank(b.command))
    .map((b) => `${keyLabel(b.keys[0]!)} ${t(b.short ?? b.label)}`);
  if (s.prompt) parts.unshift(`${keyLabel('enter')} ${t('tui.key.ok')}`, `Esc ${t('tui.key.back')}`);
  // scans that sold nothing: the key that clears them comes first
  else if (s.screen === 'sale' && s.failed.length) parts.unshift(`Esc ${t('tui.hint.ack')}`);
  let out = '';
  for (const part of parts) {
    if ((out + '  ' + part).length > p.columns) break;
    out = out ? `${out}  ${part}` : part;
  }
  return out;
}

/** The sync loop on the status bar: `online · 0 pending`, `offline · 37 pending`, `revoked · 37 pending`. */
export function syncLabel(sync: LoopState): string {
  // a refusal that stopped the loop by its short name (`sync.revoked` → revoked), else "sync stopped"
  const state = sync.error ? tOr(`tui.sync.${sync.error.replace(/^sync\./, '')}`, t('tui.sync.stopped')) : t(sync.online ? 'tui.sync.online' : 'tui.sync.offline');
  return `${state} · ${sync.pending === 1 ? t('tui.sync.pending_one') : t('tui.sync.pending', { n: sync.pending })}`;
}

/**
 * The VERI*FACTU queue on the status bar: `VF 3 pending`, `VF 3 pending · 1 rejected`,
 * `VF 1 rejected` (pending shown when nothing is rejected, so `VF 0 pending` says all is sent);
 * `short` abbreviated (`VF 3 pend. · 1 rej.`). `rejected` is that part alone, for its error style.
 */
export function einvoiceLabel(c: EinvoiceCounts, short = false): { text: string; rejected: string | null } {
  const rejected = c.rejected > 0 ? t(short ? 'tui.einvoice.rejected_short' : 'tui.einvoice.rejected', { n: c.rejected }) : null;
  const pending = c.pending > 0 || !rejected ? t(short ? 'tui.einvoice.pending_short' : 'tui.einvoice.pending', { n: c.pending }) : null;
  // "VF": VERI*FACTU's short name, the same in every language
  return { text: `VF ${[pending, rejected].filter(Boolean).join(' · ')}`, rejected };
}

/**
 * The status bar: store · register · user · shift · printer · sync · VERI*FACTU, and the clock on
 * the right. When it would not fit, parts are dropped in this order: store, shift, register, then
 * the VERI*FACTU part is abbreviated, then user, printer (the sync state, the VERI*FACTU queue and
 * the clock stay; what still does not fit is cut). `mark`: the text to show in the error style
 * (rejected records: a technician must act).
 */
function statusBar(p: ViewProps): { text: string; mark: string | null } {
  const { info, state: s, columns: w } = p;
  const parts: [drop: number, text: string][] = [
    [1, info.store],
    [3, info.register],
    [4, s.user?.name ?? '—'],
    [2, p.shift],
    [5, p.printer],
  ];
  if (p.sync) parts.push([6, syncLabel(p.sync)]);
  let vf = p.einvoice ? einvoiceLabel(p.einvoice) : null;
  if (vf) parts.push([7, vf.text]);
  const clock = `${p.clock} `;
  const line = (): string => ` ${parts.map(([, text]) => terminalText(text)).join(' · ')}`;
  for (const drop of [1, 2, 3, 'short', 4, 5] as const) {
    if (line().length + clock.length + 1 <= w) break;
    if (drop === 'short') {
      if (!p.einvoice) continue;
      vf = einvoiceLabel(p.einvoice, true);
      parts[parts.length - 1] = [7, vf.text];
      continue;
    }
    const i = parts.findIndex(([d]) => d === drop);
    if (i >= 0) parts.splice(i, 1);
  }
  return { text: spread(line(), clock, w), mark: vf?.rejected ?? null };
}

/** The status bar, inverse; the rejected count (if any, and not cut off) in the error style, out of the inverse. */
function StatusLine({ p }: { p: ViewProps }) {
  const w = p.columns;
  const bar = statusBar(p);
  const text = fit(bar.text, w);
  // the last occurrence: the VERI*FACTU part comes after every name on the bar (only the clock follows)
  const at = bar.mark ? text.lastIndexOf(bar.mark) : -1;
  if (at < 0) return <Text inverse>{text}</Text>;
  return (
    <Text>
      <Text inverse>{text.slice(0, at)}</Text>
      <Text color="red" bold>
        {bar.mark}
      </Text>
      <Text inverse>{text.slice(at + bar.mark!.length)}</Text>
    </Text>
  );
}

export function PosView(p: ViewProps) {
  const { state: s, columns: w } = p;
  const height = Math.max(8, p.rows - 1);
  const entryLabel = s.prompt ? `${s.prompt.label}: ` : s.screen === 'close_count' ? closeEntryLabel(s, p.info) : s.screen === 'payment' ? `${t('tui.amount')} > ` : s.screen === 'refund' ? `${t('tui.col.qty')} > ` : s.screen === 'search' ? `${t('tui.search')} > ` : '> ';
  const entryValue = s.prompt ? (s.prompt.secret ? '*'.repeat(s.prompt.value.length) : s.prompt.value) : s.entry;
  const asking = s.quitAsked || s.confirm !== null;
  const message = s.quitAsked ? t('tui.quit_ask') : s.confirm ? s.confirm.text : (s.message?.text ?? '');
  // a long message takes up to three rows from the body: it is read whole, never cut at the edge
  const said = wrap(message, w, 3);
  const body = bodyRows(p, height - 3 - said.length);
  const error = !asking && (s.message?.error ?? false);
  return (
    <Box flexDirection="column" width={w} height={height}>
      <StatusLine p={p} />
      {body.map((r, i) => (
        <Text key={i} inverse={r.inverse ?? false} bold={(r.bold ?? false) || (r.error ?? false)} dimColor={r.dim ?? false} color={r.error ? 'red' : undefined}>
          {fit(r.text, w)}
        </Text>
      ))}
      <Text bold>{fit(`${entryLabel}${entryValue}█`, w)}</Text>
      {said.map((line, i) => (
        <Text key={`m${i}`} color={error ? 'red' : undefined} bold={error || asking}>
          {fit(line, w)}
        </Text>
      ))}
      <Text inverse>{fit(hints(p), w)}</Text>
    </Box>
  );
}

/** `text` in rows of `width`, broken between words, at most `max` rows (the last cut with … only if even that is not enough). */
export function wrap(text: string, width: number, max: number): string[] {
  const clean = terminalText(text);
  if (clean.length <= width) return [clean];
  const rows: string[] = [];
  let rest = clean;
  while (rest.length > width && rows.length < max - 1) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > width / 3 ? cut : width;
    rows.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  rows.push(rest);
  return rows;
}
