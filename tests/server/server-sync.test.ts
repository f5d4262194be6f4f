/**
 * The sync protocol at the store server (docs/sync.md, the rules): hello first, in this protocol,
 * as the token's terminal; every event stored once across resends; the same id with another body
 * quarantined and acked; a gap never acked past; a known seq with another id marks the till
 * diverged; an ack only once the batch committed; anything invalid answered with `error` and the
 * socket closed while the server goes on serving the others. A real server, real SQLite, `ws`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TpvError } from '../../src/core/errors.js';
import { connect as connectDb } from '../../src/db/connection.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '../../src/sync/protocol.js';
import { tempDir } from '../helpers.js';
import { batch, connect, enrolled, type Harness, online, harnesses, type Till, wire } from './server-harness.js';

const root = tempDir('tpv-server-sync-');
const harness = harnesses(root);

/** A server with T02 enrolled and online. */
async function withTill(opts: Parameters<ReturnType<typeof harnesses>>[0] = {}): Promise<{ h: Harness; till: Till; token: string }> {
  const h = await harness(opts);
  const token = await enrolled(h, 'T02');
  const { till, hello } = await online(h, 'T02', token);
  expect(hello).toEqual({ type: 'hello', protocol: PROTOCOL_VERSION, server: expect.any(String), hwm: 0, series: [], diverged: false });
  return { h, till, token };
}

const seqs = async (h: Harness, code = 'T02'): Promise<number[]> => (await h.storage.events(code)).map((e) => e.seq);

describe('hello', () => {
  it('refuses another protocol version, another terminal, and anything before hello', async () => {
    const h = await harness();
    const token = await enrolled(h, 'T02');
    for (const [first, code] of [
      [{ type: 'hello', protocol: PROTOCOL_VERSION + 1, terminal: 'T02', version: '9.0.0' }, 'protocol'],
      [{ type: 'hello', protocol: PROTOCOL_VERSION, terminal: 'T03', version: '0.1.0' }, 'unauthorized'],
      [{ type: 'events', events: [wire(1)] }, 'protocol'],
    ] as const) {
      const till = (await connect(h, token)) as Till;
      expect(await till.ask(first)).toMatchObject({ type: 'error', code });
      expect((await till.closed).code).toBe(1008);
    }
    expect(await seqs(h)).toEqual([]);
    // and the right hello is answered with the server's hwm
    expect((await online(h, 'T02', token)).hello).toMatchObject({ type: 'hello', protocol: PROTOCOL_VERSION, hwm: 0 });
  });
});

describe('events', () => {
  it('stores a batch once across resends and acks the hwm; the next hello states it', async () => {
    const { h, till, token } = await withTill();
    const events = batch(1, 3);
    expect(await till.ask({ type: 'events', events })).toEqual({ type: 'ack', hwm: 3, quarantined: [] });
    expect(await till.ask({ type: 'events', events })).toEqual({ type: 'ack', hwm: 3, quarantined: [] });
    // a resend overlapping the held ones and going further
    expect(await till.ask({ type: 'events', events: [...events.slice(1), wire(4)] })).toEqual({ type: 'ack', hwm: 4, quarantined: [] });
    expect(await seqs(h)).toEqual([1, 2, 3, 4]);
    const held = await h.storage.events('T02');
    expect(held.map((e) => e.id)).toEqual([...events.map((e) => e.id), held[3]!.id]);
    expect(held[0]!.payload).toBe(events[0]!.payload);
    await till.close();
    expect((await online(h, 'T02', token)).hello.hwm).toBe(4);
  });

  it('quarantines the same id with another body, acks it, and never overwrites the original', async () => {
    const { h, till } = await withTill();
    const events = batch(1, 2);
    await till.ask({ type: 'events', events });
    const changed = { ...events[1]!, payload: JSON.stringify({ ...(JSON.parse(events[1]!.payload) as object), reason: 'otra cosa' }) };
    const ack = await till.ask({ type: 'events', events: [changed] });
    expect(ack).toEqual({ type: 'ack', hwm: 2, quarantined: [{ id: changed.id, reason: expect.stringMatching(/another body/) }] });
    // an id already held arriving as a new seq: quarantined, and the queue moves past it
    const reused = { ...wire(3), id: events[0]!.id };
    expect(await till.ask({ type: 'events', events: [reused, wire(4)] })).toMatchObject({ type: 'ack', hwm: 4, quarantined: [{ id: events[0]!.id }] });
    const held = await h.storage.events('T02');
    expect(held.map((e) => e.seq)).toEqual([1, 2, 4]);
    expect(JSON.parse(held[1]!.payload).reason).toBe('cambio');
    expect((await h.storage.listTerminals())[0]!.quarantined).toBe(2);
    expect(h.lines.filter((l) => / quarantine terminal=T02 /.test(l))).toHaveLength(2);
  });

  it('never acks past a gap: the batch stops before it', async () => {
    const { h, till } = await withTill();
    expect(await till.ask({ type: 'events', events: [wire(1), wire(2), wire(4), wire(5)] })).toEqual({ type: 'ack', hwm: 2, quarantined: [] });
    expect(await till.ask({ type: 'events', events: [wire(4)] })).toEqual({ type: 'ack', hwm: 2, quarantined: [] });
    expect(await seqs(h)).toEqual([1, 2]);
  });

  it('a known seq with another id marks the till diverged: nothing of the batch stored, refused after every hello', async () => {
    const { h, till, token } = await withTill();
    await till.ask({ type: 'events', events: batch(1, 3) });
    // seqs 4 and 5 are new, then seq 5 again with another id: the batch is undone, 4 and 5 too
    const ack = await till.ask({ type: 'events', events: [wire(4), wire(5), wire(5)] });
    expect(ack).toMatchObject({ type: 'error', code: 'diverged' });
    expect((await till.closed).code).toBe(1008);
    expect(await seqs(h)).toEqual([1, 2, 3]);
    expect((await h.storage.credentials('T02'))?.terminal).toMatchObject({ diverged: true, hwm: 3 });
    // every later hello says so (with the numbers the server holds); events are refused
    const { till: later, hello } = await online(h, 'T02', token);
    expect(hello).toMatchObject({ type: 'hello', hwm: 3, diverged: true, series: [] });
    expect(await later.ask({ type: 'events', events: [wire(4)] })).toMatchObject({ type: 'error', code: 'diverged' });
    expect((await later.closed).code).toBe(1008);
    expect(await seqs(h)).toEqual([1, 2, 3]);
  });

  it('a diverged till probes which of its events the server holds, and resolve clears the mark (tpv sync resolve)', async () => {
    const { h, till, token } = await withTill();
    const held = batch(1, 3);
    await till.ask({ type: 'events', events: held });
    expect(await till.ask({ type: 'events', events: [wire(3), wire(4)] })).toMatchObject({ type: 'error', code: 'diverged' });
    const { till: again } = await online(h, 'T02', token);
    expect(await again.ask({ type: 'probe', seq: 2, id: held[1]!.id })).toEqual({ type: 'probe_ack', seq: 2, held: true });
    expect(await again.ask({ type: 'probe', seq: 3, id: wire(3).id })).toEqual({ type: 'probe_ack', seq: 3, held: false });
    expect(await again.ask({ type: 'probe', seq: 9, id: held[0]!.id })).toEqual({ type: 'probe_ack', seq: 9, held: false });
    // a fork past what the server holds is not one
    expect(await again.ask({ type: 'resolve', fork: 4 })).toMatchObject({ type: 'error', code: 'malformed' });
    const { till: third } = await online(h, 'T02', token);
    expect(await third.ask({ type: 'resolve', fork: 2 })).toEqual({ type: 'resolved', hwm: 3 });
    expect((await h.storage.credentials('T02'))?.terminal.diverged).toBe(false);
    expect(h.lines.some((l) => / resolved terminal=T02 .*fork=2 hwm=3 was=diverged/.test(l))).toBe(true);
    expect(await third.ask({ type: 'events', events: [wire(4)] })).toMatchObject({ type: 'ack', hwm: 4 });
  });

  it('acks only what committed: a server restarted after an ack holds every event acked', async () => {
    const { h, till } = await withTill();
    const events = batch(1, 200);
    expect((await till.ask({ type: 'events', events })).hwm).toBe(200);
    const dir = h.dir;
    await h.stop();
    const again = await harness({ dir });
    expect((await again.storage.events('T02', 0, 1000)).map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});

describe('invalid messages', () => {
  it('malformed JSON, an unknown type, binary, an invalid event: error, closed, nothing written — the other till goes on', async () => {
    const h = await harness();
    const t02 = await enrolled(h, 'T02');
    const t03 = await enrolled(h, 'T03');
    const other = (await online(h, 'T03', t03)).till;
    let seq = 0;
    for (const [bad, code] of [
      ['{"type":"events","events":[', 'malformed'],
      [{ type: 'sales', events: [] }, 'malformed'],
      [{ type: 'events', events: [{ ...wire(1), seq: -1 }] }, 'malformed'],
      [{ type: 'events', events: [{ ...wire(1), type: 'nonsense' }] }, 'malformed'],
      [{ type: 'events', events: [wire(1)], more: true }, 'malformed'],
      // the payload travels as the text the till stored: an object is not one
      [{ type: 'events', events: [{ ...wire(1), payload: { user: 'admin' } }] }, 'malformed'],
    ] as const) {
      const { till } = await online(h, 'T02', t02);
      expect(await till.ask(bad)).toMatchObject({ type: 'error', code });
      expect((await till.closed).code).toBe(1008);
      // the other till is served all along
      seq++;
      expect(await other.ask({ type: 'events', events: [wire(seq)] })).toMatchObject({ type: 'ack', hwm: seq });
    }
    const { till } = await online(h, 'T02', t02);
    till.ws.send(Buffer.from('{"type":"heartbeat"}'), { binary: true });
    expect(await till.next()).toMatchObject({ type: 'error', code: 'malformed' });
    expect(await seqs(h, 'T02')).toEqual([]);
    expect(h.lines.filter((l) => / error terminal=T02 .*code=malformed/.test(l))).toHaveLength(7);
  });

  it('a message over 4 MiB closes the socket (1009, message too big); the server goes on', async () => {
    const { h, till, token } = await withTill();
    till.send(JSON.stringify({ type: 'events', events: [{ ...wire(1), payload: JSON.stringify({ pad: 'x'.repeat(MAX_MESSAGE_BYTES) }) }] }));
    expect((await till.closed).code).toBe(1009);
    expect(await seqs(h)).toEqual([]);
    expect(h.lines.some((l) => /code=too_large/.test(l))).toBe(true);
    const { till: again } = await online(h, 'T02', token);
    expect(await again.ask({ type: 'events', events: [wire(1)] })).toMatchObject({ type: 'ack', hwm: 1 });
  });
});

describe('the link', () => {
  it('answers a heartbeat and keeps it: version, backlog, last Z, clock skew', async () => {
    const clock = new Date('2026-11-21T10:00:05.000Z');
    const { h, till } = await withTill({ now: () => clock });
    const ack = await till.ask({ type: 'heartbeat', at: '2026-11-21T10:00:00.000Z', version: '0.1.0', backlog: 37, last_z: 'T02Z-000004' });
    expect(ack).toEqual({ type: 'heartbeat_ack', at: clock.toISOString() });
    expect((await h.storage.credentials('T02'))?.terminal.heartbeat).toEqual({ at: clock.toISOString(), version: '0.1.0', backlog: 37, lastZ: 'T02Z-000004', skewMs: 5000 });
  });

  it('one socket per till: a new one replaces the old, which is closed', async () => {
    const { h, till, token } = await withTill();
    const { till: second } = await online(h, 'T02', token);
    expect((await till.closed).code).toBe(4000);
    expect(await second.ask({ type: 'events', events: [wire(1)] })).toMatchObject({ type: 'ack', hwm: 1 });
  });

  it('terminates a half-open socket: one that answers no ping', async () => {
    const { h, till } = await withTill({ pingMs: 300 });
    const token = await enrolled(h, 'T03');
    const { till: mute } = await online(h, 'T03', token, { autoPong: false });
    expect((await mute.closed).code).toBe(1006); // terminated, no close handshake
    expect(h.lines.some((l) => / half_open terminal=T03 /.test(l))).toBe(true);
    expect(await till.ask({ type: 'events', events: [wire(1)] })).toMatchObject({ type: 'ack', hwm: 1 });
  });

  it('a second server on the same data dir fails at once, naming the folder and the first one', async () => {
    const h = await harness();
    const e = await openSqliteStorage(h.dir).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(TpvError);
    expect(e).toMatchObject({ kind: 'conflict', code: 'server.data_locked', params: { path: h.dir, pid: String(process.pid) } });
    // an admin command beside it is fine
    const beside = await openSqliteStorage(h.dir, { beside: true });
    expect(await beside.listTerminals()).toEqual([]);
    await beside.close();
    // and once the first one stopped, the data dir is free
    await h.stop();
    const next = await openSqliteStorage(h.dir);
    await next.close();
  });

  it('a write that finds the database locked (an admin command) waits on timers; the socket\'s next message waits its turn', async () => {
    const { h, till } = await withTill();
    const t03 = await enrolled(h, 'T03');
    const admin = connectDb(join(h.dir, 'server.db'));
    try {
      admin.exec('BEGIN IMMEDIATE');
      till.send({ type: 'events', events: [wire(1)] });
      till.send('not JSON'); // handled only once the batch before it is done
      // while T02's batch waits for the lock, T03 is answered: the event loop is not blocked
      const other = await online(h, 'T03', t03);
      expect(other.hello).toMatchObject({ type: 'hello', hwm: 0 });
      expect(await seqs(h)).toEqual([]);
      admin.exec('COMMIT');
    } finally {
      admin.close();
    }
    expect(await till.next()).toEqual({ type: 'ack', hwm: 1, quarantined: [] });
    expect(await till.next()).toMatchObject({ type: 'error', code: 'malformed' });
    expect(await seqs(h)).toEqual([1]);
  });
});
