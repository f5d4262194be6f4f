/**
 * Issue 14 from the command line: `tpv einvoice setup|status|list|show|verify` on a Spanish shop,
 * the refusals (not Spain, no PIN, a bad state, an unknown document), and a record edited with
 * the file in hand found by `verify`; `submit` and the `run` daemon (the built tpv, stopped with
 * SIGTERM) against the fake AEAT of tests/fake-aeat.ts.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAeat, makePki, type Pki, startFakeAeat } from '../fake-aeat.js';
import { BIN, cli, makeShopWithCatalog, makeStore, tempDir } from '../helpers.js';

const dir = tempDir('tpv-einvoice-cli-');
let path = '';
const run = (...args: string[]) => cli(['--db', path, ...args]);

describe('tpv einvoice', () => {
  it('setup needs a PIN and a Spanish store; then every sale gets its record: status, list, show, verify', async () => {
    const app = await makeShopWithCatalog(dir, 'shop.db', () => new Date());
    path = app.path;
    app.close();
    expect((await cli(['--db', path, 'einvoice', 'setup', '--scheme', 'verifactu', '--json'], { env: { TPV_PIN: '' } })).code).toBe(2);
    expect((await run('einvoice', 'setup', '--json')).json.error).toMatchObject({ code: 'cli.flag_required' });
    const typo = await run('einvoice', 'setup', '--scheme', 'verifact', '--json');
    expect(typo.code, typo.stdout).toBe(3);
    const off = await run('einvoice', 'status', '--json');
    expect(off.json.data).toMatchObject({ scheme: 'none', records: 0, head: null });

    const setup = await run('einvoice', 'setup', '--scheme', 'verifactu', '--env', 'test', '--json');
    expect(setup.code, setup.stdout).toBe(0);
    expect((await run('shift', 'open', '--float', '100', '--json')).code).toBe(0);
    const input = JSON.stringify({ lines: [{ code: 'LAC-001', qty: '2' }], payments: [{ method: 'cash', amount: '10' }] });
    const sold = await cli(['--db', path, 'sale', '--json'], { input });
    expect(sold.code, sold.stdout).toBe(0);
    const number = sold.json.data.receipt.number as string;

    const status = await run('einvoice', 'status', '--json');
    expect(status.json.data).toMatchObject({ scheme: 'verifactu', env: 'test', records: 1, head: { number }, queue: { pending: 1, accepted: 0 } });
    const list = await run('einvoice', 'list', '--state', 'pending', '--json');
    expect(list.json.data).toMatchObject([{ number, tipo: 'F2', state: 'pending' }]);
    expect((await run('einvoice', 'list', '--state', 'done', '--json')).code).toBe(2);
    const show = await run('einvoice', 'show', number, '--json');
    expect(show.code).toBe(0);
    const [shown] = show.json.data as { qr: string; xml: string; record: { importeTotal: string } }[];
    expect(shown!.qr).toBe(`https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=B12345674&numserie=${number}&fecha=${shown!.xml.match(/<sum1:FechaExpedicionFactura>([^<]+)</)![1]}&importe=${shown!.record.importeTotal}`);
    expect(shown!.xml).toContain('<sum1:PrimerRegistro>S</sum1:PrimerRegistro>');
    expect((await run('einvoice', 'show', 'T01-999999', '--json')).code).toBe(4);
    expect((await run('einvoice', 'verify', '--json')).json.data).toMatchObject({ records: 1 });
  });

  it('cancel: a registro de anulación once per document, with a PIN; unknown documents and a second cancel refused', async () => {
    const input = JSON.stringify({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5' }] });
    const number = (await cli(['--db', path, 'sale', '--json'], { input })).json.data.receipt.number as string;
    expect((await cli(['--db', path, 'einvoice', 'cancel', number, '--json'], { env: { TPV_PIN: '' } })).code).toBe(2);
    const r = await run('einvoice', 'cancel', number, '--json');
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data).toMatchObject({ kind: 'anulacion', id: { numSerie: number } });
    expect((await run('einvoice', 'cancel', number, '--json')).json.error.code).toBe('einvoice.already_cancelled');
    expect((await run('einvoice', 'cancel', 'T01-999999', '--json')).code).toBe(4);
    const shown = (await run('einvoice', 'show', number, '--json')).json.data as { view: { kind: string }; qr: string | null }[];
    expect(shown.map((s) => s.view.kind)).toEqual(['alta', 'anulacion']);
    expect((await run('einvoice', 'verify', '--json')).code).toBe(0);
  });

  it('verify names a record changed with the file in hand (exit 5)', async () => {
    const input = JSON.stringify({ lines: [{ code: 'PAN-007' }], payments: [{ method: 'cash', amount: '5' }] });
    expect((await cli(['--db', path, 'sale', '--json'], { input })).code).toBe(0);
    const db = new Database(path);
    db.exec('DROP TRIGGER einvoice_records_no_update');
    const row = db.prepare('SELECT id, record FROM einvoice_records ORDER BY id DESC LIMIT 1').get() as { id: number; record: string };
    db.prepare('UPDATE einvoice_records SET record = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(row.record), importeTotal: '0.10' }), row.id);
    db.close();
    const r = await run('einvoice', 'verify', '--json');
    expect(r.code, r.stdout).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'einvoice.broken_huella', details: { broken: { id: row.id, reason: 'huella' } } });
  });

  it('setup refuses a store outside Spain, naming the field', async () => {
    const app = await makeStore(dir, { country: 'PT', taxId: '501964843', currency: 'EUR' }, 'pt.db');
    path = app.path;
    app.close();
    const r = await run('einvoice', 'setup', '--scheme', 'verifactu', '--json');
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'einvoice.not_spain', details: { field: 'store.country' } });
  });
});

describe('tpv einvoice submit|fix|run against a fake AEAT (real TLS, a client certificate)', () => {
  let pki: Pki;
  let fake: FakeAeat;
  const env = (): Record<string, string> => ({ TPV_EINVOICE_ENDPOINT: fake.url, TPV_EINVOICE_CA: join(dir, 'ca.pem'), TPV_CERT_PASSWORD: 'clave' });
  const go = (...args: string[]) => cli(['--db', path, ...args], { env: env() });
  const sell = async (): Promise<string> => {
    const r = await cli(['--db', path, 'sale', '--json'], { input: JSON.stringify({ lines: [{ code: 'PAN-007' }], payments: [{ method: 'cash', amount: '5' }] }) });
    expect(r.code, r.stdout).toBe(0);
    return r.json.data.receipt.number as string;
  };

  beforeAll(async () => {
    pki = makePki();
    writeFileSync(join(dir, 'ca.pem'), pki.caPem);
    writeFileSync(join(dir, 'store.p12'), pki.p12('clave'));
    fake = await startFakeAeat(pki, { wait: 1 });
  }, 60_000);
  afterAll(() => fake?.stop());

  it('help names the variables; submit needs the scheme and a certificate (exit 5), then sends and prints the counts', async () => {
    const app = await makeShopWithCatalog(dir, 'submit.db', () => new Date());
    path = app.path;
    app.close();
    const help = await go('einvoice', 'submit', '--help');
    expect(help.stdout).toContain('TPV_EINVOICE_ENDPOINT');
    expect(help.stdout).toContain('TPV_EINVOICE_CA');
    expect((await go('einvoice', 'setup', '--help')).stdout).toContain('TPV_CERT_PASSWORD');
    expect((await go('einvoice', 'submit')).code).toBe(5);
    expect((await go('einvoice', 'setup', '--scheme', 'verifactu')).code).toBe(0);
    expect((await go('shift', 'open', '--float', '100')).code).toBe(0);
    await sell();
    const none = await go('einvoice', 'submit');
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('tpv einvoice setup --scheme verifactu --cert FILE.p12');
    const setup = await go('einvoice', 'setup', '--scheme', 'verifactu', '--cert', join(dir, 'store.p12'));
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(/certificate of .* \(NIF B12345674\), valid until/);
    const status = await go('einvoice', 'status');
    expect(status.stdout).toMatch(/certificate .*, NIF B12345674, valid until \d{4}-/);
    const sent = await go('einvoice', 'submit');
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain('records sent 1 (requests 1): accepted 1, accepted with errors 0, rejected 0');
    expect(fake.invalid).toEqual([]);
  });

  it('run: the daemon submits what is queued and what comes later, and stops cleanly on SIGTERM (exit 0)', { timeout: 60_000 }, async () => {
    await sell();
    await sell();
    const stored = fake.records;
    const child = spawn(process.execPath, [BIN, '--db', path, 'einvoice', 'run', '--idle', '1', '--json'], {
      env: { ...process.env, ...env(), TPV_LANG: 'en', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const until = async (what: () => boolean): Promise<void> => {
      for (let i = 0; i < 400 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(what(), stderr).toBe(true);
    };
    try {
      await until(() => fake.records === stored + 2);
      const later = await sell();
      await until(() => fake.holds(later) === 'Correcta');
      await until(() => / records sent 1: accepted 1/.test(stderr));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('e-invoicing submission running');
    expect(stderr).toContain('e-invoicing submission stopped');
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, data: { records: 3, accepted: 3 } });
    const status = await go('einvoice', 'status', '--json');
    expect(status.json.data.queue).toMatchObject({ pending: 0, sent: 0, accepted: 4 });
  });
});
