/**
 * The guided shift close on the real terminal (the built tpv in tmux, 80×24): Luis holds a cart
 * and leaves (in English); Ana, a cashier, sells, then closes the shift in Spanish with keys
 * only — F10, F6, a supervisor approves in place, Luis's held cart is listed and voided, the
 * drawer is counted with decimal commas while the expected and counted amounts and the shortage
 * follow every key, F12 and "s" — and the Z report is on the screen. The database then tells the
 * same close (checked through the CLI, in-process).
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import { BIN, cli, tempDir } from '../helpers.js';
import { posLogin, startPos, type Tmux } from '../tmux.js';

const dir = tempDir('tpv-pos-shift-close-');
const DB = join(dir, 'till.db');
const run = (...args: string[]) => cli(['--db', DB, ...args, '--json']);
let term: Tmux | undefined;
afterEach(() => term?.kill());

/** A message of the catalog in Spanish, as the screen shows it. */
const es = (key: Parameters<typeof t>[0], params: Record<string, string | number> = {}): string => t(key, params, 'es');

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
  for (const [code, name, role, pin] of [
    ['ana', 'Ana', 'cashier', '2468'],
    ['luis', 'Luis', 'cashier', '1111'],
    ['sup', 'Sara', 'supervisor', '1357'],
  ]) {
    expect((await cli(['--db', DB, 'users', 'add', code!, '--name', name!, '--role', role!], { input: `${pin}\n` })).code).toBe(0);
  }
  expect((await run('shift', 'open', '--float', '100')).code).toBe(0);
});

describe('the guided close at the till', () => {
  it("voids another user's held cart, counts with decimal commas, shows the shortage and the Z", async () => {
    // Luis parks a customer's cart and leaves the till
    term = startPos(BIN, DB);
    await posLogin(term, 'luis', '1111');
    term.type('LAC-001', 'Enter');
    await term.waitFor(/TOTAL\s+€0\.99/);
    term.type('', 'F8');
    await term.waitFor('a name for it');
    term.type('Maria', 'Enter');
    await term.waitFor('Cart held');
    term.type('', 'C-c');
    await term.waitFor('Leave tpv?');
    term.type('y');
    await term.waitFor('[exit 0]');
    term.kill();

    // Ana, in Spanish: one sale in cash, then the close
    term = startPos(BIN, DB, { TPV_LANG: 'es' });
    await term.waitFor(`${es('tui.login.code')}: `);
    term.type('ana', 'Enter');
    await term.waitFor(`${es('tui.login.pin', { code: 'ana' })}: `);
    term.type('2468', 'Enter');
    await term.waitFor('> █');
    term.type('PAN-013', 'Enter');
    await term.waitFor(/TOTAL\s+2,39 €/);
    term.type('', 'F12', 'F2');
    await term.waitFor(/CAMBIO/i);
    term.type('', 'Enter');
    await term.waitFor(es('tui.sold', { number: 'T01-000001', change: '0,00 €' }));

    term.type('', 'F10');
    const shift = await term.waitFor(es('tui.shift.do.close_shift'));
    expect(shift.trimEnd().split('\n').at(-1)).toContain('F6 Cerrar  F7 Cajón  Esc Volver');
    expect(shift).toMatch(/F6\s+Ctrl\+Z\s+Cerrar turno: carritos/);
    term.type('', 'F6');
    await term.waitFor(`${es('tui.approval.code')}: `);
    term.type('sup', 'Enter');
    await term.waitFor(`${es('tui.approval.pin', { code: 'sup' })}: `);
    term.type('1357', 'Enter');
    const carts = await term.waitFor(es('tui.close.carts_title', { n: 1 }));
    expect(carts).toMatch(/> +#\d+ aparcado +luis \(Luis\) +Maria +1 +0,99 €/);
    term.type('', 'F2');
    await term.waitFor(es('tui.close.count_title'));

    term.type('50x2;1x2;0,20x1', 'Enter');
    await term.waitFor('Esperado 102,39 €   Contado 102,20 €   Faltante -0,19 €');
    // the row the cursor went to next (0,10 €), then 0,05 € by its amount with a decimal comma
    term.type('1', 'Enter');
    await term.waitFor(/Recuento 0,05 € > █/);
    term.type('0,05', 'Enter');
    const counted = await term.waitFor('Contado 102,35 €   Faltante -0,04 €');
    expect(counted).toMatch(/0,10 € +1 +0,10 €/);
    term.type('', 'F12');
    await term.waitFor(es('tui.close.confirm', { counted: '102,35 €', expected: '102,39 €', kind: 'faltante', difference: '-0,04 €' }));
    term.type('s', 'Enter');
    const z = await term.waitFor(es('tui.shift.closed', { number: 'T01Z-0001' }));
    expect(z).toMatch(/Informe Z T01Z-0001/);
    term.type('', 'PageDown', 'PageDown', 'PageDown');
    await term.waitFor(/Descuadre \(faltante\)\s+-0,04 €/);
    term.type('', 'Escape', 'C-c');
    await term.waitFor(es('tui.quit_ask'));
    term.type('s');
    await term.waitFor('[exit 0]');

    // the database tells the same close
    const report = (await run('shift', 'report')).json.data;
    expect(report).toMatchObject({ number: 'T01Z-0001', closed_by: 'ana', cash: { expected: '102.39', counted: '102.35', difference: '-0.04', difference_kind: 'shortage' } });
    expect(report.count.map((c: { value: string; qty: number }) => `${c.value}x${c.qty}`)).toEqual(['50.00x2', '1.00x2', '0.20x1', '0.10x1', '0.05x1']);
    const audit = (await run('audit', 'verify')).json.data;
    expect(audit).toMatchObject({ ok: true, findings: [] });
  });
});
