/** Locale formatting for screens and receipts (JSON and CSV stay locale-free). */
import { formatDecimal, formatQuantity } from '../core/money.js';
import { isoWithOffset } from '../core/time.js';
import { language, type Lang } from './index.js';

const SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', MXN: '$', GBP: '£', CLP: '$', COP: '$', ARS: '$' };

function group(int: string, sep: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** 123456 (EUR, 2) → "1.234,56 €" in es, "€1,234.56" in en. */
export function formatMoney(minor: number, exponent: number, currency: string, lang: Lang = language()): string {
  const text = formatDecimal(minor, exponent);
  const neg = text.startsWith('-');
  const [int = '0', frac] = (neg ? text.slice(1) : text).split('.');
  const symbol = SYMBOLS[currency] ?? currency;
  if (lang === 'es') {
    return `${neg ? '-' : ''}${group(int, '.')}${frac ? ',' + frac : ''} ${symbol}`;
  }
  return `${neg ? '-' : ''}${symbol}${group(int, ',')}${frac ? '.' + frac : ''}`;
}

/** A decimal string from JSON-shaped views ("1234.56") in the locale: "1.234,56". */
export function formatNumberText(text: string, lang: Lang = language()): string {
  if (lang !== 'es') return text;
  const neg = text.startsWith('-');
  const [int = '0', frac] = (neg ? text.slice(1) : text).split('.');
  return `${neg ? '-' : ''}${group(int, '.')}${frac ? ',' + frac : ''}`;
}

export function formatQty(milli: number, lang: Lang = language()): string {
  return formatNumberText(formatQuantity(milli), lang);
}

/** "2026-11-21T14:05:09+01:00" as the shop reads it: "21/11/2026 14:05" (the time as stored, in the store's zone). */
export function formatDateTimeText(iso: string, _lang: Lang = language()): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}:${m[5]}` : iso;
}

/** A stored instant (UTC, "2026-11-21T13:05:09.123Z") as the shop reads it in its zone: "21/11/2026 14:05". */
export function formatInstant(iso: string, timeZone: string, lang: Lang = language()): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : formatDateTimeText(isoWithOffset(at, timeZone), lang);
}
