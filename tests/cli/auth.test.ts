/**
 * The CLI's threat model, in-process: every command that acts as a user needs that user's PIN
 * (`--user CODE`, default the store's first admin; the PIN in TPV_PIN, else asked on a terminal,
 * else exit 2 naming TPV_PIN); read-only commands need none. Unknown user, disabled user and
 * wrong PIN give one answer.
 */
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { setLanguage } from '../../src/i18n/index.js';
import { cli, tempDir, TEST_ADMIN } from '../helpers.js';
import { ANA, at, demoStore, type Shop, SUP } from '../scenarios.js';

const dir = tempDir('tpv-auth-');
const DB = join(dir, 'auth.db');
const shop: Shop = { run: cli, db: DB, dir };
const run = at(shop);
const NO_PIN = { TPV_PIN: undefined };

/** Everything a refused command must leave as it was. */
function snapshot(): unknown {
  const db = new Database(DB, { readonly: true });
  try {
    return ['users', 'audit_log', 'outbox', 'settings', 'documents', 'products', 'shifts', 'cash_moves', 'tax_categories', 'series'].map((t) => db.prepare(`SELECT * FROM ${t}`).all());
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  await demoStore(shop, ANA, SUP);
  const open = await run(['shift', 'open', '--float', '50.00', '--json']);
  expect(open.code, open.stdout).toBe(0);
});

describe('a command that acts as a user needs their PIN', () => {
  const evil = ['users', 'add', 'evil', '--name', 'Evil', '--role', 'admin', '--json'];

  it('without TPV_PIN and without a terminal: exit 2 naming TPV_PIN, nothing written', async () => {
    const before = snapshot();
    const r = await run(evil, { input: '1111\n', env: NO_PIN });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('user.pin_needed');
    expect(r.json.error.message).toContain('TPV_PIN');
    expect(snapshot()).toEqual(before);
  });

  it('with a wrong TPV_PIN: exit 5, no user added; with the right one the admin adds it', async () => {
    const wrong = await run(evil, { input: '1111\n', env: { TPV_PIN: '9999' } });
    expect(wrong.code).toBe(5);
    expect(wrong.json.error.code).toBe('user.pin_wrong');
    expect((await run(['users', 'list', '--json'])).json.data.map((u: { code: string }) => u.code)).not.toContain('evil');
    const right = await run(['users', 'add', 'pepe', '--name', 'Pepe', '--role', 'cashier', '--json'], { input: '1111\n', env: { TPV_PIN: TEST_ADMIN.pin } });
    expect(right.code, right.stdout).toBe(0);
    expect(right.json.data).toMatchObject({ code: 'pepe', role: 'cashier', active: true });
  });

  it("a cashier's PIN cannot add users (exit 5)", async () => {
    const r = await run(['--user', ANA.code, ...evil], { input: '1111\n', env: { TPV_PIN: ANA.pin } });
    expect(r.code).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'permission.needs_approval', details: { action: 'manage_users', user: 'ana' } });
  });

  it('the new PIN of `users add` comes from stdin, not from TPV_PIN (the actor\'s)', async () => {
    const r = await run(['users', 'add', 'luis', '--name', 'Luis', '--json'], { env: { TPV_PIN: TEST_ADMIN.pin } });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('users.pin_required');
  });

  // every command that acts as a user, with arguments it would accept: without a PIN, exit 2
  const acting: [string, string[], string?][] = [
    ['sale', ['sale'], JSON.stringify({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5.00' }] })],
    ['sales import', ['sales', 'import', '-'], JSON.stringify({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5.00' }] }) + '\n'],
    ['refund', ['refund', '--without-receipt'], JSON.stringify({ lines: [{ code: 'LAC-001' }], method: 'store_credit' })],
    ['exchange', ['exchange', 'T01-000001'], JSON.stringify({ lines: [{ line: 1 }], sale: { lines: [{ code: 'LAC-001' }] } })],
    ['shift open', ['shift', 'open', '--float', '0']],
    ['shift cash-in', ['shift', 'cash-in', '1.00', '--reason', 'x']],
    ['shift cash-out', ['shift', 'cash-out', '1.00', '--reason', 'x']],
    ['shift close', ['shift', 'close', '--counted', '50.00']],
    ['users add', ['users', 'add', 'x1', '--name', 'X'], '1111\n'],
    ['users set-pin', ['users', 'set-pin', 'ana'], '1111\n'],
    ['users set-role', ['users', 'set-role', 'ana', 'admin']],
    ['users disable', ['users', 'disable', 'ana']],
    ['config set', ['config', 'set', 'sales.discount_limit', '50']],
    ['series add', ['series', 'add', 'T02', 'receipt']],
    ['series set', ['series', 'set', 'T01', 'receipt', '--next', '500']],
    ['taxes add', ['taxes', 'add', '5']],
    ['products add', ['products', 'add', '--sku', 'P1', '--name', 'Pilas', '--price', '3.50', '--tax-rate', '21']],
    ['products set', ['products', 'set', 'LAC-001', '--price', '0.01']],
    ['products remove', ['products', 'remove', 'LAC-001']],
    ['products import', ['products', 'import', '-'], 'sku,price\nLAC-001,0.01\n'],
    ['customers import', ['customers', 'import', join(dir, 'none.csv')]],
    ['stock adjust', ['stock', 'adjust', 'LAC-001', '5', '--reason', 'x']],
    ['credit issue', ['credit', 'issue', '10.00']],
    ['credit void', ['credit', 'void', 'XRQQSPMPP7S5G640']],
    ['credit expire', ['credit', 'expire']],
    ['drawer open', ['drawer', 'open', '--reason', 'x']],
    ['devices add', ['devices', 'add', 'printer', '--url', 'tcp://127.0.0.1:9']],
    ['devices remove', ['devices', 'remove', 'printer']],
    ['devices test drawer', ['devices', 'test', 'drawer']],
    ['invoice create', ['invoice', 'create', '--receipt', 'T01-000001', '--customer', 'B12345674']],
    ['print --original', ['print', 'T01-000001', '--original']],
    ['customers add', ['customers', 'add', '--name', 'Ferretería Sol SL']],
    ['customers set', ['customers', 'set', 'B12345674', '--email', 'x@example.com']],
    ['sync register', ['sync', 'register', '--server', 'ws://127.0.0.1:9', '--code', 'AAAA-BBBB-CCCC-DDDD']],
  ];

  it('every one of them (sales, refunds, shifts, users, settings, series, taxes, catalog, credit, drawer, devices, invoices, print --original)', async () => {
    // a receipt for the commands that name one
    const sold = await run(['sale', '--json'], { input: JSON.stringify({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5.00' }] }) });
    expect(sold.json.data.receipt.number).toBe('T01-000001');
    const before = snapshot();
    for (const [name, args, input] of acting) {
      const r = await run([...args, '--json'], { env: NO_PIN, ...(input !== undefined ? { input } : {}) });
      expect({ name, code: r.code, error: r.json?.error?.code }).toEqual({ name, code: 2, error: 'user.pin_needed' });
    }
    expect(snapshot()).toEqual(before);
  });

  it('read-only commands need no PIN', async () => {
    for (const args of [
      ['users', 'list'],
      ['receipts', 'list'],
      ['receipts', 'show', 'T01-000001'],
      ['products', 'list', '--limit', '1'],
      ['config', 'get', 'sales.discount_limit'],
      ['shift', 'status'],
      ['report', 'sales'],
      ['audit', 'verify'],
      ['doctor'],
      ['migrate', 'status'],
    ]) {
      const r = await run([...args, '--json'], { env: NO_PIN });
      expect({ args, code: r.code, stdout: r.code === 0 ? '' : r.stdout }).toEqual({ args, code: 0, stdout: '' });
    }
  });
});

describe('one answer for an unknown user, a disabled user and a wrong PIN', () => {
  it('byte-identical --json error documents and the same exit code (5)', async () => {
    const disable = await run(['users', 'disable', 'pepe', '--json']);
    expect(disable.code, disable.stdout).toBe(0);
    const attempt = (user: string, pin: string) => run(['--user', user, 'users', 'set-role', 'ana', 'admin', '--json'], { env: { TPV_PIN: pin } });
    const unknown = await attempt('ghost', '1111');
    const wrong = await attempt(SUP.code, '0000');
    const disabled = await attempt('pepe', '1111'); // pepe's right PIN
    expect(unknown.code).toBe(5);
    expect(unknown.json.error).toEqual({ code: 'user.pin_wrong', message: 'wrong user code or PIN' });
    for (const r of [wrong, disabled]) expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: unknown.code, stdout: unknown.stdout, stderr: unknown.stderr });
    // the same without --json: no "tries left", no "no user"
    const text = await run(['--user', 'ghost', 'users', 'set-role', 'ana', 'admin'], { env: { TPV_PIN: '1111' } });
    const wrongText = await run(['--user', SUP.code, 'users', 'set-role', 'ana', 'admin'], { env: { TPV_PIN: '0000' } });
    expect(wrongText.stderr).toBe(text.stderr);
    // the supervisor's failures were counted all the same; a right PIN resets them
    const ok = await run(['--user', SUP.code, 'shift', 'cash-in', '1.00', '--reason', 'cambio', '--json'], { env: { TPV_PIN: SUP.pin } });
    expect(ok.code, ok.stdout).toBe(0);
  });
});

/** A stdin that says it is a terminal, giving `keys` one chunk at a time as they are read. */
function terminal(keys: string[]): PassThrough & { isTTY: boolean; setRawMode: (raw: boolean) => void } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const next = (): void => {
    const k = keys.shift();
    if (k !== undefined) setImmediate(() => stdin.write(k));
  };
  stdin.on('resume', next);
  return stdin;
}

async function onTerminal(args: string[], keys: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const text = { stdout: '', stderr: '' };
  const sink = (k: keyof typeof text) => new Writable({ write: (c: Buffer, _e, done) => ((text[k] += c.toString()), done()) });
  const env: NodeJS.ProcessEnv = { ...process.env, TPV_LANG: 'en', NO_COLOR: '1' };
  delete env.TPV_PIN;
  try {
    const code = await main(['--db', DB, ...args], { stdin: terminal(keys), stdout: sink('stdout'), stderr: sink('stderr'), env });
    return { code, ...text };
  } finally {
    setLanguage('en');
  }
}

describe('on a terminal the PIN is asked, hidden', () => {
  it("the acting user's PIN, then the new user's", async () => {
    const r = await onTerminal(['users', 'add', 'rosa', '--name', 'Rosa', '--json'], [`${TEST_ADMIN.pin}\r`, '7531\r']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('PIN of admin: ****');
    expect(r.stderr).toContain('new PIN of rosa (4–8 digits): ****');
    expect(r.stderr).not.toContain(TEST_ADMIN.pin);
    expect(JSON.parse(r.stdout).data).toMatchObject({ code: 'rosa', role: 'cashier' });
    // rosa's PIN is the one typed second
    const asRosa = await run(['--user', 'rosa', 'shift', 'cash-in', '1.00', '--reason', 'x', '--json'], { env: { TPV_PIN: '7531' } });
    expect(asRosa.code, asRosa.stdout).toBe(0);
  });

  it('a wrong PIN typed is refused like one in TPV_PIN', async () => {
    const r = await onTerminal(['--user', 'rosa', 'shift', 'cash-in', '1.00', '--reason', 'x', '--json'], ['0000\r']);
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).error.code).toBe('user.pin_wrong');
  });
});
