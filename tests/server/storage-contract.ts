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
  type?: 'receipt' | 'refund' | 'invoice' | 'credit_note' | 'z_report';
  number: string;
  /** Its place in its series (1 unless given). */
  seq?: number;
  register?: string;
  day?: string;
  user?: string;
  currency?: string;
  total: string;
  rounding?: string;
  taxes?: { rate: string; base: string; tax: string }[];
  payments?: { method: string; amount: string }[];
  lines?: Line[];
  /** A Z report's figures (a z_report gets {@link FIGURES} unless given). */
  figures?: Json;
}

/** A document line as an event carries it, its decimals as the till writes them. */
interface Line {
  line: number;
  sku: string;
  name?: string;
  unit?: 'each' | 'kg';
  qty: string;
  unit_price: string;
  gross?: string;
  line_discount?: string;
  cart_discount?: string;
  amount: string;
  tax_rate?: string;
  goods?: boolean;
  note?: string | null;
}

const line = (l: Line): Json => ({
  line: l.line,
  sku: l.sku,
  name: l.name ?? l.sku,
  unit: l.unit ?? 'each',
  qty: l.qty,
  unit_price: l.unit_price,
  list_price: null,
  gross: l.gross ?? l.amount,
  line_discount: l.line_discount ?? '0.00',
  cart_discount: l.cart_discount ?? '0.00',
  amount: l.amount,
  tax_rate: l.tax_rate ?? '21',
  category: null,
  goods: l.goods ?? true,
  note: l.note ?? null,
});

/** The figures of a Z report of shift {@link SHIFT} (src/sync/events.ts shiftFiguresSchema). */
const FIGURES = {
  shift: SHIFT,
  register: 'T01',
  opened_at: '2026-11-21T08:00:00+01:00',
  closed_at: '2026-11-21T20:00:00+01:00',
  receipts: { count: 3, first: 'T01-000001', last: 'T01-000003', total: '112.10', discounts: '1.50' },
  refunds: { count: 1, total: '12.40' },
  tenders: [{ method: 'cash', sales: '100.00', refunds: '12.40', net: '87.60' }],
  taxes: [{ rate: '21', base: '82.31', tax: '17.29' }],
  cash: { float: '100.00', sales: '100.00', refunds: '12.40', in: '20.00', out: '5.50', rounding: '-0.03', expected: '202.07', counted: '202.00', difference: '-0.07' },
};

/** A document as an event carries it (src/sync/events.ts documentSchema), without lines unless given. */
function doc(d: Doc): Json {
  const type = d.type ?? 'receipt';
  return {
    type,
    number: d.number,
    register: d.register ?? 'T01',
    seq: d.seq ?? 1,
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
    lines: (d.lines ?? []).map(line),
    taxes: d.taxes ?? [{ rate: '21', base: d.total, tax: '0.00' }],
    payments: (d.payments ?? [{ method: 'cash', amount: d.total }]).map((p) => ({ ...p, reference: null })),
    figures: d.figures !== undefined ? d.figures : type === 'z_report' ? FIGURES : null,
    journal: { prev: '0'.repeat(64), hash: 'a'.repeat(64) },
  };
}

/** A movement of a credit code's ledger as events carry it (src/sync/events.ts creditMoveSchema). */
type Credit = { code: string; kind: 'issue' | 'redeem' | 'restore' | 'void' | 'expire' | 'adjust'; amount: string; at?: string; ref?: string | null } & Record<string, Json>;
const credit = (c: Credit): Json => ({ at: '2026-11-21T11:15:00+01:00', ref: null, ...c });

/** A sale event of seq `seq` carrying the receipt `d` (and its credit movements). */
const sale = (seq: number, d: Doc, id = randomUUID(), credits: Credit[] = []): IncomingEvent =>
  wire(id, seq, 'sale', '2026-11-21T10:15:00.000Z', { receipt: doc(d), credits: credits.map(credit) });
/** A refund event carrying the refund `d` (and its credit note, its credit movements). */
const refund = (seq: number, d: Doc, credits: Credit[] = [], creditNote: Doc | null = null): IncomingEvent =>
  wire(randomUUID(), seq, 'refund', '2026-11-21T10:20:00.000Z', {
    refund: doc({ ...d, type: 'refund' }),
    credit_note: creditNote && doc({ ...creditNote, type: 'credit_note' }),
    credits: credits.map(credit),
  });
/** A credit_issue, credit_void or credit_expire event. */
const creditEvent = (seq: number, type: 'credit_issue' | 'credit_void' | 'credit_expire', credits: Credit[]): IncomingEvent =>
  wire(randomUUID(), seq, type, '2026-11-21T10:30:00.000Z', { credits: credits.map(credit), ...(type === 'credit_expire' ? {} : { user: 'admin' }) });
/** A shift_close event carrying the Z `number` (the figures of {@link FIGURES} unless given). */
const shiftClose = (seq: number, number: string, figures?: Json, cartsDropped = 0): IncomingEvent =>
  wire(randomUUID(), seq, 'shift_close', '2026-11-21T19:00:00.000Z', { shift: SHIFT, z: doc({ type: 'z_report', number, total: '112.10', ...(figures !== undefined ? { figures } : {}) }), carts_dropped: cartsDropped });

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

/**
 * A describe block's storages: `fresh` makes one (then `setup` runs on it), `reopen` opens its data
 * again, `close` closes one now; whatever is open is closed and removed after each test.
 */
function storages<U extends StorageUnderTest>(make: () => Promise<U>, setup: (s: ServerStorage) => Promise<void> = async () => {}) {
  let under: U | undefined;
  let opened: ServerStorage[] = [];
  afterEach(async () => {
    for (const s of opened) await s.close();
    opened = [];
    await under?.cleanup();
    under = undefined;
  });
  return {
    async fresh(): Promise<{ s: ServerStorage; u: U }> {
      under = await make();
      opened = [under.storage];
      await setup(under.storage);
      return { s: under.storage, u: under };
    },
    async reopen(u: U): Promise<ServerStorage> {
      const s = await u.reopen();
      opened.push(s);
      return s;
    },
    /** Closes a storage now (closed once: afterEach skips it). */
    async close(s: ServerStorage): Promise<void> {
      opened = opened.filter((o) => o !== s);
      await s.close();
    },
  };
}

export function storageContract(name: string, make: () => Promise<StorageUnderTest>): void {
  describe(`server storage contract: ${name}`, () => {
    const { fresh, reopen, close } = storages(make);

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

/** A storage under test that its test can also read and alter with SQL (tests/server/projection-*.test.ts). */
export interface ProjectionUnderTest extends StorageUnderTest {
  /**
   * Runs one statement on the data, open or closed (the same SQL in both dialects, values as
   * literals): its rows, integers as numbers.
   */
  sql(text: string): Promise<Record<string, unknown>[]>;
  /**
   * Marks the (closed) data as written by schema `version`: SQLite's user_version; on PostgreSQL
   * server_schema's version, and version 1 (part 1, before server_schema existed) drops the table.
   */
  setVersion(version: number): Promise<void>;
}

const CUSTOMER = '01a1fd8c-6900-7a9e-aa46-825a3e797c8c';

/** A SQL literal. */
const lit = (v: string | number | null): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

/** Every projection table and its order, for snapshots. */
const TABLE_ORDER: Record<string, string> = {
  documents: 'terminal, number',
  document_taxes: 'terminal, number, rate, base, tax',
  document_payments: 'terminal, number, method, amount',
  document_lines: 'terminal, number, line',
  credit_moves: 'terminal, event_id, idx',
  z_reports: 'terminal, number',
};

/**
 * What the server applies beyond the documents' totals (docs/sync.md): document lines, store-credit
 * movements and Z figures, one parse of each event, nothing for a duplicate or a quarantined
 * event; and the rebuild of all of it from the stored events when an older schema is opened.
 */
export function projectionContract(name: string, make: () => Promise<ProjectionUnderTest>): void {
  describe(`server projection contract: ${name}`, () => {
    const { fresh, reopen, close } = storages(make, async (s) => {
      await s.addTerminal('T01', 'Till T01', sha('code-T01'), DAY_LATER, T0);
      await s.addTerminal('T02', 'Till T02', sha('code-T02'), DAY_LATER, T0);
    });

    /** Every row of every projection table, in a stable order. */
    async function snapshot(u: ProjectionUnderTest): Promise<Record<string, Record<string, unknown>[]>> {
      const out: Record<string, Record<string, unknown>[]> = {};
      for (const [table, order] of Object.entries(TABLE_ORDER)) out[table] = await u.sql(`SELECT * FROM ${table} ORDER BY ${order}`);
      return out;
    }
    const count = async (u: ProjectionUnderTest, table: string): Promise<number> => Number((await u.sql(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

    const S1: Doc = {
      number: 'T01-000001',
      total: '12.85',
      lines: [
        { line: 1, sku: 'FRU-025', name: 'Manzana golden', unit: 'kg', qty: '1.250', unit_price: '2.40', gross: '3.00', line_discount: '0.10', cart_discount: '0.05', amount: '2.85', tax_rate: '4' },
        { line: 2, sku: 'VALE', name: 'Vale regalo', qty: '1', unit_price: '10.00', amount: '10.00', tax_rate: '0', goods: false, note: 'V-0001' },
      ],
      taxes: [{ rate: '4', base: '2.74', tax: '0.11' }, { rate: '0', base: '10.00', tax: '0.00' }],
    };
    const VOUCHER: Credit = { code: 'V-0001', kind: 'issue', amount: '10.00', ref: 'T01-000001', origin: 'voucher', expires_at: '2027-11-21T11:15:00+01:00', customer: null };

    /** T01's day: a voucher sold, redeemed, restored by a refund that issues a refund credit, a grant voided, the voucher expired, the Z; a no-sale. */
    function day(): IncomingEvent[] {
      return [
        sale(1, S1, randomUUID(), [VOUCHER]),
        sale(2, { number: 'T01-000002', seq: 2, total: '6.00', lines: [{ line: 1, sku: 'PAN-007', qty: '3', unit_price: '2.00', amount: '6.00', tax_rate: '10' }], payments: [{ method: 'voucher', amount: '4.00' }, { method: 'cash', amount: '2.00' }] }, randomUUID(), [
          { code: 'V-0001', kind: 'redeem', amount: '-4.00', ref: 'T01-000002' },
        ]),
        refund(
          3,
          { number: 'T01R-000001', total: '7.50', lines: [{ line: 1, sku: 'PAN-007', qty: '2', unit_price: '2.00', amount: '4.00', tax_rate: '10' }, { line: 2, sku: 'BEB-017', qty: '1', unit_price: '3.50', amount: '3.50' }] },
          [
            { code: 'V-0001', kind: 'restore', amount: '4.00', ref: 'T01R-000001' },
            { code: 'C-0002', kind: 'issue', amount: '3.50', ref: 'T01R-000001', origin: 'refund', expires_at: null, customer: CUSTOMER, reason: 'cambio de talla' },
          ],
          { number: 'T01A-000001', total: '-7.50', lines: [{ line: 1, sku: 'PAN-007', qty: '-2', unit_price: '2.00', amount: '-4.00', tax_rate: '10' }] },
        ),
        creditEvent(4, 'credit_issue', [{ code: 'G-0003', kind: 'issue', amount: '25.00', origin: 'grant', expires_at: null, customer: null, reason: 'goodwill' }]),
        creditEvent(5, 'credit_void', [{ code: 'G-0003', kind: 'void', amount: '-25.00', reason: 'issued by mistake' }]),
        creditEvent(6, 'credit_expire', [{ code: 'V-0001', kind: 'expire', amount: '-10.00', at: '2027-11-21T11:15:00+01:00' }]),
        shiftClose(7, 'T01Z-000001', undefined, 2),
        event(8),
      ];
    }

    test('a sale applies its lines and credit movements, a refund its credit note, restore and issue, a shift_close its Z; a resend adds nothing', async () => {
      const { s, u } = await fresh();
      const events = day();
      expect(await s.ingest('T01', events, T0)).toMatchObject({ hwm: 8, stored: 8, quarantined: [] });

      expect(await u.sql("SELECT * FROM document_lines WHERE number = 'T01-000001' ORDER BY line")).toEqual([
        { terminal: 'T01', number: 'T01-000001', line: 1, sku: 'FRU-025', name: 'Manzana golden', unit: 'kg', qty: 1250, unit_price: 240, gross: 300, line_discount: 10, cart_discount: 5, amount: 285, tax_rate: 400, goods: 1 },
        { terminal: 'T01', number: 'T01-000001', line: 2, sku: 'VALE', name: 'Vale regalo', unit: 'each', qty: 1000, unit_price: 1000, gross: 1000, line_discount: 0, cart_discount: 0, amount: 1000, tax_rate: 0, goods: 0 },
      ]);
      expect(await u.sql('SELECT number, line, qty, amount, tax_rate FROM document_lines ORDER BY number, line')).toEqual([
        { number: 'T01-000001', line: 1, qty: 1250, amount: 285, tax_rate: 400 },
        { number: 'T01-000001', line: 2, qty: 1000, amount: 1000, tax_rate: 0 },
        { number: 'T01-000002', line: 1, qty: 3000, amount: 600, tax_rate: 1000 },
        { number: 'T01A-000001', line: 1, qty: -2000, amount: -400, tax_rate: 1000 },
        { number: 'T01R-000001', line: 1, qty: 2000, amount: 400, tax_rate: 1000 },
        { number: 'T01R-000001', line: 2, qty: 1000, amount: 350, tax_rate: 2100 },
      ]);
      expect(await u.sql("SELECT number, type, seq FROM documents WHERE number LIKE 'T01A%' OR number LIKE 'T01R%' ORDER BY number")).toEqual([
        { number: 'T01A-000001', type: 'credit_note', seq: 1 },
        { number: 'T01R-000001', type: 'refund', seq: 1 },
      ]);

      // credit amounts in ten-thousandths, whatever the currency; in the event's order
      const seqOf = new Map(events.map((e) => [e.id, e.seq]));
      const moves = (await u.sql('SELECT * FROM credit_moves')).sort((a, b) => seqOf.get(a.event_id as string)! - seqOf.get(b.event_id as string)! || (a.idx as number) - (b.idx as number));
      const at = '2026-11-21T11:15:00+01:00';
      const none = { origin: null, expires_at: null, customer: null, reason: null };
      expect(moves).toEqual([
        { terminal: 'T01', event_id: events[0]!.id, idx: 0, code: 'V-0001', kind: 'issue', amount: 100000, at, ref: 'T01-000001', origin: 'voucher', expires_at: '2027-11-21T11:15:00+01:00', customer: null, reason: null },
        { terminal: 'T01', event_id: events[1]!.id, idx: 0, code: 'V-0001', kind: 'redeem', amount: -40000, at, ref: 'T01-000002', ...none },
        { terminal: 'T01', event_id: events[2]!.id, idx: 0, code: 'V-0001', kind: 'restore', amount: 40000, at, ref: 'T01R-000001', ...none },
        { terminal: 'T01', event_id: events[2]!.id, idx: 1, code: 'C-0002', kind: 'issue', amount: 35000, at, ref: 'T01R-000001', origin: 'refund', expires_at: null, customer: CUSTOMER, reason: 'cambio de talla' },
        { terminal: 'T01', event_id: events[3]!.id, idx: 0, code: 'G-0003', kind: 'issue', amount: 250000, at, ref: null, origin: 'grant', expires_at: null, customer: null, reason: 'goodwill' },
        { terminal: 'T01', event_id: events[4]!.id, idx: 0, code: 'G-0003', kind: 'void', amount: -250000, at, ref: null, ...none, reason: 'issued by mistake' },
        { terminal: 'T01', event_id: events[5]!.id, idx: 0, code: 'V-0001', kind: 'expire', amount: -100000, at: '2027-11-21T11:15:00+01:00', ref: null, ...none },
      ]);
      expect(await u.sql("SELECT code, CAST(sum(amount) AS bigint) AS balance FROM credit_moves GROUP BY code ORDER BY code")).toEqual([
        { code: 'C-0002', balance: 35000 },
        { code: 'G-0003', balance: 0 },
        { code: 'V-0001', balance: 0 },
      ]);

      expect(await u.sql('SELECT * FROM z_reports')).toEqual([
        {
          terminal: 'T01',
          number: 'T01Z-000001',
          shift_uid: SHIFT,
          opened_at: '2026-11-21T08:00:00+01:00',
          closed_at: '2026-11-21T20:00:00+01:00',
          float: 10000,
          expected: 20207,
          counted: 20200,
          difference: -7,
          receipts_count: 3,
          receipts_total: 11210,
          refunds_count: 1,
          refunds_total: 1240,
          cash_in: 2000,
          cash_out: 550,
          rounding: -3,
          carts_dropped: 2,
        },
      ]);

      // the ack was lost: the day comes again, nothing is added
      const before = await snapshot(u);
      expect(await s.ingest('T01', events, LATER)).toMatchObject({ stored: 0, duplicates: 8, quarantined: [] });
      expect(await snapshot(u)).toEqual(before);
    });

    test('a Z not yet counted, and credits in a currency without decimals', async () => {
      const { s, u } = await fresh();
      const open = { ...FIGURES, cash: { ...FIGURES.cash, counted: null, difference: null } };
      const yen = sale(1, { number: 'T01-000001', total: '1500', currency: 'JPY', taxes: [{ rate: '10', base: '1364', tax: '136' }], lines: [{ line: 1, sku: 'X', qty: '1', unit_price: '1500', amount: '1500', tax_rate: '10' }] }, randomUUID(), [
        { code: 'V-9', kind: 'redeem', amount: '-500', ref: 'T01-000001' },
      ]);
      expect(await s.ingest('T01', [yen, shiftClose(2, 'T01Z-000001', open)], T0)).toMatchObject({ stored: 2, quarantined: [] });
      expect(await u.sql('SELECT amount FROM credit_moves')).toEqual([{ amount: -5000000 }]);
      expect(await u.sql('SELECT unit_price, amount FROM document_lines')).toEqual([{ unit_price: 1500, amount: 1500 }]);
      expect(await u.sql('SELECT counted, difference, expected FROM z_reports')).toEqual([{ counted: null, difference: null, expected: 20207 }]);
    });

    test('an event that cannot be applied exactly is quarantined and adds no row', async () => {
      const { s, u } = await fresh();
      const good = sale(1, S1, randomUUID(), [VOUCHER]);
      const l = (qty: string, n = 1): Line => ({ line: n, sku: 'FRU-025', unit: 'kg', qty, unit_price: '2.40', amount: '1.00' });
      const bad = [
        sale(2, { number: 'T01-000002', total: '1.00', lines: [l('0.0005')] }),
        sale(3, { number: 'T01-000003', total: '1.00', lines: [l('1'), l('2')] }),
        sale(4, { number: 'T01-000004', total: '1.00', lines: [{ ...l('1'), unit_price: '2.405' }] }),
        sale(5, { number: 'T01-000005', total: '1.00', lines: [{ ...l('1'), tax_rate: '21.005' }] }),
        sale(6, { number: 'T01-000006', total: '1.00', lines: [l('1')] }, randomUUID(), [{ code: 'V-0001', kind: 'redeem', amount: '-1.005', ref: 'T01-000006' }]),
        creditEvent(7, 'credit_issue', [{ code: 'G-1', kind: 'issue', amount: '10.00', origin: 'grant' }, { code: 'G-2', kind: 'issue', amount: '0.00001', origin: 'grant' }]),
        shiftClose(8, 'T01Z-000001', { ...FIGURES, cash: { ...FIGURES.cash, counted: '1.001' } }),
        shiftClose(9, 'T01Z-000002', null),
        shiftClose(10, 'T01Z-000003', { ...FIGURES, shift: CUSTOMER }),
        sale(11, { ...S1, lines: [l('1')] }, randomUUID(), [{ code: 'V-7', kind: 'issue', amount: '1.00', origin: 'voucher' }]), // T01-000001 again
      ];
      const r = await s.ingest('T01', [good, ...bad], T0);
      expect(r).toMatchObject({ hwm: 11, stored: 1 });
      expect(r.quarantined.map((q) => q.id)).toEqual(bad.map((e) => e.id));
      expect(r.quarantined.map((q) => q.reason)).toEqual([
        'document T01-000002 line 1: "0.0005" is not a quantity',
        'document T01-000003 line 1 twice',
        'document T01-000004 line 1: "2.405" is not an amount in EUR',
        'document T01-000005 line 1: "21.005" is not a tax rate',
        'credit V-0001: "-1.005" is not an amount in EUR',
        'credit G-2: "0.00001" is not an amount',
        'Z T01Z-000001: "1.001" is not an amount in EUR',
        'Z T01Z-000002 carries no figures',
        `Z T01Z-000003: its figures are shift ${CUSTOMER}'s, not ${SHIFT}'s`,
        'document T01-000001 already held',
      ]);
      expect(await count(u, 'documents')).toBe(1);
      expect(await u.sql('SELECT number, line FROM document_lines ORDER BY line')).toEqual([
        { number: 'T01-000001', line: 1 },
        { number: 'T01-000001', line: 2 },
      ]);
      expect(await u.sql('SELECT event_id, code FROM credit_moves')).toEqual([{ event_id: good.id, code: 'V-0001' }]);
      expect(await count(u, 'z_reports')).toBe(0);
      // sent again: quarantined again, still nothing applied
      const before = await snapshot(u);
      expect((await s.ingest('T01', bad, LATER)).quarantined).toHaveLength(bad.length);
      expect(await snapshot(u)).toEqual(before);
    });

    test('lastNumbers: the last document of each of a terminal\'s series: the greatest seq of its latest year', async () => {
      const { s } = await fresh();
      expect(await s.lastNumbers('T01')).toEqual([]);
      const r = (n: number, day: string): IncomingEvent => sale(0, { number: `T01-${day.slice(0, 4)}-${n}`, seq: n, day, total: '1.00' });
      const batch = [r(1, '2026-12-30'), r(7, '2026-12-31'), r(1, '2027-01-01'), r(2, '2027-01-02'), refund(0, { number: 'T01D-000004', seq: 4, total: '1.00' }), r(9, '2026-12-31')];
      expect(await s.ingest('T01', batch.map((e, i) => ({ ...e, seq: i + 1 })), T0)).toMatchObject({ stored: 6, quarantined: [] });
      expect(await s.lastNumbers('T01')).toEqual([
        { type: 'receipt', year: 2027, seq: 2, number: 'T01-2027-2' },
        { type: 'refund', year: 2026, seq: 4, number: 'T01D-000004' },
      ]);
      // another terminal's numbers are its own
      expect(await s.lastNumbers('T02')).toEqual([]);
    });

    /** T01's day and a sale of T02, ingested; what they applied, the report and the series. */
    async function held(s: ServerStorage, u: ProjectionUnderTest): Promise<{ rows: Awaited<ReturnType<typeof snapshot>>; report: unknown; series: unknown }> {
      expect(await s.ingest('T01', day(), T0)).toMatchObject({ stored: 8, quarantined: [] });
      expect(await s.ingest('T02', [sale(1, { number: 'T02-000001', register: 'T02', total: '3.00', lines: [{ line: 1, sku: 'PAN-007', qty: '1', unit_price: '3.00', amount: '3.00' }] })], T0)).toMatchObject({ stored: 1 });
      const rows = await snapshot(u);
      for (const table of Object.keys(TABLE_ORDER)) expect(rows[table]!.length, table).toBeGreaterThan(0);
      return { rows, report: await s.salesReport('tax', {}), series: await s.lastNumbers('T01') };
    }

    test('opening data of schema 2 (documents without their series, no lines, credits nor Z) applies every stored event again', async () => {
      const { s, u } = await fresh();
      const before = await held(s, u);
      await close(s);
      for (const sql of [
        'DROP TABLE document_lines',
        'DROP TABLE credit_moves',
        'DROP TABLE z_reports',
        'DROP INDEX documents_series',
        'DELETE FROM document_taxes',
        'DELETE FROM document_payments',
        'DELETE FROM documents',
        'ALTER TABLE documents DROP COLUMN seq',
        // a row no event carries: gone after the rebuild
        "INSERT INTO documents (terminal, number, type, created_at, business_day, user_code, currency, total, rounding, shift_uid, event_id) VALUES ('T01', 'T01-999999', 'receipt', '2026-11-21T11:15:00+01:00', '2026-11-21', 'admin', 'EUR', 100, 0, NULL, 'none')",
      ]) {
        await u.sql(sql);
      }
      await u.setVersion(2);
      const again = await reopen(u);
      expect(await snapshot(u)).toEqual(before.rows);
      expect(await again.salesReport('tax', {})).toEqual(before.report);
      expect(await again.lastNumbers('T01')).toEqual(before.series);
      // and it goes on applying what comes
      expect(await again.ingest('T01', [sale(9, { number: 'T01-000003', seq: 3, total: '1.00', lines: [{ line: 1, sku: 'A', qty: '1', unit_price: '1.00', amount: '1.00' }] })], LATER)).toMatchObject({ stored: 1, quarantined: [] });
      expect(await count(u, 'document_lines')).toBe(before.rows.document_lines!.length + 1);
    });

    test('opening part-1 data (events only) applies them; an event that no longer applies stays stored, unapplied', async () => {
      const { s, u } = await fresh();
      const before = await held(s, u);
      await close(s);
      for (const table of Object.keys(TABLE_ORDER).reverse()) await u.sql(`DROP TABLE ${table}`);
      // what a part-1 server stored without applying: another register's document, a number held already
      const stale = [sale(9, { ...S1, number: 'T02-000009', register: 'T02' }), sale(10, { ...S1, total: '99.00' }, randomUUID(), [VOUCHER])];
      for (const e of stale) {
        await u.sql(
          `INSERT INTO events (id, terminal, seq, type, version, at, payload, hash, received_at) VALUES (${[e.id, 'T01', e.seq, e.type, e.version, e.at, e.payload, e.hash, T0].map(lit).join(', ')})`,
        );
      }
      await u.sql("UPDATE terminals SET hwm = 10 WHERE code = 'T01'");
      await u.setVersion(1);
      const again = await reopen(u);
      expect(await snapshot(u)).toEqual(before.rows);
      expect(await again.salesReport('tax', {})).toEqual(before.report);
      expect((await again.events('T01')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect((await again.credentials('T01'))!.terminal).toMatchObject({ hwm: 10, quarantined: 0 });
      // resent, they are duplicates; what comes next is applied
      expect(await again.ingest('T01', [...stale, sale(11, { number: 'T01-000003', seq: 3, total: '1.00' })], LATER)).toMatchObject({ hwm: 11, stored: 1, duplicates: 2, quarantined: [] });
      expect(await count(u, 'documents')).toBe(before.rows.documents!.length + 1);
      // opened again at today's schema: nothing is rebuilt, nothing doubled
      await close(again);
      const third = await reopen(u);
      expect(await count(u, 'documents')).toBe(before.rows.documents!.length + 1);
      expect(await third.salesReport('terminal', {})).toMatchObject({ count: 3 });
    });

    test('data of a newer schema is refused', async () => {
      const { s, u } = await fresh();
      await close(s);
      await u.setVersion(99);
      const e = await rejection(u.reopen());
      expect([e.kind, e.code, e.params.version, e.params.known]).toEqual(['conflict', 'server.schema_newer', 99, 3]);
    });
  });
}
