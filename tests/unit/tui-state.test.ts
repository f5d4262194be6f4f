/**
 * The cashier terminal's state machine without Ink: keys (decoded from raw terminal bytes by
 * parseKeys) go through handleKey with a fake PosActions (a tiny in-memory store, vi.fn spies).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Approver } from '../../src/app/auth.js';
import type { CartExtra } from '../../src/app/carts.js';
import { type Cart, priceCart } from '../../src/core/cart.js';
import type { CreditStatus } from '../../src/core/credit.js';
import { TpvError } from '../../src/core/errors.js';
import { problemError } from '../../src/core/money.js';
import type { Approval } from '../../src/core/document.js';
import { type Action, approvalOf, can, type Role } from '../../src/core/permissions.js';
import { errorMessage, setLanguage, t } from '../../src/i18n/index.js';
import type { Done, Item, PosActions, RefundableReceipt, TillInfo, TillUser } from '../../src/tui/actions.js';
import type { PendingCart } from '../../src/tui/shift.js';
import { commandFor, KEYMAP, keyLabel, type Screen } from '../../src/tui/keymap.js';
import { TILL_DEFAULTS, type TillSettings } from '../../src/app/till.js';
import { keyId, parseKeys } from '../../src/tui/keys.js';
import { bigText } from '../../src/tui/big.js';
import { type Context, displayView, due, handleKey, handleScan, initialState, loginPrompt, type PosState, saleTotal, tillMessage } from '../../src/tui/state.js';

beforeAll(() => setLanguage('en'));

// ---- raw keys, as a terminal (xterm) sends them ---------------------------------------------------

const F = {
  1: '\x1bOP',
  2: '\x1bOQ',
  3: '\x1bOR',
  4: '\x1bOS',
  5: '\x1b[15~',
  6: '\x1b[17~',
  7: '\x1b[18~',
  8: '\x1b[19~',
  9: '\x1b[20~',
  10: '\x1b[21~',
  11: '\x1b[23~',
  12: '\x1b[24~',
} as const;
const ENTER = '\r';
const ESC = '\x1b';
const UP = '\x1b[A';
const DOWN = '\x1b[B';
const PGUP = '\x1b[5~';
const PGDN = '\x1b[6~';
const DEL = '\x1b[3~';
const BS = '\x7f';
const ctrl = (letter: string): string => String.fromCharCode(letter.charCodeAt(0) - 0x60);

/** Raw bytes for a keymap key id ('f5', 'ctrl+d', 'up', 'escape'…). */
function rawFor(id: string): string {
  const f = /^f(\d+)$/.exec(id);
  if (f) return F[Number(f[1]) as keyof typeof F];
  const c = /^ctrl\+([a-z])$/.exec(id);
  if (c) return ctrl(c[1]!);
  const named: Record<string, string> = { up: UP, down: DOWN, pageup: PGUP, pagedown: PGDN, delete: DEL, escape: ESC, enter: ENTER };
  const raw = named[id];
  if (raw === undefined) throw new Error(`no raw bytes known for key ${id}`);
  return raw;
}

// ---- the fake store ------------------------------------------------------------------------------

const INFO: TillInfo = {
  store: 'Corner Shop',
  register: 'T01',
  currency: 'EUR',
  exponent: 2,
  pricesIncludeTax: true,
  otherTenders: ['exchange'],
  cashIncrement: 1,
  discountLimit: 1000,
  lockMinutes: 5,
};

const USERS: (TillUser & { pin: string })[] = [
  { id: 1, code: 'admin', name: 'Ada Admin', role: 'admin', pin: '1234' },
  { id: 2, code: 'sup', name: 'Sam Super', role: 'supervisor', pin: '2222' },
  { id: 3, code: 'cash', name: 'Cora Cash', role: 'cashier', pin: '3333' },
];

const WATER: Item = { sku: 'WATER', name: 'Water 1L', unit: 'each', unitPrice: 99, taxRate: 400 };
const APPLES: Item = { sku: 'APPLES', name: 'Apples', unit: 'kg', unitPrice: 249, taxRate: 400 };
const CHEESE: Item = { sku: 'CHEESE', name: 'Cheese', unit: 'each', unitPrice: 1235, taxRate: 1000 };
const CATALOG: Item[] = [WATER, APPLES, CHEESE];
const BARCODES: Record<string, string> = { '8410000000017': 'WATER' };
/** A weight label printed by the scale (apples, 1.234 kg). */
const LABEL = '2500101012349';

const RECEIPT: RefundableReceipt = {
  number: 'T01-000001',
  total: 1719,
  lines: [
    { line: 1, name: 'Water 1L', unit: 'each', qty: 3000, remaining: 2000, amount: 297 },
    { line: 2, name: 'Apples', unit: 'kg', qty: 750, remaining: 750, amount: 187 },
    { line: 3, name: 'Cheese', unit: 'each', qty: 1000, remaining: 1000, amount: 1235 },
  ],
};

const CREDITS: Record<string, { code: string; balance: string; status: CreditStatus; expires: string | null; ref?: string | null }> = {
  'GIFT-0001': { code: 'GIFT-0001', balance: '10.00', status: 'active', expires: '31/01/2027', ref: 'T01-000001' },
  'GIFT-0002': { code: 'GIFT-0002', balance: '0.00', status: 'spent', expires: null },
};

const CUSTOMERS = [
  { id: 5, name: 'Acme SL', taxId: 'B12345678' },
  { id: 6, name: 'Ana García', taxId: null },
  { id: 7, name: 'Ana López', taxId: '12345678Z' },
];

const strip = ({ pin: _pin, ...u }: TillUser & { pin: string }): TillUser => u;

/**
 * The till's authorize: the approver's PIN checked against this fake store's users (as a login
 * would), then the real rule of core/permissions.ts decides.
 */
function authorizeLike(user: TillUser, action: Action, detail: string, approver?: Approver): Approval | null {
  let by: { code: string; role: Role } | null = null;
  if (approver && !can(user.role, action)) {
    const sup = USERS.find((u) => u.code === approver.code);
    if (!sup) throw new TpvError('not_found', 'user.not_found', { code: approver.code });
    if (sup.pin !== approver.pin) throw new TpvError('conflict', 'user.pin_wrong', { code: sup.code, left: 2 });
    by = sup;
  }
  const r = approvalOf(user, action, by, '2026-05-04T10:00:00+02:00', detail);
  if (!r.ok) throw problemError('conflict', r.problem, 2);
  return r.value;
}

/**
 * `owed`: documents whose original never reached paper (src/app/devices.ts `originalOwed`): their
 * next print is the original, as the app's printDocument does it.
 */
function fakeStore(opts: { shiftOpen?: boolean; report?: string; quick?: string[]; owed?: string[] } = {}) {
  let shift: { id: number; expected: number } | null = opts.shiftOpen === false ? null : { id: 7, expected: 10000 };
  const owed = new Set(opts.owed ?? []);
  let closedZ: string | null = null;
  const noShift = (): TpvError => new TpvError('conflict', 'shift.none_open', { register: 'T01' });
  const open = new Map<number, { cart: Cart; extra: CartExtra }>();
  const held: { id: number; label: string | null; user: string; cart: Cart; extra: CartExtra }[] = [];
  let nextHeld = 1;
  let nextDoc = 2;
  const total = (cart: Cart, extra: CartExtra): number => priceCart(cart, { pricesIncludeTax: INFO.pricesIncludeTax }).total + extra.vouchers.reduce((a, b) => a + b, 0);

  const actions = {
    info: vi.fn<PosActions['info']>(() => INFO),
    login: vi.fn<PosActions['login']>((code, pin) => {
      const u = USERS.find((x) => x.code === code);
      if (!u) throw new TpvError('not_found', 'user.not_found', { code });
      if (u.pin !== pin) throw new TpvError('conflict', 'user.pin_wrong', { code, left: 2 });
      return strip(u);
    }),
    shift: vi.fn<PosActions['shift']>(() => shift),
    openShift: vi.fn<PosActions['openShift']>((_u, float) => {
      shift = { id: 8, expected: float };
    }),
    cashMove: vi.fn<PosActions['cashMove']>((u, kind, _amount, _reason, approver) => {
      authorizeLike(u, kind === 'in' ? 'cash_in' : 'cash_out', '', approver);
      return { kick: false };
    }),
    xReport: vi.fn<PosActions['xReport']>(() => {
      if (!shift) throw noShift();
      return opts.report ?? 'X REPORT\nExpected cash  €100.00';
    }),
    closeShift: vi.fn<PosActions['closeShift']>((u, _counted, approver) => {
      authorizeLike(u, 'shift_close', '', approver);
      if (!shift) throw noShift();
      shift = null;
      closedZ = 'Z01-000001';
      return { number: 'Z01-000001', text: 'Z REPORT Z01-000001' };
    }),
    pendingCarts: vi.fn<PosActions['pendingCarts']>(() => []),
    resolveCart: vi.fn<PosActions['resolveCart']>(),
    expectedCash: vi.fn<PosActions['expectedCash']>(() => 10000),
    printX: vi.fn<PosActions['printX']>(() => Promise.resolve(null)),
    lookup: vi.fn<PosActions['lookup']>((code) => {
      // a scale label: apples, 1.234 kg weighed by the scale
      if (code === LABEL) return { ...APPLES, qty: 1234, label: LABEL };
      const sku = BARCODES[code] ?? code;
      const item = CATALOG.find((i) => i.sku === sku);
      if (!item) throw new TpvError('not_found', 'product.not_found', { code });
      return { ...item };
    }),
    search: vi.fn<PosActions['search']>((query, limit) => CATALOG.filter((i) => i.name.toLowerCase().includes(query.toLowerCase())).slice(0, limit)),
    authorize: vi.fn<PosActions['authorize']>(authorizeLike),
    openCart: vi.fn<PosActions['openCart']>((u) => open.get(u.id) ?? null),
    saveCart: vi.fn<PosActions['saveCart']>((u, cart, extra) => {
      if (cart.lines.length === 0 && extra.vouchers.length === 0) open.delete(u.id);
      else open.set(u.id, { cart, extra });
    }),
    holdCart: vi.fn<PosActions['holdCart']>((u, label) => {
      const c = open.get(u.id);
      if (!c) throw new TpvError('not_found', 'carts.none_open');
      held.push({ id: nextHeld++, label: label ?? null, user: u.code, ...c });
      open.delete(u.id);
    }),
    heldCarts: vi.fn<PosActions['heldCarts']>(() =>
      held.map((h) => ({ id: h.id, label: h.label, user: h.user, lines: h.cart.lines.length + h.extra.vouchers.length, total: total(h.cart, h.extra) })),
    ),
    recallCart: vi.fn<PosActions['recallCart']>((u, id) => {
      const i = held.findIndex((h) => h.id === id);
      if (i < 0) throw new TpvError('not_found', 'carts.not_held', { id });
      const [h] = held.splice(i, 1);
      open.set(u.id, { cart: h!.cart, extra: h!.extra });
      return { cart: h!.cart, extra: h!.extra };
    }),
    customer: vi.fn<PosActions['customer']>((key) => {
      if (key !== 'B12345678') throw new TpvError('not_found', 'customer.not_found', { key });
      return { id: 5, name: 'Acme SL' };
    }),
    customers: vi.fn<PosActions['customers']>((query, limit) => {
      const exact = CUSTOMERS.filter((c) => String(c.id) === query || c.taxId === query.toUpperCase());
      return (exact.length ? exact : CUSTOMERS.filter((c) => c.name.toLowerCase().includes(query.toLowerCase()))).slice(0, limit);
    }),
    addCustomer: vi.fn<PosActions['addCustomer']>((name, taxId) => {
      if (taxId && !/^[0-9A-Z]{9}$/.test(taxId)) throw new TpvError('invalid', 'customer.country', { field: 'country', value: taxId });
      const c = { id: 100 + CUSTOMERS.length, name, taxId };
      return c;
    }),
    credit: vi.fn<PosActions['credit']>((code) => {
      const c = CREDITS[code];
      if (!c) throw new TpvError('not_found', 'credit.not_found', { code });
      return c;
    }),
    checkout: vi.fn<PosActions['checkout']>((_u, sale): Done => {
      if (!shift) throw noShift();
      const sum = total(sale.cart, { vouchers: sale.vouchers, approvals: sale.approvals, customerId: sale.customerId });
      const paid = sale.payments.reduce((a, p) => a + p.amount, 0);
      const number = `T01-${String(nextDoc++).padStart(6, '0')}`;
      // each gift voucher sold gets its code, as the app issues them
      const codes = sale.vouchers.map((amount, i) => ({ code: `GFT${i}-2QRM-X7TD-8W4P`, amount, gift: true, validUntil: '21/11/2027' }));
      return { number, total: sum, change: Math.max(0, paid - sum), text: `RECEIPT ${number}`, codes, kick: sale.payments.some((p) => p.method === 'cash') };
    }),
    receipt: vi.fn<PosActions['receipt']>((number) => {
      if (number !== RECEIPT.number) throw new TpvError('not_found', 'receipt.not_found', { number });
      return RECEIPT;
    }),
    refund: vi.fn<PosActions['refund']>((u, number, input, approver): Done => {
      authorizeLike(u, 'refund', number, approver);
      return {
        number: 'R01-000001',
        total: 484,
        change: 0,
        text: 'REFUND R01-000001',
        kick: input.method === 'cash',
        codes: input.method === 'store_credit' ? [{ code: 'K3F9-2QRM-X7TD-8W4P', amount: 484, gift: false, validUntil: '21/11/2027' }] : [],
      };
    }),
    receiptText: vi.fn<PosActions['receiptText']>((number, copy) => `${copy ? '*** COPY ***\n' : ''}RECEIPT ${number}`),
    lastDocument: vi.fn<PosActions['lastDocument']>(() => (nextDoc > 2 ? `T01-${String(nextDoc - 1).padStart(6, '0')}` : null)),
    copyOf: vi.fn<PosActions['copyOf']>((typed) => {
      const number = typed.replace(/^TPV:/i, '').toUpperCase();
      const known = number === closedZ || (/^T01-\d{6}$/.test(number) && Number(number.slice(4)) < nextDoc);
      if (!known) throw new TpvError('not_found', 'document.not_found', { number });
      const copy = !owed.has(number);
      return { number, text: `${copy ? '*** COPY ***\n' : ''}RECEIPT ${number}`, copy };
    }),
    voidCart: vi.fn<PosActions['voidCart']>((u, approver) => {
      // the store's setting, here: a supervisor voids (the void_ticket action, as the app does)
      authorizeLike(u, 'void_ticket', 'void', approver);
      const c = open.get(u.id);
      if (!c) throw new TpvError('not_found', 'carts.none_to_void');
      open.delete(u.id);
      return { lines: c.cart.lines.length + c.extra.vouchers.length, total: total(c.cart, c.extra) };
    }),
    quickItems: vi.fn<PosActions['quickItems']>(() => (opts.quick ?? []).map((sku) => ({ sku, item: CATALOG.find((i) => i.sku === sku) ?? null }))),
    printSlip: vi.fn<PosActions['printSlip']>(() => Promise.resolve(true)),
    // a reprint job prints the original still owed (once), as the app's printDocument does
    print: vi.fn<PosActions['print']>((job) => {
      if (job.copy) owed.delete(job.number);
      return Promise.resolve();
    }),
    noSale: vi.fn<PosActions['noSale']>((u, reason, approver) => void authorizeLike(u, 'no_sale', reason, approver)),
    kickDrawer: vi.fn<PosActions['kickDrawer']>(() => Promise.resolve()),
    printerState: vi.fn<PosActions['printerState']>(() => Promise.resolve('online')),
    display: vi.fn<PosActions['display']>(),
    closeDisplay: vi.fn<PosActions['closeDisplay']>(() => Promise.resolve()),
    scanners: vi.fn<PosActions['scanners']>(() => Promise.resolve(() => Promise.resolve())),
  } satisfies PosActions;
  const ctx: Context = { actions, info: INFO };
  return { actions, ctx, open, held };
}

type Fake = ReturnType<typeof fakeStore>;

/** Feeds each raw chunk through the decoder and every key through handleKey. */
function press(s: PosState, ctx: Context, ...chunks: string[]): PosState {
  for (const chunk of chunks) for (const key of parseKeys(chunk)) s = handleKey(s, key, ctx);
  return s;
}

function start(ctx: Context): PosState {
  return loginPrompt(initialState(), ctx);
}

function login(f: Fake, code = 'cash', pin = USERS.find((u) => u.code === code)!.pin, from?: PosState): PosState {
  return press(from ?? start(f.ctx), f.ctx, code, ENTER, pin, ENTER);
}

/** A logged-in cashier with WATER ×3 and CHEESE (2.97 + 12.35 = 15.32). */
function withCart(f: Fake, code = 'cash'): PosState {
  return press(login(f, code), f.ctx, '3*WATER', ENTER, 'CHEESE', ENTER);
}

const lastCall = <A extends unknown[]>(spy: { mock: { calls: A[] } }): A => spy.mock.calls[spy.mock.calls.length - 1]!;

// ---- login ---------------------------------------------------------------------------------------

describe('login', () => {
  it('asks for the user code, then the PIN (hidden)', () => {
    const f = fakeStore();
    let s = start(f.ctx);
    expect(s.screen).toBe('login');
    expect(s.prompt?.label).toBe(t('tui.login.code'));
    s = press(s, f.ctx, 'cash', ENTER);
    expect(s.prompt?.label).toBe(t('tui.login.pin', { code: 'cash' }));
    expect(s.prompt?.secret).toBe(true);
    s = press(s, f.ctx, '33', BS, '3');
    expect(s.prompt?.value).toBe('33');
  });

  it('a wrong PIN shows the error, rings, and starts over at the user code', () => {
    const f = fakeStore();
    const s = login(f, 'cash', '9999');
    expect(f.actions.login).toHaveBeenCalledWith('cash', '9999');
    expect(s.user).toBeNull();
    expect(s.screen).toBe('login');
    expect(s.message).toEqual({ text: errorMessage('user.pin_wrong', { code: 'cash', left: 2 }), error: true });
    expect(s.bell).toBe(1);
    expect(s.prompt?.label).toBe(t('tui.login.code'));
    expect(s.prompt?.value).toBe('');
    // and the right PIN then gets in
    const ok = login(f, 'cash', '3333', s);
    expect(ok.user?.code).toBe('cash');
    expect(ok.screen).toBe('sale');
  });

  it('the right PIN opens the sale screen with a greeting', () => {
    const f = fakeStore();
    const s = login(f);
    expect(s.screen).toBe('sale');
    expect(s.prompt).toBeNull();
    expect(s.user).toEqual({ id: 3, code: 'cash', name: 'Cora Cash', role: 'cashier' });
    expect(s.message).toEqual({ text: t('tui.welcome', { name: 'Cora Cash' }), error: false });
    expect(f.actions.openCart).toHaveBeenCalledWith(s.user);
  });

  it('without an open shift it asks for the float, then sells', () => {
    const f = fakeStore({ shiftOpen: false });
    let s = login(f);
    expect(s.screen).toBe('shift');
    expect(s.prompt?.label).toBe(t('tui.prompt.float'));
    expect(s.message?.text).toBe(t('tui.shift.none'));
    s = press(s, f.ctx, '100,50', ENTER);
    expect(f.actions.openShift).toHaveBeenCalledWith(s.user, 10050, undefined);
    expect(s.screen).toBe('sale');
    expect(s.prompt).toBeNull();
    expect(s.message?.text).toBe(t('tui.shift.opened'));
  });

  it('a malformed float keeps the float prompt open', () => {
    const f = fakeStore({ shiftOpen: false });
    const s = press(login(f), f.ctx, 'abc', ENTER);
    expect(s.prompt?.label).toBe(t('tui.prompt.float'));
  });

  it('Esc at the PIN prompt starts the login over', () => {
    const f = fakeStore();
    const s = press(start(f.ctx), f.ctx, 'cash', ENTER, '12', ESC);
    expect(s.prompt?.label).toBe(t('tui.login.code'));
    expect(s.user).toBeNull();
  });

  it('Esc at the user code prompt keeps a login prompt (the till is not stuck)', () => {
    const f = fakeStore();
    let s = press(start(f.ctx), f.ctx, 'ca', ESC);
    expect(s.prompt?.label).toBe(t('tui.login.code'));
    s = login(f, 'cash', '3333', s);
    expect(s.screen).toBe('sale');
  });
});

// ---- scanning --------------------------------------------------------------------------------------

describe('scanning', () => {
  it('a code and Enter adds a line and keeps it saved', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, 'WATER', ENTER);
    expect(s.cart.lines).toHaveLength(1);
    expect(s.cart.lines[0]).toMatchObject({ sku: 'WATER', qty: 1000, unitPrice: 99, taxRate: 400 });
    expect(s.entry).toBe('');
    expect(s.selected).toBe(0);
    expect(lastCall(f.actions.saveCart)[1]).toBe(s.cart);
  });

  it('a barcode finds its product', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, '8410000000017\r');
    expect(f.actions.lookup).toHaveBeenCalledWith('8410000000017');
    expect(s.cart.lines.map((l) => l.sku)).toEqual(['WATER']);
  });

  it('3*CODE sells 3 (also 3xCODE), and the new line is selected', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, 'CHEESE\r', '3*WATER\r');
    expect(s.cart.lines[1]).toMatchObject({ sku: 'WATER', qty: 3000 });
    expect(s.selected).toBe(1);
    expect(saleTotal(s, f.ctx)).toBe(1235 + 297);
    s = press(s, f.ctx, '2xWATER\r');
    expect(s.cart.lines[2]).toMatchObject({ sku: 'WATER', qty: 2000 });
    expect(f.actions.lookup).toHaveBeenLastCalledWith('WATER');
  });

  it('an unknown code is an error with a bell; the cashier keeps working', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, 'WATER\r');
    const bell = s.bell;
    s = press(s, f.ctx, 'NOPE\r');
    expect(s.message).toEqual({ text: errorMessage('product.not_found', { code: 'NOPE' }), error: true });
    expect(s.bell).toBe(bell + 1);
    expect(s.cart.lines).toHaveLength(1);
    expect(s.entry).toBe('');
    expect(s.screen).toBe('sale');
    s = press(s, f.ctx, 'CHEESE\r');
    expect(s.cart.lines.map((l) => l.sku)).toEqual(['WATER', 'CHEESE']);
    expect(s.message).toBeNull();
  });

  it('a kg item without a weight asks for it', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, 'APPLES\r');
    expect(s.cart.lines).toHaveLength(0);
    expect(s.prompt?.label).toBe(t('tui.prompt.weight', { name: 'Apples' }));
    s = press(s, f.ctx, '0,750\r');
    expect(s.prompt).toBeNull();
    expect(s.cart.lines[0]).toMatchObject({ sku: 'APPLES', unit: 'kg', qty: 750 });
    expect(saleTotal(s, f.ctx)).toBe(187); // 2.49 × 0.75 = 1.8675
  });

  it('a kg item with a typed weight (2*CODE) needs no prompt', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, '2*APPLES\r');
    expect(s.prompt).toBeNull();
    expect(s.cart.lines[0]).toMatchObject({ sku: 'APPLES', qty: 2000 });
  });

  it('Backspace edits the entry line', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, 'WATEX', BS, 'R');
    expect(s.entry).toBe('WATER');
  });
});

// ---- editing lines ---------------------------------------------------------------------------------

describe('editing lines', () => {
  it('arrows and pages move the selection within the lines', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, 'WATER\r', 'CHEESE\r', '2*APPLES\r');
    expect(s.selected).toBe(2);
    s = press(s, f.ctx, UP);
    expect(s.selected).toBe(1);
    s = press(s, f.ctx, UP, UP, UP);
    expect(s.selected).toBe(0);
    s = press(s, f.ctx, DOWN);
    expect(s.selected).toBe(1);
    s = press(s, f.ctx, PGDN);
    expect(s.selected).toBe(2);
    s = press(s, f.ctx, PGUP);
    expect(s.selected).toBe(0);
  });

  it('F4 changes the quantity of the selected line', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, 'WATER\r', 'CHEESE\r', UP, F[4]);
    expect(s.prompt?.label).toBe(t('tui.prompt.qty', { name: 'Water 1L' }));
    s = press(s, f.ctx, '4\r');
    expect(s.cart.lines.map((l) => l.qty)).toEqual([4000, 1000]);
    expect(saleTotal(s, f.ctx)).toBe(4 * 99 + 1235);
  });

  it('F4 with a fractional quantity of an each item is refused and the prompt stays', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, 'WATER\r', F[4], '1,5\r');
    expect(s.message?.error).toBe(true);
    expect(s.prompt?.label).toBe(t('tui.prompt.qty', { name: 'Water 1L' }));
    expect(s.cart.lines[0]!.qty).toBe(1000);
  });

  it('F5 within the limit applies the discount without asking anybody', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, 'CHEESE\r', F[5]);
    expect(s.prompt?.label).toBe(t('tui.prompt.discount', { name: 'Cheese' }));
    s = press(s, f.ctx, '10%\r');
    expect(s.cart.lines[0]!.discount).toEqual({ kind: 'percent', bp: 1000 });
    expect(s.extra.approvals).toEqual([]);
    expect(f.actions.authorize).not.toHaveBeenCalled();
    expect(saleTotal(s, f.ctx)).toBe(1235 - 124);
  });

  it('F5 over the limit as a cashier asks a supervisor, records the approval and checkout gets it', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[5], '20%\r');
    // not applied yet: the supervisor is asked in place
    expect(s.cart.lines[1]!.discount).toBeNull();
    expect(s.prompt?.label).toBe(t('tui.approval.code'));
    expect(s.message?.text).toBe(t('tui.approval.needed', { action: t('tui.action.discount_over_limit') }));
    expect(f.actions.authorize).toHaveBeenCalledWith(s.user, 'discount_over_limit', 'CHEESE: 20%', undefined);
    s = press(s, f.ctx, 'sup\r');
    expect(s.prompt?.label).toBe(t('tui.approval.pin', { code: 'sup' }));
    expect(s.prompt?.secret).toBe(true);
    s = press(s, f.ctx, '2222\r');
    expect(s.prompt).toBeNull();
    expect(f.actions.authorize).toHaveBeenLastCalledWith(s.user, 'discount_over_limit', 'CHEESE: 20%', { code: 'sup', pin: '2222' });
    expect(s.cart.lines[1]!.discount).toEqual({ kind: 'percent', bp: 2000 });
    expect(s.extra.approvals).toEqual([{ action: 'discount_over_limit', by: 'sup', at: '2026-05-04T10:00:00+02:00', detail: 'CHEESE: 20%' }]);
    expect(lastCall(f.actions.saveCart)[2].approvals).toHaveLength(1);
    s = press(s, f.ctx, F[12], F[6], ENTER);
    expect(f.actions.checkout).toHaveBeenCalledTimes(1);
    expect(lastCall(f.actions.checkout)[1].approvals).toEqual([expect.objectContaining({ action: 'discount_over_limit', by: 'sup' })]);
  });

  it('a wrong supervisor PIN keeps asking and applies nothing', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[5], '50%\r', 'sup\r', '0000\r');
    expect(s.message).toEqual({ text: errorMessage('user.pin_wrong', { code: 'sup', left: 2 }), error: true });
    expect(s.prompt?.label).toBe(t('tui.approval.pin', { code: 'sup' }));
    expect(s.prompt?.value).toBe('');
    expect(s.cart.lines[1]!.discount).toBeNull();
    expect(s.extra.approvals).toEqual([]);
  });

  it('a supervisor gives a discount over the limit without an approval prompt', () => {
    const f = fakeStore();
    const s = press(withCart(f, 'sup'), f.ctx, F[5], '50%\r');
    expect(s.prompt).toBeNull();
    expect(s.cart.lines[1]!.discount).toEqual({ kind: 'percent', bp: 5000 });
    expect(s.extra.approvals).toEqual([]);
  });

  it('Delete removes the selected line', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, 'WATER\r', 'CHEESE\r', '2*APPLES\r', UP, DEL);
    expect(s.cart.lines.map((l) => l.sku)).toEqual(['WATER', 'APPLES']);
    expect(s.selected).toBe(1);
    s = press(s, f.ctx, DEL, DEL);
    expect(s.cart.lines).toEqual([]);
    s = press(s, f.ctx, DEL);
    expect(s.message).toEqual({ text: t('tui.no_line'), error: true });
  });

  it('F3 sets the customer of the sale', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[3], 'B12345678\r');
    expect(s.customerName).toBe('Acme SL');
    expect(s.extra.customerId).toBe(5);
  });
});

// ---- hold and recall -------------------------------------------------------------------------------

describe('hold and recall', () => {
  it('F8 with a label holds the cart and opens an empty one', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[8]);
    expect(s.prompt?.label).toBe(t('tui.prompt.hold_label'));
    s = press(s, f.ctx, 'Mrs Smith\r');
    expect(f.actions.holdCart).toHaveBeenCalledWith(s.user, 'Mrs Smith');
    expect(s.cart.lines).toEqual([]);
    expect(s.message?.text).toBe(t('tui.held'));
  });

  it('F8 on an empty cart lists the held carts and Enter recalls the selected one', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[8], 'first\r', 'WATER\r', F[8], ENTER);
    expect(f.actions.holdCart).toHaveBeenLastCalledWith(s.user, undefined);
    s = press(s, f.ctx, F[8]);
    expect(s.screen).toBe('held');
    expect(s.held.map((h) => [h.label, h.lines, h.total])).toEqual([
      ['first', 2, 1532],
      [null, 1, 99],
    ]);
    s = press(s, f.ctx, DOWN, UP, ENTER);
    expect(f.actions.recallCart).toHaveBeenCalledWith(s.user, 1);
    expect(s.screen).toBe('sale');
    expect(s.cart.lines.map((l) => l.sku)).toEqual(['WATER', 'CHEESE']);
    expect(s.message?.text).toBe(t('tui.recalled'));
  });

  it('F8 on an empty cart with nothing held says so', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, F[8]);
    expect(s.screen).toBe('sale');
    expect(s.message).toEqual({ text: t('tui.no_held'), error: true });
  });
});

// ---- payment ---------------------------------------------------------------------------------------

describe('payment', () => {
  it('F12 on an empty cart is refused', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, F[12]);
    expect(s.screen).toBe('sale');
    expect(s.message).toEqual({ text: t('tui.cart_empty'), error: true });
  });

  it('split card + cash (F7 next 5 note): change, checkout with both payments, print, fresh cart', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[12]);
    expect(s.screen).toBe('payment');
    expect(s.method).toBe('cash');
    expect(due(s, f.ctx)).toBe(1532);
    s = press(s, f.ctx, '5', F[3]);
    expect(s.tenders).toEqual([{ method: 'card', amount: 500 }]);
    expect(due(s, f.ctx)).toBe(1032);
    s = press(s, f.ctx, F[7]);
    expect(s.tenders[1]).toEqual({ method: 'cash', amount: 1500 });
    expect(due(s, f.ctx)).toBe(-468); // change 4.68
    const user = s.user;
    const cart = s.cart;
    s = press(s, f.ctx, ENTER);
    expect(f.actions.checkout).toHaveBeenCalledTimes(1);
    expect(f.actions.checkout).toHaveBeenCalledWith(user, {
      cart,
      vouchers: [],
      approvals: [],
      customerId: null,
      payments: [
        { method: 'card', amount: 500 },
        { method: 'cash', amount: 1500 },
      ],
    });
    expect(f.actions.print).toHaveBeenCalledWith({ number: 'T01-000002', kick: true });
    expect(f.actions.print.mock.invocationCallOrder[0]!).toBeGreaterThan(f.actions.checkout.mock.invocationCallOrder[0]!);
    expect(s.screen).toBe('sale');
    expect(s.cart.lines).toEqual([]);
    expect(s.tenders).toEqual([]);
    expect(s.last).toEqual({ number: 'T01-000002', total: 1532, change: 468 });
    expect(s.message).toEqual({ text: t('tui.sold', { number: 'T01-000002', change: '€4.68' }), error: false });
    // the saved open cart is empty now
    expect(lastCall(f.actions.saveCart)[1].lines).toEqual([]);
    expect(f.open.size).toBe(0);
  });

  it('F6 exact cash then F12 confirms with no change', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12], F[6], F[12]);
    expect(lastCall(f.actions.checkout)[1].payments).toEqual([{ method: 'cash', amount: 1532 }]);
    expect(s.last?.change).toBe(0);
    expect(s.screen).toBe('sale');
  });

  it('a typed cash amount with Enter, and F8/F9/F10 quick notes', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[12], '8\r');
    expect(s.tenders).toEqual([{ method: 'cash', amount: 800 }]);
    s = press(s, f.ctx, F[8]);
    expect(s.tenders[1]).toEqual({ method: 'cash', amount: 1000 });
    expect(due(s, f.ctx)).toBe(1532 - 1800);
    s = press(s, f.ctx, F[10]); // nothing due: no more tenders
    expect(s.tenders).toHaveLength(2);
    const f20 = fakeStore();
    const t20 = press(withCart(f20), f20.ctx, F[12], F[9]);
    expect(t20.tenders).toEqual([{ method: 'cash', amount: 2000 }]);
    const f50 = fakeStore();
    const t50 = press(withCart(f50), f50.ctx, F[12], F[10]);
    expect(t50.tenders).toEqual([{ method: 'cash', amount: 5000 }]);
  });

  it('F8 "Cash 10" with more than 10 due records 10.00 and leaves the rest due', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12], '2,5\r', F[8]);
    expect(s.tenders[1]).toEqual({ method: 'cash', amount: 1000 });
    expect(due(s, f.ctx)).toBe(282);
  });

  it('Enter with nothing typed pays what is due with the current method', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[12], F[5]);
    expect(s.method).toBe('exchange');
    s = press(s, f.ctx, ENTER);
    expect(s.tenders).toEqual([{ method: 'exchange', amount: 1532 }]);
    s = press(s, f.ctx, ENTER);
    expect(lastCall(f.actions.checkout)[1].payments).toEqual([{ method: 'exchange', amount: 1532 }]);
  });

  it('Delete removes the last tender; Esc cancels the payment and keeps the cart', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[12], '5', F[3], '1', F[2]);
    expect(s.tenders).toHaveLength(2);
    s = press(s, f.ctx, DEL);
    expect(s.tenders).toEqual([{ method: 'card', amount: 500 }]);
    s = press(s, f.ctx, ESC);
    expect(s.screen).toBe('sale');
    expect(s.tenders).toEqual([]);
    expect(s.cart.lines).toHaveLength(2);
    expect(s.message?.text).toBe(t('tui.payment.cancelled'));
    expect(f.actions.checkout).not.toHaveBeenCalled();
  });

  it('confirming a short payment is refused with payment.short', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12], '5', F[2], F[12]);
    expect(f.actions.checkout).not.toHaveBeenCalled();
    expect(s.screen).toBe('payment');
    expect(s.message?.error).toBe(true);
    expect(s.bell).toBeGreaterThan(0);
  });

  it('the payment.short message names the missing amount', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12], '5', F[2], F[12]);
    expect(s.message?.text).toBe(errorMessage('payment.short', { missing: '€10.32' }));
    expect(s.message?.text).not.toContain('{');
  });

  it('store credit asks for the code and records it as the tender reference', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[12], F[4]);
    expect(s.prompt?.label).toBe(t('tui.prompt.credit_code'));
    s = press(s, f.ctx, 'GIFT-0001\r');
    expect(f.actions.credit).toHaveBeenCalledWith('GIFT-0001');
    expect(s.tenders).toEqual([{ method: 'store_credit', amount: 1000, reference: 'GIFT-0001' }]); // its whole balance
    s = press(s, f.ctx, F[6], ENTER);
    expect(lastCall(f.actions.checkout)[1].payments).toEqual([
      { method: 'store_credit', amount: 1000, reference: 'GIFT-0001' },
      { method: 'cash', amount: 532 },
    ]);
  });

  it('a spent store credit code is refused and the prompt stays', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12], F[4], 'GIFT-0002\r');
    expect(s.tenders).toEqual([]);
    // the balance in the store's money, as everywhere on the screen
    expect(s.message).toEqual({ text: errorMessage('credit.insufficient', { balance: '€0.00', code: 'GIFT-0002' }), error: true });
    expect(s.prompt?.label).toBe(t('tui.prompt.credit_code'));
  });

  describe('with cash rounded to 0.05', () => {
    const rounded = (f: Fake): Context => ({ ...f.ctx, info: { ...INFO, cashIncrement: 5 } });

    it('F6 tenders the rounded due and the sale confirms with 0.02 unpaid', () => {
      const f = fakeStore();
      const ctx = rounded(f);
      let s = press(withCart(f), ctx, F[12], F[6]);
      expect(s.tenders).toEqual([{ method: 'cash', amount: 1530 }]);
      expect(due(s, ctx)).toBe(2);
      s = press(s, ctx, F[12]);
      expect(lastCall(f.actions.checkout)[1].payments).toEqual([{ method: 'cash', amount: 1530 }]);
      expect(s.screen).toBe('sale');
    });

    it('F2 (cash, nothing typed) tenders the rounded due', () => {
      const f = fakeStore();
      const s = press(withCart(f), rounded(f), F[12], F[2]);
      expect(s.tenders).toEqual([{ method: 'cash', amount: 1530 }]);
    });

    it('Enter with nothing typed tenders the rounded cash due, like F2', () => {
      const f = fakeStore();
      const s = press(withCart(f), rounded(f), F[12], ENTER);
      expect(s.tenders).toEqual([{ method: 'cash', amount: 1530 }]);
    });
  });

  it('a card over what is due is refused and says the most it can pay (never silently capped)', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12], '50', F[3]);
    expect(s.tenders).toEqual([]);
    expect(s.message).toEqual({ text: t('tui.payment.over_due', { method: 'Card', max: '€15.32' }), error: true });
    expect(s.bell).toBeGreaterThan(0);
    // the amount stays typed: F2 takes it as cash
    expect(s.entry).toBe('50');
    expect(press(s, f.ctx, F[2]).tenders).toEqual([{ method: 'cash', amount: 5000 }]);
  });
});

// ---- refunds ---------------------------------------------------------------------------------------

describe('refunds', () => {
  it('F9 → receipt → pick lines → F4 store credit calls refund with the lines and method', () => {
    const f = fakeStore();
    let s = press(login(f, 'sup'), f.ctx, F[9]);
    expect(s.prompt?.label).toBe(t('tui.prompt.receipt'));
    s = press(s, f.ctx, 'T01-000001\r');
    expect(f.actions.receipt).toHaveBeenCalledWith('T01-000001');
    expect(s.screen).toBe('refund');
    expect(s.refund?.receipt).toBe(RECEIPT);
    expect(s.message?.text).toBe(t('tui.refund.pick'));
    // Enter takes what is left of line 1 and moves on
    s = press(s, f.ctx, ENTER);
    expect(s.refund?.qty).toEqual({ 1: 2000 });
    expect(s.selected).toBe(1);
    // a typed quantity over what is left is refused
    s = press(s, f.ctx, '5', ENTER);
    expect(s.message).toEqual({ text: errorMessage('refund.over_quantity', { line: 2, remaining: 0.75 }), error: true });
    expect(s.refund?.qty[2]).toBeUndefined();
    expect(s.selected).toBe(1);
    s = press(s, f.ctx, BS, '0,5', ENTER);
    expect(s.refund?.qty).toEqual({ 1: 2000, 2: 500 });
    // F5 on line 2: damaged, no restock
    s = press(s, f.ctx, UP, F[5]);
    expect(s.refund?.keep).toEqual({ 2: true });
    s = press(s, f.ctx, F[4]);
    expect(f.actions.refund).toHaveBeenCalledWith(
      s.user,
      'T01-000001',
      {
        lines: [
          { line: 1, qty: '2', restock: true },
          { line: 2, qty: '0.5', restock: false, reason: 'damaged' },
        ],
        method: 'store_credit',
      },
      undefined,
    );
    expect(f.actions.print).toHaveBeenCalledWith({ number: 'R01-000001', kick: false });
    expect(s.screen).toBe('report');
    expect(s.refund).toBeNull();
    expect(s.message?.text).toBe(t('tui.refund.credit', { number: 'R01-000001', code: 'K3F9-2QRM-X7TD-8W4P', amount: '€4.84' }));
  });

  it('a cashier refund needs a supervisor: the approver goes to refund', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, F[9], 'T01-000001\r', ENTER, F[2]);
    expect(s.prompt?.label).toBe(t('tui.approval.code'));
    expect(s.message?.text).toBe(t('tui.approval.needed', { action: t('tui.action.refund') }));
    s = press(s, f.ctx, 'sup\r', '2222\r');
    expect(f.actions.refund).toHaveBeenCalledTimes(2);
    expect(lastCall(f.actions.refund)).toEqual([s.user, 'T01-000001', { lines: [{ line: 1, qty: '2', restock: true }], method: 'cash' }, { code: 'sup', pin: '2222' }]);
    expect(s.screen).toBe('report');
    expect(s.message?.text).toBe(t('tui.refund.done', { number: 'R01-000001', amount: '€4.84' }));
  });

  it('refunding with no line picked is refused', () => {
    const f = fakeStore();
    const s = press(login(f, 'sup'), f.ctx, F[9], 'T01-000001\r', F[3]);
    expect(f.actions.refund).not.toHaveBeenCalled();
    expect(s.message).toEqual({ text: errorMessage('refund.no_lines'), error: true });
    expect(s.screen).toBe('refund');
  });

  it('scanning a receipt code at the sale entry opens its return', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, 'TPV:T01-000001', ENTER);
    expect(f.actions.receipt).toHaveBeenCalledWith('T01-000001');
    expect(f.actions.lookup).not.toHaveBeenCalled();
    expect(s.screen).toBe('refund');
    expect(s.refund?.receipt.number).toBe('T01-000001');
  });

  it('an unknown receipt is an error on the sale screen', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, F[9], 'T01-999999\r');
    expect(s.screen).toBe('sale');
    expect(s.message).toEqual({ text: errorMessage('receipt.not_found', { number: 'T01-999999' }), error: true });
  });
});

// ---- shift -----------------------------------------------------------------------------------------

describe('shift screen', () => {
  it('F10 → cash in with a reason', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, F[10]);
    expect(s.screen).toBe('shift');
    s = press(s, f.ctx, F[3]);
    expect(s.prompt?.label).toBe(t('tui.prompt.cash_in'));
    s = press(s, f.ctx, '20\r');
    expect(s.prompt?.label).toBe(t('tui.prompt.reason'));
    s = press(s, f.ctx, 'change float\r');
    expect(f.actions.cashMove).toHaveBeenCalledWith(s.user, 'in', 2000, 'change float', undefined);
    expect(s.message).toEqual({ text: t('tui.shift.moved', { amount: '€20.00' }), error: false });
    expect(s.screen).toBe('shift');
  });

  it('cash out as a cashier asks a supervisor', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, F[10], F[4], '5\r', 'bank\r', 'sup\r', '2222\r');
    expect(lastCall(f.actions.cashMove)).toEqual([s.user, 'out', 500, 'bank', { code: 'sup', pin: '2222' }]);
    expect(s.prompt).toBeNull();
    expect(s.message?.text).toBe(t('tui.shift.moved', { amount: '€5.00' }));
  });

  it('F5 shows the X report; Esc goes back to the sale', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, F[10], F[5]);
    expect(f.actions.xReport).toHaveBeenCalled();
    expect(s.screen).toBe('report');
    expect(s.report).toEqual({ title: 'X', text: 'X REPORT\nExpected cash  €100.00', top: 0, x: true });
    s = press(s, f.ctx, ESC);
    expect(s.screen).toBe('sale');
    expect(s.report).toBeNull();
  });

  it('F7 opens the drawer without a sale: a reason, a supervisor for a cashier, recorded before the kick', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, F[10], F[7]);
    expect(s.prompt?.label).toBe(t('tui.prompt.no_sale_reason'));
    s = press(s, f.ctx, 'change for the bank\r');
    expect(f.actions.kickDrawer).not.toHaveBeenCalled(); // refused without approval: nothing opens
    s = press(s, f.ctx, 'sup\r', '2222\r');
    expect(lastCall(f.actions.noSale)).toEqual([s.user, 'change for the bank', { code: 'sup', pin: '2222' }]);
    expect(f.actions.kickDrawer).toHaveBeenCalledTimes(1);
    expect(f.actions.kickDrawer.mock.invocationCallOrder[0]!).toBeGreaterThan(f.actions.noSale.mock.invocationCallOrder.at(-1)!);
    expect(s.message?.text).toBe(t('tui.drawer_opened'));
  });

  it('Ctrl+P on a Z report on screen prints a copy of it, and says so', () => {
    const f = fakeStore();
    const s = press(login(f, 'sup'), f.ctx, F[10], F[6], '50x2;20x1\r', F[12], 'y\r', '\x10');
    expect(f.actions.print).toHaveBeenLastCalledWith({ number: 'Z01-000001', copy: true });
    expect(s.screen).toBe('report');
    expect(s.message).toEqual({ text: t('tui.reprinted', { number: 'Z01-000001' }), error: false });
  });

  it('F6 closes the shift with a count by denomination (50x2;20x1 = 120.00), F12 and a last yes', () => {
    const f = fakeStore();
    let s = press(login(f, 'sup'), f.ctx, F[10], F[6]);
    // no cart pending: straight to the count table
    expect(f.actions.pendingCarts).toHaveBeenCalled();
    expect(s.screen).toBe('close_count');
    expect(s.message).toEqual({ text: t('tui.close.count_hint'), error: false });
    s = press(s, f.ctx, '50x2;20x1\r');
    expect(s.entry).toBe('');
    expect(s.message).toBeNull();
    s = press(s, f.ctx, F[12]);
    expect(s.prompt?.label).toBe(
      t('tui.close.confirm', { counted: '€120.00', expected: '€100.00', difference: '+€20.00', kind: t('tui.close.surplus') }),
    );
    expect(f.actions.closeShift).not.toHaveBeenCalled();
    s = press(s, f.ctx, 'y\r');
    expect(f.actions.closeShift).toHaveBeenCalledWith(s.user, 12000, undefined, {
      count: [
        { value: 5000, qty: 2 },
        { value: 2000, qty: 1 },
      ],
      keep: [],
    });
    expect(f.actions.print).toHaveBeenCalledWith({ number: 'Z01-000001' });
    expect(s.screen).toBe('report');
    expect(s.report?.title).toBe('Z01-000001');
    expect(s.message?.text).toBe(t('tui.shift.closed', { number: 'Z01-000001' }));
  });

  it('a cashier closing the shift needs a supervisor, asked once when the close starts', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, F[10], F[6]);
    expect(s.prompt?.label).toBe(t('tui.approval.code'));
    expect(s.screen).toBe('shift');
    s = press(s, f.ctx, 'sup\r', '2222\r');
    expect(s.prompt).toBeNull();
    expect(s.screen).toBe('close_count');
    s = press(s, f.ctx, '100x1;20x1\r', F[12], 'y\r');
    expect(lastCall(f.actions.closeShift)).toEqual([
      s.user,
      12000,
      { code: 'sup', pin: '2222' },
      {
        count: [
          { value: 10000, qty: 1 },
          { value: 2000, qty: 1 },
        ],
        keep: [],
      },
    ]);
    expect(s.screen).toBe('report');
  });

  it('a malformed count stays in the entry with the error', () => {
    const f = fakeStore();
    const s = press(login(f, 'sup'), f.ctx, F[10], F[6], '50x2;20\r');
    expect(f.actions.closeShift).not.toHaveBeenCalled();
    expect(s.screen).toBe('close_count');
    expect(s.entry).toBe('50x2;20');
    expect(s.message).toEqual({ text: errorMessage('cash.count_format', { part: '20' }), error: true });
    expect(s.close?.qty.every((n) => n === 0)).toBe(true);
  });

  it('the carts left open or held are resolved first (F2 void, F3 keep); the kept ones go to closeShift', () => {
    const f = fakeStore();
    f.actions.pendingCarts.mockReturnValue(PENDING.slice(0, 2));
    let s = press(login(f, 'sup'), f.ctx, F[10], F[6]);
    expect(s.screen).toBe('close_carts');
    expect(s.message).toEqual({ text: t('tui.close.carts_hint', { n: 2 }), error: false });
    // no count before the carts are resolved
    s = press(s, f.ctx, F[12]);
    expect(s.screen).toBe('close_carts');
    s = press(s, f.ctx, F[2]);
    expect(lastCall(f.actions.resolveCart)).toEqual([s.user, 11, 'void', undefined]);
    expect(s.message).toEqual({ text: t('tui.close.voided', { id: 11 }), error: false });
    s = press(s, f.ctx, F[3]);
    expect(lastCall(f.actions.resolveCart)).toEqual([s.user, 12, 'keep', undefined]);
    expect(s.screen).toBe('close_count');
    s = press(s, f.ctx, '50x2;20x1\r', F[12], 'y\r');
    expect(lastCall(f.actions.closeShift)).toEqual([s.user, 12000, undefined, { count: [{ value: 5000, qty: 2 }, { value: 2000, qty: 1 }], keep: [12] }]);
    expect(s.screen).toBe('report');
  });

  it('F2 with a shift already open says so', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, F[10], F[2]);
    expect(f.actions.openShift).not.toHaveBeenCalled();
    expect(s.message?.error).toBe(true);
    expect(s.message?.text).toBe(t('tui.shift.already_open', { shift: 7 }));
  });
});

// ---- store credit ----------------------------------------------------------------------------------

describe('store credit screen', () => {
  it('F11 → F2 checks a balance', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, F[11]);
    expect(s.screen).toBe('credit');
    s = press(s, f.ctx, F[2], 'GIFT-0001\r');
    expect(f.actions.credit).toHaveBeenCalledWith('GIFT-0001');
    const line = t('tui.credit.balance', { code: 'GIFT-0001', balance: '€10.00', status: t('tui.credit.active'), expires: '31/01/2027' });
    expect(s.message).toEqual({ text: line, error: false });
    // the code large on the screen; Ctrl+P reprints the document that issued it (with its slip)
    expect(s.screen).toBe('report');
    expect(s.report?.number).toBe('T01-000001');
    for (const row of bigText('GIFT-0001'.slice(0, 9))) expect(s.report?.text).toContain(row);
    s = press(s, f.ctx, ctrl('p'));
    expect(f.actions.print).toHaveBeenLastCalledWith({ number: 'T01-000001', copy: true });
  });

  it('F11 → F3 sells a gift voucher: it is in the sale and its total', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[11], F[3]);
    expect(s.prompt?.label).toBe(t('tui.prompt.voucher'));
    s = press(s, f.ctx, '25\r');
    expect(s.screen).toBe('sale');
    expect(s.extra.vouchers).toEqual([2500]);
    expect(s.selected).toBe(2); // the voucher row, after the two lines
    expect(saleTotal(s, f.ctx)).toBe(1532 + 2500);
    expect(s.message?.text).toBe(t('tui.voucher_added', { amount: '€25.00' }));
    expect(lastCall(f.actions.saveCart)[2].vouchers).toEqual([2500]);
    s = press(s, f.ctx, F[12], F[6], ENTER);
    expect(lastCall(f.actions.checkout)[1]).toMatchObject({ vouchers: [2500], payments: [{ method: 'cash', amount: 4032 }] });
  });

  it('a zero voucher is refused', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, F[11], F[3], '0\r');
    expect(s.message).toEqual({ text: errorMessage('credit.bad_amount'), error: true });
    expect(s.extra.vouchers).toEqual([]);
  });

  it('Delete on the voucher row removes the voucher', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[11], F[3], '25\r', DEL);
    expect(s.extra.vouchers).toEqual([]);
    expect(s.cart.lines).toHaveLength(2);
  });
});

// ---- quit, lock, help ------------------------------------------------------------------------------

describe('quit, lock and help', () => {
  it("Ctrl+C asks; 'n' cancels, 'y' quits", () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, ctrl('c'));
    expect(s.quitAsked).toBe(true);
    expect(s.message?.text).toBe(t('tui.quit_ask'));
    s = press(s, f.ctx, 'n');
    expect(s.quitAsked).toBe(false);
    expect(s.quit).toBe(false);
    expect(s.entry).toBe(''); // the 'n' was the answer, not typed
    s = press(s, f.ctx, ctrl('c'), 'y');
    expect(s.quit).toBe(true);
    expect(s.cart.lines).toHaveLength(2);
  });

  it('Ctrl+C works at the login prompt too', () => {
    const f = fakeStore();
    const s = press(start(f.ctx), f.ctx, ctrl('c'), 'y');
    expect(s.quit).toBe(true);
  });

  it('Ctrl+L locks; logging in again brings the cart back (openCart)', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, ctrl('l'));
    expect(s.screen).toBe('login');
    expect(s.user).toBeNull();
    expect(s.prompt?.label).toBe(t('tui.login.code'));
    expect(s.message?.text).toBe(t('tui.locked', { name: 'Cora Cash' }));
    // keys while locked do not reach the sale
    s = press(s, f.ctx, F[12]);
    expect(s.screen).toBe('login');
    // someone else logs in: their own (empty) cart
    s = login(f, 'sup', '2222', s);
    expect(s.cart.lines).toEqual([]);
    s = press(s, f.ctx, ctrl('l'));
    s = login(f, 'cash', '3333', s);
    expect(f.actions.openCart).toHaveBeenLastCalledWith(s.user);
    expect(s.screen).toBe('sale');
    expect(s.cart.lines.map((l) => [l.sku, l.qty])).toEqual([
      ['WATER', 3000],
      ['CHEESE', 1000],
    ]);
    expect(s.selected).toBe(1);
    expect(s.message?.text).toBe(t('tui.cart_restored', { name: 'Cora Cash' }));
  });

  it('F1 opens the help; the next key only closes it', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[1]);
    expect(s.help).toBe(true);
    s = press(s, f.ctx, F[12]);
    expect(s.help).toBe(false);
    expect(s.screen).toBe('sale');
    s = press(s, f.ctx, F[1], F[1]);
    expect(s.help).toBe(false);
  });

  it('Ctrl+P then Enter reprints the last sale as a copy (asked from the store: also after a restart)', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, ctrl('p'));
    expect(s.prompt?.label).toBe(t('tui.prompt.reprint'));
    s = press(s, f.ctx, ENTER);
    expect(s.message).toEqual({ text: t('tui.no_last'), error: true });
    s = press(s, f.ctx, ESC, F[12], F[6], ENTER, ctrl('p'), ENTER);
    expect(f.actions.lastDocument).toHaveBeenCalled();
    expect(f.actions.copyOf).toHaveBeenLastCalledWith('T01-000002');
    expect(f.actions.print).toHaveBeenLastCalledWith({ number: 'T01-000002', copy: true });
    expect(s.screen).toBe('report');
    expect(s.report).toMatchObject({ number: 'T01-000002', text: '*** COPY ***\nRECEIPT T01-000002' });
    expect(s.message?.text).toBe(t('tui.reprinted', { number: 'T01-000002' }));
  });

  it('an Alt+key (ESC then a key in one burst) is Esc, then the key', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12], '\x1b\x1bOQ');
    // ESC ESC O Q = alt+F2: Esc leaves the payment (no tenders), F2 on the sale screen opens the search
    expect(s.screen).toBe('search');
  });
});

// ---- the keymap ------------------------------------------------------------------------------------

const SCREENS = Object.keys(KEYMAP) as Screen[];

/** Carts left on the register by other users (open and held), for the close to resolve. */
const PENDING: PendingCart[] = [
  { id: 11, status: 'open', user: 'ana', userName: 'Ana', label: null, lines: 2, total: 1532, updated_at: '2026-05-04T09:00:00Z' },
  { id: 12, status: 'held', user: 'luis', userName: 'Luis', label: 'Mrs Smith', lines: 1, total: 99, updated_at: '2026-05-04T09:10:00Z' },
  { id: 13, status: 'held', user: 'admin', userName: 'Ada Admin', label: null, lines: 3, total: 2470, updated_at: '2026-05-04T09:20:00Z' },
];

describe('the keymap', () => {
  it('commandFor of every key of every binding resolves back to that binding (no key bound twice)', () => {
    for (const screen of SCREENS) {
      for (const b of KEYMAP[screen]) {
        for (const key of b.keys) expect(`${screen} ${key} → ${commandFor(screen, key)}`).toBe(`${screen} ${key} → ${b.command}`);
      }
    }
  });

  it('every key of the keymap is a key the decoder can produce', () => {
    const all = new Set(SCREENS.flatMap((s) => KEYMAP[s].flatMap((b) => b.keys)));
    for (const id of all) expect(parseKeys(rawFor(id)).map(keyId)).toEqual([id]);
  });

  it('no binding shadows typing: plain characters are free for codes and amounts', () => {
    const plain = SCREENS.flatMap((screen) => KEYMAP[screen].flatMap((b) => b.keys.filter((k) => [...k].length === 1).map((k) => `${screen}: ${k}`)));
    expect(plain).toEqual([]);
  });

  /** A state on `screen` where each of its commands has something to act on. */
  function on(screen: Screen): { f: Fake; s: PosState } {
    const f = fakeStore({ report: Array.from({ length: 40 }, (_, i) => `report line ${i + 1}`).join('\n'), quick: ['WATER', 'CHEESE', 'GONE'] });
    const sale = press(withCart(f, 'sup'), f.ctx, 'WATER\r', UP); // 3 lines, the middle one selected
    let s: PosState;
    switch (screen) {
      case 'login':
        s = start(f.ctx);
        break;
      case 'sale':
        // with a scan that sold nothing, for Esc to acknowledge
        s = press(sale, f.ctx, 'NOPE\r');
        expect(s.failed).toHaveLength(1);
        break;
      case 'quick':
        s = press(sale, f.ctx, ctrl('e'), DOWN);
        expect(s.quick.items).toHaveLength(3);
        break;
      case 'customers':
        s = press(sale, f.ctx, F[3], 'a\r', DOWN);
        expect(s.customers.found).toHaveLength(3);
        break;
      case 'payment':
        s = press(sale, f.ctx, F[12], '1', F[3]);
        break;
      case 'search':
        s = press(sale, f.ctx, F[2], 'e', DOWN);
        expect(s.results).toHaveLength(3);
        break;
      case 'refund':
        s = press(sale, f.ctx, F[9], 'T01-000001\r', DOWN);
        break;
      case 'shift':
        s = press(sale, f.ctx, F[10]);
        break;
      case 'credit':
        s = press(sale, f.ctx, F[11]);
        break;
      case 'held': {
        let h = press(sale, f.ctx, F[8], 'a\r', 'WATER\r', F[8], 'b\r', 'CHEESE\r', F[8], 'c\r', F[8]);
        h = press(h, f.ctx, DOWN);
        expect(h.held).toHaveLength(3);
        s = h;
        break;
      }
      case 'report':
        s = press(sale, f.ctx, F[10], F[5], PGDN);
        break;
      case 'close_carts':
        // three carts of other users to resolve, the middle one selected
        f.actions.pendingCarts.mockReturnValue(PENDING);
        s = press(sale, f.ctx, F[10], F[6], DOWN);
        expect(s.close?.carts).toHaveLength(3);
        expect(s.close?.row).toBe(1);
        break;
      case 'close_count':
        // a row counted (the second) and selected, so clearing it and every move has something to do
        s = press(sale, f.ctx, F[10], F[6], DOWN, '1\r', UP);
        expect(s.close?.row).toBe(1);
        expect(s.close?.qty[1]).toBe(1);
        break;
    }
    expect(s.screen).toBe(screen);
    expect(s.prompt === null || screen === 'login').toBe(true);
    // lists start in the middle, so every move (up, down, page) has somewhere to go
    if (['sale', 'search', 'refund', 'held', 'quick', 'customers'].includes(screen)) expect(s.selected).toBe(1);
    if (screen === 'report') expect(s.report?.top).toBe(10);
    return { f, s };
  }

  /** The parts of a state that a key can change (functions in a prompt compared by its label and value). */
  const view = (s: PosState): unknown => ({ ...s, prompt: s.prompt ? { label: s.prompt.label, value: s.prompt.value } : null });

  for (const screen of SCREENS) {
    it(`every binding of the ${screen} screen does something there, with each of its keys`, () => {
      for (const b of KEYMAP[screen]) {
        for (const key of b.keys) {
          const { f, s } = on(screen);
          f.actions.print.mockClear();
          let next: PosState | undefined;
          expect(() => (next = press(s, f.ctx, rawFor(key))), `${screen} ${key}`).not.toThrow();
          if (screen === 'report' && b.command === 'reprint') {
            // the X report is not a stored document (never a copy): Ctrl+P prints the running figures now
            expect(f.actions.print).not.toHaveBeenCalled();
            expect(f.actions.printX).toHaveBeenCalledTimes(1);
            expect(next!.message).toEqual({ text: t('tui.x_printing'), error: false });
            continue;
          }
          expect(view(next!), `${screen} ${key} (${b.command}) changed nothing`).not.toEqual(view(s));
        }
      }
    });
  }
});

describe('serial scanner and customer display', () => {
  it('a serial scan sells like a keyboard scan and keeps what the cashier was typing', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, '12');
    s = handleScan(s, 'WATER', f.ctx);
    expect(s.cart.lines.map((l) => l.sku)).toEqual(['WATER']);
    expect(s.entry).toBe('12');
  });

  it('a scan never lands in a prompt (a PIN, a count): it is refused with a bell', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, F[10], F[7]);
    const next = handleScan(s, 'WATER', f.ctx);
    expect(next.prompt?.value).toBe('');
    expect(next.cart.lines).toHaveLength(0);
    expect(next.bell).toBe(s.bell + 1);
    expect(next.message?.text).toBe(errorMessage('tui.scan_ignored', { code: 'WATER' }));
  });

  it('a scan anywhere but the sale screen is refused: on payment it would be a cash amount', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12]);
    const next = handleScan(s, '8410188012092', f.ctx);
    expect(next.tenders).toEqual([]);
    expect(next.entry).toBe('');
    expect(next.message?.text).toBe(errorMessage('tui.scan_ignored', { code: '8410188012092' }));
    const search = press(withCart(f), f.ctx, F[2], 'e', DOWN);
    expect(handleScan(search, 'WATER', f.ctx).cart).toEqual(search.cart);
  });

  it('the display shows the welcome, the last item with the total, the total to pay, then the change', () => {
    const f = fakeStore();
    expect(displayView(start(f.ctx), f.ctx)).toEqual({ kind: 'welcome' });
    let s = withCart(f);
    expect(displayView(s, f.ctx)).toEqual({ kind: 'item', name: 'Cheese', price: '€12.35', total: '€15.32' });
    s = press(s, f.ctx, F[12]);
    expect(displayView(s, f.ctx)).toEqual({ kind: 'total', total: '€15.32' });
    s = press(s, f.ctx, '20', F[2], F[12]);
    expect(displayView(s, f.ctx)).toEqual({ kind: 'change', paid: '€20.00', change: '€4.68' });
  });
});

// ---- guards, failed scans, payment, reprint and conveniences (issue 15) -----------------------------

/** The fake store's context with the store's till settings changed. */
const withTill = (f: Fake, till: Partial<TillSettings>): Context => ({ ...f.ctx, info: { ...INFO, till: { ...TILL_DEFAULTS, ...till } } });

describe('guards on quantities and scale labels', () => {
  it('a barcode scanned into the F4 quantity prompt is refused there: nothing changes, the scan is marked, the prompt stays empty', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[4]);
    const bell = s.bell;
    s = press(s, f.ctx, '8410000000017\r');
    expect(s.cart.lines.map((l) => l.qty)).toEqual([3000, 1000]);
    expect(s.prompt?.label).toBe(t('tui.prompt.qty', { name: 'Cheese' }));
    expect(s.prompt?.value).toBe('');
    expect(s.message).toEqual({ text: t('tui.qty_is_code', { code: '8410000000017' }), error: true });
    expect(s.bell).toBe(bell + 1);
    expect(s.failed).toEqual([{ code: '8410000000017', reason: t('tui.failed.in_prompt') }]);
    // a real quantity then goes through
    s = press(s, f.ctx, '2\r');
    expect(s.cart.lines.map((l) => l.qty)).toEqual([3000, 2000]);
  });

  it('a barcode typed at the weight prompt of a weighed item is refused the same way', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, 'APPLES\r', '84900000000011\r');
    expect(s.cart.lines).toHaveLength(0);
    expect(s.prompt?.label).toBe(t('tui.prompt.weight', { name: 'Apples' }));
    expect(s.message?.text).toBe(t('tui.qty_is_code', { code: '84900000000011' }));
  });

  it('more than the store threshold (99 units by default) asks first: n sells nothing, y sells them', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, '1000*WATER\r');
    expect(s.cart.lines).toHaveLength(0);
    expect(s.confirm?.text).toBe(t('tui.confirm.qty', { qty: '1000', name: 'Water 1L' }));
    s = press(s, f.ctx, 'n');
    expect(s.confirm).toBeNull();
    expect(s.cart.lines).toHaveLength(0);
    expect(s.message?.text).toBe(t('tui.confirm.cancelled'));
    s = press(s, f.ctx, '150*WATER\r', 'y');
    expect(s.cart.lines.map((l) => l.qty)).toEqual([150_000]);
    // 99 or fewer: no question
    s = press(s, f.ctx, '99*CHEESE\r');
    expect(s.confirm).toBeNull();
    expect(s.cart.lines.map((l) => l.qty)).toEqual([150_000, 99_000]);
  });

  it('any other key than yes/no cancels the question and then does what it does (a scan in a burst is not lost)', () => {
    const f = fakeStore();
    const s = press(login(f), f.ctx, '500*WATER\r', 'CHEESE\r');
    expect(s.confirm).toBeNull();
    expect(s.cart.lines.map((l) => l.sku)).toEqual(['CHEESE']);
  });

  it('the thresholds are the store\'s: 5 units, 2 kg', () => {
    const typed = (keys: string, till: Partial<TillSettings> = { confirmQuantity: 5, confirmWeight: 2 }): { s: PosState; ctx: Context } => {
      const f = fakeStore();
      const ctx = withTill(f, till);
      return { s: press(login(f), ctx, keys), ctx };
    };
    expect(typed('6*WATER\r').s.confirm?.text).toBe(t('tui.confirm.qty', { qty: '6', name: 'Water 1L' }));
    expect(typed('5*WATER\r').s.confirm).toBeNull();
    expect(typed('2,5*APPLES\r').s.confirm?.text).toBe(t('tui.confirm.weight', { qty: '2.5', name: 'Apples' }));
    const weighed = typed('APPLES\r3\r');
    expect(weighed.s.confirm?.text).toBe(t('tui.confirm.weight', { qty: '3', name: 'Apples' }));
    expect(press(weighed.s, weighed.ctx, 's').cart.lines.map((l) => l.qty)).toEqual([3000]);
    // 0: never asks
    expect(typed('500*WATER\r', { confirmQuantity: 0 }).s.cart.lines).toHaveLength(1);
  });

  it('beyond any sane quantity (10000 units, 1000 kg) is a typo, refused, and marked', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, '10000*WATER\r');
    expect(s.confirm).toBeNull();
    expect(s.cart.lines).toHaveLength(0);
    expect(s.message?.text).toBe(t('tui.qty_too_large', { max: '9999' }));
    expect(s.failed.map((x) => x.code)).toEqual(['10000*WATER']);
    s = press(s, f.ctx, 'WATER\r', F[4], '1000,5\r');
    expect(s.message?.text).toBe(tillMessage('cart.whole_units'));
    s = press(s, f.ctx, ESC, 'APPLES\r', '1000\r');
    expect(s.message?.text).toBe(t('tui.weight_too_large', { max: '999.999' }));
  });

  it('a scale label is never multiplied: 2*LABEL is refused and marked; the label alone sells its weight', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, `2*${LABEL}\r`);
    expect(s.cart.lines).toHaveLength(0);
    expect(s.message).toEqual({ text: t('tui.label_no_multiply', { code: LABEL }), error: true });
    expect(s.failed).toEqual([{ code: `2*${LABEL}`, reason: t('tui.failed.label') }]);
    s = press(s, f.ctx, `${LABEL}\r`);
    expect(s.cart.lines[0]).toMatchObject({ sku: 'APPLES', qty: 1234, label: LABEL });
  });

  it("F4 on a scale label's line needs a supervisor (as a price change), and the approval is recorded", () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, `${LABEL}\r`, F[4], '2\r');
    expect(s.cart.lines[0]!.qty).toBe(1234);
    expect(s.message?.text).toBe(t('tui.approval.needed', { action: t('tui.action.label_edit') }));
    s = press(s, f.ctx, 'sup\r', '2222\r');
    expect(s.cart.lines[0]!.qty).toBe(2000);
    expect(s.extra.approvals).toEqual([expect.objectContaining({ action: 'price_override', by: 'sup' })]);
    // a supervisor changes it without asking anybody
    const sup = press(login(f, 'sup'), f.ctx, `${LABEL}\r`, F[4], '1\r');
    expect(sup.cart.lines[0]!.qty).toBe(1000);
  });
});

describe('repeated scans merged (tui.merge_scans)', () => {
  it('off by default: each scan is a line', () => {
    const f = fakeStore();
    expect(press(login(f), f.ctx, 'WATER\r', 'WATER\r').cart.lines).toHaveLength(2);
  });

  it('on: the same item adds to its latest plain line; labels, discounts and other items stay apart', () => {
    const f = fakeStore();
    const ctx = withTill(f, { mergeScans: true });
    let s = press(login(f), ctx, 'WATER\r', 'CHEESE\r', 'WATER\r', '2*WATER\r');
    expect(s.cart.lines.map((l) => [l.sku, l.qty])).toEqual([
      ['WATER', 4000],
      ['CHEESE', 1000],
    ]);
    expect(s.selected).toBe(0);
    s = press(s, ctx, `${LABEL}\r`, `${LABEL}\r`);
    expect(s.cart.lines.filter((l) => l.label)).toHaveLength(2);
    s = press(s, ctx, UP, UP, F[5], '10%\r', 'CHEESE\r');
    expect(s.cart.lines.filter((l) => l.sku === 'CHEESE').map((l) => l.qty)).toEqual([1000, 1000]);
  });
});

describe('a failed scan is never lost', () => {
  it('an unknown code in a burst stays marked in the cart until Esc, with the bell; a good scan after it does not hide it', () => {
    const f = fakeStore();
    let s = login(f);
    const bell = s.bell;
    s = press(s, f.ctx, 'WATER\r9999999999999\rCHEESE\r');
    expect(s.cart.lines.map((l) => l.sku)).toEqual(['WATER', 'CHEESE']);
    expect(s.failed).toEqual([{ code: '9999999999999', reason: t('tui.failed.not_found') }]);
    expect(s.bell).toBe(bell + 1);
    // paying is refused while it is there: the customer would pay without the item
    s = press(s, f.ctx, F[12]);
    expect(s.screen).toBe('sale');
    expect(s.message).toEqual({ text: t('tui.failed_pending', { n: 1 }), error: true });
    s = press(s, f.ctx, ESC);
    expect(s.failed).toEqual([]);
    expect(s.message?.text).toBe(t('tui.failed.acked', { n: 1 }));
    expect(press(s, f.ctx, F[12]).screen).toBe('payment');
  });

  it('a serial scan that arrives on another screen is refused and kept for the cart view', () => {
    const f = fakeStore();
    const s = handleScan(press(withCart(f), f.ctx, F[12]), '8410000000017', f.ctx);
    expect(s.failed).toEqual([{ code: '8410000000017', reason: t('tui.failed.ignored') }]);
    expect(press(s, f.ctx, ESC).failed).toHaveLength(1);
  });

  it('Esc with nothing failed clears what was typed', () => {
    const f = fakeStore();
    expect(press(login(f), f.ctx, 'WAT', ESC).entry).toBe('');
  });
});

describe('messages as the cashier reads them', () => {
  it('an approval the app asks for names the role and the action in the screen language, and no CLI flag', () => {
    const text = tillMessage('permission.needs_approval', { action: 'discount_over_limit', user: 'cash', role: 'cashier' });
    expect(text).toBe(t('tui.err.permission.needs_approval', { action: t('tui.action.discount_over_limit'), user: 'cash', role: t('tui.role.cashier') }));
    setLanguage('es');
    try {
      const es = tillMessage('permission.needs_approval', { action: 'discount_over_limit', user: 'cash', role: 'cashier' });
      expect(es).toContain('(cajero)');
      expect(es).not.toMatch(/--|discount_over_limit|cashier/);
      expect(tillMessage('shift.none_open', { register: 'T01' })).not.toContain('tpv shift');
    } finally {
      setLanguage('en');
    }
  });

  it('a core problem without a field never shows "{field}:"; amounts in it are the store money', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[4], '0\r');
    expect(s.message?.text).toBe(tillMessage('cart.bad_quantity'));
    expect(s.message?.text).not.toContain('{');
    // a supervisor may give any discount, but not more than the line
    s = press(withCart(fakeStore(), 'sup'), f.ctx, F[5], '20\r');
    expect(s.message?.text).toContain('€12.35');
    expect(s.message?.text).not.toContain('{');
  });

  it('a busy database (SQLITE_BUSY) is a message, never "database is locked" or a crash', () => {
    const f = fakeStore();
    f.actions.lookup.mockImplementationOnce(() => {
      throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    });
    const s = press(login(f), f.ctx, 'WATER\r');
    expect(s.message).toEqual({ text: t('tui.err.store.busy'), error: true });
    expect(s.failed.map((x) => x.code)).toEqual(['WATER']);
  });
});

describe('payment: the tender goes back to cash, caps are said', () => {
  it('after a card part payment the next amount is cash', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[12], '2', F[3]);
    expect(s.tenders).toEqual([{ method: 'card', amount: 200 }]);
    expect(s.method).toBe('cash');
    s = press(s, f.ctx, '50\r');
    expect(s.tenders).toEqual([
      { method: 'card', amount: 200 },
      { method: 'cash', amount: 5000 },
    ]);
  });

  it('a store credit worth less than asked pays what it holds and says so', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, F[12], F[4], 'GIFT-0001\r');
    expect(s.tenders).toEqual([{ method: 'store_credit', amount: 1000, reference: 'GIFT-0001' }]);
    expect(s.message).toEqual({ text: t('tui.payment.credit_capped', { code: 'GIFT-0001', amount: '€10.00' }), error: false });
  });
});

describe('voiding the whole ticket (Ctrl+N)', () => {
  it('asks, then a supervisor approves for a cashier; the app records it and the till starts a fresh ticket', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, ctrl('n'));
    expect(s.confirm?.text).toBe(t('tui.confirm.void', { n: 2, total: '€15.32' }));
    s = press(s, f.ctx, 'y');
    expect(s.message?.text).toBe(t('tui.approval.needed', { action: t('tui.action.void_ticket') }));
    s = press(s, f.ctx, 'sup\r', '2222\r');
    expect(lastCall(f.actions.voidCart)).toEqual([s.user, { code: 'sup', pin: '2222' }]);
    expect(s.cart.lines).toEqual([]);
    expect(s.message?.text).toBe(t('tui.voided', { n: 2, total: '€15.32' }));
    expect(f.open.has(3)).toBe(false);
  });

  it('n keeps the ticket; an empty ticket has nothing to void', () => {
    const f = fakeStore();
    const s = press(withCart(f), f.ctx, ctrl('n'), 'n');
    expect(s.cart.lines).toHaveLength(2);
    expect(f.actions.voidCart).not.toHaveBeenCalled();
    expect(press(login(f, 'admin'), f.ctx, ctrl('n')).message?.text).toBe(t('tui.cart_empty'));
  });

  it('a supervisor voids without another approval', () => {
    const f = fakeStore();
    const s = press(withCart(f, 'sup'), f.ctx, ctrl('n'), 's');
    expect(s.cart.lines).toEqual([]);
    expect(lastCall(f.actions.voidCart)).toEqual([s.user, undefined]);
  });
});

describe('reprint by number or by scan', () => {
  it('a number typed, or a receipt code scanned into the prompt, prints its copy; an unknown one is said', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[12], F[6], ENTER, 'WATER\r', F[12], F[6], ENTER);
    expect(s.last?.number).toBe('T01-000003');
    s = press(s, f.ctx, ctrl('p'), 'T01-000002\r');
    expect(f.actions.print).toHaveBeenLastCalledWith({ number: 'T01-000002', copy: true });
    expect(s.report?.number).toBe('T01-000002');
    s = handleScan(press(s, f.ctx, ESC, ctrl('p')), 'TPV:T01-000003', f.ctx);
    expect(f.actions.print).toHaveBeenLastCalledWith({ number: 'T01-000003', copy: true });
    expect(s.screen).toBe('report');
    s = press(s, f.ctx, ESC, ctrl('p'), 'T01-000099\r');
    expect(s.message?.text).toBe(tillMessage('document.not_found', { number: 'T01-000099' }));
    expect(s.prompt?.label).toBe(t('tui.prompt.reprint'));
  });
});

describe('printing a stored document says what comes out', () => {
  it('a reprint of a receipt whose original never reached paper prints, and says, the original; the next reprint is a copy', () => {
    const f = fakeStore({ owed: ['T01-000002'] });
    let s = press(withCart(f), f.ctx, F[12], F[6], ENTER);
    expect(s.last?.number).toBe('T01-000002');
    s = press(s, f.ctx, ctrl('p'), ENTER);
    expect(f.actions.print).toHaveBeenLastCalledWith({ number: 'T01-000002', copy: true });
    expect(s.report).toMatchObject({ number: 'T01-000002', text: 'RECEIPT T01-000002' });
    expect(s.message).toEqual({ text: t('tui.reprinted_original', { number: 'T01-000002' }), error: false });
    expect(s.message?.text).not.toBe(t('tui.reprinted', { number: 'T01-000002' }));
    s = press(s, f.ctx, ESC, ctrl('p'), 'T01-000002\r');
    expect(s.report?.text).toBe('*** COPY ***\nRECEIPT T01-000002');
    expect(s.message).toEqual({ text: t('tui.reprinted', { number: 'T01-000002' }), error: false });
  });

  it('Ctrl+P on a document on screen prints it and says so: the original while it is owed, then a copy', () => {
    const f = fakeStore({ owed: ['T01-000002'] });
    // a gift voucher sold: its receipt stays on screen with the code (a stored document)
    let s = press(login(f), f.ctx, F[11], F[3], '20\r', F[12], F[6], ENTER);
    expect(s.screen).toBe('report');
    expect(s.report?.number).toBe('T01-000002');
    s = press(s, f.ctx, ctrl('p'));
    expect(f.actions.print).toHaveBeenLastCalledWith({ number: 'T01-000002', copy: true });
    expect(s.message).toEqual({ text: t('tui.reprinted_original', { number: 'T01-000002' }), error: false });
    s = press(s, f.ctx, ctrl('p'));
    expect(f.actions.print).toHaveBeenCalledTimes(3); // the sale's own print, then the two
    expect(s.message).toEqual({ text: t('tui.reprinted', { number: 'T01-000002' }), error: false });
    expect(s.screen).toBe('report');
  });
});

describe('no shift open: the till names the keys, never the CLI', () => {
  const cliAdvice = /tpv shift|--float/;

  it('a sale committed after the shift was closed says F10, then F2', () => {
    const f = fakeStore();
    let s = press(login(f, 'sup'), f.ctx, F[10], F[6], '50x2\r', F[12], 'y\r', ESC);
    expect(s.screen).toBe('sale');
    s = press(s, f.ctx, 'WATER\r', F[12], F[6], ENTER);
    expect(f.actions.checkout).toHaveBeenCalledTimes(1);
    expect(s.message).toEqual({ text: t('tui.err.shift.none_open'), error: true });
    expect(s.message?.text).not.toMatch(cliAdvice);
  });

  it('on the shift screen (the X report, a close) it is F2 right there; from the X report on screen or mid-count, F10 then F2', () => {
    const f = fakeStore({ shiftOpen: false });
    // the float prompt after login put aside: the shift screen without a shift
    let s = press(login(f, 'sup'), f.ctx, ESC, F[5]);
    expect(s.screen).toBe('shift');
    expect(s.message).toEqual({ text: t('tui.shift.none_open'), error: true });
    s = press(s, f.ctx, F[6]);
    expect(s.message).toEqual({ text: t('tui.shift.none_open'), error: true });

    // the X report on screen, the shift closed by another till meanwhile: Ctrl+P prints nothing
    const g = fakeStore();
    let x = press(login(g, 'sup'), g.ctx, F[10], F[5]);
    expect(x.report?.x).toBe(true);
    g.actions.shift.mockReturnValue(null);
    x = press(x, g.ctx, ctrl('p'));
    expect(g.actions.printX).not.toHaveBeenCalled();
    expect(x.message).toEqual({ text: t('tui.err.shift.none_open'), error: true });

    // counting when another till closed the shift: the app's refusal, in the till's words
    const h = fakeStore();
    let c = press(login(h, 'sup'), h.ctx, F[10], F[6], '50x2\r');
    h.actions.closeShift.mockImplementationOnce(() => {
      throw new TpvError('conflict', 'shift.none_open', { register: 'T01' });
    });
    c = press(c, h.ctx, F[12], 'y\r');
    expect(c.screen).toBe('close_count');
    expect(c.message).toEqual({ text: t('tui.err.shift.none_open'), error: true });
    for (const m of [s.message, x.message, c.message]) expect(m?.text).not.toMatch(cliAdvice);
  });

  it('in Spanish too', () => {
    setLanguage('es');
    try {
      const f = fakeStore({ shiftOpen: false });
      const s = press(login(f, 'sup'), f.ctx, ESC, F[5]);
      expect(s.message?.text).toBe(t('tui.shift.none_open'));
      expect(s.message?.text).toMatch(/^No hay turno abierto/);
      expect(tillMessage('shift.none_open', { register: 'T01' })).toMatch(/F10 y luego F2/);
    } finally {
      setLanguage('en');
    }
  });
});

describe('the guided close belongs to who started it', () => {
  it('a lock mid-close (the idle lock) drops it; the next login starts on the sale screen with none, and a new close asks its approval again', () => {
    const f = fakeStore();
    let s = press(login(f), f.ctx, F[10], F[6], 'sup\r', '2222\r', '50x2\r');
    expect(s.screen).toBe('close_count');
    expect(s.close?.approver).toEqual({ code: 'sup', pin: '2222' });
    // what run.tsx does when the till was left alone
    s = loginPrompt({ ...s, message: { text: t('tui.locked', { name: 'Cora Cash' }), error: false } }, f.ctx);
    expect(s.screen).toBe('login');
    expect(s.close).toBeNull();
    s = login(f, 'cash', '3333', s);
    expect(s.screen).toBe('sale');
    expect(s.close).toBeNull();
    s = press(s, f.ctx, F[10], F[6]);
    expect(s.prompt?.label).toBe(t('tui.approval.code'));
    expect(f.actions.closeShift).not.toHaveBeenCalled();
  });

  it('a login clears a close left on the state', () => {
    const f = fakeStore();
    const mid = press(login(f, 'sup'), f.ctx, F[10], F[6]);
    expect(mid.close).not.toBeNull();
    // the login prompt answered on a state that still carried a close (a lock path that kept it)
    const s = press({ ...loginPrompt(mid, f.ctx), close: mid.close }, f.ctx, 'cash\r', '3333\r');
    expect(s.screen).toBe('sale');
    expect(s.close).toBeNull();
  });
});

describe('conveniences', () => {
  it('Ctrl+K checks prices without selling; the prompt stays for the next; a scan lands there too', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, ctrl('k'), 'cheese'.toUpperCase(), ENTER);
    expect(s.message).toEqual({ text: t('tui.price_check.result', { name: 'Cheese', price: '€12.35' }), error: false });
    expect(s.prompt?.label).toBe(t('tui.prompt.price_check'));
    s = handleScan(s, LABEL, f.ctx);
    expect(s.message?.text).toBe(`${t('tui.price_check.result', { name: 'Apples', price: '€2.49/kg' })} · ${t('tui.price_check.label', { qty: '1.234', amount: '€3.07' })}`);
    s = press(s, f.ctx, ESC);
    expect(s.prompt).toBeNull();
    expect(s.cart.lines).toHaveLength(2);
    expect(f.actions.saveCart).toHaveBeenCalledTimes(2);
  });

  it('quick items (Ctrl+E): a digit sells one, a quantity typed before sells that many; an item that is gone is said', () => {
    const f = fakeStore({ quick: ['WATER', 'APPLES', 'GONE'] });
    let s = press(login(f), f.ctx, ctrl('e'));
    expect(s.screen).toBe('quick');
    expect(s.quick.items.map((q) => q.sku)).toEqual(['WATER', 'APPLES', 'GONE']);
    s = press(s, f.ctx, '1');
    expect(s.screen).toBe('sale');
    expect(s.cart.lines.map((l) => [l.sku, l.qty])).toEqual([['WATER', 1000]]);
    s = press(s, f.ctx, '3', ctrl('e'), DOWN, UP, ENTER);
    expect(s.cart.lines.map((l) => [l.sku, l.qty])).toEqual([
      ['WATER', 1000],
      ['WATER', 3000],
    ]);
    s = press(s, f.ctx, ctrl('e'), '3');
    expect(s.screen).toBe('quick');
    expect(s.message).toEqual({ text: t('tui.quick_missing', { sku: 'GONE' }), error: true });
    s = press(s, f.ctx, '2');
    expect(s.prompt?.label).toBe(t('tui.prompt.weight', { name: 'Apples' }));
    const none = fakeStore();
    expect(press(login(none), none.ctx, ctrl('e')).message?.text).toBe(t('tui.no_quick_items'));
  });

  it('F3 finds customers by name (a list to pick from) and registers a new one at the till', () => {
    const f = fakeStore();
    let s = press(withCart(f), f.ctx, F[3], 'ana\r');
    expect(s.screen).toBe('customers');
    expect(s.customers.found.map((c) => c.name)).toEqual(['Ana García', 'Ana López']);
    s = press(s, f.ctx, DOWN, ENTER);
    expect(s.screen).toBe('sale');
    expect(s.customerName).toBe('Ana López');
    expect(s.extra.customerId).toBe(7);
    expect(lastCall(f.actions.saveCart)[2].customerId).toBe(7);
    // nobody by that name: F2 registers them (the name typed is proposed), the tax id is optional
    s = press(s, f.ctx, F[3], 'Zoe Ruiz\r');
    expect(s.message?.text).toBe(t('tui.customers.none', { query: 'Zoe Ruiz' }));
    s = press(s, f.ctx, F[2]);
    expect(s.prompt).toMatchObject({ label: t('tui.prompt.customer_name'), value: 'Zoe Ruiz' });
    s = press(s, f.ctx, ENTER, 'bad id\r');
    expect(s.prompt?.label).toBe(t('tui.prompt.customer_tax_id'));
    s = press(s, f.ctx, BS.repeat(6), ENTER);
    expect(f.actions.addCustomer).toHaveBeenLastCalledWith('Zoe Ruiz', null);
    expect(s.customerName).toBe('Zoe Ruiz');
    expect(s.screen).toBe('sale');
  });

  it('F9 on a receipt the app refuses (a refund, all refunded) says so at once', () => {
    const f = fakeStore();
    f.actions.receipt.mockImplementationOnce(() => {
      throw new TpvError('conflict', 'tui.refund.of_refund', { number: 'T01R-000001' });
    });
    const s = press(withCart(f), f.ctx, F[9], 'T01R-000001\r');
    expect(s.screen).toBe('sale');
    expect(s.message).toEqual({ text: t('tui.refund.of_refund', { number: 'T01R-000001' }), error: true });
  });

  it('key names follow the screen language: Intro, RePág, Supr in Spanish', () => {
    setLanguage('es');
    try {
      expect(['enter', 'pageup', 'pagedown', 'delete', 'f10', 'ctrl+t'].map(keyLabel)).toEqual(['Intro', 'RePág', 'AvPág', 'Supr', 'F10', 'Ctrl+T']);
    } finally {
      setLanguage('en');
    }
    expect(['enter', 'pageup', 'delete'].map(keyLabel)).toEqual(['Enter', 'PgUp', 'Del']);
  });

  it('every F-key of the sale and payment screens has a Ctrl alternative', () => {
    for (const screen of ['sale', 'payment', 'credit', 'customers'] as const) {
      for (const b of KEYMAP[screen]) if (b.keys.some((k) => /^f([2-9]|1[0-2])$/.test(k))) expect(b.keys.some((k) => k.startsWith('ctrl+')), `${screen} ${b.keys[0]}`).toBe(true);
    }
  });
});
