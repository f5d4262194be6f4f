import { fail, ok, type Result } from './errors.js';
import { parseDecimal } from './money.js';

/**
 * A cash count by denomination: "50x2,20x3,0.50x4" (value × how many) → the total in minor units.
 * `x`, `X` or `*` separate value and count; counts are whole numbers.
 */
export function parseCount(text: string, exponent: number): Result<number> {
  let total = 0;
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return fail('cash.count_format', { part: text });
  for (const part of parts) {
    const m = /^([0-9]+(?:[.][0-9]+)?)\s*[xX*]\s*([0-9]+)$/.exec(part);
    if (!m) return fail('cash.count_format', { part });
    const value = parseDecimal(m[1]!, exponent);
    if (!value.ok) return fail('cash.count_format', { part });
    total += value.value * Number(m[2]);
    if (!Number.isSafeInteger(total)) return fail('decimal.too_large');
  }
  return ok(total);
}
