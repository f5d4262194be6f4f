/**
 * Issue 14 from the command line: `tpv einvoice setup|status|list|show|verify` on a Spanish shop,
 * the refusals (not Spain, no PIN, a bad state, an unknown document), and a record edited with
 * the file in hand found by `verify`.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, makeShopWithCatalog, makeStore, tempDir } from '../helpers.js';

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
