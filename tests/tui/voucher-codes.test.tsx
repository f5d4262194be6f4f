/**
 * The cashier terminal on a real store (appActions over a SQLite file, a printer that is a file):
 * a gift voucher sold and a refund to store credit leave their code on the screen, large, until
 * the cashier presses Esc, and its slip comes out of the printer after the document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { parseDevice, saveDevice } from '../../src/app/devices.js';
import { openShift } from '../../src/app/shifts.js';
import { decodedText, decodeEscpos } from '../../src/devices/escpos-decode.js';
import { setLanguage, t } from '../../src/i18n/index.js';
import { appActions, type PosActions, type PrintJob } from '../../src/tui/actions.js';
import { bigText } from '../../src/tui/big.js';
import { parseKeys } from '../../src/tui/keys.js';
import { type Context, handleKey, initialState, loginPrompt, type PosState } from '../../src/tui/state.js';
import { PosView } from '../../src/tui/view.js';
import { makeShopWithCatalog, TEST_ADMIN, tempDir } from '../helpers.js';
import { type Harness, renderTui } from './harness.js';

const dir = tempDir();
const PAPER = join(dir, 'paper.bin');
let app: App;
let ctx: Context;
/** Print jobs started by the screens (they run after the commit; the test waits for them). */
const jobs: Promise<void>[] = [];

const F = { 3: '\x1bOR', 4: '\x1bOS', 6: '\x1b[17~', 9: '\x1b[20~', 11: '\x1b[23~', 12: '\x1b[24~' } as const;
const ENTER = '\r';
const ESC = '\x1b';

function press(s: PosState, ...chunks: string[]): PosState {
  for (const chunk of chunks) for (const key of parseKeys(chunk)) s = handleKey(s, key, ctx);
  return s;
}

/** The code a document issued, from the database (credits.document_id names the document). */
function codesOf(number: string): string[] {
  return (
    app.db.prepare('SELECT c.code FROM credits c JOIN documents d ON d.id = c.document_id WHERE d.number = ? ORDER BY c.id').pluck().all(number) as string[]
  ).map((c) => c.match(/.{4}/g)!.join('-'));
}

let read = 0;
async function paper(): Promise<string> {
  await Promise.all(jobs.splice(0));
  const bytes = readFileSync(PAPER);
  const text = decodedText(decodeEscpos(bytes.subarray(read), { columns: 42 }));
  read = bytes.length;
  return text;
}

let harness: Harness | undefined;
function frameOf(s: PosState): Promise<string> {
  harness?.unmount();
  harness = renderTui(<PosView state={s} info={ctx.info} columns={80} rows={24} clock="10:00" shift="shift 1" printer="printer" />, { columns: 80, rows: 24 });
  return harness.waitFor('█');
}
afterEach(() => {
  harness?.unmount();
  harness = undefined;
});

/** Every row of `code` drawn large is on the frame (two halves of two groups). */
function expectLarge(frame: string, code: string): void {
  for (const half of [code.slice(0, 9), code.slice(10)]) for (const row of bigText(half)) expect(frame).toContain(row.trimEnd());
}

beforeAll(async () => {
  setLanguage('en');
  app = await makeShopWithCatalog(dir, 'till.db', () => new Date('2026-11-21T10:00:00Z'));
  const admin = actingUser(app.db);
  saveDevice(app, admin, parseDevice('printer', { url: `file:${PAPER}`, profile: 'epson-tm-t20iii', columns: '42' }, () => true), false);
  openShift(app, admin, 10000);
  const base = appActions(app);
  const actions: PosActions = {
    ...base,
    print: (job: PrintJob) => {
      const p = base.print(job);
      jobs.push(p);
      return p;
    },
  };
  ctx = { actions, info: actions.info() };
});
afterAll(() => app.close());

function loggedIn(): PosState {
  const s = press(loginPrompt(initialState(), ctx), TEST_ADMIN.code, ENTER, TEST_ADMIN.pin, ENTER);
  expect(s.screen).toBe('sale');
  return s;
}

describe('codes at the till', () => {
  it('a gift voucher sold: its code large on the screen until Esc, its slip printed after the receipt', async () => {
    let s = press(loggedIn(), F[11], F[3], '25', ENTER);
    expect(s.extra.vouchers).toEqual([2500]);
    s = press(s, F[12], F[6], ENTER);
    const number = s.last!.number;
    const [code] = codesOf(number);
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    expect(s.screen).toBe('report');
    expect(s.message?.text).toBe(t('tui.sold', { number, change: '€0.00' }));

    const frame = await frameOf(s);
    expectLarge(frame, code!);
    expect(frame).toContain(t('receipt.voucher_code', { code: code! }));
    expect(frame).toContain(t('tui.code.heading', { title: t('voucher.title_gift'), amount: '€25.00', expiry: t('tui.code.until', { day: '21/11/2027' }) }));

    // another key (an arrow, a page) leaves it there; Esc goes back to selling
    s = press(s, '\x1b[B');
    expect(s.screen).toBe('report');
    expect(await frameOf(s)).toContain(code!);
    s = press(s, ESC);
    expect(s.screen).toBe('sale');
    expect(await frameOf(s)).not.toContain(code!);

    const text = await paper();
    expect(text).toContain(`Código ${code}`);
    const slip = text.slice(text.indexOf('VALE REGALO'));
    expect(slip).toContain(code);
    expect(slip).toContain(number);
    expect(slip).toMatch(/Válido hasta +21\/11\/2027/);
    expect(slip).toContain(`[BARCODE ${code!.replaceAll('-', '')}]`);
  });

  it('a refund to store credit: its code large on the screen, its slip printed after the refund', async () => {
    let s = press(loggedIn(), 'LAC-001', ENTER, F[12], F[6], ENTER);
    expect(s.screen).toBe('sale');
    const sold = s.last!.number;
    await paper();
    s = press(s, F[9], sold, ENTER, ENTER, F[4]);
    expect(s.screen).toBe('report');
    const refundNumber = s.report!.number!;
    const [code] = codesOf(refundNumber);
    expect(code).toBeDefined();
    const frame = await frameOf(s);
    expectLarge(frame, code!);
    expect(frame).toContain(t('receipt.voucher_code', { code: code! }));

    const text = await paper();
    const slip = text.slice(text.indexOf('VALE DE COMPRA'));
    expect(text.indexOf(refundNumber)).toBeLessThan(text.indexOf('VALE DE COMPRA'));
    expect(slip).toContain(code);
    expect(slip).toContain(refundNumber);

    // Ctrl+P reprints the refund and its slip, both marked COPIA
    s = press(s, '\x10');
    expect((await paper()).match(/\*\*\* COPIA \*\*\*/g)).toHaveLength(2);
  });
});
