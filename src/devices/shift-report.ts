/** The X/Z report of a shift as text (the terminal screen, `tpv shift`, and the printed Z). */
import { type App, storeMoney } from '../app/context.js';
import type { ShiftFigures } from '../app/shifts.js';
import { formatRate } from '../core/money.js';
import { formatMoney, formatNumberText } from '../i18n/format.js';
import { t } from '../i18n/index.js';

export function figuresText(app: App, f: ShiftFigures, title: string): string {
  const { exponent, currency } = storeMoney(app);
  const $ = (n: number): string => formatMoney(n, exponent, currency);
  const rows: string[][] = [
    [t('shift.receipts'), `${f.receipts.count}${f.receipts.first ? `  (${f.receipts.first} … ${f.receipts.last})` : ''}`],
    [t('shift.sales_total'), $(f.receipts.total)],
    [t('shift.discounts'), $(f.receipts.discounts)],
    [t('shift.refunds'), `${f.refunds.count}  ${$(f.refunds.total)}`],
    ...f.tenders.map((x) => [`${t('shift.tender')} ${x.method}`, $(x.net)]),
    ...f.taxes.map((x) => [`${t('shift.tax_rate', { rate: formatNumberText(formatRate(x.rate)) })}`, `${t('shift.base')} ${$(x.base)}  ${t('shift.tax')} ${$(x.tax)}`]),
    [t('shift.float'), $(f.cash.float)],
    [t('shift.cash_in'), $(f.cash.in)],
    [t('shift.cash_out'), $(f.cash.out)],
    [t('shift.expected'), $(f.cash.expected)],
  ];
  if (f.cash.counted !== null) {
    rows.push([t('shift.counted'), $(f.cash.counted)], [t('shift.difference'), $(f.cash.difference ?? 0)]);
  }
  const w = Math.max(...rows.map((r) => r[0]!.length));
  return [title, ...rows.map(([k, v]) => `${k!.padEnd(w)}  ${v}`)].join('\n');
}
