/**
 * The contract of the store server's storage (src/server/storage.ts, docs/sync.md), one suite run
 * against every adapter: tests/server/storage-sqlite.test.ts and storage-postgres.test.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { canonicalJson, type Json } from '../../src/core/canonical.js';
import { TpvError } from '../../src/core/errors.js';
import type { IncomingEvent, ServerStorage } from '../../src/server/storage.js';

export interface StorageUnderTest {
  storage: ServerStorage;
  /**
   * The same data opened anew: while `storage` is open when `shared` (another server process on the
   * same database), else only after `storage` was closed (one process owns the data).
   */
  reopen(): Promise<ServerStorage>;
  /** Several processes may have the data open at once (PostgreSQL), not one (SQLite). */
  shared: boolean;
  /** Removes the data (every storage opened on it is closed by then). */
  cleanup(): Promise<void>;
}

const T0 = '2026-11-21T09:00:00.000Z';
const LATER = '2026-11-21T09:05:00.000Z';
const DAY_LATER = '2026-11-22T09:00:00.000Z';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** An outbox event of seq `seq` (a no-sale: valid, carries no document); `body` changes its payload (same id, another body). */
function event(seq: number, opts: { id?: string; body?: string } = {}): IncomingEvent {
  const id = opts.id ?? randomUUID();
  const at = new Date(Date.parse('2026-11-21T08:00:00.000Z') + seq * 1000).toISOString().replace('Z', '+00:00');
  return wire(id, seq, 'no_sale', at, { user: 'admin', reason: `${opts.body ?? 'first'} ${seq}`, drawer: 'drawer', at, approval: null });
}

/** The event as the server stores it: payload as canonical JSON (keys sorted), the hash of its body. */
function wire(id: string, seq: number, type: string, at: string, payload: Json): IncomingEvent {
  const text = canonicalJson(payload);
  return { id, seq, type, version: 1, at, payload: text, hash: sha(canonicalJson({ type, version: 1, at, payload })) };
}

const SHIFT = '01a1fd8c-6900-7a9e-aa46-825a3e797c8b';

interface Doc {
  type?: 'receipt' | 'refund' | 'invoice' | 'z_report';
  number: string;
  register?: string;
  day?: string;
  user?: string;
  currency?: string;
  total: string;
  rounding?: string;
  taxes?: { rate: string; base: string; tax: string }[];
  payments?: { method: string; amount: string }[];
}

/** A document as an event carries it (src/sync/events.ts documentSchema), its lines left out. */
function doc(d: Doc): Json {
  return {
    type: d.type ?? 'receipt',
    number: d.number,
    register: d.register ?? 'T01',
    seq: 1,
    created_at: `${d.day ?? '2026-11-21'}T11:15:00+01:00`,
    user: d.user ?? 'admin',
    shift: SHIFT,
    refers: null,
    customer: null,
    external_id: null,
    prices_include_tax: true,
    currency: d.currency ?? 'EUR',
    subtotal: d.total,
    discount: '0.00',
    total: d.total,
    tendered: d.total,
    change: '0.00',
    rounding: d.rounding ?? '0.00',
    approvals: [],
    note: null,
    lines: [],
    taxes: d.taxes ?? [{ rate: '21', base: d.total, tax: '0.00' }],
    payments: (d.payments ?? [{ method: 'cash', amount: d.total }]).map((p) => ({ ...p, reference: null })),
    figures: null,
    journal: { prev: '0'.repeat(64), hash: 'a'.repeat(64) },
  };
}

/** A sale event of seq `seq` carrying the receipt `d`. */
const sale = (seq: number, d: Doc, id = randomUUID()): IncomingEvent => wire(id, seq, 'sale', '2026-11-21T10:15:00.000Z', { receipt: doc(d), credits: [] });
/** A refund event carrying the refund `d`. */
const refund = (seq: number, d: Doc): IncomingEvent =>
  wire(randomUUID(), seq, 'refund', '2026-11-21T10:20:00.000Z', { refund: doc({ ...d, type: 'refund' }), credit_note: null, credits: [] });

const events = (from: number, to: number): IncomingEvent[] => Array.from({ length: to - from + 1 }, (_, i) => event(from + i));

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(p: Promise<unknown>): Promise<TpvError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TpvError);
  return e as TpvError;
}

export function storageContract(name: string, make: () => Promise<StorageUnderTest>): void {
  describe(`server storage contract: ${name}`, () => {
    let under: StorageUnderTest | undefined;
    let opened: ServerStorage[] = [];

    /** A fresh storage; what it opens is closed and removed after the test. */
    async function fresh(): Promise<{ s: ServerStorage; u: StorageUnderTest }> {
      under = await make();
      opened = [under.storage];
      return { s: under.storage, u: under };
    }
    async function reopen(u: StorageUnderTest): Promise<ServerStorage> {
      const s = await u.reopen();
      opened.push(s);
      return s;
    }
    /** Closes a storage now (closed once: afterEach skips it). */
    async function close(s: ServerStorage): Promise<void> {
      opened = opened.filter((o) => o !== s);
      await s.close();
    }

    afterEach(async () => {
      for (const s of opened) await s.close();
      opened = [];
      await under?.cleanup();
      under = undefined;
    });

    /** A terminal enrolled with token hash `tok-CODE`. */
    async function enrolled(s: ServerStorage, code: string): Promise<void> {
      await s.addTerminal(code, `Till ${code}`, sha(`code-${code}`), DAY_LATER, T0);
      const r = await s.enrol(sha(`code-${code}`), code, `tok-${code}`, T0);
      expect(r).toMatchObject({ code, enrolled: true });
    }

    describe('terminals and enrolment', () => {
      test('a new terminal is listed pending, with nothing held', async () => {
        const { s } = await fresh();
        await s.addTerminal('T02', 'Caja 2', sha('c2'), DAY_LATER, T0);
        await s.addTerminal('T01', 'Caja 1', sha('c1'), DAY_LATER, T0);
        const list = await s.listTerminals();
        expect(list.map((t) => t.code)).toEqual(['T01', 'T02']);
        expect(list[1]).toEqual({
          code: 'T02',
          name: 'Caja 2',
          enrolled: false,
          revokedAt: null,
          hwm: 0,
          diverged: false,
          lastSeenAt: null,
          heartbeat: null,
          lastEventAt: null,
          quarantined: 0,
        });
        expect(await s.credentials('T02')).toEqual({ terminal: list[1], tokenHash: null });
        expect(await s.credentials('T09')).toBeUndefined();
      });

      test('an enrolment code is spent once, for its register, before it expires', async () => {
        const { s } = await fresh();
        await s.addTerminal('T02', 'Caja 2', sha('c2'), LATER, T0);
        expect(await s.enrol(sha('nope'), 'T02', 'tok', T0)).toBe('unknown');
        expect(await s.enrol(sha('c2'), 'T01', 'tok', T0)).toBe('wrong_register');
        expect(await s.enrol(sha('c2'), 'T02', 'tok', LATER)).toBe('expired');
        expect((await s.credentials('T02'))?.tokenHash).toBeNull(); // refused: nothing written
        const r = await s.enrol(sha('c2'), 'T02', 'tok-1', T0);
        expect(r).toMatchObject({ code: 'T02', name: 'Caja 2', enrolled: true, revokedAt: null, hwm: 0 });
        expect(await s.enrol(sha('c2'), 'T02', 'tok-2', T0)).toBe('used');
        expect((await s.credentials('T02'))?.tokenHash).toBe('tok-1');
      });

      test('an enrolled terminal cannot be added again; a pending one gets a new code', async () => {
        const { s } = await fresh();
        await s.addTerminal('T02', 'Caja 2', sha('old'), DAY_LATER, T0);
        await s.addTerminal('T02', 'Caja dos', sha('new'), DAY_LATER, T0);
        expect(await s.enrol(sha('old'), 'T02', 'tok', T0)).toBe('unknown');
        expect(await s.enrol(sha('new'), 'T02', 'tok', T0)).toMatchObject({ name: 'Caja dos', enrolled: true });
        const e = await rejection(s.addTerminal('T02', 'Caja 2', sha('again'), DAY_LATER, T0));
        expect([e.kind, e.code, e.params.code]).toEqual(['conflict', 'server.terminal_enrolled', 'T02']);
        expect((await s.credentials('T02'))?.tokenHash).toBe('tok');
        expect(await s.enrol(sha('again'), 'T02', 'tok-x', T0)).toBe('unknown');
      });

      test('revoking cuts a terminal off; re-adding it lets a till enrol again, keeping what was held', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        await s.ingest('T01', events(1, 3), T0);
        expect(await s.revoke('T01', T0)).toBe(true);
        expect(await s.revoke('T01', LATER)).toBe(true);
        expect(await s.revoke('T09', T0)).toBe(false);
        const c = await s.credentials('T01');
        expect(c?.terminal).toMatchObject({ revokedAt: T0, enrolled: true });
        await s.addTerminal('T01', 'Caja 1', sha('re'), DAY_LATER, LATER);
        expect(await s.credentials('T01')).toMatchObject({ tokenHash: null, terminal: { enrolled: false, revokedAt: null, hwm: 3 } });
        expect(await s.enrol(sha('re'), 'T01', 'tok-new', LATER)).toMatchObject({ enrolled: true, revokedAt: null, hwm: 3 });
        expect((await s.credentials('T01'))?.tokenHash).toBe('tok-new');
        expect(await s.events('T01')).toHaveLength(3);
      });

      test('a code revoked before it was used no longer enrols', async () => {
        const { s } = await fresh();
        await s.addTerminal('T02', 'Caja 2', sha('c2'), DAY_LATER, T0);
        expect(await s.revoke('T02', T0)).toBe(true);
        expect(await s.enrol(sha('c2'), 'T02', 'tok', T0)).toBe('expired');
        expect((await s.credentials('T02'))?.tokenHash).toBeNull();
      });

      test('a heartbeat is kept and marks the terminal seen', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const beat = { at: LATER, version: '0.2.0', backlog: 37, lastZ: 'Z-T01-000004', skewMs: -1500 };
        await s.heartbeat('T01', beat);
        expect((await s.listTerminals())[0]).toMatchObject({ heartbeat: beat, lastSeenAt: LATER });
        // a till whose clock fell back to 2000 (a flat CMOS battery): 26 years of skew
        const stale = { ...beat, at: DAY_LATER, backlog: 0, lastZ: null, skewMs: -826_000_000_000 };
        await s.heartbeat('T01', stale);
        expect((await s.credentials('T01'))?.terminal).toMatchObject({ heartbeat: stale, lastSeenAt: DAY_LATER });
      });

      test('one code enrolled twice at once: one till gets it', async () => {
        const { s, u } = await fresh();
        await s.addTerminal('T02', 'Caja 2', sha('c2'), DAY_LATER, T0);
        const other = u.shared ? await reopen(u) : s;
        const [a, b] = await Promise.all([s.enrol(sha('c2'), 'T02', 'tok-a', T0), other.enrol(sha('c2'), 'T02', 'tok-b', T0)]);
        const results = [a, b].map((r) => (typeof r === 'string' ? r : 'enrolled'));
        expect(results.sort()).toEqual(['enrolled', 'used']);
        expect((await s.credentials('T02'))?.tokenHash).toBe(a === 'used' ? 'tok-b' : 'tok-a');
      });
    });

    describe('ingest', () => {
      test('a batch is stored in seq order and advances the hwm', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        await enrolled(s, 'T02');
        const batch = events(1, 5);
        const r = await s.ingest('T01', [batch[3]!, batch[0]!, batch[4]!, batch[2]!, batch[1]!], LATER);
        expect(r).toEqual({ hwm: 5, stored: 5, duplicates: 0, quarantined: [], gap: false, diverged: false });
        expect(await s.events('T01')).toEqual(batch);
        expect(await s.events('T01', 2)).toEqual(batch.slice(2));
        expect(await s.events('T01', 1, 2)).toEqual(batch.slice(1, 3));
        expect(await s.events('T02')).toEqual([]);
        const t = (await s.credentials('T01'))!.terminal;
        expect(t).toMatchObject({ hwm: 5, lastSeenAt: LATER, lastEventAt: batch[4]!.at, quarantined: 0 });
        expect((await s.credentials('T02'))!.terminal).toMatchObject({ hwm: 0, lastEventAt: null });
        expect(await s.ingest('T02', events(1, 2), LATER)).toMatchObject({ hwm: 2, stored: 2 });
      });

      test('what was committed is there when the data is opened again', async () => {
        const { s, u } = await fresh();
        await enrolled(s, 'T01');
        const batch = events(1, 3);
        await s.ingest('T01', batch, LATER);
        await close(s);
        const again = await reopen(u);
        expect(await again.events('T01')).toEqual(batch);
        expect((await again.credentials('T01'))).toMatchObject({ tokenHash: 'tok-T01', terminal: { hwm: 3, enrolled: true } });
      });

      test('a resend of held events is a duplicate: acked, not stored again', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const batch = events(1, 7);
        await s.ingest('T01', batch.slice(0, 5), T0);
        expect(await s.ingest('T01', batch.slice(0, 5), LATER)).toEqual({ hwm: 5, stored: 0, duplicates: 5, quarantined: [], gap: false, diverged: false });
        expect(await s.ingest('T01', batch.slice(2), LATER)).toEqual({ hwm: 7, stored: 2, duplicates: 3, quarantined: [], gap: false, diverged: false });
        expect(await s.ingest('T01', [batch[5]!, batch[5]!], LATER)).toMatchObject({ hwm: 7, stored: 0, duplicates: 2 });
        expect(await s.events('T01')).toEqual(batch);
      });

      test('the same id with another body is quarantined and acked; the original is kept', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const batch = events(1, 3);
        await s.ingest('T01', batch, T0);
        const forged = event(2, { id: batch[1]!.id, body: 'changed' });
        const r = await s.ingest('T01', [forged, ...events(4, 4)], LATER);
        expect(r).toMatchObject({ hwm: 4, stored: 1, duplicates: 0, gap: false, diverged: false });
        expect(r.quarantined).toHaveLength(1);
        expect(r.quarantined[0]!.id).toBe(forged.id);
        expect(r.quarantined[0]!.reason).not.toBe('');
        expect((await s.events('T01', 1, 1))[0]).toEqual(batch[1]);
        expect((await s.credentials('T01'))!.terminal.quarantined).toBe(1);
        // sent again: acked again, kept apart once
        expect((await s.ingest('T01', [forged], LATER)).quarantined.map((q) => q.id)).toEqual([forged.id]);
        expect((await s.listTerminals())[0]!.quarantined).toBe(1);
      });

      test('a new seq carrying an id already held is quarantined, and the hwm moves past it', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        await enrolled(s, 'T02');
        const mine = events(1, 2);
        await s.ingest('T01', mine, T0);
        const theirs = event(1);
        await s.ingest('T02', [theirs], T0);
        const reused = [event(3, { id: mine[0]!.id }), event(4, { id: theirs.id }), event(5)];
        const r = await s.ingest('T01', reused, LATER);
        expect(r).toMatchObject({ hwm: 5, stored: 1, duplicates: 0, gap: false, diverged: false });
        expect(r.quarantined.map((q) => q.id)).toEqual([mine[0]!.id, theirs.id]);
        expect(await s.events('T01')).toEqual([...mine, reused[2]]);
        expect(await s.events('T02')).toEqual([theirs]);
        expect((await s.credentials('T01'))!.terminal.quarantined).toBe(2);
        // resent after the ack was lost: the same answer, not a divergence
        expect(await s.ingest('T01', reused, LATER)).toMatchObject({ hwm: 5, stored: 0, duplicates: 1, diverged: false, quarantined: r.quarantined });
        expect((await s.credentials('T01'))!.terminal).toMatchObject({ quarantined: 2, diverged: false });
      });

      test('a gap stops the batch: nothing after it is stored', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const batch = events(1, 6);
        const r = await s.ingest('T01', [batch[0]!, batch[1]!, batch[3]!, batch[4]!], T0);
        expect(r).toEqual({ hwm: 2, stored: 2, duplicates: 0, quarantined: [], gap: true, diverged: false });
        expect(await s.events('T01')).toEqual(batch.slice(0, 2));
        expect(await s.ingest('T01', [batch[5]!], T0)).toMatchObject({ hwm: 2, stored: 0, gap: true });
        expect(await s.ingest('T01', batch.slice(2), T0)).toEqual({ hwm: 6, stored: 4, duplicates: 0, quarantined: [], gap: false, diverged: false });
        expect(await s.events('T01')).toEqual(batch);
      });

      test('a known seq carrying the id of an event held at another seq is a divergence too, not a quarantine', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const batch = events(1, 3);
        await s.ingest('T01', batch, T0);
        const moved = event(2, { id: batch[0]!.id });
        expect(await s.ingest('T01', [moved], LATER)).toMatchObject({ hwm: 3, stored: 0, quarantined: [], diverged: true });
        expect(await s.events('T01')).toEqual(batch);
      });

      test('a known seq with another id marks the terminal diverged; nothing of it is stored until it enrols again', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const batch = events(1, 3);
        await s.ingest('T01', batch, T0);
        // a till restored from an old backup: seq 3 again, another event, then new ones
        const restored = [event(3), event(4), event(5)];
        expect(await s.ingest('T01', [batch[1]!, ...restored], LATER)).toEqual({
          hwm: 3,
          stored: 0,
          duplicates: 0,
          quarantined: [],
          gap: false,
          diverged: true,
        });
        expect(await s.events('T01')).toEqual(batch);
        expect((await s.credentials('T01'))!.terminal).toMatchObject({ diverged: true, hwm: 3 });
        expect(await s.ingest('T01', events(4, 5), LATER)).toMatchObject({ hwm: 3, stored: 0, diverged: true });
        expect(await s.events('T01')).toEqual(batch);
        // the operator restores the till's latest database and enrols it again
        await s.revoke('T01', LATER);
        await s.addTerminal('T01', 'Till T01', sha('re'), DAY_LATER, LATER);
        expect(await s.enrol(sha('re'), 'T01', 'tok-2', LATER)).toMatchObject({ diverged: false, hwm: 3 });
        const next = events(4, 5);
        expect(await s.ingest('T01', next, LATER)).toEqual({ hwm: 5, stored: 2, duplicates: 0, quarantined: [], gap: false, diverged: false });
        expect(await s.events('T01')).toEqual([...batch, ...next]);
      });

      test('a batch for an unknown terminal is refused', async () => {
        const { s } = await fresh();
        const e = await rejection(s.ingest('T09', events(1, 1), T0));
        expect([e.kind, e.code, e.params.code]).toEqual(['not_found', 'server.terminal_unknown', 'T09']);
      });
    });

    describe('applied to the business tables', () => {
      const A = { number: 'T01-000001', total: '12.10', taxes: [{ rate: '21', base: '5.00', tax: '1.05' }, { rate: '10', base: '5.50', tax: '0.55' }], payments: [{ method: 'card', amount: '10.00' }, { method: 'cash', amount: '2.10' }] };
      const B = { number: 'T01-000002', total: '1.04', user: 'ana', day: '2026-11-22', taxes: [{ rate: '4', base: '1.00', tax: '0.04' }] };

      test('a sale projects its document, taxes and payments; a refund subtracts; a duplicate is not applied twice', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        await enrolled(s, 'T02');
        const batch = [sale(1, A), sale(2, B), refund(3, { number: 'T01R-000001', total: '1.21', taxes: [{ rate: '21', base: '1.00', tax: '0.21' }], payments: [{ method: 'cash', amount: '1.21' }] })];
        expect(await s.ingest('T01', batch, T0)).toMatchObject({ hwm: 3, stored: 3, quarantined: [] });
        expect(await s.ingest('T02', [sale(1, { number: 'T02-000001', register: 'T02', total: '3.00', taxes: [{ rate: '21', base: '2.48', tax: '0.52' }] })], T0)).toMatchObject({ stored: 1 });

        const byTerminal = await s.salesReport('terminal', {});
        expect(byTerminal).toEqual({
          by: 'terminal',
          from: null,
          to: null,
          currency: 'EUR',
          rows: [
            { key: 'T01', count: 1, total: '11.93' },
            { key: 'T02', count: 1, total: '3.00' },
          ],
          count: 2,
          total: '14.93',
        });
        expect((await s.salesReport('tax', {})).rows).toEqual([
          { key: '21', count: 3, total: '7.84', base: '6.48', tax: '1.36' },
          { key: '10', count: 1, total: '6.05', base: '5.50', tax: '0.55' },
          { key: '4', count: 1, total: '1.04', base: '1.00', tax: '0.04' },
        ]);
        expect((await s.salesReport('payment', {})).rows).toEqual([
          { key: 'card', count: 1, total: '10.00' },
          { key: 'cash', count: 4, total: '4.93' },
        ]);
        expect((await s.salesReport('day', {})).rows).toEqual([
          { key: '2026-11-21', count: 1, total: '13.89' },
          { key: '2026-11-22', count: 1, total: '1.04' },
        ]);
        expect((await s.salesReport('user', {})).rows).toEqual([
          { key: 'admin', count: 1, total: '13.89' },
          { key: 'ana', count: 1, total: '1.04' },
        ]);
        expect(await s.salesReport('terminal', { from: '2026-11-22', to: '2026-11-22' })).toMatchObject({ rows: [{ key: 'T01', count: 1, total: '1.04' }], count: 1, total: '1.04' });
        expect(await s.salesReport('day', { to: '2026-11-20' })).toMatchObject({ currency: null, rows: [], count: 0, total: '0.00' });

        // the ack was lost: the batch comes again, nothing is applied twice
        expect(await s.ingest('T01', batch, LATER)).toMatchObject({ hwm: 3, stored: 0, duplicates: 3 });
        expect(await s.salesReport('terminal', {})).toEqual(byTerminal);
      });

      test('invoices and Z reports are kept, not counted as sales; cash rounding makes the payments add up', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const rounded = { number: 'T01-000001', total: '1.02', rounding: '-0.02', payments: [{ method: 'cash', amount: '1.00' }] };
        const invoice = wire(randomUUID(), 2, 'invoice', T0, { invoice: doc({ type: 'invoice', number: 'T01F-000001', total: '1.02' }) });
        const z = wire(randomUUID(), 3, 'shift_close', T0, { shift: SHIFT, z: doc({ type: 'z_report', number: 'T01Z-000001', total: '1.02' }), carts_dropped: 0 });
        expect(await s.ingest('T01', [sale(1, rounded), invoice, z], T0)).toMatchObject({ stored: 3, quarantined: [] });
        expect(await s.salesReport('terminal', {})).toMatchObject({ rows: [{ key: 'T01', count: 1, total: '1.02' }], total: '1.02' });
        expect((await s.salesReport('payment', {})).rows).toEqual([
          { key: 'cash', count: 1, total: '1.00' },
          { key: 'rounding', count: 1, total: '0.02' },
        ]);
      });

      test('a malformed sale is quarantined with its reason and acked; sent again, acked again, kept once', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const broken = wire(randomUUID(), 2, 'sale', T0, { receipt: { number: 'T01-000002', total: 'abc' }, credits: [] });
        const r = await s.ingest('T01', [sale(1, A), broken, event(3)], T0);
        expect(r).toMatchObject({ hwm: 3, stored: 2, duplicates: 0, gap: false, diverged: false });
        expect(r.quarantined).toHaveLength(1);
        expect(r.quarantined[0]!.id).toBe(broken.id);
        expect(r.quarantined[0]!.reason).toMatch(/^sale payload: receipt\./);
        expect((await s.events('T01')).map((e) => e.seq)).toEqual([1, 3]);
        expect((await s.credentials('T01'))!.terminal).toMatchObject({ hwm: 3, quarantined: 1 });
        expect(await s.salesReport('terminal', {})).toMatchObject({ count: 1, total: '12.10' });
        expect(await s.ingest('T01', [broken], LATER)).toMatchObject({ hwm: 3, stored: 0, quarantined: r.quarantined });
        expect((await s.credentials('T01'))!.terminal.quarantined).toBe(1);
      });

      test('what cannot be applied is quarantined: an unknown type, another register\'s document, a number held already, an amount finer than its currency', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        const first = sale(1, A);
        const bad = [
          wire(randomUUID(), 2, 'teleport', T0, {}),
          sale(3, { ...B, register: 'T02' }),
          sale(4, { ...A }), // T01-000001 again under another id
          sale(5, { number: 'T01-000003', total: '1.001' }),
          sale(6, { number: 'T01-000004', total: '1.00', currency: 'XXX' }),
        ];
        const twice = [sale(7, { number: 'T01-000005', total: '2.00' }), sale(8, { number: 'T01-000005', total: '2.00' })];
        const r = await s.ingest('T01', [first, ...bad, ...twice], T0);
        expect(r).toMatchObject({ hwm: 8, stored: 2 });
        expect(r.quarantined.map((q) => q.id)).toEqual([...bad, twice[1]!].map((e) => e.id));
        const reasons = r.quarantined.map((q) => q.reason);
        expect(reasons[0]).toContain('teleport');
        expect(reasons[1]).toContain('register T02');
        expect(reasons[2]).toBe('document T01-000001 already held');
        expect(reasons[3]).toContain('"1.001"');
        expect(reasons[4]).toContain('XXX');
        expect(reasons[5]).toBe('document T01-000005 already held');
        expect((await s.events('T01')).map((e) => e.seq)).toEqual([1, 7]);
        expect(await s.salesReport('terminal', {})).toMatchObject({ count: 2, total: '14.10' });
      });

      test('a range holding documents in two currencies is refused', async () => {
        const { s } = await fresh();
        await enrolled(s, 'T01');
        await s.ingest('T01', [sale(1, A), sale(2, { number: 'T01-000002', total: '500', currency: 'JPY', day: '2026-11-23', taxes: [{ rate: '10', base: '455', tax: '45' }] })], T0);
        const e = await rejection(s.salesReport('day', {}));
        expect([e.kind, e.code]).toEqual(['conflict', 'server.report_currencies']);
        expect(await s.salesReport('day', { from: '2026-11-23' })).toMatchObject({ currency: 'JPY', rows: [{ key: '2026-11-23', count: 1, total: '500' }] });
      });
    });

    describe('concurrency', () => {
      test('the same batches ingested twice at once are stored once, the hwm right', async () => {
        const { s, u } = await fresh();
        await enrolled(s, 'T01');
        // two server processes on one database (PostgreSQL); one process, two sockets (SQLite)
        const other = u.shared ? await reopen(u) : s;
        const all: IncomingEvent[] = [];
        for (let round = 0; round < 10; round++) {
          const batch = events(round * 50 + 1, round * 50 + 50);
          all.push(...batch);
          const [a, b] = await Promise.all([s.ingest('T01', batch, T0), other.ingest('T01', [...batch].reverse(), T0)]);
          for (const r of [a, b]) expect(r).toMatchObject({ hwm: round * 50 + 50, quarantined: [], gap: false, diverged: false });
          expect([a.stored, b.stored].sort((x, y) => x - y)).toEqual([0, 50]);
          expect(a.duplicates + b.duplicates).toBe(50);
        }
        expect(await other.events('T01')).toEqual(all);
        expect((await s.credentials('T01'))!.terminal).toMatchObject({ hwm: 500, quarantined: 0, diverged: false });
      });

      test('the same sales ingested twice at once are applied once', async () => {
        const { s, u } = await fresh();
        await enrolled(s, 'T01');
        const other = u.shared ? await reopen(u) : s;
        const sales = Array.from({ length: 40 }, (_, i) => sale(i + 1, { number: `T01-${String(i + 1).padStart(6, '0')}`, total: '1.50' }));
        const [a, b] = await Promise.all([s.ingest('T01', sales, T0), other.ingest('T01', [...sales].reverse(), T0)]);
        expect([a.stored, b.stored].sort((x, y) => x - y)).toEqual([0, 40]);
        expect([...a.quarantined, ...b.quarantined]).toEqual([]);
        expect(await other.salesReport('terminal', {})).toMatchObject({ rows: [{ key: 'T01', count: 40, total: '60.00' }] });
      });

      test('overlapping batches at once: every event once, no hole under the hwm', async () => {
        const { s, u } = await fresh();
        await enrolled(s, 'T01');
        const other = u.shared ? await reopen(u) : s;
        const all = events(1, 300);
        await Promise.all([
          s.ingest('T01', all.slice(0, 200), T0),
          other.ingest('T01', all.slice(100, 300), T0),
          other.ingest('T01', all.slice(0, 100), T0),
          s.ingest('T01', all.slice(50, 250), T0),
        ]);
        const { hwm } = (await s.credentials('T01'))!.terminal;
        expect(hwm).toBeGreaterThanOrEqual(200);
        expect(await s.events('T01')).toEqual(all.slice(0, hwm));
        await s.ingest('T01', all, T0);
        expect(await other.events('T01')).toEqual(all);
      });
    });
  });
}
