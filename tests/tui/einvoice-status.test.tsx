/**
 * Issue 14: VERI*FACTU's queue on the cashier terminal's status bar — `VF 0 pending`,
 * `VF 3 pending · 1 rejected` in English, `VF 3 pend. · 1 rech.` in Spanish — beside the sync
 * state, at 80 columns (parts give way: store, shift, register, then the VF part is abbreviated,
 * then user, printer); nothing with the scheme off; the rejected count in the error style (a
 * technician must act). Rendered by Ink into the fake terminal of tests/tui/harness.ts, and with
 * colours on through renderToString for the style. Then the background loop of src/tui/einvoice.ts
 * on a real shop: the counts at start, a new sale counted, and submitted to a fake AEAT over TLS.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import chalk from 'chalk';
import { renderToString } from 'ink';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { openApp } from '../../src/app/open.js';
import { sell } from '../../src/app/sales.js';
import type { LoopState } from '../../src/app/sync.js';
import { setLanguage } from '../../src/i18n/index.js';
import { type EinvoiceCounts, type EinvoiceLoop, startEinvoice } from '../../src/tui/einvoice.js';
import { PosView } from '../../src/tui/view.js';
import { type FakeAeat, makePki, type Pki, startFakeAeat } from '../fake-aeat.js';
import { cli, makeShopWithCatalog, tempDir } from '../helpers.js';
import { type Harness, renderTui, SALE_SCREEN, TILL } from './harness.js';

const INFO = TILL;
const STATE = SALE_SCREEN;

let harness: Harness | undefined;
beforeAll(() => setLanguage('en'));
afterAll(() => setLanguage('en'));
afterEach(() => {
  harness?.unmount();
  harness = undefined;
  setLanguage('en');
});

interface BarOptions {
  columns?: number;
  sync?: LoopState | null;
  printer?: string;
}
const view = (einvoice: EinvoiceCounts | null | undefined, o: BarOptions = {}) => (
  <PosView state={STATE} info={INFO} columns={o.columns ?? 80} rows={24} clock="09:41" shift="shift 7" printer={o.printer ?? 'no printer'} sync={o.sync ?? null} einvoice={einvoice} />
);

/** The status bar (first row) of the sale screen with these counts, at `columns` (80 by default), without the clock. */
async function bar(einvoice: EinvoiceCounts | null | undefined, o: BarOptions = {}): Promise<string> {
  const columns = o.columns ?? 80;
  harness?.unmount();
  harness = renderTui(view(einvoice, o), { columns, rows: 24 });
  const frame = await harness.waitFor('09:41');
  const first = frame.split('\n')[0]!;
  expect([...first].length, first).toBeLessThanOrEqual(columns);
  expect(first).toMatch(/ 09:41$/);
  return first.replace(/ +09:41$/, '');
}

const ONLINE: LoopState = { online: true, pending: 0 };

describe('the VERI*FACTU queue on the status bar', () => {
  it('in English at 80 columns: 0 pending, 3 pending, 1 rejected, both; beside the sync state', async () => {
    expect(await bar({ pending: 0, rejected: 0 })).toBe(' Corner Shop · T01 · Cora Cash · shift 7 · no printer · VF 0 pending');
    expect(await bar({ pending: 3, rejected: 0 })).toBe(' Corner Shop · T01 · Cora Cash · shift 7 · no printer · VF 3 pending');
    expect(await bar({ pending: 0, rejected: 1 })).toBe(' Corner Shop · T01 · Cora Cash · shift 7 · no printer · VF 1 rejected');
    // with the sync state too: the store and the shift give way, then the register; user and printer stay
    expect(await bar({ pending: 0, rejected: 0 }, { sync: ONLINE })).toBe(' T01 · Cora Cash · no printer · online · 0 pending · VF 0 pending');
    expect(await bar({ pending: 3, rejected: 1 }, { sync: ONLINE })).toBe(' Cora Cash · no printer · online · 0 pending · VF 3 pending · 1 rejected');
    // a long backlog offline and a longer printer state: the VF part abbreviated before the user goes
    expect(await bar({ pending: 1234, rejected: 56 }, { sync: { online: false, pending: 12 } })).toBe(' Cora Cash · no printer · offline · 12 pending · VF 1234 pend. · 56 rej.');
    expect(await bar({ pending: 1234, rejected: 56 }, { sync: { online: false, pending: 12345 }, printer: 'printer paper low' })).toBe(
      ' printer paper low · offline · 12345 pending · VF 1234 pend. · 56 rej.',
    );
  });

  it('in Spanish at 80 columns: VF 0 pend., VF 3 pend., VF 1 rech.', async () => {
    setLanguage('es');
    expect(await bar({ pending: 0, rejected: 0 })).toBe(' Corner Shop · T01 · Cora Cash · shift 7 · no printer · VF 0 pend.');
    expect(await bar({ pending: 3, rejected: 0 })).toBe(' Corner Shop · T01 · Cora Cash · shift 7 · no printer · VF 3 pend.');
    expect(await bar({ pending: 0, rejected: 1 })).toBe(' Corner Shop · T01 · Cora Cash · shift 7 · no printer · VF 1 rech.');
    // beside the sync state: the store, the shift, the register give way
    expect(await bar({ pending: 3, rejected: 0 }, { sync: ONLINE, printer: 'sin impresora' })).toBe(' T01 · Cora Cash · sin impresora · en línea · 0 pendientes · VF 3 pend.');
    // with records rejected too, the user's name also (the queue is what must be seen then)
    expect(await bar({ pending: 3, rejected: 1 }, { sync: ONLINE, printer: 'sin impresora' })).toBe(' sin impresora · en línea · 0 pendientes · VF 3 pend. · 1 rech.');
    expect(await bar({ pending: 3, rejected: 2 }, { sync: { online: false, pending: 37 }, printer: 'sin impresora' })).toMatch(/ · sin conexión · 37 pendientes · VF 3 pend\. · 2 rech\.$/);
  });

  it('nothing with the scheme off', async () => {
    expect(await bar(null)).toBe(' Corner Shop · T01 · Cora Cash · shift 7 · no printer');
    expect(await bar(undefined, { sync: ONLINE })).toBe(' T01 · Cora Cash · shift 7 · no printer · online · 0 pending');
    expect(await bar(null)).not.toMatch(/VF/);
  });

  it('the rejected count in the error style (red, bold, out of the inverse bar); pending in the bar\'s own', () => {
    const level = chalk.level;
    chalk.level = 1;
    try {
      const first = (c: EinvoiceCounts, o: BarOptions = {}): string => renderToString(view(c, o), { columns: 80 }).split('\n')[0]!;
      const rejected = first({ pending: 3, rejected: 1 }, { sync: ONLINE });
      // the bar inverse up to the count; the count red and bold, not inverse; then the bar again (the clock)
      const styled = /^\x1b\[7m( [^\x1b]* · VF 3 pending · )\x1b\[27m((?:\x1b\[(?:1|31)m)+)1 rejected((?:\x1b\[(?:22|39)m)+)\x1b\[7m( +09:41 )\x1b\[27m$/.exec(rejected);
      expect(styled, JSON.stringify(rejected)).not.toBeNull();
      expect(styled![2]).toContain('\x1b[31m');
      expect(styled![2]).toContain('\x1b[1m');
      // in Spanish too
      setLanguage('es');
      expect(first({ pending: 0, rejected: 2 })).toMatch(/ · VF \x1b\[27m(?:\x1b\[(?:1|31)m)+2 rech\.(?:\x1b\[(?:22|39)m)+\x1b\[7m/);
      setLanguage('en');
      // nothing rejected: one inverse bar, no red
      const pending = first({ pending: 3, rejected: 0 });
      expect(pending).not.toContain('\x1b[31m');
      expect(pending).toMatch(/^\x1b\[7m .* VF 3 pending +09:41 \x1b\[27m$/);
    } finally {
      chalk.level = level;
    }
  });
});

// ── the background loop on a real shop ────────────────────────────────────────────────────────────

const dir = tempDir('tpv-tui-einvoice-');
const PASSWORD = 'contraseña';
let pki: Pki;
let fake: FakeAeat;
let app: App | undefined;
let loop: EinvoiceLoop | undefined;

afterAll(async () => {
  await loop?.stop();
  app?.close();
  fake?.stop();
});

async function shop(name: string, scheme: boolean): Promise<App> {
  const a = await makeShopWithCatalog(dir, name, () => new Date());
  const path = a.path;
  a.close();
  if (scheme) {
    const r = await cli(['--db', path, 'einvoice', 'setup', '--scheme', 'verifactu', '--env', 'test', '--cert', join(dir, 'empresa.p12'), '--json'], { env: { TPV_CERT_PASSWORD: PASSWORD } });
    expect(r.code, r.stdout).toBe(0);
  }
  expect((await cli(['--db', path, 'shift', 'open', '--float', '100', '--json'])).code).toBe(0);
  return openApp(path);
}

function saleAt(a: App): string {
  const r = sell(a, { lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5' }] }, actingUser(a.db));
  return r.receipt.number;
}

/** The counts the loop tells, as they come. */
function watcher() {
  const seen: (EinvoiceCounts | null)[] = [];
  let wake: () => void = () => undefined;
  return {
    seen,
    onCounts: (c: EinvoiceCounts | null) => {
      seen.push(c);
      wake();
    },
    async until(test: (c: EinvoiceCounts | null) => boolean, what: string, ms = 15_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!(seen.length > 0 && test(seen[seen.length - 1]!))) {
        if (Date.now() > deadline) throw new Error(`${what}: not seen in ${JSON.stringify(seen)}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
    },
  };
}

describe('the background submission (src/tui/einvoice.ts)', () => {
  beforeAll(async () => {
    pki = makePki();
    writeFileSync(join(dir, 'ca.pem'), pki.caPem);
    writeFileSync(join(dir, 'empresa.p12'), pki.p12(PASSWORD));
    fake = await startFakeAeat(pki, { wait: 0 });
  }, 60_000);

  it('the scheme off: null, and nothing sent', async () => {
    app = await shop('off.db', false);
    const w = watcher();
    loop = await startEinvoice(app, { env: {}, onCounts: w.onCounts, onError: (e) => expect.fail(String(e)), pollMs: 50 });
    expect(w.seen).toEqual([null]);
    saleAt(app);
    await new Promise((r) => setTimeout(r, 200));
    expect(w.seen).toEqual([null]);
    await loop.stop();
    app.close();
    app = undefined;
  });

  it('the scheme on: a sale is submitted at once (not at the next idle look), then 0 pending; the AEAT down keeps it pending', async () => {
    app = await shop('on.db', true);
    const w = watcher();
    const before = fake.requests;
    loop = await startEinvoice(app, {
      env: { TPV_EINVOICE_ENDPOINT: fake.url, TPV_EINVOICE_CA: join(dir, 'ca.pem') },
      onCounts: w.onCounts,
      onError: (e) => expect.fail(String(e)),
      pollMs: 50,
    });
    expect(w.seen[0]).toEqual({ pending: 0, rejected: 0 });
    const number = saleAt(app);
    // (it may be sent before a poll sees it pending: only the end is certain on a busy machine)
    await w.until(() => fake.requests === before + 1, 'the sale sent');
    await w.until((c) => c?.pending === 0 && c.rejected === 0, 'the sale accepted');
    expect(fake.requests).toBe(before + 1);
    expect(fake.received.at(-1)!.map((r) => r.numSerie)).toEqual([number]);
    // the AEAT down: the count stays up, no error for the cashier
    fake.cutNext = 1;
    saleAt(app);
    await w.until((c) => c?.pending === 1, 'the second sale pending');
    await new Promise((r) => setTimeout(r, 500));
    expect(w.seen.at(-1)).toEqual({ pending: 1, rejected: 0 });
    await loop.stop();
    loop = undefined;
  });
});
