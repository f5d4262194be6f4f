/**
 * Issue 14: `tpv pos` on a store with VERI*FACTU on and its certificate stored submits the records
 * in the background, the queue on the status bar. The built CLI in tmux against a fake AEAT over
 * real TLS in this process (tests/fake-aeat.ts, pointed at by TPV_EINVOICE_ENDPOINT and
 * TPV_EINVOICE_CA): a sale's record reaches the AEAT and the bar comes back to `VF 0 pending`; the
 * AEAT refusing the next one shows `1 rejected`; with the scheme off the bar says nothing of it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AEAT_ERRORS, type FakeAeat, makePki, startFakeAeat } from '../fake-aeat.js';
import { BIN, cli, tempDir, until as waitFor } from '../helpers.js';
import { posLogin, posQuit, startPos, type Tmux } from '../tmux.js';

const dir = tempDir('tpv-pos-einvoice-');
const DB = join(dir, 't01.db');
const CA = join(dir, 'ca.pem');
const P12 = join(dir, 'empresa.p12');
const PASSWORD = 'contraseña';
let fake: FakeAeat;
let term: Tmux | undefined;

beforeAll(async () => {
  const pki = makePki();
  writeFileSync(CA, pki.caPem);
  writeFileSync(P12, pki.p12(PASSWORD));
  fake = await startFakeAeat(pki, { wait: 0 });
}, 60_000);
afterAll(() => {
  term?.kill();
  fake?.stop();
});

/** Starts `tpv pos` in tmux, pointed at the fake AEAT, and logs in as the demo store's admin. */
async function login(): Promise<void> {
  term = startPos(BIN, DB, { TPV_EINVOICE_ENDPOINT: fake.url, TPV_EINVOICE_CA: CA });
  await posLogin(term, 'admin', '1234');
}

async function quit(): Promise<void> {
  await posQuit(term!);
  term!.kill();
  term = undefined;
}

async function sellOne(number: string): Promise<void> {
  term!.type('LAC-001', 'Enter');
  await term!.waitFor(/TOTAL\s+€0\.99/);
  term!.type('', 'F12');
  term!.type('', 'F3');
  await term!.waitFor('confirm the sale');
  term!.type('', 'Enter');
  await term!.waitFor(`Sold ${number}`);
}

/** Polls until `check` holds; a failure shows the terminal's screen. */
const until = (check: () => boolean, what: string, ms = 15_000): Promise<boolean> => waitFor(check, what, ms, () => term?.screen() ?? '');

const bar = (): string => term!.screen().split('\n')[0] ?? '';

describe('tpv pos with VERI*FACTU on', () => {
  it('the scheme off: nothing of it on the bar', async () => {
    expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
    expect((await cli(['--db', DB, 'shift', 'open', '--float', '100'])).code).toBe(0);
    await login();
    await term!.waitFor('F12 Pay');
    expect(bar()).not.toMatch(/VF|pending/);
    await quit();
  });

  it('on: a sale is submitted in the background and the bar comes back to VF 0 pending; a rejection shows', async () => {
    const setup = await cli(['--db', DB, 'einvoice', 'setup', '--scheme', 'verifactu', '--env', 'test', '--cert', P12, '--json'], { env: { TPV_CERT_PASSWORD: PASSWORD } });
    expect(setup.code, setup.stdout).toBe(0);
    await login();
    await term!.waitFor(/VF 0 pending\s+\d\d:\d\d/);
    await sellOne('T01-000001');
    await until(() => fake.received.flat().some((r) => r.numSerie === 'T01-000001'), 'the sale at the AEAT');
    await term!.waitFor(/VF 0 pending\s+\d\d:\d\d/);

    fake.outcomes.set('T01-000002', AEAT_ERRORS.fechaExpedicion);
    await sellOne('T01-000002');
    await term!.waitFor(/VF 1 rejected\s+\d\d:\d\d/, 15_000);
    // the till sells on
    await sellOne('T01-000003');
    await until(() => fake.received.flat().some((r) => r.numSerie === 'T01-000003'), 'the third sale at the AEAT');
    await term!.waitFor(/ · VF 1 rejected\s+\d\d:\d\d/, 15_000);
    expect(fake.received.flat().map((r) => r.numSerie)).toEqual(['T01-000001', 'T01-000002', 'T01-000003']);
    await quit();
    const status = await cli(['--db', DB, 'einvoice', 'status', '--json']);
    expect(status.json.data.queue).toMatchObject({ pending: 0, sent: 0, accepted: 2, rejected: 1 });
  });
});
