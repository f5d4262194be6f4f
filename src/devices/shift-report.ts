/** The X/Z report of a shift: its rows (the printed Z uses them too) and the screen text. */
import { formatRate } from '../core/money.js';
import type { StoreProfile } from '../core/profile.js';
import type { ShiftFigures } from '../core/shift.js';
import { formatMoney, formatNumberText } from '../i18n/format.js';
import type { MessageKey } from '../core/errors.js';
import { type Lang, t, tOr } from '../i18n/index.js';

/** A tender's name in the language ("Efectivo"); a shop's own tenders (bizum) by their name. */
export function tenderName(method: string, lang?: Lang): string {
  return tOr(`tender.${method}`, method, {}, lang);
}

/** Label and value of each figure, in the given language. */
export function figuresRows(profile: StoreProfile, f: ShiftFigures, lang?: Lang): [string, string][] {
  const $ = (n: number): string => formatMoney(n, profile.exponent, profile.currency, lang);
  const l = (key: MessageKey, params: Record<string, string | number> = {}): string => t(key, params, lang);
  const rows: [string, string][] = [
    [l('shift.receipts'), `${f.receipts.count}${f.receipts.first ? `  (${f.receipts.first} … ${f.receipts.last})` : ''}`],
    [l('shift.sales_total'), $(f.receipts.total)],
    [l('shift.discounts'), $(f.receipts.discounts)],
    [l('shift.refunds'), `${f.refunds.count}  ${$(f.refunds.total)}`],
    ...f.tenders.map((x): [string, string] => [`${l('shift.tender')} ${tenderName(x.method, lang)}`, $(x.net)]),
    ...f.taxes.map((x): [string, string] => [l('shift.tax_rate', { rate: formatNumberText(formatRate(x.rate)) }), `${l('shift.base')} ${$(x.base)}  ${l('shift.tax')} ${$(x.tax)}`]),
    [l('shift.float'), $(f.cash.float)],
    [l('shift.cash_in'), $(f.cash.in)],
    [l('shift.cash_out'), $(f.cash.out)],
    [l('shift.expected'), $(f.cash.expected)],
  ];
  if (f.cash.counted !== null) rows.push([l('shift.counted'), $(f.cash.counted)], [l('shift.difference'), $(f.cash.difference ?? 0)]);
  return rows;
}

/** The report as aligned text (the terminal screen and `tpv shift`). */
export function figuresText(profile: StoreProfile, f: ShiftFigures, title: string): string {
  const rows = figuresRows(profile, f);
  const w = Math.max(...rows.map((r) => r[0].length));
  return [title, ...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`)].join('\n');
}
