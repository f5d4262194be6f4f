/**
 * The till's sync client (src/app/sync.ts) against the real store server: batches cut by count
 * and by bytes, in seq order; the loop reconnecting by itself when the server comes back, and
 * ending when the till is revoked; the backoff's bounds.
 */
import { describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { inTransaction } from '../../src/app/context.js';
import { appendEvent } from '../../src/app/outbox.js';
import { BACKOFF_MAX_MS, backoffMs, type LoopState, pushOutbox, registerTill, requireLink, runSync } from '../../src/app/sync.js';
import { addTerminal } from '../../src/server/admin.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import type { IncomingEvent, ServerStorage } from '../../src/server/storage.js';
import { MAX_BATCH_EVENTS, MAX_MESSAGE_BYTES } from '../../src/sync/protocol.js';
import { makeStore, tempDir, until as waitFor } from '../helpers.js';

const dir = tempDir('tpv-sync-client-');

/** The real storage, with each batch it is given recorded. */
function recording(storage: ServerStorage): { storage: ServerStorage; batches: IncomingEvent[][] } {
  const batches: IncomingEvent[][] = [];
  const proxy = new Proxy(storage, {
    get(target, prop) {
      if (prop === 'ingest') {
        return (code: string, events: IncomingEvent[], now: string) => {
          batches.push(events);
          return target.ingest(code, events, now);
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { storage: proxy, batches };
}

/** What a batch weighed on the wire: the `events` message as the till writes it. */
const wireBytes = (events: IncomingEvent[]): number =>
  Buffer.byteLength(
    JSON.stringify({ type: 'events', events: events.map((e) => ({ id: e.id, seq: e.seq, type: e.type, version: e.version, at: e.at, payload: e.payload })) }),
  );

const noSale = (app: App, i: number): string =>
  inTransaction(app, () => appendEvent(app, 'no_sale', { user: 'admin', reason: `cambio ${i}`, drawer: 'drawer', at: app.now().toISOString(), approval: null }));

async function enrolled(app: App, storage: ServerStorage, server: RunningServer): Promise<void> {
  const { enrol_code } = await addTerminal(storage, 'T01', 'Caja 1', new Date());
  await registerTill(app, actingUser(app.db), undefined, { server: server.url, code: enrol_code });
}

describe('the sync client', () => {
  it('sends the outbox in seq order, in batches of at most 500 events and 4 MiB', { timeout: 120_000 }, async () => {
    const app = await makeStore(dir, {}, 'batches.db');
    const base = await openSqliteStorage(`${dir}/server-batches`);
    const rec = recording(base);
    const server = await startServer({ listen: '127.0.0.1:0', storage: rec.storage, log: () => undefined });
    try {
      for (let i = 0; i < 1200; i++) noSale(app, i);
      // 30 events of ~300 KB: 4 MiB holds 13 of them
      const big = 'x'.repeat(300_000);
      for (let i = 0; i < 30; i++) inTransaction(app, () => appendEvent(app, 'settings', { changes: { [`note.${i}`]: big }, by: 'admin' }));
      const last = app.db.prepare('SELECT max(seq) FROM outbox').pluck().get() as number;

      await enrolled(app, base, server);
      const r = await pushOutbox(app, requireLink(app.path));
      expect(r).toMatchObject({ sent: last, hwm: last, last_seq: last });

      const seqs = rec.batches.flatMap((b) => b.map((e) => e.seq));
      expect(seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
      for (const b of rec.batches) {
        expect(b.length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
        expect(wireBytes(b)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      }
      // cut by count: full batches of 500; cut by bytes: the large events travel 13 at most
      expect(rec.batches.filter((b) => b.length === MAX_BATCH_EVENTS).length).toBeGreaterThanOrEqual(2);
      const large = rec.batches.map((b) => b.filter((e) => e.type === 'settings' && e.payload.length > 100_000).length).filter((n) => n > 0);
      expect(large.reduce((a, n) => a + n, 0)).toBe(30);
      expect(large.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...large)).toBeLessThanOrEqual(13);
      expect(await base.events('T01', 0, 10_000)).toHaveLength(last);
      expect(app.db.prepare('SELECT count(*) FROM outbox WHERE sent_at IS NULL').pluck().get()).toBe(0);

      // a push with nothing new re-sends only the event at the hwm (the check that both agree up to it)
      rec.batches.length = 0;
      expect((await pushOutbox(app, requireLink(app.path))).sent).toBe(0);
      expect(rec.batches.map((b) => b.map((e) => e.seq))).toEqual([[last]]);
    } finally {
      await server.close();
      await base.close();
      app.close();
    }
  });

  it('the loop reconnects by itself when the server comes back, and sends what was made meanwhile', { timeout: 120_000 }, async () => {
    const app = await makeStore(dir, {}, 'loop.db');
    let storage = await openSqliteStorage(`${dir}/server-loop`);
    let server = await startServer({ listen: '127.0.0.1:0', storage, log: () => undefined });
    const port = server.port;
    await enrolled(app, storage, server);
    const stop = new AbortController();
    const logs: string[] = [];
    const loop = runSync(app, requireLink(app.path), stop.signal, (n) => void logs.push(n.code));
    const last = (): number => app.db.prepare('SELECT max(seq) FROM outbox').pluck().get() as number;
    const until = (cond: () => Promise<boolean>): Promise<boolean> => waitFor(cond, 'the server holding the outbox', 90_000, () => logs.join(', '));
    try {
      noSale(app, 1);
      await until(async () => (await storage.events('T01', 0, 1000)).length === last());

      await server.close();
      await storage.close();
      noSale(app, 2);
      noSale(app, 3);
      storage = await openSqliteStorage(`${dir}/server-loop`);
      server = await startServer({ listen: `127.0.0.1:${port}`, storage, log: () => undefined });
      await until(async () => (await storage.events('T01', 0, 1000)).length === last());
      expect(logs).toContain('sync.log.retry');
      expect(logs.filter((c) => c === 'sync.log.connected').length).toBeGreaterThanOrEqual(2);
    } finally {
      stop.abort();
      await loop;
      await server.close();
      await storage.close();
      app.close();
    }
  });

  it('a till revoked while its loop is connected: the server cuts it off, the loop ends with sync.revoked, and the bar still counts new sales as pending', { timeout: 60_000 }, async () => {
    const app = await makeStore(dir, {}, 'revoked.db');
    const storage = await openSqliteStorage(`${dir}/server-revoked`);
    const server = await startServer({ listen: '127.0.0.1:0', storage, log: () => undefined, pingMs: 100 });
    try {
      await enrolled(app, storage, server);
      const logs: string[] = [];
      const states: LoopState[] = [];
      const stop = new AbortController();
      const loop = runSync(app, requireLink(app.path), stop.signal, (n) => void logs.push(n.code), (st) => void states.push(st));
      const ended = loop.then(
        () => 'stopped',
        (e: unknown) => (e as { code: string }).code,
      );
      while (!logs.includes('sync.log.connected')) await new Promise((r) => setTimeout(r, 20));
      await storage.revoke('T01', new Date().toISOString());
      expect(await ended).toBe('sync.revoked');
      expect(requireLink(app.path).state.last_error).toMatchObject({ code: 'sync.revoked' });
      // the loop is over, but the till's bar still counts what is made after: a sale is 1 pending more
      const before = states.at(-1)!;
      expect(before).toMatchObject({ online: false, error: 'sync.revoked' });
      noSale(app, 9);
      for (const deadline = Date.now() + 15_000; states.at(-1)!.pending === before.pending && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      expect(states.at(-1)).toEqual({ online: false, pending: before.pending + 1, error: 'sync.revoked' });
      stop.abort();
    } finally {
      await server.close();
      await storage.close();
      app.close();
    }
  });

  it('backs off with full jitter: a random wait up to 1 s × 2^failures, never over 60 s', () => {
    expect(backoffMs(0, () => 0)).toBe(0);
    expect(backoffMs(0, () => 0.999)).toBeLessThan(1000);
    expect(backoffMs(3, () => 0.5)).toBe(4000);
    expect(backoffMs(6, () => 0.999)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
    expect(backoffMs(100, () => 0.999)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
    expect(backoffMs(100, () => 0.5)).toBe(BACKOFF_MAX_MS / 2);
  });
});
