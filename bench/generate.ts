/** Deterministic generated catalogs for the benchmarks (no randomness from the machine). */
import { createWriteStream } from 'node:fs';
import { gs1CheckDigit } from '../src/core/barcode.js';

export const WORDS: readonly string[] = [
  'leche', 'entera', 'desnatada', 'café', 'molido', 'chocolate', 'milk', 'negro', 'galletas', 'María', 'aceite',
  'oliva', 'virgen', 'extra', 'jamón', 'serrano', 'queso', 'curado', 'tierno', 'pan', 'molde', 'integral', 'arroz',
  'bomba', 'lentejas', 'garbanzos', 'atún', 'claro', 'tomate', 'frito', 'natural', 'zumo', 'naranja', 'manzana',
  'plátano', 'yogur', 'griego', 'detergente', 'líquido', 'suavizante', 'champú', 'gel', 'ducha', 'papel', 'higiénico',
  'cerveza', 'vino', 'tinto', 'blanco', 'agua', 'mineral', 'refresco', 'cola', 'limón', 'patatas', 'fritas', 'ajo',
  'cebolla', 'pimiento', 'rojo', 'verde', 'pollo', 'filete', 'cerdo', 'ternera', 'merluza', 'salmón', 'ahumado',
];
/**
 * A real catalog of a million products has a vocabulary of tens of thousands of words (brands,
 * varieties, flavours), not 70: each name takes one common word from WORDS plus two words and a
 * brand from a deterministic list of 4,000 made-up ones.
 */
const SYLLABLES = ['ba', 'be', 'bo', 'ca', 'co', 'cu', 'da', 'de', 'di', 'fa', 'fe', 'go', 'la', 'le', 'li', 'lo', 'ma', 'me',
  'mi', 'mo', 'na', 'ne', 'no', 'pa', 'pe', 'po', 'ra', 're', 'ri', 'ro', 'sa', 'se', 'so', 'ta', 'te', 'to', 'va', 've', 'za', 'zo'];
function madeUpWords(count: number, seed: number): string[] {
  const rnd = prng(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const n = 2 + Math.floor(rnd() * 2);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
    out.add(w);
  }
  return [...out];
}
export const VARIETY = madeUpWords(4000, 7);
export const BRANDS = madeUpWords(4000, 11).map((w) => w[0]!.toUpperCase() + w.slice(1));

const UNITS = ['100 g', '250 g', '500 g', '1 kg', '1 L', '1,5 L', '6 uds', '12 uds', 'pack 3'];
const CATEGORIES = ['Lácteos', 'Despensa', 'Bebidas', 'Droguería', 'Higiene', 'Charcutería', 'Frutas', 'Dulces', 'Congelados', 'Panadería'];

/** A tiny deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ean13 = (n: number): string => {
  const body = '84' + String(n).padStart(10, '0');
  return body + String(gs1CheckDigit(body));
};

/** Writes `rows` canonical CSV rows; every 5th product has a second barcode. */
export async function writeCatalogCsv(path: string, rows: number, seed = 42): Promise<void> {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const out = createWriteStream(path);
  let buf = 'sku,name,price,tax_rate,barcodes,unit,category,active,stock,track_stock\n';
  for (let i = 1; i <= rows; i++) {
    const name = `${pick(WORDS)} ${pick(VARIETY)} ${pick(VARIETY)} ${pick(BRANDS)} ${pick(UNITS)}`;
    const kg = i % 50 === 0;
    const cents = 20 + Math.floor(rnd() * 5000);
    const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    const rate = pick(['21', '10', '4']);
    const codes = i % 5 === 0 ? `${ean13(i)}|${ean13(rows + i)}` : ean13(i);
    const stock = kg ? `${Math.floor(rnd() * 50)}.${Math.floor(rnd() * 1000)}` : String(Math.floor(rnd() * 200));
    buf += `SKU${String(i).padStart(7, '0')},"${name}",${price},${rate},${codes},${kg ? 'kg' : 'each'},${pick(CATEGORIES)},1,${stock},1\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}
