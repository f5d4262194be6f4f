/**
 * The shift screen and the guided close on a real store (appActions over a SQLite file, a printer
 * and a drawer that are files), driven by keys through the terminal's state, drawn at 80×24:
 * every shift key has its Ctrl alternative and its hint; cash in and out open the drawer; the X
 * report prints with Ctrl+P; the close lists the carts of every user (a supervisor approves once),
 * each is voided or kept, the drawer is counted in a table of notes and coins typed with decimal
 * commas, expected / counted / the signed difference follow every key, and the Z report (printed,
 * decoded from its bytes) carries the count, the cash moves, the no-sale, who closed it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import { holdCart, saveOpenCart } from '../../src/app/carts.js';
import type { App } from '../../src/app/context.js';
import { parseDevice, saveDevice } from '../../src/app/devices.js';
import { auditStore } from '../../src/app/audit.js';
import { openShift, shiftStatus, zReport } from '../../src/app/shifts.js';
import { addUser } from '../../src/app/users.js';
import { addLine, type Cart, emptyCart } from '../../src/core/cart.js';
import { decodedText, decodeEscpos } from '../../src/devices/escpos-decode.js';
import { setLanguage, t } from '../../src/i18n/index.js';
import { appActions, type PosActions } from '../../src/tui/actions.js';
import { commandFor, KEYMAP } from '../../src/tui/keymap.js';
import { parseKeys } from '../../src/tui/keys.js';
import { type Context, handleKey, initialState, loginPrompt, type PosState } from '../../src/tui/state.js';
import { PosView } from '../../src/tui/view.js';
import { makeShopWithCatalog, tempDir } from '../helpers.js';
import { type Harness, renderTui } from './harness.js';

const dir = tempDir('tpv-shift-close-');
const PAPER = join(dir, 'paper.bin');
const DRAWER = join(dir, 'drawer.bin');
let app: App;
let ctx: Context;
/** Print jobs and drawer kicks started by the screens (after the commit; the test waits for them). */
const jobs: Promise<unknown>[] = [];
const ids: Record<string, number> = {};

const F = { 2: '\x1bOQ', 3: '\x1bOR', 4: '\x1bOS', 5: '\x1b[15~', 6: '\x1b[17~', 7: '\x1b[18~', 9: '\x1b[20~', 10: '\x1b[21~', 11: '\x1b[23~', 12: '\x1b[24~' } as const;
const ENTER = '\r';
const ESC = '\x1b';
const DOWN = '\x1b[B';
const UP = '\x1b[A';
const DEL = '\x1b[3~';
const ctrl = (letter: string): string => String.fromCharCode(letter.charCodeAt(0) - 0x60);

function press(s: PosState, ...chunks: string[]): PosState {
  for (const chunk of chunks) for (const key of parseKeys(chunk)) s = handleKey(s, key, ctx);
  return s;
}

function login(code: string, pin: string): PosState {
  const s = press(loginPrompt(initialState(), ctx), code, ENTER, pin, ENTER);
  expect(s.user?.code).toBe(code);
  return s;
}

/** The supervisor approves in place (code, then PIN). */
const approve = (s: PosState): PosState => {
  expect(s.prompt?.label).toBe(t('tui.approval.code'));
  return press(s, 'sup', ENTER, '1357', ENTER);
};

let paperRead = 0;
/** What came out of the printer since the last call, decoded from its bytes. */
async function paper(): Promise<{ text: string; codepages: number[] }> {
  await Promise.all(jobs.splice(0));
  const bytes = existsSync(PAPER) ? readFileSync(PAPER) : Buffer.alloc(0);
  const job = decodeEscpos(bytes.subarray(paperRead), { columns: 42 });
  paperRead = bytes.length;
  return { text: decodedText(job), codepages: job.events.flatMap((e) => (e.type === 'codepage' ? [e.n] : [])) };
}

/** Drawer pulses so far (ESC p on the drawer's own link). */
async function kicks(): Promise<number> {
  await Promise.all(jobs.splice(0));
  let bytes: Buffer;
  try {
    bytes = readFileSync(DRAWER);
  } catch {
    return 0;
  }
  return decodeEscpos(bytes).events.filter((e) => e.type === 'drawer').length;
}

let harness: Harness | undefined;
async function frameOf(s: PosState): Promise<string> {
  harness?.unmount();
  harness = renderTui(<PosView state={s} info={ctx.info} columns={80} rows={24} clock="10:00" shift="turno 1" printer="impresora" />, { columns: 80, rows: 24 });
  return harness.waitFor('█');
}
afterEach(() => {
  harness?.unmount();
  harness = undefined;
});

function cartOf(sku: string, name: string, price: number): Cart {
  const r = addLine(emptyCart(), { sku, name, unit: 'each', unitPrice: price, taxRate: 400 });
  if (!r.ok) throw new Error(r.problem.code);
  return r.value;
}

beforeAll(async () => {
  setLanguage('es');
  app = await makeShopWithCatalog(dir, 'till.db', () => new Date('2026-11-21T09:30:00Z'));
  const admin = actingUser(app.db);
  for (const u of [
    { code: 'ana', name: 'Ana', role: 'cashier' as const, pin: '2468' },
    { code: 'luis', name: 'Luis', role: 'cashier' as const, pin: '1111' },
    { code: 'sup', name: 'Sara', role: 'supervisor' as const, pin: '1357' },
  ])
    addUser(app, admin, u);
  for (const u of ['ana', 'luis', 'sup']) ids[u] = app.db.prepare('SELECT id FROM users WHERE code = ?').pluck().get(u) as number;
  saveDevice(app, admin, parseDevice('printer', { url: `file:${PAPER}`, profile: 'epson-tm-t20iii', columns: '42' }, () => true), false);
  saveDevice(app, admin, parseDevice('drawer', { url: `file:${DRAWER}` }, () => true), false);
  openShift(app, admin, 10000);
  const base = appActions(app);
  const track = <T,>(p: Promise<T>): Promise<T> => (jobs.push(p), p);
  const actions: PosActions = {
    ...base,
    print: (job) => track(base.print(job)),
    kickDrawer: () => track(base.kickDrawer()),
    printX: () => track(base.printX()),
  };
  ctx = { actions, info: actions.info() };
});
afterAll(() => app.close());

describe('the shift screen', () => {
  it('lists every key with its Ctrl alternative; the hint bar holds F2…F7 and Esc at 80 columns', async () => {
    const s = press(login('sup', '1357'), F[10]);
    expect(s.screen).toBe('shift');
    const frame = await frameOf(s);
    for (const [f, c] of [['F2', 'Ctrl+A'], ['F3', 'Ctrl+E'], ['F4', 'Ctrl+K'], ['F5', 'Ctrl+R'], ['F6', 'Ctrl+Z'], ['F7', 'Ctrl+O']] as const) {
      expect(frame).toMatch(new RegExp(`${f}\\s+${c.replace('+', '\\+')}\\s+\\S`));
    }
    const hintBar = frame.split('\n').at(-1)!;
    expect(hintBar).toBe('F2 Abrir  F3 Entrada  F4 Salida  F5 Informe X  F6 Cerrar  F7 Cajón  Esc Volver');
    setLanguage('en');
    try {
      const en = (await frameOf(s)).split('\n').at(-1)!;
      expect(en).toBe('F2 Open  F3 Cash in  F4 Cash out  F5 X report  F6 Close  F7 Drawer  Esc Back');
    } finally {
      setLanguage('es');
    }
  });

  it('each Ctrl alternative does what its function key does', () => {
    for (const screen of ['shift', 'close_carts', 'close_count'] as const) {
      for (const b of KEYMAP[screen]) {
        const [main, alt] = b.keys;
        if (!main?.startsWith('f') || !alt?.startsWith('ctrl+')) continue;
        expect(commandFor(screen, alt), `${screen} ${alt}`).toBe(commandFor(screen, main));
      }
    }
    const at = press(login('sup', '1357'), F[10]);
    const label = (s: PosState): unknown => ({ screen: s.screen, prompt: s.prompt?.label ?? null, message: s.message });
    for (const [f, c] of [[F[3], ctrl('e')], [F[4], ctrl('k')], [F[7], ctrl('o')], [F[2], ctrl('a')]] as const) expect(label(press(at, c))).toEqual(label(press(at, f)));
    expect(press(at, ctrl('r')).report?.x).toBe(true);
    expect(press(at, ctrl('z')).screen).toBe(press(at, F[6]).screen);
  });

  it('cash in and cash out are recorded, then the drawer opens; a cashier takes cash out with a supervisor', async () => {
    const before = await kicks();
    let s = press(login('ana', '2468'), F[10], F[3], '20', ENTER, 'cambio', ENTER);
    expect(s.message?.text).toBe(t('tui.shift.moved', { amount: '20,00 €' }));
    expect(await kicks()).toBe(before + 1);
    s = approve(press(s, F[4], '5,50', ENTER, 'pago proveedor', ENTER));
    expect(s.message?.text).toBe(t('tui.shift.moved', { amount: '5,50 €' }));
    expect(await kicks()).toBe(before + 2);
    s = approve(press(s, F[7], 'cambio para el banco', ENTER));
    expect(s.message?.text).toBe(t('tui.drawer_opened'));
    expect(await kicks()).toBe(before + 3);
    expect(shiftStatus(app).cash).toMatchObject({ in: 2000, out: 550 });
  });

  it('F5 shows the X report; Ctrl+P prints it (the running figures, never a copy); F1 lists Ctrl+P', async () => {
    await paper();
    let s = press(login('ana', '2468'), F[10], F[5]);
    expect(s.screen).toBe('report');
    expect(s.report?.x).toBe(true);
    expect(s.report?.text).toContain(t('shift.no_sales'));
    const help = await frameOf(press(s, '\x1bOP'));
    expect(help).toContain(`Ctrl+P ${t('tui.key.print')}`);
    s = press(s, ctrl('p'));
    expect(s.message).toEqual({ text: t('tui.x_printing'), error: false });
    const x = await paper();
    expect(x.text).toMatch(/Informe X +Turno 1/);
    expect(x.text).not.toContain('COPIA');
    expect(x.text).toMatch(/Entradas \(1\) +20,00 €/);
    expect(x.text).toMatch(/Salidas \(1\) +-5,50 €/);
    expect(x.text).toMatch(/Aperturas sin venta +1/);
    expect(x.text).toContain('cambio para el banco');
  });
});

describe('the guided close', () => {
  let z = '';
  it('lists the open and held carts of every user after one approval; F3 keeps, F2 voids', async () => {
    // the day: a cash sale, a gift voucher sold by card
    let s = press(login('ana', '2468'), 'LAC-001', ENTER, F[12], F[2], ENTER);
    expect(s.message?.text).toContain('T01-000001');
    s = press(s, F[11], F[3], '10', ENTER, F[12], F[3], ENTER);
    expect(s.message?.text).toContain('T01-000002');
    // carts left: Luis held one and has another open; Ana has one open on her screen
    saveOpenCart(app, ids.luis!, cartOf('PAN-013', 'Croissants 4 uds', 239));
    holdCart(app, ids.luis!, 'María');
    saveOpenCart(app, ids.luis!, cartOf('LAC-001', 'Leche entera 1 L', 99));
    // the voucher's code stays on the screen until Esc
    s = press(s, ESC, 'PAN-013', ENTER);
    expect(s.cart.lines).toHaveLength(1);

    s = press(s, F[10], F[6]);
    expect(s.message?.text).toBe(t('tui.approval.needed', { action: t('tui.action.shift_close') }));
    s = approve(s);
    expect(s.screen).toBe('close_carts');
    expect(s.close?.carts.map((c) => [c.user, c.status])).toEqual([
      ['luis', 'held'],
      ['luis', 'open'],
      ['ana', 'open'],
    ]);
    const frame = await frameOf(s);
    expect(frame).toContain(t('tui.close.carts_title', { n: 3 }));
    expect(frame).toMatch(/> +#\d+ aparcado +luis \(Luis\) +María +1 +2,39 €/);
    expect(frame).toMatch(/#\d+ abierto +ana \(Ana\)/);
    expect(frame.split('\n').at(-1)).toBe('F1 Ayuda  F2 Anular  F3 Conservar  Esc Cancelar');

    s = press(s, F[3]);
    expect(s.message?.text).toMatch(/conservado/);
    s = press(s, F[2]);
    expect(s.message?.text).toMatch(/anulado/);
    s = press(s, ctrl('k')); // Ana's own cart, kept: it leaves her screen, held
    expect(s.screen).toBe('close_count');
    expect(s.cart.lines).toHaveLength(0);
    expect(s.message?.text).toBe(t('tui.close.count_hint'));
    const carts = app.db.prepare('SELECT u.code, c.status FROM carts c JOIN users u ON u.id = c.user_id ORDER BY c.id').all();
    expect(carts).toEqual([
      { code: 'luis', status: 'held' },
      { code: 'ana', status: 'held' },
    ]);
    const audit = app.db.prepare("SELECT action, detail FROM audit_log WHERE action IN ('cart_void', 'cart_keep') ORDER BY id").all() as { action: string; detail: string }[];
    expect(audit.map((a) => a.action)).toEqual(['cart_keep', 'cart_void', 'cart_keep']);
    expect(JSON.parse(audit[1]!.detail)).toMatchObject({ owner: 'luis', status: 'open', lines: 1, total: '0.99', approval: { action: 'shift_close', by: 'sup' } });

    // the count: decimal commas, VALUExCOUNT, amounts, pieces; the summary follows every key
    const expected = shiftStatus(app).cash.expected;
    expect(expected).toBe(10000 + 99 + 2000 - 550);
    s = press(s, '50x2;10x1', ENTER);
    s = press(s, '5,00', ENTER, ENTER, ENTER, ENTER, '1', ENTER, '0,10', ENTER, '1', ENTER, '0,04', ENTER);
    expect(s.message).toBeNull();
    const counted = 10000 + 1000 + 500 + 20 + 10 + 5 + 4;
    const table = await frameOf(s);
    if (process.env.SHOW_FRAMES) console.log(table + '\n' + (await frameOf(press(s, ...Array.from({ length: 9 }, () => UP)))) + '\n' + frame + '\n' + (await frameOf(press(s, F[12]))));
    expect(table).toContain('Esperado 115,49 €   Contado 115,39 €   Faltante -0,10 €');
    expect(table).toMatch(/50,00 € +2 +100,00 €/);
    expect(table).toMatch(/0,02 € +2 +0,04 €/);
    expect(table).toContain('F12 Cerrar turno');
    expect(table).toContain(t('tui.close.kept_summary', { kept: 2, voided: 1 }));
    for (const english of ['Expected', 'Counted', 'Shortage', 'Note/coin', 'How many', 'Close shift']) expect(table).not.toContain(english);

    s = press(s, F[12]);
    expect(s.prompt?.label).toBe(t('tui.close.confirm', { counted: '115,39 €', expected: '115,49 €', kind: 'faltante', difference: '-0,10 €' }));
    s = press(s, 's', ENTER);
    expect(s.screen).toBe('report');
    z = s.report!.number!;
    expect(z).toBe('T01Z-0001');
    expect(s.message?.text).toBe(t('tui.shift.closed', { number: z }));
    expect(ctx.actions.shift()).toBeNull();
    const stored = zReport(app, z).figures;
    expect(stored.cash).toMatchObject({ expected, counted, difference: counted - expected });
    expect(stored.count).toEqual([
      { value: 5000, qty: 2 },
      { value: 1000, qty: 1 },
      { value: 500, qty: 1 },
      { value: 20, qty: 1 },
      { value: 10, qty: 1 },
      { value: 5, qty: 1 },
      { value: 2, qty: 2 },
    ]);
    expect(stored.closed_by).toEqual({ code: 'ana', name: 'Ana' });
    expect(auditStore(app.db)).toMatchObject({ ok: true, findings: [] });
  });

  it('the Z report printed: the count, the sign and word of the difference, vouchers apart, who closed it, one code page', async () => {
    const { text, codepages } = await paper();
    expect(text).toMatch(/Informe Z +T01Z-0001/);
    expect(text).toMatch(/Cerrado por +Ana \(ana\)/);
    expect(text).toMatch(/Descuadre \(faltante\) +-0,10 €/);
    expect(text).toMatch(/Recuento\n +50,00 € x 2 +100,00 €/);
    expect(text).toMatch(/Vales regalo \(1\) +10,00 €/);
    expect(text).toMatch(/Ventas brutas +0,99 €/);
    expect(text).toMatch(/IVA: base \+ cuota +0,99 €/);
    expect(text).toMatch(/Cobrado\n +Efectivo +0,99 €\n +Tarjeta +10,00 €/);
    expect(text).toMatch(/Aperturas sin venta +1/);
    expect(text).not.toContain('…');
    expect(new Set(codepages).size).toBeLessThanOrEqual(1);
    expect(codepages).not.toContain(16);
  });

  it('a count entry that is wrong stays on the line with its message: a bad amount, an unknown coin, a bad part', () => {
    openShift(app, actingUser(app.db), 5000);
    let s = approve(press(login('ana', '2468'), F[10], F[6]));
    // the two carts kept at the last close wait here again: kept for the next one too
    expect(s.screen).toBe('close_carts');
    s = press(s, F[3], F[3]);
    expect(s.screen).toBe('close_count');
    const row = (value: number): string[] => Array.from({ length: s.close!.values.indexOf(value) }, () => DOWN);
    s = press(s, ...row(20), '0,30', ENTER);
    expect(s.message).toEqual({ text: t('shift.count_not_multiple', { amount: '0,30 €', value: '0,20 €' }), error: true });
    expect(s.entry).toBe('0,30');
    s = press(s, '\x7f\x7f\x7f\x7f', '7x1', ENTER);
    expect(s.message?.text).toBe(t('shift.count_unknown', { value: '7,00 €', currency: 'EUR' }));
    s = press(s, '\x7f\x7f\x7f', '5x', ENTER);
    expect(s.message?.text).toBe(t('cash.count_format', { part: '5x' }));
    s = press(s, '\x7f\x7f', '3', ENTER, UP, DEL);
    expect(s.close!.qty[s.close!.values.indexOf(20)]).toBe(0);
    // Esc: nothing closed, the shift stays open
    s = press(s, ESC);
    expect(s.screen).toBe('shift');
    expect(s.message?.text).toBe(t('tui.close.cancelled'));
    expect(ctx.actions.shift()).not.toBeNull();
  });

  it('a cart opened while counting sends the close back to the list, the count kept; then it closes', () => {
    let s = approve(press(login('ana', '2468'), F[10], F[6]));
    s = press(s, F[3], F[3], '50x1', ENTER);
    expect(s.screen).toBe('close_count');
    saveOpenCart(app, ids.luis!, cartOf('LAC-001', 'Leche entera 1 L', 99));
    s = press(s, F[12], 's', ENTER);
    expect(s.screen).toBe('close_carts');
    expect(s.message).toEqual({ text: t('tui.close.carts_new', { n: 1 }), error: true });
    expect(s.close?.carts.map((c) => c.user)).toEqual(['luis']);
    s = press(s, F[2]);
    expect(s.screen).toBe('close_count');
    expect(s.close!.qty[s.close!.values.indexOf(5000)]).toBe(1);
    // the last row: cash counted without a breakdown
    s = press(s, ...Array.from({ length: 20 }, () => DOWN), '0,25', ENTER, F[12], 'n', ENTER);
    expect(s.message?.text).toBe(t('tui.close.not_yet'));
    s = press(s, F[12], 's', ENTER);
    expect(s.report?.number).toBe('T01Z-0002');
    const f = zReport(app, 'T01Z-0002').figures;
    expect(f.cash).toMatchObject({ expected: 5000, counted: 5025, difference: 25 });
    expect(f.count).toEqual([{ value: 5000, qty: 1 }]);
    expect(zReport(app, 'T01Z-0002').figures.closed_by?.code).toBe('ana');
  });
});
