/**
 * The X/Z report of a shift: its rows (the printed Z uses them too) and the screen text. Sections:
 * who opened and closed it, the receipts, the sales (gross, refunds and net apart; gift vouchers
 * apart, as they carry no VAT, so the tax bases plus their tax add up to the net sales), what was
 * taken and given back by tender, the drawer (float, cash sales, each cash in and out, no-sales,
 * the count by note and coin, the difference with its sign and its word). Plain text only: no
 * character the printer's usual code page lacks (no "…", no dashes), so the Z prints in one page.
 */
import { formatRate } from '../core/money.js';
import type { StoreProfile } from '../core/profile.js';
import { salesSummary, type ShiftFigures } from '../core/shift.js';
import { differenceKind } from '../core/cash.js';
import { zonedParts } from '../core/time.js';
import { formatMoney, formatNumberText } from '../i18n/format.js';
import type { MessageKey } from '../core/errors.js';
import { type Lang, t, tOr } from '../i18n/index.js';

/** A tender's name in the language ("Efectivo"); a shop's own tenders (bizum) by their name. */
export function tenderName(method: string, lang?: Lang): string {
  return tOr(`tender.${method}`, method, {}, lang);
}

/** "14:05" of an instant with an offset as stored ("2026-11-21T14:05:09+01:00"). */
const hhmmOf = (iso: string): string => iso.slice(11, 16);

/** "14:05" of a UTC instant in the store's zone. */
function hhmmIn(iso: string, timeZone: string): string {
  const z = zonedParts(new Date(iso), timeZone);
  return `${String(z.hour).padStart(2, '0')}:${String(z.minute).padStart(2, '0')}`;
}

/** A signed amount: "+1,00 €" for a surplus, "-0,10 €" for a shortage, "0,00 €" when even. */
export function signedMoney(minor: number, exponent: number, currency: string, lang?: Lang): string {
  const text = formatMoney(minor, exponent, currency, lang);
  return minor > 0 ? `+${text}` : text;
}

/** The difference's row: its word in the label ("Descuadre (faltante)") and the amount with its sign. */
export function differenceRow(profile: StoreProfile, difference: number, lang?: Lang): [string, string] {
  const kind = differenceKind(difference);
  return [t(`shift.difference_${kind}`, {}, lang), signedMoney(difference, profile.exponent, profile.currency, lang)];
}

/**
 * Label and value of each figure, in the given language. A row whose value is empty is a
 * section's heading (or, both empty, a blank line); the items of a section are indented.
 */
export function figuresRows(profile: StoreProfile, f: ShiftFigures, lang?: Lang): [string, string][] {
  const $ = (n: number): string => formatMoney(n, profile.exponent, profile.currency, lang);
  const l = (key: MessageKey, params: Record<string, string | number> = {}): string => t(key, params, lang);
  const rows: [string, string][] = [];
  const who = (u: { code: string; name: string }): string => (u.name && u.name !== u.code ? `${u.name} (${u.code})` : u.code);
  if (f.opened_by) rows.push([l('shift.opened_by'), who(f.opened_by)]);
  if (f.closed_by) rows.push([l('shift.closed_by'), who(f.closed_by)]);

  rows.push([l('shift.receipts'), String(f.receipts.count)]);
  if (f.receipts.first) rows.push([`  ${l('shift.first')}`, f.receipts.first], [`  ${l('shift.last')}`, f.receipts.last ?? '']);
  rows.push([l('shift.refund_count'), String(f.refunds.count)]);

  const s = salesSummary(f);
  rows.push(['', ''], [l('shift.sales_gross'), $(s.gross)], [l('shift.refunds_amount'), $(-s.refunds)], [l('shift.sales_net'), $(s.net)]);
  if (f.receipts.discounts) rows.push([l('shift.discounts'), $(f.receipts.discounts)]);
  if (f.vouchers && f.vouchers.count > 0) rows.push([l('shift.vouchers', { n: f.vouchers.count }), $(f.vouchers.total)], [`  ${l('shift.vouchers_no_tax', { tax: profile.taxLabel })}`, '']);

  if (f.taxes.length) {
    rows.push(['', '']);
    for (const x of f.taxes) {
      const rate = `${profile.taxLabel} ${formatNumberText(formatRate(x.rate), lang ?? undefined)} %`;
      rows.push([`${rate} ${l('shift.base')}`, $(x.base)], [`${rate} ${l('shift.tax')}`, $(x.tax)]);
    }
    const base = f.taxes.reduce((a, x) => a + x.base, 0);
    const tax = f.taxes.reduce((a, x) => a + x.tax, 0);
    rows.push([l('shift.tax_total', { tax: profile.taxLabel }), $(base + tax)]);
  }

  // what came in and what went back, by tender: never one signed "net" that reads like a payment
  // cash first (it is what the drawer holds), then the rest as stored
  const tenders = [...f.tenders.filter((x) => x.method === 'cash'), ...f.tenders.filter((x) => x.method !== 'cash')];
  const taken = tenders.filter((x) => x.sales !== 0);
  const given = tenders.filter((x) => x.refunds !== 0);
  if (taken.length) rows.push(['', ''], [l('shift.taken'), ''], ...taken.map((x): [string, string] => [`  ${tenderName(x.method, lang)}`, $(x.sales)]));
  if (given.length) rows.push([l('shift.given_back'), ''], ...given.map((x): [string, string] => [`  ${tenderName(x.method, lang)}`, $(x.refunds)]));

  rows.push(['', ''], [l('shift.drawer'), ''], [`  ${l('shift.float')}`, $(f.cash.float)], [`  ${l('shift.cash_sales')}`, $(f.cash.sales)]);
  if (f.cash.refunds) rows.push([`  ${l('shift.cash_refunds')}`, $(-f.cash.refunds)]);
  const moves = f.moves ?? null;
  const cashIn = moves?.filter((m) => m.kind === 'in') ?? [];
  const cashOut = moves?.filter((m) => m.kind === 'out') ?? [];
  rows.push([`  ${moves ? l('shift.drawer_in', { n: cashIn.length }) : l('shift.cash_in')}`, $(f.cash.in)]);
  for (const m of cashIn) rows.push([`    ${hhmmOf(m.at)} ${m.reason}`, $(m.amount)]);
  rows.push([`  ${moves ? l('shift.drawer_out', { n: cashOut.length }) : l('shift.cash_out')}`, $(-f.cash.out)]);
  for (const m of cashOut) rows.push([`    ${hhmmOf(m.at)} ${m.reason}`, $(-m.amount)]);
  rows.push([l('shift.expected'), $(f.cash.expected)]);

  if (f.no_sales) {
    rows.push([l('shift.no_sales'), String(f.no_sales.length)]);
    for (const n of f.no_sales) rows.push([`  ${hhmmIn(n.at, profile.timezone)} ${n.user}: ${n.reason}`, '']);
  }

  if (f.count && f.count.length) {
    rows.push(['', ''], [l('shift.count'), '']);
    for (const c of f.count) rows.push([`  ${$(c.value)} x ${c.qty}`, $(c.value * c.qty)]);
    // what was counted as one amount besides the notes and coins
    const rest = (f.cash.counted ?? 0) - f.count.reduce((a, c) => a + c.value * c.qty, 0);
    if (rest > 0) rows.push([`  ${l('shift.count_rest')}`, $(rest)]);
  }
  if (f.cash.counted !== null) {
    rows.push([l('shift.counted'), $(f.cash.counted)], differenceRow(profile, f.cash.difference ?? 0, lang));
  }
  return rows;
}

/** The report as aligned text (the terminal screen and `tpv shift`). */
export function figuresText(profile: StoreProfile, f: ShiftFigures, title: string): string {
  const rows = figuresRows(profile, f);
  const w = Math.max(...rows.filter((r) => r[1] !== '').map((r) => r[0].length));
  return [title, ...rows.map(([k, v]) => (v === '' ? k : `${k.padEnd(w)}  ${v}`))].join('\n');
}
