/**
 * Issue 14, the submission: the store's certificate (`tpv einvoice setup --cert`), the records
 * sent to a fake AEAT over real TLS on 127.0.0.1 with a client certificate (tests/fake-aeat.ts),
 * each answer recorded per record (accepted, accepted with errors, rejected, with the CSV), a cut
 * link and a resend answered as duplicates, the AEAT's waiting time, the AEAT down while selling
 * goes on, and the corrections (`fix`). Commands run as a user types them (the in-process CLI).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import { backoffSeconds, fixRecord, runSubmitter, submitPending } from '../../src/app/einvoice-submit.js';
import { openApp } from '../../src/app/open.js';
import { sell } from '../../src/app/sales.js';
import { TpvError } from '../../src/core/errors.js';
import { AEAT_ERRORS, type FakeAeat, makePki, type Pki, startFakeAeat } from '../fake-aeat.js';
import { cli, makeShopWithCatalog, type RunOptions, tempDir } from '../helpers.js';

const dir = tempDir('tpv-einvoice-submit-');
const PASSWORD = 'contraseña del certificado';
const DAY = 86_400_000;
let pki: Pki;
let fake: FakeAeat;
const file = (name: string): string => join(dir, name);

beforeAll(async () => {
  pki = makePki();
  writeFileSync(file('ca.pem'), pki.caPem);
  writeFileSync(file('empresa.p12'), pki.p12(PASSWORD));
  writeFileSync(file('empresa-3des.p12'), pki.p12(PASSWORD, {}, { algorithm: '3des' }));
  writeFileSync(file('persona.p12'), pki.p12(PASSWORD, { personNif: 'B12345674' }));
  writeFileSync(file('caducado.p12'), pki.p12(PASSWORD, { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) }));
  writeFileSync(file('futuro.p12'), pki.p12(PASSWORD, { notBefore: new Date(Date.now() + 30 * DAY), notAfter: new Date(Date.now() + 400 * DAY) }));
  writeFileSync(file('otro.p12'), pki.p12(PASSWORD, { nif: 'A28015865' }));
  writeFileSync(file('texto.p12'), 'not a certificate\n');
  fake = await startFakeAeat(pki);
}, 60_000);
afterAll(() => fake?.stop());

let path = '';
let n = 0;
/** A user at the store's terminal, with the technician's variables pointing at the fake AEAT. */
const run = (args: string[], o: RunOptions = {}) => cli(['--db', path, ...args], { ...o, env: { TPV_EINVOICE_ENDPOINT: fake.url, TPV_EINVOICE_CA: file('ca.pem'), ...o.env } });

async function shop(forget = true): Promise<void> {
  if (forget) fake.forget(); // each test's store has the same NIF and numbers
  const app = await makeShopWithCatalog(dir, `shop-${n++}.db`, () => new Date());
  path = app.path;
  app.close();
  const setup = await run(['einvoice', 'setup', '--scheme', 'verifactu', '--env', 'test', '--cert', file('empresa.p12'), '--json'], { env: { TPV_CERT_PASSWORD: PASSWORD } });
  expect(setup.code, setup.stdout).toBe(0);
  expect((await run(['shift', 'open', '--float', '100', '--json'])).code).toBe(0);
}

async function sale(code = 'LAC-001'): Promise<string> {
  const r = await run(['sale', '--json'], { input: JSON.stringify({ lines: [{ code, qty: '2' }, { code: 'PAN-007' }], payments: [{ method: 'cash', amount: '20' }] }) });
  expect(r.code, r.stdout).toBe(0);
  return r.json.data.receipt.number as string;
}

interface Shown {
  view: { state: string; code: string | null };
  record: { huella: string };
  states: { state: string; code: string | null; description: string | null; csv: string | null }[];
}
async function shown(number: string): Promise<Shown> {
  const r = await run(['einvoice', 'show', number, '--json']);
  expect(r.code, r.stdout).toBe(0);
  return (r.json.data as Shown[])[0]!;
}
const stateNames = async (number: string): Promise<string[]> => (await shown(number)).states.map((s) => s.state);

describe('the certificate', () => {
  it('setup keeps key and certificate as PEM beside the database (0600), never prints the key; status shows the NIF and the expiry', async () => {
    await shop();
    const pem = `${path}.einvoice.pem`;
    expect(statSync(pem).mode & 0o777).toBe(0o600);
    const text = readFileSync(pem, 'utf8');
    expect(text).toMatch(/^-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN CERTIFICATE-----[\s\S]+-----BEGIN CERTIFICATE-----/);
    const status = await run(['einvoice', 'status', '--json']);
    expect(status.stdout).not.toMatch(/PRIVATE KEY|BEGIN/);
    expect(status.json.data).toMatchObject({ scheme: 'verifactu', certificate: { nifs: ['B12345674'], expired: false, path: pem }, last_submission: null, next_submission_at: null });
    expect(Date.parse(status.json.data.certificate.not_after)).toBeGreaterThan(Date.now() + 300 * DAY);
    const human = await run(['einvoice', 'status']);
    expect(human.stdout).toContain('NIF B12345674, valid until');
    // a person's certificate (serialNumber IDCES-…), and a file in the legacy 3DES encryption, are read too
    for (const f of ['persona.p12', 'empresa-3des.p12']) {
      const r = await run(['einvoice', 'setup', '--scheme', 'verifactu', '--cert', file(f), '--json'], { env: { TPV_CERT_PASSWORD: PASSWORD } });
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).not.toContain('PRIVATE KEY');
    }
  });

  it('each problem of the file is its own clear error, and nothing is stored: no key file, the scheme unchanged', async () => {
    const app = await makeShopWithCatalog(dir, `shop-${n++}.db`, () => new Date());
    path = app.path;
    app.close();
    const setup = (f: string, password: string | undefined) =>
      run(['einvoice', 'setup', '--scheme', 'verifactu', '--cert', f, '--json'], { env: { TPV_CERT_PASSWORD: password } });
    const cases: [string, string | undefined, number, string, Record<string, unknown>?][] = [
      [file('empresa.p12'), 'wrong', 3, 'einvoice.cert_password', { path: file('empresa.p12') }],
      [file('caducado.p12'), PASSWORD, 3, 'einvoice.cert_expired'],
      [file('futuro.p12'), PASSWORD, 3, 'einvoice.cert_not_yet_valid'],
      [file('otro.p12'), PASSWORD, 3, 'einvoice.cert_other_nif', { nifs: 'A28015865', tax_id: 'B12345674' }],
      [file('texto.p12'), PASSWORD, 3, 'einvoice.cert_unreadable'],
      [file('nada.p12'), PASSWORD, 4, 'file.not_found'],
      [dir, PASSWORD, 3, 'io.directory'],
      // no password and no terminal to ask on: the variable is named
      [file('empresa.p12'), undefined, 2, 'einvoice.cert_password_needed'],
    ];
    for (const [f, password, code, error, params] of cases) {
      const r = await setup(f, password);
      expect(r.code, `${f}: ${r.stdout}`).toBe(code);
      expect(r.json.error.code, f).toBe(error);
      for (const v of Object.values(params ?? {})) expect(r.json.error.message, f).toContain(String(v));
    }
    const expired = await setup(file('caducado.p12'), PASSWORD);
    expect(expired.json.error.message).toMatch(/expired on \d{4}-\d\d-\d\d/);
    expect(existsSync(`${path}.einvoice.pem`)).toBe(false);
    expect((await run(['einvoice', 'status', '--json'])).json.data).toMatchObject({ scheme: 'none', certificate: null });
  });
});

describe('submitting to the AEAT', () => {
  it('a day of sales — a dozen receipts, a refund, an invoice — sent in one request and accepted: each record pending → sent → accepted with the CSV', async () => {
    await shop();
    fake.wait = 60;
    const receipts: string[] = [];
    for (let i = 0; i < 12; i++) receipts.push(await sale(i % 2 ? 'LAC-001' : 'PAN-007'));
    const refund = await run(['refund', receipts[0]!, '--all', '--method', 'cash', '--json']);
    expect(refund.code, refund.stdout).toBe(0);
    expect((await run(['customers', 'add', '--name', 'Ferretería Sol SL', '--tax-id', 'B12345674', '--json'])).code).toBe(0);
    const invoice = await run(['invoice', 'create', '--receipt', receipts[1]!, '--customer', 'B12345674', '--json']);
    expect(invoice.code, invoice.stdout).toBe(0);
    const numbers = [...receipts, refund.json.data.refund?.number ?? refund.json.data.number, invoice.json.data.invoice?.number ?? invoice.json.data.number] as string[];
    expect(numbers.every((x) => typeof x === 'string')).toBe(true);
    const before = { requests: fake.requests, records: fake.records };

    const r = await run(['einvoice', 'submit', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ requests: 1, records: 14, accepted: 14, accepted_with_errors: 0, rejected: 0, unanswered: 0, remaining: 0 });
    const [csv] = r.json.data.csv as string[];
    expect(csv).toMatch(/^A-[0-9A-F]{14}$/);
    expect(fake.requests - before.requests).toBe(1);
    expect(fake.records - before.records).toBe(14);
    // what went: valid per the AEAT's XSD, SOAP 1.1 headers, the store's certificate, the chain in order
    expect(fake.invalid).toEqual([]);
    expect(fake.answerErrors).toEqual([]);
    expect(fake.headers.at(-1)).toEqual({ soapAction: '""', contentType: 'text/xml; charset=utf-8' });
    expect(fake.clients.at(-1)).toContain('VATES-B12345674');
    expect(fake.received.at(-1)!.map((x) => x.numSerie)).toEqual(numbers);
    for (const number of numbers) {
      const s = await shown(number);
      expect(s.states.map((x) => x.state), number).toEqual(['pending', 'sent', 'accepted']);
      expect(s.states[2]!.csv).toBe(csv);
    }
    const status = await run(['einvoice', 'status', '--json']);
    expect(status.json.data).toMatchObject({ queue: { pending: 0, sent: 0, accepted: 14 }, last_submission: { records: 14, estado_envio: 'Correcto', csv, wait_seconds: 60, error: null } });
    expect(status.json.data.next_submission_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    // nothing queued: nothing to send, whatever the waiting time
    const again = await run(['einvoice', 'submit']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('nothing to submit');
    expect(fake.requests - before.requests).toBe(1);
  });

  it('TiempoEsperaEnvio 60: an immediate second submission is refused naming when it may go; it goes once the time is over', async () => {
    await shop();
    fake.wait = 60;
    await sale();
    const first = await run(['einvoice', 'submit', '--json']);
    expect(first.code, first.stdout).toBe(0);
    const last = (await run(['einvoice', 'status', '--json'])).json.data.last_submission as { at: string };
    const number = await sale();
    const requests = fake.requests;
    const refused = await run(['einvoice', 'submit', '--json']);
    expect(refused.code, refused.stdout).toBe(5);
    expect(refused.json.error.code).toBe('einvoice.wait');
    const nextAt = refused.json.error.details.next_at as string;
    expect(Date.parse(nextAt)).toBe(Date.parse(last.at) + 60_000 - (Date.parse(last.at) % 1000));
    expect(refused.json.error.message).toContain(nextAt);
    const human = await run(['einvoice', 'submit']);
    expect(human.stderr).toMatch(/the next submission can go at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d \(\d+ s from now\)/);
    expect(fake.requests).toBe(requests);
    expect(await stateNames(number)).toEqual(['pending']);
    // a minute later (the store's clock moved on), it goes
    const app = await openApp(path);
    try {
      const later = await submitPending(app, { endpoint: fake.url, ca: pki.caPem, now: () => new Date(Date.now() + 61_000) });
      expect(later).toMatchObject({ requests: 1, records: 1, accepted: 1 });
    } finally {
      app.close();
    }
    expect(await stateNames(number)).toEqual(['pending', 'sent', 'accepted']);
  });

  it('a record the AEAT rejects (Incorrecto 1105) stays rejected and submit never sends it again; one accepted with errors (2000) too; fix sends them as subsanación, the record unchanged', async () => {
    await shop();
    fake.wait = 0;
    const numbers: string[] = [];
    for (let i = 0; i < 5; i++) numbers.push(await sale());
    const [, , wrong, , flawed] = numbers as [string, string, string, string, string];
    fake.outcomes.set(wrong, AEAT_ERRORS.fechaExpedicion);
    fake.outcomes.set(flawed, AEAT_ERRORS.huella);
    const r = await run(['einvoice', 'submit', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data).toMatchObject({ records: 5, accepted: 3, accepted_with_errors: 1, rejected: 1 });
    expect(r.json.data.problems).toEqual([
      { number: wrong, state: 'rejected', code: '1105', description: AEAT_ERRORS.fechaExpedicion.descripcion },
      { number: flawed, state: 'accepted_with_errors', code: '2000', description: AEAT_ERRORS.huella.descripcion },
    ]);
    const rejected = await shown(wrong);
    expect(rejected.view).toMatchObject({ state: 'rejected', code: '1105' });
    expect(rejected.states.at(-1)).toMatchObject({ state: 'rejected', code: '1105', description: 'El valor del campo FechaExpedicionFactura es incorrecto.' });
    expect((await shown(flawed)).view).toMatchObject({ state: 'accepted_with_errors', code: '2000' });
    const list = await run(['einvoice', 'list', '--state', 'rejected']);
    expect(list.stdout).toContain(`${wrong}`);
    expect(list.stdout).toContain('rejected 1105');

    // the next submission sends the new record only: never the rejected one, nor the one accepted with errors
    const next = await sale();
    const again = await run(['einvoice', 'submit', '--json']);
    expect(again.json.data).toMatchObject({ records: 1, accepted: 1 });
    expect(fake.received.at(-1)!.map((x) => x.numSerie)).toEqual([next]);
    expect(await stateNames(wrong)).toEqual(['pending', 'sent', 'rejected']);

    // fix: the rejected one with Subsanacion S and RechazoPrevio S, the flawed one with Subsanacion S
    fake.outcomes.delete(wrong);
    fake.outcomes.delete(flawed);
    const huella = rejected.record.huella;
    const fixed = await run(['einvoice', 'fix', wrong, '--json']);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.json.data).toMatchObject({ records: 1, accepted: 1 });
    expect(fake.received.at(-1)).toEqual([expect.objectContaining({ numSerie: wrong, subsanacion: true, rechazoPrevio: true })]);
    expect(fake.invalid).toEqual([]);
    const after = await shown(wrong);
    expect(after.states.map((s) => s.state)).toEqual(['pending', 'sent', 'rejected', 'sent', 'accepted']);
    expect(after.record.huella).toBe(huella);
    expect(after.record).not.toHaveProperty('subsanacion');
    const f2 = await run(['einvoice', 'fix', flawed, '--json']);
    expect(f2.json.data).toMatchObject({ accepted: 1 });
    expect(fake.received.at(-1)).toEqual([expect.objectContaining({ numSerie: flawed, subsanacion: true, rechazoPrevio: false })]);
    expect(fake.holds(flawed)).toBe('Correcta');
    // an accepted record has nothing to correct; an unknown number is not found
    expect((await run(['einvoice', 'fix', next, '--json'])).json.error).toMatchObject({ code: 'einvoice.not_fixable' });
    expect((await run(['einvoice', 'fix', next])).code).toBe(5);
    expect((await run(['einvoice', 'fix', 'T01-999999'])).code).toBe(4);
    expect((await run(['einvoice', 'verify', '--json'])).json.data).toMatchObject({ records: 6 });
  });

  it('the link cut after the AEAT stored a batch: exit 7, the records stay sent; the next submission gets duplicates, counted as accepted; the AEAT stored each record once', async () => {
    await shop();
    fake.wait = 0;
    const numbers = [await sale(), await sale(), await sale()];
    fake.cutNext = 1;
    const cut = await run(['einvoice', 'submit', '--json']);
    expect(cut.code, cut.stdout).toBe(7);
    expect(cut.json.error.code).toBe('einvoice.network');
    expect(cut.json.error.message).toMatch(/cannot be reached .*stay queued/);
    for (const x of numbers) {
      expect(fake.timesStored(x)).toBe(1);
      expect(await stateNames(x)).toEqual(['pending', 'sent']);
    }
    const status = await run(['einvoice', 'status', '--json']);
    expect(status.json.data).toMatchObject({ queue: { sent: 3 }, last_submission: { records: 3, estado_envio: null, wait_seconds: null } });
    expect(status.json.data.last_submission.error).toBeTruthy();

    const again = await run(['einvoice', 'submit', '--json']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.json.data).toMatchObject({ records: 3, accepted: 3, rejected: 0, csv: [] });
    for (const x of numbers) {
      expect(fake.timesStored(x)).toBe(1);
      const s = await shown(x);
      expect(s.states.map((y) => y.state)).toEqual(['pending', 'sent', 'sent', 'accepted']);
      expect(s.states.at(-1)).toMatchObject({ code: '3000' });
      expect(s.states.at(-1)!.description).toContain('IdPeticion');
    }
  });

  it('a duplicate of a record never sent before is another record holding that number at the AEAT: rejected 3000, not taken for accepted', async () => {
    await shop();
    fake.wait = 0;
    const first = await sale();
    expect((await run(['einvoice', 'submit', '--json'])).json.data).toMatchObject({ accepted: 1 });
    // another database of the same store issues the same number (a till restored from an old backup, say)
    await shop(false);
    expect(await sale()).toBe(first);
    const r = await run(['einvoice', 'submit', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data).toMatchObject({ records: 1, accepted: 0, rejected: 1, problems: [{ number: first, state: 'rejected', code: '3000' }] });
    expect(r.json.data.problems[0].description).toMatch(/duplicado.*IdPeticion \d+, Correcta/);
    expect(fake.timesStored(first)).toBe(1);
  });

  it('a certificate the AEAT does not trust (another CA): the TLS handshake is refused, exit 7, the queue intact', async () => {
    await shop();
    const number = await sale();
    const stranger = pki.client({ otherCa: true });
    writeFileSync(`${path}.einvoice.pem`, stranger.keyPem + stranger.certPem, { mode: 0o600 });
    const requests = fake.requests;
    const r = await run(['einvoice', 'submit', '--json']);
    expect(r.code, r.stdout).toBe(7);
    expect(r.json.error.code).toBe('einvoice.network');
    // TLS 1.3: the server's refusal comes after the client's handshake, as an alert or the link cut
    expect(r.json.error.message).toMatch(/unknown ca|certificate|ECONNRESET/i);
    expect(fake.requests).toBe(requests);
    expect(await stateNames(number)).toEqual(['pending', 'sent']);
  });

  it('the backoff of the daemon: exponential from 5 s, capped, with full jitter', () => {
    expect([1, 2, 3, 4, 10, 40].map((f) => backoffSeconds(f, 900, () => 1))).toEqual([5, 10, 20, 40, 900, 900]);
    for (let f = 1; f < 50; f++) {
      const s = backoffSeconds(f, 900);
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThanOrEqual(Math.min(900, 5 * 2 ** (f - 1)));
    }
    expect(backoffSeconds(3, 900, () => 0)).toBe(1);
  });

  it('no certificate, or one expired since: exit 5, nothing sent, the queue intact', async () => {
    const app0 = await makeShopWithCatalog(dir, `shop-${n++}.db`, () => new Date());
    path = app0.path;
    app0.close();
    expect((await run(['einvoice', 'submit', '--json'])).json.error).toMatchObject({ code: 'einvoice.scheme_off' });
    expect((await run(['einvoice', 'setup', '--scheme', 'verifactu', '--json'])).code).toBe(0);
    expect((await run(['shift', 'open', '--float', '100', '--json'])).code).toBe(0);
    const number = await sale();
    const requests = fake.requests;
    const none = await run(['einvoice', 'submit', '--json']);
    expect(none.code).toBe(5);
    expect(none.json.error.code).toBe('einvoice.no_certificate');
    expect(none.json.error.message).toContain('--cert FILE.p12');
    expect((await run(['einvoice', 'setup', '--scheme', 'verifactu', '--cert', file('empresa.p12'), '--json'], { env: { TPV_CERT_PASSWORD: PASSWORD } })).code).toBe(0);
    const app = await openApp(path);
    try {
      const error = await submitPending(app, { endpoint: fake.url, ca: pki.caPem, now: () => new Date(Date.now() + 800 * DAY) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TpvError);
      expect(error).toMatchObject({ kind: 'conflict', code: 'einvoice.cert_expired' });
      const notFixable = await fixRecord(app, number, { endpoint: fake.url, ca: pki.caPem }).catch((e: unknown) => e);
      expect(notFixable).toMatchObject({ code: 'einvoice.not_fixable' });
    } finally {
      app.close();
    }
    expect(fake.requests).toBe(requests);
    expect(await stateNames(number)).toEqual(['pending']);
  });

  it('more than 1,000 records: requests of 1,000 at most, the next one at once only while a full one waits', async () => {
    await shop();
    fake.wait = 60;
    const app = await openApp(path);
    try {
      const admin = actingUser(app.db);
      for (let i = 0; i < 1003; i++) sell(app, { lines: [{ code: 'PAN-007' }], payments: [{ method: 'cash', amount: '5' }] }, admin);
      const requests = fake.requests;
      const r = await submitPending(app, { endpoint: fake.url, ca: pki.caPem });
      expect(r).toMatchObject({ requests: 1, records: 1000, accepted: 1000, remaining: 3 });
      expect(r.next_at).toBeTruthy();
      expect(fake.requests - requests).toBe(1);
      expect(fake.received.at(-1)).toHaveLength(1000);
      expect(fake.invalid).toEqual([]);
    } finally {
      app.close();
    }
  }, 120_000);
});

describe('the AEAT down', () => {
  it('the link goes down while a request waits for its answer: exit 7, records stay sent; a sale goes on meanwhile; an AEAT that is off: exit 7, the queue intact', async () => {
    const down = await startFakeAeat(pki, { wait: 0 });
    const own = fake;
    fake = down;
    try {
      await shop();
      const numbers = [await sale(), await sale()];
      down.hold = true;
      const submitting = run(['einvoice', 'submit', '--json']);
      for (let i = 0; i < 200 && down.requests === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(down.requests).toBe(1);
      // the request is in the air: a till sells meanwhile (no transaction held by the submission)
      const till = await openApp(path);
      let sold: string;
      try {
        sold = sell(till, { lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5' }] }, actingUser(till.db)).receipt.number;
      } finally {
        till.close();
      }
      await down.stop();
      const r = await submitting;
      expect(r.code, r.stdout).toBe(7);
      expect(r.json.error.code).toBe('einvoice.network');
      for (const x of numbers) expect(await stateNames(x)).toEqual(['pending', 'sent']);
      expect(await stateNames(sold)).toEqual(['pending']);

      // the daemon meanwhile: each failure reported with its backoff, the queue kept
      const daemon = await openApp(path);
      try {
        const stop = new AbortController();
        const failures: { seconds: number; code: unknown }[] = [];
        const totals = await runSubmitter(daemon, {
          endpoint: down.url,
          ca: pki.caPem,
          signal: stop.signal,
          maxBackoffSeconds: 1,
          onFailed: (e, seconds) => {
            failures.push({ seconds, code: (e as TpvError).code });
            if (failures.length === 2) stop.abort();
          },
        });
        expect(failures).toEqual([
          { seconds: 1, code: 'einvoice.network' },
          { seconds: 1, code: 'einvoice.network' },
        ]);
        expect(totals).toMatchObject({ records: 0, accepted: 0 });
      } finally {
        daemon.close();
      }

      // nobody listening at all
      const off = await run(['einvoice', 'submit', '--json']);
      expect(off.code, off.stdout).toBe(7);
      expect(off.json.error.message).toContain('ECONNREFUSED');
      const status = await run(['einvoice', 'status', '--json']);
      expect(status.json.data.queue).toMatchObject({ pending: 0, sent: 3, accepted: 0 });
      expect(status.json.data.last_submission.error).toContain('ECONNREFUSED');
      expect(await sale()).toMatch(/^T01-/);
    } finally {
      fake = own;
    }
  });
});
