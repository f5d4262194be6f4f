/** The CLI run in-process (`main(argv, io)`) like a user or a script runs it: exit codes and JSON. */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { buildProgram } from '../../src/cli/main.js';
import { language } from '../../src/i18n/index.js';
import { cli as inProcess, FIXTURES, tempDir } from '../helpers.js';
import { importFromStdin, initWithoutTerminalNamesTheFlag, missingDatabase, newStore, olderDatabaseMigrated, type Runner, type Shop, STORE_INIT, STORE_PIN, unknownCommandIsUsageError, versionAndHelp } from '../scenarios.js';

/** In-process runs as the store's admin: its PIN (given to `tpv init`) in TPV_PIN. */
const cli: Runner = (args, opts = {}) => inProcess(args, { ...opts, env: { TPV_PIN: STORE_PIN, ...opts.env } });

const dir = tempDir();
const DB = join(dir, 'shop.db');
const shop: Shop = { run: cli, db: DB, dir };
const db = (...args: string[]): string[] => ['--db', DB, ...args];

beforeAll(async () => {
  await newStore(shop);
  const demo = await cli(db('products', 'import', join(FIXTURES, 'demo-catalog.csv'), '--json'));
  expect(demo.code).toBe(0);
});

describe('basics', () => {
  it('--version and --help', () => versionAndHelp(shop));

  it('help speaks Spanish when the user does', async () => {
    const h = await cli(['--help'], { env: { TPV_LANG: 'es' } });
    // (a pattern like /TPV/i would also match the English help: check words only Spanish has)
    expect(h.stdout).toContain('muestra la ayuda de un comando');
    expect(h.stdout).not.toContain('show help for a command');
  });

  it('in-process runs leave nothing behind: started together, each speaks its own language, and the language is put back', async () => {
    const before = language();
    const [es, en] = await Promise.all([cli(['--help'], { env: { TPV_LANG: 'es' } }), cli(['--help'])]);
    expect(es.stdout).toContain('muestra la ayuda de un comando');
    expect(en.stdout).toContain('show help for a command');
    expect(en.stdout).not.toContain('muestra la ayuda de un comando');
    expect(language()).toBe(before);
  });

  it('an unknown command or option is a usage error (exit 2), as JSON with --json', () => unknownCommandIsUsageError(shop));

  it("a wrong command line is told in the reader's language, on the terminal and in --json (exit 2)", async () => {
    const es = { env: { TPV_LANG: 'es' } };
    const cases: [string[], string, string][] = [
      [['products', 'list', '--bogus'], "opción desconocida '--bogus'", "unknown option '--bogus'"],
      [['products', 'list', 'extra'], "demasiados argumentos para 'list': admite 0, se han dado 1", "too many arguments for 'list': it takes 0, 1 given"],
      [['products', 'show'], "falta el argumento obligatorio 'code'", "missing required argument 'code'"],
      [['products', 'add'], "falta la opción obligatoria '--sku <sku>'", "required option '--sku <sku>' not given"],
      [['products', 'list', '--limit'], "la opción '--limit <n>' necesita un valor", "option '--limit <n>' needs a value"],
    ];
    for (const [args, spanish, english] of cases) {
      const r = await cli(db(...args), es);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`error: ${spanish}\n`);
      expect((await cli(db(...args, '--json'), es)).json.error).toMatchObject({ code: 'cli.usage', message: spanish });
      expect((await cli(db(...args), { env: { TPV_LANG: 'en' } })).stderr).toBe(`error: ${english}\n`);
    }
    const typo = await cli(db('products', 'lst'), es);
    expect(typo.stderr).toBe("error: orden desconocida 'lst'\n(¿quería decir list?)\n");
  });

  it("commander's own words are in the help's language too: the usage, placeholders, defaults, a group's help command", async () => {
    const es = { env: { TPV_LANG: 'es' } };
    const root = await cli(['--help'], es);
    expect(root.stdout).toMatch(/^Uso: tpv \[opciones\] \[orden\]$/m);
    expect(root.stdout).toMatch(/^ {2}--db <ruta> /m);
    const group = await cli(['products', '--help'], es);
    expect(group.stdout).toMatch(/^Uso: tpv products \[opciones\] \[orden\]$/m);
    expect(group.stdout).toMatch(/^ {2}import \[opciones\] <fichero> /m);
    expect(group.stdout).toMatch(/^ {2}help \[orden\] +muestra la ayuda de una orden$/m);
    const leaf = await cli(['users', 'add', '--help'], es);
    expect(leaf.stdout).toMatch(/^Uso: tpv users add \[opciones\] <código>$/m);
    expect(leaf.stdout).toMatch(/--role <rol> /);
    expect(leaf.stdout.replace(/\s+/g, ' ')).toContain('(predeterminado: "cashier")');
    // values typed as they are stay as they are
    expect((await cli(['products', 'add', '--help'], es)).stdout).toContain('--unit <each|kg>');
    // the same help in English keeps commander's words
    const en = await cli(['users', 'add', '--help']);
    expect(en.stdout).toMatch(/^Usage: tpv users add \[options\] <code>$/m);
    expect(en.stdout.replace(/\s+/g, ' ')).toContain('(default: "cashier")');

    // every command's Spanish help, none of commander's English left
    const { program } = buildProgram({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
    const paths = (c: typeof program, before: string[]): string[][] => c.commands.flatMap((sub) => [[...before, sub.name()], ...paths(sub, [...before, sub.name()])]);
    const all = paths(program, []);
    expect(all.length).toBeGreaterThan(50);
    const english = /\[options\]|\[command\]|\((default|choices|preset|env): |display help for command|^(Usage|Options|Commands|Arguments):|[<[](path|file|amount|code|name|number|text|date|qty|key|value|kind|type|role|receipt|register|dir|list|zone|state|status|template)(\.\.\.)?[>\]]/m;
    for (const path of all) {
      const h = await cli([...path, '--help'], es);
      expect(h.code, path.join(' ')).toBe(0);
      expect(h.stdout, path.join(' ')).toMatch(/^Uso: tpv /m);
      expect(h.stdout.match(english)?.[0] ?? null, `tpv ${path.join(' ')} --help`).toBeNull();
    }
  });
});

describe('init', () => {
  it('recorded the store; a second init refuses with exit 5', async () => {
    const list = await cli(db('config', 'list', '--json'));
    expect(list.json.data).toMatchObject({
      'store.name': 'Ferretería Sol',
      'store.country': 'ES',
      'store.currency': 'EUR',
      'store.timezone': 'Europe/Madrid',
      'store.prices_include_tax': true,
      'register.code': 'T01',
    });
    const again = await cli([...db(...STORE_INIT), '--json'], { input: `${STORE_PIN}\n` });
    expect(again.code).toBe(5);
    expect(again.json.error.code).toBe('store.exists');
    expect(statSync(DB).mode & 0o777).toBe(0o600);
  });

  it('stores the PIN hashed with scrypt and a salt, never in clear', () => {
    const d = new Database(DB, { readonly: true });
    const u = d.prepare("SELECT pin_hash, pin_salt, role FROM users WHERE code = 'admin'").get() as { pin_hash: string; pin_salt: string; role: string };
    d.close();
    expect(u.role).toBe('admin');
    expect(u.pin_hash).not.toContain(STORE_PIN);
    expect(Buffer.from(u.pin_salt, 'base64').length).toBe(16);
  });

  it('without a terminal, a missing field fails naming the flag (exit 2)', () => initWithoutTerminalNamesTheFlag(shop));

  it('the PIN comes from stdin or TPV_ADMIN_PIN, never a bare argument', async () => {
    const args = ['--db', join(dir, 'y.db'), 'init', '--name', 'Y', '--tax-id', '1710034065', '--address', 'A', '--country', 'EC'];
    const none = await cli([...args, '--json']);
    expect(none.code).toBe(2);
    expect(none.json.error.message).toMatch(/--admin-pin-stdin|TPV_ADMIN_PIN/);
    const env = await cli([...args, '--json'], { env: { TPV_ADMIN_PIN: '987654' } });
    expect(env.code).toBe(0);
    expect(env.json.data).toMatchObject({ currency: 'USD', country: 'EC' });
    const bad = await cli(['--db', join(dir, 'z.db'), 'init', '--name', 'Z', '--tax-id', 'B12345674', '--address', 'A', '--country', 'ES', '--json'], {
      env: { TPV_ADMIN_PIN: '12' },
    });
    expect(bad.code).toBe(3);
    expect(bad.json.error.code).toBe('user.pin_format');
  });

  it('bad store fields are refused naming the field (exit 3)', async () => {
    const r = await cli(['--db', join(dir, 'w.db'), 'init', '--name', 'W', '--tax-id', 'X', '--address', 'A', '--country', 'XX', '--currency', 'EUR', '--timezone', 'Europe/Madrid', '--json'], {
      env: { TPV_ADMIN_PIN: '1234' },
    });
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'setting.country' });
    expect(r.json.error.message).toContain('store.country');
  });

  it('tpv demo makes a throw-away demo store and says where', async () => {
    const r = await cli(['demo', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data.products).toBeGreaterThanOrEqual(200);
    expect(existsSync(r.json.data.path)).toBe(true);
    const show = await cli(['--db', r.json.data.path, 'products', 'list', '--search', 'choc mil', '--json']);
    expect(show.json.data.map((p: { name: string }) => p.name)).toContain('Milk Chocolate 100 g');
  });
});

describe('database path resolution', () => {
  it('--db, then TPV_DB, then TPV_HOME/tpv.db, then XDG_DATA_HOME/tpv/tpv.db', async () => {
    const home = join(dir, 'home');
    const xdg = join(dir, 'xdg');
    const base = { TPV_DB: undefined, TPV_HOME: undefined, XDG_DATA_HOME: xdg, HOME: join(dir, 'nohome') };
    const init = (env: Record<string, string | undefined>) =>
      cli(['init', '--demo', '--json'], { env: { ...base, ...env } });
    expect((await init({})).json.data.path).toBe(join(xdg, 'tpv', 'tpv.db'));
    expect((await init({ TPV_HOME: home })).json.data.path).toBe(join(home, 'tpv.db'));
    expect((await init({ TPV_HOME: home, TPV_DB: join(dir, 'env.db') })).json.data.path).toBe(join(dir, 'env.db'));
    const flag = await cli(['--db', join(dir, 'flag.db'), 'init', '--demo', '--json'], { env: { ...base, TPV_DB: join(dir, 'env2.db') } });
    expect(flag.json.data.path).toBe(join(dir, 'flag.db'));
  });

  it('a command on a missing database says how to create one (exit 4)', () => missingDatabase(shop));
});

describe('catalog', () => {
  it('products show --json by sku, barcode and variable-measure barcode', async () => {
    const bySku = await cli(db('products', 'show', 'FRU-001', '--json'));
    expect(bySku.code).toBe(0);
    const p = bySku.json.data;
    expect(p).toMatchObject({ sku: 'FRU-001', price: '2.49', tax_rate: '4', unit: 'kg', active: true });
    expect(Array.isArray(p.barcodes)).toBe(true);
    expect(typeof p.stock).toBe('string');
    expect(typeof p.category).toBe('string');
    const byBarcode = await cli(db('products', 'show', p.barcodes[0], '--json'));
    expect(byBarcode.json.data.sku).toBe('FRU-001');
    // 2500101 + weight 01234 g + check digit: 1.234 kg of the same product
    const weighed = await cli(db('products', 'show', '2500101012349', '--json'));
    expect(weighed.json.data).toMatchObject({ sku: 'FRU-001', measure: { kind: 'weight', value: '1.234' } });
    const damaged = await cli(db('products', 'show', '2500101012340', '--json'));
    expect(damaged.code).toBe(3);
    expect(damaged.json.error.code).toBe('barcode.check_digit');
  });

  it('an unknown code is exit 4', async () => {
    const r = await cli(db('products', 'show', 'NOPE-999', '--json'));
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'product.not_found' } });
  });

  it('name search is accent- and case-insensitive and matches word prefixes', async () => {
    const cafe = await cli(db('products', 'list', '--search', 'CAFE', '--json'));
    expect(cafe.json.data.length).toBeGreaterThan(0);
    expect(cafe.json.data.every((p: { name: string }) => /caf[eé]/i.test(p.name))).toBe(true);
    const choc = await cli(db('products', 'list', '--search', 'choc mil', '--json'));
    expect(choc.json.data.map((p: { name: string }) => p.name)).toContain('Milk Chocolate 100 g');
    const cat = await cli(db('products', 'list', '--category', 'lácteos', '--limit', '3', '--json'));
    expect(cat.json.data).toHaveLength(3);
  });

  it('add, set, remove; bad input names the field', async () => {
    const add = await cli(db('products', 'add', '--sku', 'NEW-1', '--name', 'Tornillos 4x40 (100 uds)', '--price', '3,95', '--tax-rate', '21', '--barcode', '4006381333931', '--category', 'Ferretería', '--json'));
    expect(add.code).toBe(0);
    expect(add.json.data).toMatchObject({ sku: 'NEW-1', price: '3.95', tax_rate: '21', barcodes: ['4006381333931'], category: 'Ferretería' });
    expect((await cli(db('products', 'add', '--sku', 'NEW-1', '--name', 'X', '--price', '1', '--tax-rate', '21', '--json'))).code).toBe(5);
    const badCheck = await cli(db('products', 'add', '--sku', 'NEW-2', '--name', 'X', '--price', '1', '--tax-rate', '21', '--barcode', '4006381333932', '--json'));
    expect(badCheck.code).toBe(3);
    expect(badCheck.json.error).toMatchObject({ code: 'barcode.check_digit' });
    const taken = await cli(db('products', 'add', '--sku', 'NEW-2', '--name', 'X', '--price', '1', '--tax-rate', '21', '--barcode', '4006381333931', '--json'));
    expect(taken.code).toBe(3);
    expect(taken.json.error.message).toContain('NEW-1');
    const set = await cli(db('products', 'set', '4006381333931', '--price', '4.10', '--json'));
    expect(set.json.data).toMatchObject({ sku: 'NEW-1', price: '4.10', outcome: 'updated' });
    const tooPrecise = await cli(db('products', 'set', 'NEW-1', '--price', '4.105', '--json'));
    expect(tooPrecise.code).toBe(3);
    expect(tooPrecise.json.error.details.problems[0]).toMatchObject({ field: 'price', code: 'decimal.too_many_decimals' });
    const rm = await cli(db('products', 'remove', 'NEW-1', '--json'));
    expect(rm.json.data.active).toBe(false);
    const listed = await cli(db('products', 'list', '--search', 'tornillos', '--json'));
    expect(listed.json.data).toEqual([]);
    const all = await cli(db('products', 'list', '--search', 'tornillos', '--all', '--json'));
    expect(all.json.data).toHaveLength(1);
  });

  it('stock adjust and show: on hand derived from moves', async () => {
    const before = (await cli(db('stock', 'show', 'LAC-001', '--json'))).json.data.stock;
    const r = await cli(db('stock', 'adjust', 'LAC-001', '-2', '--reason', 'caducado', '--json'));
    expect(r.code).toBe(0);
    expect(Number(r.json.data.stock)).toBe(Number(before) - 2);
    expect(r.json.data.moves[0]).toMatchObject({ qty: '-2', kind: 'adjust', reason: 'caducado' });
    const frac = await cli(db('stock', 'adjust', 'LAC-001', '0.5', '--reason', 'x', '--json'));
    expect(frac.code).toBe(3);
    const noReason = await cli(db('stock', 'adjust', 'LAC-001', '1', '--json'));
    expect(noReason.code).toBe(2);
  });

  it('config get/set validates each key', async () => {
    expect((await cli(db('config', 'set', 'store.timezone', 'Mars/Olympus', '--json'))).code).toBe(3);
    expect((await cli(db('config', 'set', 'no.such.key', 'x', '--json'))).code).toBe(2);
    expect((await cli(db('config', 'set', 'barcode.item_digits', '9', '--json'))).code).toBe(3);
    const ok = await cli(db('config', 'set', 'store.prices_include_tax', 'no', '--json'));
    expect(ok.json.data).toEqual({ key: 'store.prices_include_tax', value: false, changes: { 'store.prices_include_tax': false } });
    expect((await cli(db('config', 'get', 'store.prices_include_tax'))).stdout.trim()).toBe('false');
    await cli(db('config', 'set', 'store.prices_include_tax', 'yes'));
    const locked = await cli(db('config', 'set', 'store.currency', 'USD', '--json'));
    expect(locked.code).toBe(5);
  });
});

describe('import from the command line', () => {
  it('all-or-nothing: exit 3 with every error in the JSON details; nothing written', async () => {
    const r = await cli(db('products', 'import', join(FIXTURES, 'imports', 'invalid-mixed.csv'), '--json'));
    expect(r.code).toBe(3);
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'imports', 'invalid-mixed.expected.json'), 'utf8'));
    expect(r.json.error.details.errors.map((e: { line: number; field: string; code: string }) => ({ line: e.line, field: e.field, code: e.code }))).toEqual(expected);
    const text = await cli(db('products', 'import', join(FIXTURES, 'imports', 'invalid-mixed.csv')));
    expect(text.code).toBe(3);
    expect(text.stderr).toMatch(/line 3, barcodes: /);
    expect(text.stdout).toBe('');
  });

  it('reads stdin with "-", and --dry-run writes nothing', () => importFromStdin(shop));

  it('--map, --encoding latin1 and bad flags', async () => {
    const r = await cli(db('products', 'import', join(FIXTURES, 'imports', 'valid-latin1.csv'), '--encoding', 'latin1', '--json'));
    expect(r.code).toBe(0);
    expect((await cli(db('products', 'import', 'x.csv', '--encoding', 'ebcdic'))).code).toBe(2);
    expect((await cli(db('products', 'import', 'x.csv', '--map', 'colour=Color'))).code).toBe(2);
    expect((await cli(db('products', 'import', join(dir, 'none.csv'), '--json'))).code).toBe(4);
  });

  it('export → import of the same file reports 0 created, 0 updated (csv and jsonl)', async () => {
    for (const format of ['csv', 'jsonl']) {
      const file = join(dir, `catalog.${format}`);
      const ex = await cli(db('products', 'export', file, '--format', format, '--json'));
      expect(ex.code).toBe(0);
      const im = await cli(db('products', 'import', file, '--json'));
      expect(im.json.data).toMatchObject({ created: 0, updated: 0, rejected: 0 });
      expect(im.json.data.unchanged).toBe(ex.json.data.rows);
    }
    const stdout = await cli(db('products', 'export'));
    expect(stdout.stdout.split('\n')[0]).toBe('sku,name,price,tax_rate,barcodes,unit,category,active,stock,track_stock');
  });
});

describe('migrations from the command line', () => {
  it('migrate status lists applied migrations; a newer database is refused with exit 5', async () => {
    const st = await cli(db('migrate', 'status', '--json'));
    expect(st.code).toBe(0);
    expect(st.json.data.migrations.every((m: { state: string }) => m.state === 'applied')).toBe(true);
    const copy = join(dir, 'future.db');
    writeFileSync(copy, readFileSync(DB));
    const d = new Database(copy);
    // a newer tpv records each migration it applies, as this one does (a bare version is refused as unknown)
    const newer = st.json.data.known + 5;
    for (let idx = st.json.data.known; idx < newer; idx++) d.prepare("INSERT INTO schema_migrations VALUES (?, ?, 'x', '2030-01-01T00:00:00Z', '9.9.9')").run(idx, `future_${idx}`);
    d.pragma(`user_version = ${newer}`);
    d.close();
    const r = await cli(['--db', copy, 'products', 'list', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('store.newer');
    expect(r.json.error.message).toMatch(/schema \d+.*schema \d+/);
    expect((await cli(['--db', copy, 'migrate'])).code).toBe(5);
  });

  it('an older database is migrated by any command, with a backup and a note on stderr', () => olderDatabaseMigrated(shop));
});
