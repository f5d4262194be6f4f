/**
 * The cashier terminal's screens rendered by Ink into a fixed-size fake terminal (tests/tui/harness.ts).
 * Assertions are on the text only (the harness strips ANSI), so they hold with or without NO_COLOR.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addLine, type Cart, emptyCart, type ItemInput } from '../../src/core/cart.js';
import type { Result } from '../../src/core/errors.js';
import { setLanguage, t } from '../../src/i18n/index.js';
import type { PosActions } from '../../src/tui/actions.js';
import { bigText } from '../../src/tui/big.js';
import { KEYMAP } from '../../src/tui/keymap.js';
import { initialState, loginPrompt, type PosState } from '../../src/tui/state.js';
import { PosView } from '../../src/tui/view.js';
import { type Harness, renderTui, TILL } from './harness.js';

beforeAll(() => setLanguage('en'));

const INFO = TILL;

const USER = { id: 3, code: 'cash', name: 'Cora Cash', role: 'cashier' as const };

const WATER: ItemInput = { sku: 'WATER', name: 'Water 1L', unit: 'each', unitPrice: 99, taxRate: 400 };
const APPLES: ItemInput = { sku: 'APPLES', name: 'Apples', unit: 'kg', unitPrice: 249, taxRate: 400 };
const CHEESE: ItemInput = { sku: 'CHEESE', name: 'Manchego cheese', unit: 'each', unitPrice: 1235, taxRate: 1000 };

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`);
  return r.value;
}

function cartOf(items: ItemInput[]): Cart {
  return items.reduce((c, i) => ok(addLine(c, i)), emptyCart());
}

/** Water ×3 (2.97), apples 0.750 kg (1.87), cheese ×1 (12.35): 17.19. */
const THREE = (): Cart => cartOf([{ ...WATER, qty: 3000 }, { ...APPLES, qty: 750 }, CHEESE]);

function saleState(cart: Cart, over: Partial<PosState> = {}): PosState {
  return { ...initialState(), screen: 'sale', user: USER, prompt: null, cart, selected: Math.max(0, cart.lines.length - 1), ...over };
}

function view(state: PosState, columns = 80, rows = 24) {
  return <PosView state={state} info={INFO} columns={columns} rows={rows} clock="09:41" shift="shift 7" printer="no printer" />;
}

const lines = (frame: string): string[] => frame.split('\n');
/** The selected rows of a list (the entry line "> …█" also starts with '>'). */
const marked = (frame: string): string[] => lines(frame).filter((l) => l.startsWith('>') && !l.endsWith('█'));
const widest = (frame: string): number => Math.max(...lines(frame).map((l) => [...l].length));

/** The frame fits a terminal of columns × rows with a row to spare (no scrolling on the last line). */
function expectFits(frame: string, columns: number, rows: number): void {
  expect(lines(frame).length).toBeLessThanOrEqual(rows - 1);
  expect(widest(frame)).toBeLessThanOrEqual(columns);
}

/** Resizes the fake terminal and re-renders at that size, like run.tsx does on 'resize'. */
async function resizeTo(h: Harness, state: PosState, columns: number, rows: number): Promise<string> {
  h.resize(columns, rows);
  h.rerender(view(state, columns, rows));
  return h.waitFor(function laidOutAtNewSize(f) {
    // the status bar is padded to the full width; its clock ends one column before the edge
    return lines(f).length === rows - 1 && [...(lines(f)[0] ?? '')].length === columns - 1;
  });
}

let harness: Harness | undefined;
afterEach(() => {
  harness?.unmount();
  harness = undefined;
});

describe('login screen', () => {
  it('shows the store, the user prompt and the prompt hints, at 80×24, 100×30 and 80×24 again', async () => {
    const ctx = { actions: {} as PosActions, info: INFO };
    const state = loginPrompt(initialState(), ctx);
    harness = renderTui(view(state), { columns: 80, rows: 24 });
    const frame = await harness.waitFor(t('tui.login_title', { store: 'Corner Shop' }));
    expectFits(frame, 80, 24);
    expect(lines(frame)[0]).toContain('Corner Shop · T01 · — · shift 7 · no printer');
    expect(lines(frame)[0]).toMatch(/09:41$/);
    expect(lines(frame)[0]).toHaveLength(79);
    expect(frame).toContain(`${t('tui.login.code')}: █`);
    expect(lines(frame).at(-1)).toBe(`Enter ${t('tui.key.ok')}  Esc ${t('tui.key.back')}  Ctrl+C ${t('tui.key.quit')}`);

    const wide = await resizeTo(harness, state, 100, 30);
    expectFits(wide, 100, 30);
    expect(wide).toContain(t('tui.login_title', { store: 'Corner Shop' }));
    expect(lines(wide)).toHaveLength(29);

    const back = await resizeTo(harness, state, 80, 24);
    expectFits(back, 80, 24);
    expect(lines(back)).toHaveLength(23);
    expect(back).toContain(`${t('tui.login.code')}: █`);
  });

  it('the PIN is shown as stars', async () => {
    const state = loginPrompt(initialState(), { actions: {} as PosActions, info: INFO });
    const typed: PosState = { ...state, prompt: { ...state.prompt!, label: t('tui.login.pin', { code: 'cash' }), value: '1234', secret: true } };
    harness = renderTui(view(typed));
    const frame = await harness.waitFor('PIN of cash');
    expect(frame).toContain('PIN of cash: ****█');
    expect(frame).not.toContain('1234');
  });
});

describe('sale screen', () => {
  it('a name stored with control characters is shown escaped, never sent to the terminal', async () => {
    const state = saleState(cartOf([{ ...WATER, name: 'Evil\x1b]0;owned\x07 water' }]));
    harness = renderTui(view(state), { columns: 80, rows: 24 });
    const frame = await harness.waitFor('TOTAL');
    expect(frame).toContain('Evil\\x1b]0;owned\\x07 water');
  });

  it('3 lines: qty, name, unit price, amount, the TOTAL and the hint bar, at every size', async () => {
    const state = saleState(THREE(), { selected: 1, entry: '8410' });
    harness = renderTui(view(state), { columns: 80, rows: 24 });
    const frame = await harness.waitFor('TOTAL');
    expectFits(frame, 80, 24);
    expect(lines(frame)).toHaveLength(23);
    const row = (name: string): string => lines(frame).find((l) => l.includes(name)) ?? '';
    expect(row('Water 1L')).toMatch(/^\s+3 Water 1L\s+€0\.99\s+€2\.97$/);
    expect(row('Apples')).toMatch(/^> +0\.75 Apples\s+€2\.49\s+€1\.87$/); // the selected line
    expect(row('Manchego cheese')).toMatch(/^\s+1 Manchego cheese\s+€12\.35\s+€12\.35$/);
    expect(marked(frame)).toHaveLength(1);
    expect(row(t('tui.col.name'))).toMatch(/Qty Item\s+Price\s+Amount$/);
    // the TOTAL in words on the left, in large digits on the right
    expect(row('TOTAL')).toMatch(/TOTAL {2}€17\.19 /);
    for (const r of bigText('17.19')) expect(frame).toContain(r);
    expect(frame).toContain(t('tui.items', { n: 5 }));
    expect(frame).toContain('> 8410█'); // the entry line
    expect(lines(frame).at(-1)).toMatch(/^F12 Pay {2}F1 Help {2}F2 Search/);
    expect(lines(frame)[0]).toContain('Cora Cash');

    const wide = await resizeTo(harness, state, 100, 30);
    expectFits(wide, 100, 30);
    expect(wide).toMatch(/> +0\.75 Apples\s+€2\.49\s+€1\.87/);
    expect(lines(wide).find((l) => l.includes('TOTAL'))).toMatch(/TOTAL {2}€17\.19 /);
    for (const r of bigText('17.19')) expect(wide).toContain(r);
    expect(lines(wide).at(-1)).toMatch(/^F12 Pay/);
    expect(lines(wide)).toContain('─'.repeat(100));

    const back = await resizeTo(harness, state, 80, 24);
    expectFits(back, 80, 24);
    expect(lines(back)).toContain('─'.repeat(80));
    expect(back).toMatch(/TOTAL {2}€17\.19/);
  });

  it('an empty cart shows the hint and a zero total', async () => {
    harness = renderTui(view(saleState(emptyCart())));
    const frame = await harness.waitFor('TOTAL');
    expect(frame).toContain(t('tui.cart_empty_hint'));
    expect(frame).toMatch(/TOTAL {2}€0\.00/);
  });

  it('an error message shows on the message line (text only, no colour needed)', async () => {
    const state = saleState(THREE(), { message: { text: 'no product with code "NOPE"', error: true }, bell: 1 });
    harness = renderTui(view(state));
    const frame = await harness.waitFor('NOPE');
    expect(lines(frame).at(-2)).toBe('no product with code "NOPE"');
    expect(frame).not.toMatch(/\x1b/);
  });

  it('a gift voucher is a row of the sale and counts in the TOTAL', async () => {
    const state = saleState(THREE(), { extra: { vouchers: [2500], approvals: [], customerId: null }, selected: 3 });
    harness = renderTui(view(state));
    const frame = await harness.waitFor('TOTAL');
    expect(frame).toMatch(/^> +1 Gift voucher\s+€25\.00\s+€25\.00$/m);
    expect(frame).toMatch(/TOTAL {2}€42\.19 /m);
  });

  describe('a 200-line cart', () => {
    const big = (): Cart => cartOf(Array.from({ length: 200 }, (_, i) => ({ ...WATER, sku: `SKU${i + 1}`, name: `Item number ${i + 1}` })));

    for (const selected of [0, 150, 199]) {
      it(`line ${selected + 1} selected: visible, marked '>', the frame fits`, async () => {
        const state = saleState(big(), { selected });
        harness = renderTui(view(state), { columns: 80, rows: 24 });
        const frame = await harness.waitFor('TOTAL');
        expectFits(frame, 80, 24);
        expect(marked(frame)).toHaveLength(1);
        expect(marked(frame)[0]).toMatch(new RegExp(`^> +1 Item number ${selected + 1}\\s+€0\\.99\\s+€0\\.99$`));
        expect(frame).toMatch(/TOTAL {2}€198\.00 /m);
        expect(frame).toContain(t('tui.items', { n: 200 }));

        const wide = await resizeTo(harness, state, 100, 30);
        expectFits(wide, 100, 30);
        expect(marked(wide)).toHaveLength(1);
        expect(marked(wide)[0]).toContain(`Item number ${selected + 1} `);

        const back = await resizeTo(harness, state, 80, 24);
        expectFits(back, 80, 24);
        expect(marked(back)[0]).toContain(`Item number ${selected + 1} `);
      });
    }

    it('a long name is cut with … and the amounts stay in their columns', async () => {
      const cart = cartOf([{ ...WATER, name: 'A very long product name '.repeat(6) }]);
      harness = renderTui(view(saleState(cart)));
      const frame = await harness.waitFor('TOTAL');
      expectFits(frame, 80, 24);
      expect(marked(frame)[0]).toMatch(/…\s+€0\.99\s+€0\.99$/);
    });
  });
});

describe('payment screen', () => {
  it('shows total, tenders, paid and the change in big digits', async () => {
    const state = saleState(THREE(), {
      screen: 'payment',
      tenders: [
        { method: 'card', amount: 500 },
        { method: 'cash', amount: 1500 },
      ],
      method: 'cash',
    });
    harness = renderTui(view(state), { columns: 80, rows: 24 });
    const frame = await harness.waitFor(t('tui.change').toUpperCase());
    expectFits(frame, 80, 24);
    expect(frame).toMatch(/^TOTAL\s+€17\.19$/m);
    expect(frame).toMatch(/^ {2}Card\s+€5\.00$/m);
    expect(frame).toMatch(/^ {2}Cash\s+€15\.00$/m);
    expect(frame).toMatch(/^Paid\s+€20\.00$/m);
    const digits = bigText('2.81');
    expect(digits).toHaveLength(5);
    for (const r of digits) expect(lines(frame)).toContain(`  ${r}`.trimEnd());
    expect(frame).toContain(t('tui.confirm_hint'));
    expect(frame).toContain(t('tui.payment.method', { method: 'Cash' }));
    expect(frame).toContain(`${t('tui.amount')} > █`);
    expect(lines(frame).at(-1)).toMatch(/^F12 Confirm {2}F1 Help {2}F2 Cash {2}F3 Card/);

    const wide = await resizeTo(harness, state, 100, 30);
    expectFits(wide, 100, 30);
    for (const r of digits) expect(lines(wide)).toContain(`  ${r}`.trimEnd());
    const back = await resizeTo(harness, state, 80, 24);
    for (const r of digits) expect(lines(back)).toContain(`  ${r}`.trimEnd());
  });

  it('while short, shows what is due and no change', async () => {
    const state = saleState(THREE(), { screen: 'payment', tenders: [{ method: 'card', amount: 500 }] });
    harness = renderTui(view(state));
    const frame = await harness.waitFor('Due');
    expect(frame).toMatch(/^Due\s+€12\.19$/m);
    expect(frame).not.toContain(t('tui.change').toUpperCase());
    expect(frame).not.toContain('███');
  });

  it('with cash rounding, a settled payment does not show a due', async () => {
    const cart = cartOf([{ ...WATER, qty: 3000 }, CHEESE]); // 15.32
    const state = saleState(cart, { screen: 'payment', tenders: [{ method: 'cash', amount: 1530 }] });
    harness = renderTui(<PosView state={state} info={{ ...INFO, cashIncrement: 5 }} columns={80} rows={24} clock="09:41" shift="shift 7" printer="no printer" />);
    const frame = await harness.waitFor('TOTAL');
    expect(frame).not.toMatch(/^Due/m);
    expect(frame).toContain(t('tui.confirm_hint'));
  });
});

describe('help overlay', () => {
  const labels = KEYMAP.sale.map((b) => t(b.label));

  it('lists every binding of the sale screen with its keys at 100×30', async () => {
    harness = renderTui(view(saleState(THREE(), { help: true }), 100, 30), { columns: 100, rows: 30 });
    const frame = await harness.waitFor(t('tui.help_title'));
    expectFits(frame, 100, 30);
    for (const label of labels) expect(frame).toContain(label);
    expect(frame).toMatch(/F12\/Ctrl\+T Pay/);
    expect(frame).toMatch(/Del\/Ctrl\+X Remove line/);
    expect(frame).not.toContain('TOTAL'); // the overlay replaces the lines
  });

  it('at 80×24 shows the first bindings and fits', async () => {
    harness = renderTui(view(saleState(THREE(), { help: true })), { columns: 80, rows: 24 });
    const frame = await harness.waitFor(t('tui.help_title'));
    expectFits(frame, 80, 24);
    for (const label of labels.slice(0, 18)) expect(frame).toContain(label);
  });

  it('lists every binding of the sale screen at 80×24', async () => {
    harness = renderTui(view(saleState(THREE(), { help: true })), { columns: 80, rows: 24 });
    const frame = await harness.waitFor(t('tui.help_title'));
    for (const label of labels) expect(frame).toContain(label);
  });
});
