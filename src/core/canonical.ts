/**
 * Canonical JSON for hashing: object keys sorted, no white space, only JSON values (integers for
 * amounts). The same document always gives the same text, whatever order it was built in.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('not a JSON number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]!);
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const k of sortedKeys(value)) {
    const v = value[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
    first = false;
  }
  return out + '}';
}

/** Objects of one shape (the lines of a document) share their sorted key list. */
const keyOrders = new Map<string, string[]>();
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  const shape = keys.join('\u0000');
  let sorted = keyOrders.get(shape);
  if (!sorted) {
    sorted = [...keys].sort();
    if (keyOrders.size < 1000) keyOrders.set(shape, sorted);
  }
  return sorted;
}
