/**
 * Settings that cannot give goods away (issue 12, findings 3 and 4): every setting checked by one
 * schema with errors naming the key — cash rounding only in the currency's steps, the store's tax
 * id by its country's rules, every number bounded — and a yearly series reset only with the year
 * in its template. In-process CLI on real SQLite files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSetting, SETTINGS } from '../../src/app/settings-schema.js';
import { SETTING_KEYS } from '../../src/core/profile.js';
import { cli, tempDir } from '../helpers.js';
import { at, demoStore, jsonAt, newStore, type Shop, STORE_INIT, STORE_PIN } from '../scenarios.js';

const dir = tempDir('tpv-settings-');
const shop: Shop = { run: cli, db: join(dir, 'shop.db'), dir };
const run = jsonAt(shop);

/** A setting as stored (read beside the CLI, like an auditor would). */
function stored(db: string, key: string): unknown {
  const d = new Database(db, { readonly: true });
  try {
    const v = d.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
    return v === undefined ? undefined : JSON.parse(v);
  } finally {
    d.close();
  }
}

function settingsEvents(db: string): number {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare("SELECT count(*) FROM outbox WHERE type = 'settings'").pluck().get() as number;
  } finally {
    d.close();
  }
}

const sell = (amount: string) => run(['sale'], { lines: [{ code: 'VEL-179' }], payments: [{ method: 'cash', amount }] });

beforeAll(async () => {
  await demoStore(shop);
  expect((await run(['products', 'add', '--sku', 'VEL-179', '--name', 'Vela', '--price', '1.79', '--tax-rate', '21'])).code).toBe(0);
  expect((await run(['shift', 'open', '--float', '100.00'])).code).toBe(0);
});

describe('sales.cash_rounding', () => {
  it('"5" in EUR is refused (exit 3) naming the key and suggesting 0.05; nothing changes', async () => {
    const events = settingsEvents(shop.db);
    const r = await run(['config', 'set', 'sales.cash_rounding', '5']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('setting.cash_rounding_minor');
    expect(r.json.error.message).toContain('sales.cash_rounding');
    expect(r.json.error.message).toContain('did you mean 0.05?');
    expect(stored(shop.db, 'sales.cash_rounding')).toBeUndefined();
    expect(settingsEvents(shop.db)).toBe(events);
    expect((await run(['config', 'get', 'sales.cash_rounding'])).json.data.value).toBe('0');
  });

  it('1000, 0.07, 0.001, a negative step and words are refused with the steps of the currency', async () => {
    for (const value of ['1000', '0.07', '0.001', '-0.05', 'abc', '']) {
      const r = await run(['config', 'set', 'sales.cash_rounding', value]);
      expect(r.code, value).toBe(3);
      expect(r.json.error.message, value).toContain('sales.cash_rounding');
    }
    const r = await run(['config', 'set', 'sales.cash_rounding', '0.07']);
    expect(r.json.error.message).toContain('0.01, 0.02, 0.05, 0.10, 0.20, 0.25, 0.50, 1.00');
    expect(stored(shop.db, 'sales.cash_rounding')).toBeUndefined();
  });

  it('stores the canonical text: 0,1 → 0.10, 1 → 1.00, off → 0', async () => {
    for (const [value, canonical] of [['0,1', '0.10'], ['1', '1.00'], ['0.050', '0.05'], ['off', '0']]) {
      const r = await run(['config', 'set', 'sales.cash_rounding', value!]);
      expect(r.code, value).toBe(0);
      expect(r.json.data.value).toBe(canonical);
      expect(stored(shop.db, 'sales.cash_rounding')).toBe(canonical);
    }
  });

  it('a 1.79 item paid with 5.00 cash: with any step the rounding is at most half of it, never -1.79', async () => {
    for (const step of ['0.01', '0.02', '0.05', '0.10', '0.20', '0.25', '0.50', '1']) {
      expect((await run(['config', 'set', 'sales.cash_rounding', step])).code).toBe(0);
      const r = await sell('5.00');
      expect(r.code, r.stdout).toBe(0);
      const { rounding, change, payments } = r.json.data.receipt;
      const half = Math.round(Number(step) * 100) / 2;
      expect(Math.abs(Math.round(Number(rounding) * 100)), step).toBeLessThanOrEqual(half);
      expect(Number(payments[0].amount) + Number(change)).toBe(5);
      expect(Number(payments[0].amount)).toBeGreaterThan(1);
    }
  });

  it('a step stored before the check (5 in EUR, written by hand) does not round at all', async () => {
    const d = new Database(shop.db);
    d.prepare("UPDATE settings SET value = '\"5\"' WHERE key = 'sales.cash_rounding'").run();
    d.close();
    const r = await sell('5.00');
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.receipt).toMatchObject({ total: '1.79', rounding: '0.00', change: '3.21', payments: [{ method: 'cash', amount: '1.79' }] });
    const text = await at(shop)(['receipts', 'show', r.json.data.receipt.number]);
    expect(text.stdout).not.toMatch(/Redondeo/);
    expect(text.stdout).not.toMatch(/[-−]1,79/);
    expect((await run(['config', 'set', 'sales.cash_rounding', '0'])).code).toBe(0);
  });
});

describe('numbers bounded, texts clean', () => {
  it('out-of-range, exponent and empty numbers are refused naming the key and the range', async () => {
    const cases: [string, string][] = [
      ['tui.lock_minutes', '1441'],
      ['tui.lock_minutes', '-1'],
      ['tui.lock_minutes', '1e3'],
      ['tui.lock_minutes', ''],
      ['tui.lock_minutes', '0x10'],
      ['credit.expiry_days', '36501'],
      ['backup.keep', '0'],
      ['barcode.item_digits', '7'],
      ['sales.discount_limit', '101'],
    ];
    for (const [key, value] of cases) {
      const r = await run(['config', 'set', key, value]);
      expect(r.code, `${key} ${value}`).toBe(3);
      expect(r.json.error.message, `${key} ${value}`).toContain(key);
    }
    const r = await run(['config', 'set', 'tui.lock_minutes', '5000']);
    expect(r.json.error.message).toBe('tui.lock_minutes: "5000" must be a whole number from 0 to 1440');
    expect((await run(['config', 'set', 'tui.lock_minutes', '15'])).json.data.value).toBe(15);
  });

  it('every key of the schema refuses a 400-digit value and a control character', () => {
    expect(Object.keys(SETTINGS).sort()).toEqual([...SETTING_KEYS].sort());
    for (const key of SETTING_KEYS) {
      expect(() => parseSetting(key, '9'.repeat(400)), key).toThrow();
      expect(() => parseSetting(key, '1\u001b[2J'), key).toThrow();
    }
  });
});

describe('store.tax_id, checked like a customer\'s for the store\'s country', () => {
  it('a wrong check digit is refused (exit 3) naming the key; a valid one is stored without dashes', async () => {
    const bad = await run(['config', 'set', 'store.tax_id', 'B12345675']);
    expect(bad.code).toBe(3);
    expect(bad.json.error.code).toBe('taxid.check');
    expect(bad.json.error.message).toMatch(/^store\.tax_id: /);
    expect(stored(shop.db, 'store.tax_id')).toBe('B12345674');
    const good = await run(['config', 'set', 'store.tax_id', 'b-1234567-4']);
    expect(good.code).toBe(0);
    expect(stored(shop.db, 'store.tax_id')).toBe('B12345674');
  });

  it('--accept-tax-id keeps an id whose check digit fails (as for customers), never a wrong shape; kept unverified, it says so', async () => {
    const kept = await run(['config', 'set', 'store.tax_id', 'B12345675', '--accept-tax-id']);
    expect(kept.code).toBe(0);
    expect(stored(shop.db, 'store.tax_id')).toBe('B12345675');
    // a notice on stderr, and in --json the warning as a customer's (stable identifiers)
    expect(kept.stderr).toBe("store.tax_id: the store's tax id B12345675 kept unverified: not a valid CIF: the control digit should be 4\n");
    expect(kept.json.data).toMatchObject({ key: 'store.tax_id', value: 'B12345675', tax_id_warning: { code: 'taxid.check', params: { kind: 'CIF', rule: 'control digit', expected: '4' } } });
    const human = await cli(['--db', shop.db, 'config', 'set', 'store.tax_id', 'b-1234567-5', '--accept-tax-id'], { env: { TPV_LANG: 'es' } });
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('store.tax_id = B12345675\n');
    expect(human.stderr).toBe('store.tax_id: el NIF de la tienda B12345675 se guarda sin verificar: no es un CIF válido: se esperaba 4 (dígito de control)\n');
    const shape = await run(['config', 'set', 'store.tax_id', 'B123', '--accept-tax-id']);
    expect(shape.code).toBe(3);
    expect(shape.json.error.code).toBe('taxid.format');
    // a verified id: no notice, no warning
    const good = await run(['config', 'set', 'store.tax_id', 'B12345674']);
    expect(good.code).toBe(0);
    expect(good.stderr).toBe('');
    expect(good.json.data).not.toHaveProperty('tax_id_warning');
  });

  it('a Mexican RFC whose check digit fails is kept for the store without --accept-tax-id, as for a customer, and said so', async () => {
    const mx = await run(['config', 'set', 'store.country', 'MX', 'store.tax_id', 'AAC-090318-3F6']);
    expect(mx.code, mx.stdout).toBe(0);
    expect(mx.json.data.changes).toEqual({ 'store.country': 'MX', 'store.tax_id': 'AAC0903183F6' });
    expect(mx.json.data.tax_id_warning).toEqual({ code: 'taxid.check', params: { kind: 'RFC persona moral', rule: 'check digit', expected: '4' } });
    expect(mx.stderr).toContain("store.tax_id: the store's tax id AAC0903183F6 kept unverified: not a valid RFC persona moral: the check digit should be 4");
    // a setting that does not touch the tax id says nothing about it
    const other = await run(['config', 'set', 'tui.lock_minutes', '10']);
    expect(other.stderr).toBe('');
    expect(other.json.data).toEqual({ key: 'tui.lock_minutes', value: 10, changes: { 'tui.lock_minutes': 10 } });
    const back = await run(['config', 'set', 'store.country', 'ES', 'store.tax_id', 'B12345674']);
    expect(back.code).toBe(0);
    expect(back.stderr).toBe('');
  });

  it('a country the stored tax id does not fit is refused; both set at once are checked together', async () => {
    const events = settingsEvents(shop.db);
    const alone = await run(['config', 'set', 'store.country', 'PT']);
    expect(alone.code).toBe(3);
    expect(alone.json.error.code).toBe('setting.tax_id_country');
    expect(alone.json.error.message).toContain('store.country');
    expect(alone.json.error.message).toContain('B12345674');
    expect(stored(shop.db, 'store.country')).toBe('ES');
    const both = await run(['config', 'set', 'store.country', 'PT', 'store.tax_id', '501964843']);
    expect(both.code, both.stdout).toBe(0);
    expect(both.json.data.changes).toEqual({ 'store.country': 'PT', 'store.tax_id': '501964843' });
    expect(settingsEvents(shop.db)).toBe(events + 1);
    expect((await run(['config', 'set', 'store.country', 'ES', 'store.tax_id', 'B12345674'])).code).toBe(0);
    expect((await run(['config', 'set', 'store.country'])).code).toBe(2);
    expect((await run(['config', 'set', 'store.country', 'ES', 'store.tax_id'])).code).toBe(2);
  });

  it('tpv init keeps a tax id unverified only with --accept-tax-id (or an RFC the SAT issued so), and says so on stderr and in --json', async () => {
    const init = (name: string, args: string[], env: Record<string, string> = {}) =>
      cli(['--db', join(dir, name), ...STORE_INIT.map((a) => (a === 'B12345674' ? 'B12345675' : a)), ...args], { input: `${STORE_PIN}\n`, env });
    const refused = await init('init-refused.db', ['--json']);
    expect(refused.code).toBe(3);
    const kept = await init('init-kept.db', ['--accept-tax-id', '--json']);
    expect(kept.code, kept.stdout).toBe(0);
    expect(kept.json.data.tax_id_warning).toEqual({ code: 'taxid.check', params: { kind: 'CIF', rule: 'control digit', expected: '4' } });
    expect(kept.stderr).toBe("store.tax_id: the store's tax id B12345675 kept unverified: not a valid CIF: the control digit should be 4\n");
    expect(stored(join(dir, 'init-kept.db'), 'store.tax_id')).toBe('B12345675');
    // in Spanish, without an English word
    const es = await init('init-es.db', ['--accept-tax-id'], { TPV_LANG: 'es' });
    expect(es.code).toBe(0);
    expect(es.stderr).toBe('store.tax_id: el NIF de la tienda B12345675 se guarda sin verificar: no es un CIF válido: se esperaba 4 (dígito de control)\n');
    // Mexico: the RFC whose check digit fails is kept without asking, said the same way
    const mx = await cli(['--db', join(dir, 'init-mx.db'), 'init', '--name', 'Autotransportes', '--tax-id', 'AAC0903183F6', '--address', 'Monterrey', '--country', 'MX', '--admin-pin-stdin', '--json'], { input: `${STORE_PIN}\n` });
    expect(mx.code, mx.stdout).toBe(0);
    expect(mx.json.data).toMatchObject({ country: 'MX', currency: 'MXN', tax_id_warning: { code: 'taxid.check', params: { kind: 'RFC persona moral', rule: 'check digit', expected: '4' } } });
    expect(mx.stderr).toContain('AAC0903183F6 kept unverified');
    // a verified tax id: nothing on stderr, no warning
    const fine = await cli(['--db', join(dir, 'init-fine.db'), ...STORE_INIT, '--json'], { input: `${STORE_PIN}\n` });
    expect(fine.code).toBe(0);
    expect(fine.stderr).toBe('');
    expect(fine.json.data.tax_id_warning).toBeNull();
  });

  it('tpv init refuses a tax id that does not fit the country, and creates nothing', async () => {
    const db = join(dir, 'bad-init.db');
    const args = STORE_INIT.map((a) => (a === 'B12345674' ? 'B12345675' : a));
    const r = await cli(['--db', db, ...args, '--json'], { input: `${STORE_PIN}\n` });
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('taxid.check');
    expect(r.json.error.message).toContain('store.tax_id');
    expect(existsSync(db)).toBe(false);
  });
});

describe('store.currency and the cash rounding, checked as a pair', () => {
  const other: Shop = { run: cli, db: join(dir, 'empty.db'), dir };
  const set = (...pairs: string[]) => jsonAt(other)(['config', 'set', ...pairs], undefined, { TPV_PIN: STORE_PIN });

  it('a currency whose steps do not include the rounding is refused; set together they pass', async () => {
    await newStore(other);
    expect((await set('sales.cash_rounding', '0.05')).code).toBe(0);
    const clp = await set('store.currency', 'CLP');
    expect(clp.code).toBe(3);
    expect(clp.json.error.code).toBe('setting.currency_rounding');
    expect(clp.json.error.message).toContain('store.currency');
    expect(stored(other.db, 'store.currency')).toBe('EUR');
    const both = await set('store.currency', 'CLP', 'sales.cash_rounding', '10');
    expect(both.code, both.stdout).toBe(0);
    expect(both.json.data.changes).toEqual({ 'store.currency': 'CLP', 'sales.cash_rounding': '10' });
    expect((await set('sales.cash_rounding', '0.05')).code).toBe(3); // no decimals in CLP
    expect((await set('sales.cash_rounding', '5000')).code).toBe(3);
  });
});

describe('series: a yearly reset needs the year in the template', () => {
  const series = async (register: string): Promise<{ template: string; yearly_reset: boolean }> =>
    (await run(['series', 'list'])).json.data.find((s: { register: string; type: string }) => s.register === register && s.type === 'receipt');

  it('--yearly-reset on a template without {yyyy} or {yy} is refused (exit 3) and changes nothing', async () => {
    const r = await run(['series', 'set', 'T01', 'receipt', '--yearly-reset']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('series.yearly_needs_year');
    expect(r.json.error.message).toContain('{register}-{n:6}');
    expect(await series('T01')).toMatchObject({ template: '{register}-{n:6}', yearly_reset: false });
    const add = await run(['series', 'add', 'T02', 'receipt', '--template', 'B{n:5}', '--yearly-reset']);
    expect(add.code).toBe(3);
    expect(add.json.error.code).toBe('series.yearly_needs_year');
    expect(await series('T02')).toBeUndefined();
  });

  it('with the year it is accepted; dropping the year from a yearly series is refused', async () => {
    const add = await run(['series', 'add', 'T02', 'receipt', '--template', '{register}-{yy}-{n:5}', '--yearly-reset']);
    expect(add.code, add.stdout).toBe(0);
    const drop = await run(['series', 'set', 'T02', 'receipt', '--template', '{register}-{n:5}']);
    expect(drop.code).toBe(3);
    expect(drop.json.error.code).toBe('series.yearly_needs_year');
    expect(await series('T02')).toMatchObject({ template: '{register}-{yy}-{n:5}', yearly_reset: true });
    expect((await run(['series', 'set', 'T02', 'receipt', '--template', '{register}-{n:5}', '--no-yearly-reset'])).code).toBe(0);
    expect((await run(['series', 'set', 'T01', 'receipt', '--template', '{register}-{yyyy}-{n:6}', '--yearly-reset'])).code).toBe(0);
  });
});
