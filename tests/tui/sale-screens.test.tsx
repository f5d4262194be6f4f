/**
 * The sale screen's new rows at 80×24 (tests/tui/harness.ts: Ink into a fixed-size fake terminal,
 * text only): scans that sold nothing marked in the cart, the large TOTAL, the hint bar holding F10
 * in Spanish and English, a long message shown whole, the yes/no question, the quick items, the
 * customers found and the stock in search results.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addLine, type Cart, emptyCart, type ItemInput } from '../../src/core/cart.js';
import type { Result } from '../../src/core/errors.js';
import { setLanguage, t } from '../../src/i18n/index.js';
import { bigText } from '../../src/tui/big.js';
import { initialState, type PosState } from '../../src/tui/state.js';
import { PosView } from '../../src/tui/view.js';
import { type Harness, renderTui, TILL } from './harness.js';

const USER = { id: 3, code: 'cash', name: 'Cora Cash', role: 'cashier' as const };
const WATER: ItemInput = { sku: 'WATER', name: 'Water 1L', unit: 'each', unitPrice: 99, taxRate: 400 };
const APPLES: ItemInput = { sku: 'APPLES', name: 'Apples', unit: 'kg', unitPrice: 249, taxRate: 400 };

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`);
  return r.value;
}
const cartOf = (items: ItemInput[]): Cart => items.reduce((c, i) => ok(addLine(c, i)), emptyCart());

function saleState(cart: Cart, over: Partial<PosState> = {}): PosState {
  return { ...initialState(), screen: 'sale', user: USER, prompt: null, cart, selected: Math.max(0, cart.lines.length - 1), ...over };
}

const view = (state: PosState, columns = 80, rows = 24) => (
  <PosView state={state} info={TILL} columns={columns} rows={rows} clock="09:41" shift="shift 7" printer="no printer" />
);

const lines = (frame: string): string[] => frame.split('\n');

function expectFits(frame: string, columns: number, rows: number): void {
  expect(lines(frame).length).toBeLessThanOrEqual(rows - 1);
  expect(Math.max(...lines(frame).map((l) => [...l].length))).toBeLessThanOrEqual(columns);
}

let harness: Harness | undefined;
afterEach(() => {
  harness?.unmount();
  harness = undefined;
  setLanguage('en');
});
beforeAll(() => setLanguage('en'));

async function frameOf(state: PosState, wait: string, columns = 80, rows = 24): Promise<string> {
  harness?.unmount();
  harness = renderTui(view(state, columns, rows), { columns, rows });
  const frame = await harness.waitFor(wait);
  expectFits(frame, columns, rows);
  return frame;
}

describe('scans that sold nothing', () => {
  const failed = [
    { code: '9999999999999', reason: t('tui.failed.not_found') },
    { code: '8490300000015', reason: 'scanned into a quantity: not sold' },
  ];

  it('stay marked at the foot of a 200-line cart, whatever line is selected, and the hint bar starts with Esc', async () => {
    const big = cartOf(Array.from({ length: 200 }, (_, i) => ({ ...WATER, sku: `SKU${i + 1}`, name: `Item number ${i + 1}` })));
    for (const selected of [0, 120, 199]) {
      const frame = await frameOf(saleState(big, { selected, failed }), '✗');
      expect(frame).toContain('  ✗ 9999999999999  not found');
      expect(frame).toContain('  ✗ 8490300000015  scanned into a quantity: not sold');
      expect(frame).toMatch(new RegExp(`^> +1 Item number ${selected + 1} `, 'm'));
      expect(lines(frame).at(-1)).toMatch(/^Esc Seen {2}F12 Pay/);
    }
  });

  it('many of them: the latest are shown and the count of the others', async () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ code: `99999999999${String(i).padStart(2, '0')}`, reason: t('tui.failed.not_found') }));
    const frame = await frameOf(saleState(cartOf([WATER]), { failed: many }), '✗');
    expect(frame).toContain('✗ 9999999999913  not found');
    expect(frame).toMatch(/… and \d+ more failed scan\(s\)/);
    expect(frame).toMatch(/^> +1 Water 1L/m);
  });
});

describe('the sale screen at 80×24', () => {
  it('shows the TOTAL large, "1 item" in the singular, and F10 on the hint bar in English and Spanish', async () => {
    const state = saleState(cartOf([WATER]));
    let frame = await frameOf(state, 'TOTAL');
    for (const row of bigText('0.99')) expect(frame).toContain(row.trimEnd());
    expect(frame).toContain('1 item ');
    expect(frame).not.toContain('1 items');
    expect(lines(frame).at(-1)).toBe('F12 Pay  F1 Help  F2 Search  F4 Qty  F8 Hold  F9 Refund  F10 Shift');
    setLanguage('es');
    frame = await frameOf(state, 'TOTAL');
    expect(frame).toContain('1 artículo ');
    for (const row of bigText('0,99')) expect(frame).toContain(row.trimEnd());
    expect(lines(frame).at(-1)).toBe('F12 Cobrar  F1 Ayuda  F2 Buscar  F4 Cant.  F8 Aparcar  F9 Devolución  F10 Turno');
  });

  it('a prompt names Enter as the keyboard of the language does: Intro in Spanish', async () => {
    setLanguage('es');
    const state = saleState(cartOf([WATER]), { prompt: { label: t('tui.prompt.reprint'), value: '', submit: (s) => s } });
    const frame = await frameOf(state, t('tui.prompt.reprint'));
    expect(lines(frame).at(-1)).toMatch(/^Intro Aceptar {2}Esc Volver/);
  });

  it('a message longer than the screen is shown whole, on more rows, and the frame still fits', async () => {
    const text = t('tui.qty_is_code', { code: '8490300000015' }) + ' ' + t('tui.failed_pending', { n: 2 });
    expect(text.length).toBeGreaterThan(80);
    const frame = await frameOf(saleState(cartOf([WATER]), { message: { text, error: true } }), '8490300000015');
    const entry = lines(frame).findIndex((l) => l.endsWith('█'));
    const shown = lines(frame).slice(entry + 1, -1).join(' ');
    expect(lines(frame).length - 1 - (entry + 1)).toBeGreaterThan(1);
    expect(shown.replace(/\s+/g, ' ')).toBe(text);
    expect(frame).not.toContain('…');
  });

  it('a yes/no question is on the message line, its keys on the hint bar', async () => {
    const question = t('tui.confirm.qty', { qty: '150', name: 'Water 1L' });
    const frame = await frameOf(saleState(cartOf([WATER]), { confirm: { text: question, yes: (s) => s } }), question);
    expect(lines(frame).at(-2)).toBe(question);
    expect(lines(frame).at(-1)).toBe(t('tui.confirm.keys'));
  });

  it('keeps its layout at 100×30 and on a short terminal (the TOTAL in one row then)', async () => {
    const state = saleState(cartOf([WATER, { ...APPLES, qty: 750 }]));
    const wide = await frameOf(state, 'TOTAL', 100, 30);
    for (const row of bigText('2.86')) expect(wide).toContain(row.trimEnd());
    const short = await frameOf(state, 'TOTAL', 80, 16);
    expect(short).toMatch(/TOTAL {2}€2\.86$/m);
    expect(short).not.toContain('███');
  });
});

describe('lists of the sale', () => {
  it('quick items are numbered 1–9 and 0; one that sells nothing is marked', async () => {
    const items = [
      { sku: 'BAG', item: { sku: 'BAG', name: 'Carrier bag', unit: 'each' as const, unitPrice: 10, taxRate: 2100 } },
      { sku: 'BREAD', item: { sku: 'BREAD', name: 'Baguette', unit: 'each' as const, unitPrice: 65, taxRate: 400 } },
      { sku: 'GONE', item: null },
    ];
    const frame = await frameOf(saleState(cartOf([WATER]), { screen: 'quick', quick: { items, qty: '3' }, selected: 1 }), 'Baguette');
    expect(frame).toContain(`${t('tui.quick_title')} · ${t('tui.quick_qty', { qty: '3' })}`);
    expect(frame).toMatch(/^ {2}1 {2}Carrier bag\s+€0\.10$/m);
    expect(frame).toMatch(/^> 2 {2}Baguette\s+€0\.65$/m);
    expect(frame).toContain('3  ✗ GONE  not found');
  });

  it('customers found, with their tax id', async () => {
    const found = [
      { id: 6, name: 'Ana García', taxId: null },
      { id: 7, name: 'Ana López', taxId: '12345678Z' },
    ];
    const frame = await frameOf(saleState(cartOf([WATER]), { screen: 'customers', customers: { query: 'ana', found }, selected: 0 }), 'Ana López');
    expect(frame).toContain(t('tui.customers_title', { query: 'ana' }));
    expect(frame).toMatch(/^> #6 {2}Ana García/m);
    expect(frame).toMatch(/#7 {2}Ana López\s+12345678Z$/m);
    expect(lines(frame).at(-1)).toMatch(/F2 New customer/);
  });

  it('search results show the stock of the products that keep it', async () => {
    const results = [
      { ...WATER, stock: 24_000 },
      { ...APPLES, stock: 11_100 },
      { sku: 'SERVICE', name: 'Gift wrap', unit: 'each' as const, unitPrice: 150, taxRate: 2100 },
    ];
    const frame = await frameOf(saleState(cartOf([WATER]), { screen: 'search', entry: 'a', results, selected: 0 }), 'Gift wrap');
    expect(frame).toMatch(/WATER {2}Water 1L\s+stock 24 +€0\.99$/m);
    expect(frame).toMatch(/APPLES {2}Apples\s+stock 11\.1 +€2\.49\/kg$/m);
    expect(frame).toMatch(/SERVICE {2}Gift wrap\s+€1\.50$/m);
    expect(frame).not.toMatch(/Gift wrap.*stock/);
  });
});
