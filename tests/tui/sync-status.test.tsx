/**
 * The sync loop on the cashier terminal's status bar (issue 13): `online · 0 pending`,
 * `offline · 37 pending`, a refusal by its short name, in English and Spanish, the bar never wider
 * than the terminal: parts give way in order (store, shift, register, user, printer) before the
 * sync state and the clock. Rendered by Ink into the fake terminal of tests/tui/harness.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoopState } from '../../src/app/sync.js';
import { setLanguage } from '../../src/i18n/index.js';
import { PosView } from '../../src/tui/view.js';
import { type Harness, renderTui, SALE_SCREEN, TILL } from './harness.js';

const INFO = TILL;
const STATE = SALE_SCREEN;

let harness: Harness | undefined;
beforeAll(() => setLanguage('en'));
afterAll(() => setLanguage('en'));
afterEach(() => {
  harness?.unmount();
  harness = undefined;
});

/** The status bar (first row) of the sale screen with this sync state, at `columns`. */
async function bar(sync: LoopState | null, opts: { columns?: number; printer?: string; store?: string } = {}): Promise<string> {
  const columns = opts.columns ?? 80;
  harness?.unmount();
  harness = renderTui(
    <PosView state={STATE} info={{ ...INFO, store: opts.store ?? INFO.store }} columns={columns} rows={24} clock="09:41" shift="shift 7" printer={opts.printer ?? 'no printer'} sync={sync} />,
    { columns, rows: 24 },
  );
  const frame = await harness.waitFor('09:41');
  const first = frame.split('\n')[0]!;
  expect([...first].length, first).toBeLessThanOrEqual(columns);
  // the clock ends one column before the edge, the rest on the left
  expect(first).toMatch(/ 09:41$/);
  return first.replace(/ +09:41$/, '');
}

describe('the sync state on the status bar', () => {
  it('online with nothing pending, offline with a backlog, at 80 columns (the store name gives way)', async () => {
    expect(await bar({ online: true, pending: 0 }, { store: 'Shop' })).toBe(' Shop · T01 · Cora Cash · shift 7 · no printer · online · 0 pending');
    expect(await bar({ online: true, pending: 0 })).toBe(" T01 · Cora Cash · shift 7 · no printer · online · 0 pending");
    expect(await bar({ online: false, pending: 37 })).toBe(` T01 · Cora Cash · shift 7 · no printer · offline · 37 pending`);
    expect(await bar({ online: true, pending: 1 })).toMatch(/ · online · 1 pending$/);
  });

  it('a till that is not registered shows no sync state', async () => {
    expect(await bar(null)).toBe(` Corner Shop · T01 · Cora Cash · shift 7 · no printer`);
  });

  it('a refusal that stopped the loop shows by its short name; an unknown one as "sync stopped"', async () => {
    expect(await bar({ online: false, pending: 37, error: 'sync.revoked' })).toContain(' · revoked · 37 pending');
    expect(await bar({ online: false, pending: 2, error: 'sync.diverged' })).toContain(' · diverged · 2 pending');
    expect(await bar({ online: false, pending: 2, error: 'sync.link_changed' })).toContain(' · sync stopped · 2 pending');
  });

  it('when the bar would not fit, the store goes first, then the shift, register, user, printer; sync and clock stay', async () => {
    const printer = 'printer paper low';
    const long = await bar({ online: false, pending: 12345 }, { printer });
    expect(long).toBe(' T01 · Cora Cash · shift 7 · printer paper low · offline · 12345 pending');
    expect(await bar({ online: false, pending: 37 }, { printer, columns: 60 })).toBe(' Cora Cash · printer paper low · offline · 37 pending');
    expect(await bar({ online: false, pending: 37 }, { printer, columns: 40 })).toBe(' offline · 37 pending');
    // narrower than the sync state itself: cut, never wider than the terminal
    expect(await bar({ online: false, pending: 37 }, { printer, columns: 20 })).toBe(' offline · 3…');
    // a long store name alone never pushes the sync state off the bar
    expect(await bar({ online: true, pending: 0 }, { store: 'Ultramarinos y Coloniales La Estrella del Norte' })).toContain('online · 0 pending');
  });

  it('in Spanish: en línea · 0 pendientes, sin conexión · 37 pendientes, revocado', async () => {
    setLanguage('es');
    expect(await bar({ online: true, pending: 0 })).toContain(' · en línea · 0 pendientes');
    expect(await bar({ online: false, pending: 37 })).toContain(' · sin conexión · 37 pendientes');
    expect(await bar({ online: false, pending: 1 })).toMatch(/ · sin conexión · 1 pendiente$/);
    expect(await bar({ online: false, pending: 37, error: 'sync.revoked' })).toContain(' · revocado · 37 pendientes');
    setLanguage('en');
  });
});
