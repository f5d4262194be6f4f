/**
 * The sale and payment flows of issue 15 on a real store (appActions over a SQLite file, the demo
 * catalog): what the app adds for them — the void recorded in the audit log, the reprint of any
 * document also after a restart, skus typed in lower case, refunds refused at once, customers found
 * and registered at the till, stock in search, the store's clock and its till settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import { voidOpenCart } from '../../src/app/carts.js';
import { issueCredit } from '../../src/app/credit.js';
import { formatCreditCode } from '../../src/core/credit.js';
import type { App } from '../../src/app/context.js';
import { parseSetting } from '../../src/app/settings-schema.js';
import { openShift } from '../../src/app/shifts.js';
import { TILL_DEFAULTS, tillClock, tillSettings } from '../../src/app/till.js';
import type { SettingKey } from '../../src/core/profile.js';
import { setLanguage, t } from '../../src/i18n/index.js';
import { appActions, type PosActions } from '../../src/tui/actions.js';
import { parseKeys } from '../../src/tui/keys.js';
import { type Context, handleKey, handleScan, initialState, loginPrompt, type PosState, tillMessage } from '../../src/tui/state.js';
import { addDevice, removeDevice } from '../../src/app/devices.js';
import { decodedText } from '../../src/devices/escpos-decode.js';
import { type PrinterJob, simulatePrinter } from '../../src/devices/simulators.js';
import { caught, makeShopWithCatalog, TEST_ADMIN, tempDir } from '../helpers.js';

const dir = tempDir();
let app: App;
let ctx: Context;
const printed: { number: string; copy?: boolean }[] = [];

const F = { 3: '\x1bOR', 4: '\x1bOS', 6: '\x1b[17~', 9: '\x1b[20~', 12: '\x1b[24~' } as const;
const ENTER = '\r';
const ESC = '\x1b';
const ctrl = (letter: string): string => String.fromCharCode(letter.charCodeAt(0) - 0x60);

function press(s: PosState, ...chunks: string[]): PosState {
  for (const chunk of chunks) for (const key of parseKeys(chunk)) s = handleKey(s, key, ctx);
  return s;
}

/** A till started on the store: its own actions (a restart is a new one). */
function till(): Context {
  const base = appActions(app);
  const actions: PosActions = {
    ...base,
    print: (job) => {
      printed.push(job);
      return Promise.resolve();
    },
  };
  return { actions, info: actions.info() };
}

function loggedIn(): PosState {
  const s = press(loginPrompt(initialState(), ctx), TEST_ADMIN.code, ENTER, TEST_ADMIN.pin, ENTER);
  expect(s.screen).toBe('sale');
  return s;
}

/** The store as it reads with some `tui.*` settings on (the real store underneath: its database, its clock). */
function storeSaying(extra: Record<string, unknown>): App {
  return Object.create(app, { settings: { get: () => ({ ...app.settings, ...extra }) } }) as App;
}

beforeAll(async () => {
  setLanguage('en');
  app = await makeShopWithCatalog(dir, 'till.db', () => new Date('2026-11-21T10:00:00Z'));
  openShift(app, actingUser(app.db), 10000);
  ctx = till();
});
afterAll(() => app.close());

describe('the till on a real store', () => {
  it('a sku typed in lower case sells the product; an unknown code stays marked until Esc', () => {
    let s = press(loggedIn(), 'beb-020\r', '9999999999999\r', 'lac-001\r');
    expect(s.cart.lines.map((l) => l.sku)).toEqual(['BEB-020', 'LAC-001']);
    expect(s.failed).toEqual([{ code: '9999999999999', reason: t('tui.failed.not_found') }]);
    s = press(s, ESC, ctrl('n'), 'y');
    expect(s.cart.lines).toEqual([]);
  });

  it('voiding a ticket drops the saved cart and records every line in the audit log', () => {
    let s = press(loggedIn(), '2*LAC-001\r', 'BEB-020\r');
    s = press(s, ctrl('n'));
    expect(s.confirm?.text).toBe(t('tui.confirm.void', { n: 2, total: '€8.93' }));
    s = press(s, 'y');
    expect(s.message?.text).toBe(t('tui.voided', { n: 2, total: '€8.93' }));
    expect(app.db.prepare("SELECT COUNT(*) FROM carts WHERE status = 'open'").pluck().get()).toBe(0);
    const row = app.db.prepare("SELECT user_id, detail FROM audit_log WHERE action = 'cart_voided' ORDER BY id DESC LIMIT 1").get() as { user_id: number; detail: string };
    expect(row.user_id).toBe(actingUser(app.db).id);
    expect(JSON.parse(row.detail)).toMatchObject({
      lines: [
        { sku: 'LAC-001', qty: '2', amount: '1.98' },
        { sku: 'BEB-020', qty: '1', amount: '6.95' },
      ],
      total: '8.93',
    });
    // nothing open: nothing to void
    expect(caught(() => voidOpenCart(app, actingUser(app.db))).code).toBe('carts.none_to_void');
  });

  it('with tui.void_approval a cashier needs a supervisor (or an admin); the approval is recorded', async () => {
    const { addUser } = await import('../../src/app/users.js');
    const admin = actingUser(app.db);
    addUser(app, admin, { code: 'cash', name: 'Cora', role: 'cashier', pin: '3333' });
    const user = actingUser(app.db, 'cash');
    const strict = storeSaying({ 'tui.void_approval': true });
    const { saveOpenCart } = await import('../../src/app/carts.js');
    const s = press(loggedIn(), 'LAC-001\r');
    saveOpenCart(app, user.id, s.cart, s.extra);
    expect(caught(() => voidOpenCart(strict, user)).code).toBe('permission.needs_approval');
    const done = voidOpenCart(strict, user, { code: TEST_ADMIN.code, pin: TEST_ADMIN.pin });
    expect(done).toMatchObject({ lines: 1, total: 99, approval: { action: 'void_ticket', by: 'admin' } });
    const detail = JSON.parse(app.db.prepare("SELECT detail FROM audit_log WHERE action = 'cart_voided' ORDER BY id DESC LIMIT 1").pluck().get() as string);
    expect(detail.approval).toMatchObject({ action: 'void_ticket', by: 'admin' });
    press(s, ctrl('n'), 'y');
  });

  it('Ctrl+P reprints the last receipt after a restart, and any document by its number or its scan code', () => {
    let s = press(loggedIn(), 'LAC-001\r', F[12], F[6], ENTER);
    const first = s.last!.number;
    s = press(s, 'BEB-020\r', F[12], F[6], ENTER);
    const second = s.last!.number;
    // a restart: a new till on the same store knows nothing of what it sold
    ctx = till();
    s = press(loggedIn(), ctrl('p'), ENTER);
    expect(s.screen).toBe('report');
    expect(s.report?.number).toBe(second);
    expect(s.report?.text).toContain(second);
    expect(s.report?.text).toMatch(/COPY|COPIA/);
    expect(printed.at(-1)).toEqual({ number: second, copy: true });
    s = handleScan(press(s, ESC, ctrl('p')), `TPV:${first}`, ctx);
    expect(s.report?.number).toBe(first);
    expect(printed.at(-1)).toEqual({ number: first, copy: true });
    s = press(s, ESC, ctrl('p'), 'T01-999999\r');
    expect(s.message?.text).toBe(tillMessage('document.not_found', { number: 'T01-999999' }));
  });

  it('a code issued with no document (tpv credit issue): F11 F2 shows it large and Ctrl+P prints its slip, marked a copy as tpv credit print does', async () => {
    const jobs: PrinterJob[] = [];
    const printer = await simulatePrinter({ host: '127.0.0.1', port: 0, state: 'online', onJob: (j) => jobs.push(j) });
    const admin = actingUser(app.db);
    await addDevice(app, admin, 'printer', { url: `tcp://127.0.0.1:${printer.port}` }, false);
    const saved = ctx;
    const base = appActions(app);
    const printedSlips: Promise<boolean>[] = [];
    ctx = { actions: { ...base, printSlip: (code) => (printedSlips.push(base.printSlip(code)), printedSlips.at(-1)!) }, info: base.info() };
    try {
      const code = issueCredit(app, 1500, admin).code;
      let s = press(loggedIn(), '\x1b[23~', '\x1bOQ', `${code}\r`);
      expect(s.screen).toBe('report');
      // the code as it is printed and read out (groups of four)
      const shown = formatCreditCode(code);
      expect(s.report).toMatchObject({ title: shown, slip: shown });
      expect(s.report?.text).toContain(t('tui.credit.reprint_slip'));
      s = press(s, ctrl('p'));
      expect(s.message).toEqual({ text: t('tui.slip_printing', { code: shown }), error: false });
      expect(await printedSlips.at(-1)).toBe(true);
      while (jobs.length < 1) await new Promise((r) => setTimeout(r, 10));
      const slip = decodedText(jobs[0]!.decoded);
      expect(slip).toContain(shown);
      expect(slip).toMatch(/15[.,]00/);
      expect(slip).toMatch(/COPY|COPIA/);
    } finally {
      ctx = saved;
      removeDevice(app, admin, 'printer');
      await printer.close();
    }
  });

  it('a receipt whose print never reached paper is reprinted as the original, and the till says so; then as a copy', async () => {
    // a printer out of paper: the sale's own print is refused before a byte goes out
    const jobs: PrinterJob[] = [];
    const printer = await simulatePrinter({ host: '127.0.0.1', port: 0, state: 'paper_end', onJob: (j) => jobs.push(j) });
    const admin = actingUser(app.db);
    await addDevice(app, admin, 'printer', { url: `tcp://127.0.0.1:${printer.port}` }, false);
    const outcomes: Promise<string>[] = [];
    const base = appActions(app);
    const saved = ctx;
    ctx = {
      actions: {
        ...base,
        // as run.tsx does: a failed print is news for the message line, never a crash
        print: (job) => {
          const done = base.print(job).then(
            () => 'printed',
            (e: unknown) => (e as { code?: string }).code ?? String(e),
          );
          outcomes.push(done);
          return done.then(() => undefined);
        },
      },
      info: base.info(),
    };
    const printedText = async (n: number): Promise<string> => {
      // each job shows when the till closes its link: wait for it, not for a time
      while (jobs.length < n) await new Promise((r) => setTimeout(r, 10));
      return decodedText(jobs[n - 1]!.decoded);
    };
    try {
      let s = press(loggedIn(), 'LAC-001\r', F[12], F[6], ENTER);
      const sold = s.last!.number;
      expect(await outcomes.at(-1)).toBe('printer.paper_end');
      printer.setState('online');
      s = press(s, ctrl('p'), ENTER);
      expect(s.report?.number).toBe(sold);
      expect(s.report?.text).not.toMatch(/COPY|COPIA/);
      expect(s.message).toEqual({ text: t('tui.reprinted_original', { number: sold }), error: false });
      expect(await outcomes.at(-1)).toBe('printed');
      const original = await printedText(1);
      expect(original).toContain(sold);
      expect(original).not.toMatch(/COPY|COPIA/);
      // printed now: Ctrl+P on the document on screen prints a copy, and says a copy
      s = press(s, ctrl('p'));
      expect(s.message).toEqual({ text: t('tui.reprinted', { number: sold }), error: false });
      expect(await outcomes.at(-1)).toBe('printed');
      expect(await printedText(2)).toMatch(/\*\*\* COP(Y|IA) \*\*\*/);
    } finally {
      ctx = saved;
      removeDevice(app, admin, 'printer');
      await printer.close();
    }
  });

  it('F9 on a refund number, or on a receipt refunded whole, is refused at once', () => {
    let s = press(loggedIn(), 'LAC-001\r', F[12], F[6], ENTER);
    const sold = s.last!.number;
    s = press(s, F[9], sold, ENTER, ENTER, F[3]);
    expect(s.screen).toBe('report');
    const refundNumber = s.report!.number!;
    s = press(s, ESC, F[9], refundNumber, ENTER);
    expect(s.screen).toBe('sale');
    expect(s.message).toEqual({ text: t('tui.refund.of_refund', { number: refundNumber }), error: true });
    s = press(s, F[9], sold, ENTER);
    expect(s.screen).toBe('sale');
    expect(s.message?.text).toBe(tillMessage('refund.nothing_left', { receipt: sold }));
  });

  it('F3 finds customers by name, registers a new one with its tax id, and the sale carries it', () => {
    let s = press(loggedIn(), 'LAC-001\r', F[3], 'Panadería\r');
    expect(s.screen).toBe('customers');
    expect(s.customers.found).toEqual([]);
    s = press(s, '\x1bOQ', ENTER, 'B12345674\r');
    expect(s.screen).toBe('sale');
    expect(s.customerName).toBe('Panadería');
    const id = s.extra.customerId!;
    expect(app.db.prepare('SELECT name, tax_id FROM customers WHERE id = ?').get(id)).toEqual({ name: 'Panadería', tax_id: 'B12345674' });
    // found again by part of its name, or by its tax id (that one alone: set at once)
    expect(ctx.actions.customers('nader', 10).map((c) => c.id)).toEqual([id]);
    s = press(s, F[3], 'b-12345674\r');
    expect(s.screen).toBe('sale');
    expect(s.message?.text).toBe(t('tui.customer_set', { name: 'Panadería' }));
    s = press(s, F[12], F[6], ENTER);
    expect(app.db.prepare('SELECT customer_id FROM documents WHERE number = ?').pluck().get(s.last!.number)).toBe(id);
  });

  it('search results and the price check show the stock; the price check sells nothing', () => {
    const results = ctx.actions.search('vino tinto', 5);
    expect(results[0]).toMatchObject({ sku: 'BEB-020', stock: expect.any(Number) });
    let s = press(loggedIn(), ctrl('k'), 'beb-020\r');
    expect(s.message?.text).toMatch(/^Vino tinto Rioja crianza 75 cl: €6\.95 · stock \d+$/);
    s = press(s, ESC);
    expect(s.cart.lines).toEqual([]);
  });
});

describe("the till's settings and clock", () => {
  it('the header clock is the store zone (the receipts), not the machine', () => {
    expect(app.profile.timezone).toBe('Europe/Madrid');
    expect(tillClock(app)).toBe('11:00');
  });

  it('tui.* settings: defaults when unset, the store values when set; bad values refused naming the key when saved', () => {
    expect(tillSettings(app)).toEqual(TILL_DEFAULTS);
    expect(tillSettings(storeSaying({ 'tui.confirm_quantity': 20, 'tui.merge_scans': true, 'tui.quick_items': ['PAN-001'] }))).toEqual({
      ...TILL_DEFAULTS,
      confirmQuantity: 20,
      mergeScans: true,
      quickItems: ['PAN-001'],
    });
    const key = (k: string): SettingKey => k as SettingKey;
    expect(parseSetting(key('tui.confirm_quantity'), '150')).toBe(150);
    expect(parseSetting(key('tui.merge_scans'), 'yes')).toBe(true);
    expect(parseSetting(key('tui.quick_items'), ' BOL-001, PAN-001 ,BOL-001')).toEqual(['BOL-001', 'PAN-001']);
    const e = caught(() => parseSetting(key('tui.confirm_weight'), '5000'));
    expect(e).toMatchObject({ code: 'setting.range', params: { key: 'tui.confirm_weight', min: 0, max: 999 } });
    expect(caught(() => parseSetting(key('tui.quick_items'), 'BOL 001')).code).toBe('setting.quick_item');
  });

  it('the quick items resolve to what they sell; a sku that sells nothing is null', () => {
    const quick = appActions(storeSaying({ 'tui.quick_items': ['lac-001', 'NOPE'] })).quickItems();
    expect(quick).toEqual([
      { sku: 'lac-001', item: expect.objectContaining({ sku: 'LAC-001', name: 'Leche entera 1 L' }) },
      { sku: 'NOPE', item: null },
    ]);
  });
});
