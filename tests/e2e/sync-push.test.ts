/**
 * Issue 13, the till's side: `tpv sync register|push|status|run` against the real store server
 * (`startServer` over `openSqliteStorage`, in this process, on 127.0.0.1) — the till through the
 * CLI in-process, and spawned where a process boundary matters (the daemon and its SIGTERM).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import type { OutboxRow } from '../../src/sync/events.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import type { ServerStorage } from '../../src/server/storage.js';
import { BIN, cli, freePort, type RunOptions, type RunResult, tempDir, until as waitFor } from '../helpers.js';

const dir = tempDir('tpv-sync-e2e-');
const DATA = join(dir, 'server');
const T01 = join(dir, 't01.db');
const T02 = join(dir, 't02.db');

/** Every output of every run: no token may ever be in one. */
const outputs: string[] = [];
async function run(runner: typeof cli, args: string[], opts?: RunOptions): Promise<RunResult> {
  const r = await runner(args, opts);
  outputs.push(r.stdout, r.stderr);
  return r;
}
const till =
  (db: string) =>
  (args: string[], opts?: RunOptions): Promise<RunResult> =>
    run(cli, ['--db', db, ...args], opts);
const t01 = till(T01);
const t02 = till(T02);

/** The store server in this process, on a fixed port once started (a restart keeps the tills' link). */
let storage: ServerStorage;
let server: RunningServer;
const serverLog: string[] = [];
async function startStoreServer(port = 0): Promise<void> {
  storage = await openSqliteStorage(DATA);
  server = await startServer({ listen: `127.0.0.1:${port}`, storage, log: (l) => void serverLog.push(l) });
}
async function stopStoreServer(): Promise<void> {
  await server.close();
  await storage.close();
}
afterAll(async () => {
  await stopStoreServer().catch(() => undefined);
});

interface Row {
  id: string;
  seq: number;
  type: string;
  version: number;
  at: string;
  payload: unknown;
}
/** The till's outbox as it would travel, and which rows are marked sent. */
function outbox(db: string): { rows: Row[]; unsent: number[] } {
  const c = connect(db);
  try {
    const all = c.prepare('SELECT seq, id, type, version, payload, created_at, sent_at FROM outbox ORDER BY seq').all() as (OutboxRow & { sent_at: string | null })[];
    return {
      rows: all.map((r) => ({ id: r.id, seq: r.seq, type: r.type, version: r.version, at: r.created_at, payload: JSON.parse(r.payload) as unknown })),
      unsent: all.filter((r) => r.sent_at === null).map((r) => r.seq),
    };
  } finally {
    c.close();
  }
}
/** What the server holds of a terminal, as the till would have sent it. */
async function held(terminal: string): Promise<Row[]> {
  const events = await storage.events(terminal, 0, 100_000);
  return events.map((e) => ({ id: e.id, seq: e.seq, type: e.type, version: e.version, at: e.at, payload: JSON.parse(e.payload) as unknown }));
}

async function sell(at: typeof t01, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await at(['sale', '--json'], { input: JSON.stringify({ lines: [{ code: 'LAC-001', qty: String(i + 1) }], payments: [{ method: 'cash', amount: '10.00' }] }) });
    expect(r.code, r.stdout).toBe(0);
  }
}

async function openShop(at: typeof t01): Promise<void> {
  const init = await at(['init', '--demo', '--json']);
  expect(init.code, init.stderr).toBe(0);
  const open = await at(['shift', 'open', '--float', '100.00', '--json']);
  expect(open.code, open.stdout).toBe(0);
}

/** `tpv server terminals add CODE` beside the running server: the one-time code it prints. */
async function enrolCode(terminal: string): Promise<string> {
  const r = await run(cli, ['server', 'terminals', 'add', terminal, '--name', `Caja ${terminal}`, '--data', DATA, '--json']);
  expect(r.code, r.stdout).toBe(0);
  return r.json.data.enrol_code as string;
}

const linkOf = (db: string): { server: string; terminal: string; token: string } => JSON.parse(readFileSync(`${db}.sync`, 'utf8'));

describe('tpv sync: a till and the store server', () => {
  let port = 0;

  it('a shop sells; the store server starts', async () => {
    await openShop(t01);
    await sell(t01, 3);
    await startStoreServer();
    port = server.port;
    expect(server.url).toBe(`ws://127.0.0.1:${port}`);
  });

  it('register refuses a wrong code, a code made for another register, a server that is not there, and a user without manage_store: exit 5 / 7, no link written', async () => {
    const wrong = await t01(['sync', 'register', '--server', server.url, '--code', 'AAAA-BBBB-CCCC-DDDD', '--json']);
    expect(wrong.code).toBe(5);
    expect(wrong.json.error.code).toBe('sync.enrol.unknown');
    const forT02 = await enrolCode('T02');
    const other = await t01(['sync', 'register', '--server', server.url, '--code', forT02, '--json']);
    expect(other.code).toBe(5);
    expect(other.json.error.code).toBe('sync.enrol.wrong_register');
    const off = await t01(['sync', 'register', '--server', `ws://127.0.0.1:${await freePort()}`, '--code', forT02, '--json']);
    expect(off.code).toBe(7);
    expect(off.json.error).toMatchObject({ code: 'sync.unreachable', details: { detail: 'ECONNREFUSED' } });
    const bad = await t01(['sync', 'register', '--server', 'http://127.0.0.1:8787/x', '--code', forT02, '--json']);
    expect(bad.code).toBe(2);
    // a cashier may not enrol the till
    const added = await t01(['users', 'add', 'ana', '--name', 'Ana', '--role', 'cashier', '--json'], { input: '2468\n' });
    expect(added.code).toBe(0);
    const cashier = await t01(['--user', 'ana', 'sync', 'register', '--server', server.url, '--code', forT02, '--json'], { env: { TPV_PIN: '2468' } });
    expect(cashier.code).toBe(5);
    const noPin = await t01(['sync', 'register', '--server', server.url, '--code', forT02, '--json'], { env: { TPV_PIN: undefined } });
    expect(noPin.code).toBe(2);
    expect(existsSync(`${T01}.sync`)).toBe(false);
  });

  it('register stores the link with mode 0600; push sends every event: the server holds exactly the outbox, same ids and bodies, and the rows are marked', async () => {
    const reg = await t01(['sync', 'register', '--server', server.url, '--code', await enrolCode('T01'), '--json']);
    expect(reg.code, reg.stdout).toBe(0);
    expect(reg.json.data).toEqual({ server: server.url, terminal: 'T01', link: `${T01}.sync` });
    expect(statSync(`${T01}.sync`).mode & 0o777).toBe(0o600);
    expect(linkOf(T01)).toMatchObject({ server: server.url, terminal: 'T01', token: expect.stringMatching(/^T01\.[\w-]{43}$/) });

    const before = outbox(T01);
    expect(before.rows.length).toBeGreaterThanOrEqual(3 + 2); // store_init, products…, shift_open, 3 sales, the user
    expect(before.rows.filter((r) => r.type === 'sale')).toHaveLength(3);
    expect(before.unsent).toHaveLength(before.rows.length);

    const push = await t01(['sync', 'push', '--json']);
    expect({ code: push.code, stderr: push.stderr }).toEqual({ code: 0, stderr: '' });
    const last = before.rows.at(-1)!.seq;
    expect(push.json.data).toEqual({ server: server.url, terminal: 'T01', sent: before.rows.length, hwm: last, last_seq: last });
    expect(await held('T01')).toEqual(before.rows);
    expect(outbox(T01).unsent).toEqual([]);
    expect(statSync(`${T01}.sync`).mode & 0o777).toBe(0o600);
  });

  it('push again sends nothing the server holds (exit 0); a new sale is the only event sent next', async () => {
    const again = await t01(['sync', 'push', '--json']);
    expect(again.code).toBe(0);
    expect(again.json.data.sent).toBe(0);
    await sell(t01, 1);
    const one = await t01(['sync', 'push', '--json']);
    expect(one.code).toBe(0);
    expect(one.json.data).toMatchObject({ sent: 1, hwm: one.json.data.last_seq });
    expect(await held('T01')).toEqual(outbox(T01).rows);
    const text = await t01(['sync', 'push']);
    expect(text.stdout).toMatch(/holds every event of T01/);
  });

  it('sync status --json: the link, nothing to send, the last ack and heartbeat, and the server\'s hwm', async () => {
    const s = await t01(['sync', 'status', '--json']);
    expect(s.code).toBe(0);
    const last = outbox(T01).rows.at(-1)!.seq;
    expect(s.json.data).toMatchObject({
      registered: true,
      server: server.url,
      terminal: 'T01',
      last_seq: last,
      backlog: 0,
      hwm: last,
      reachable: true,
      server_hwm: last,
      last_error: null,
      last_ack_at: expect.stringMatching(/^\d{4}-/),
      last_heartbeat_at: expect.stringMatching(/^\d{4}-/),
    });
    const text = await t01(['sync', 'status']);
    expect(text.stdout).toMatch(/reachable, holds up to \d+/);
    // a second till: the demo store as register T02
    expect((await t02(['init', '--demo', '--json'])).code).toBe(0);
    expect((await t02(['config', 'set', 'register.code', 'T02', '--json'])).code).toBe(0);
    const unregistered = await t02(['sync', 'status', '--json']);
    expect(unregistered.json.data).toMatchObject({ registered: false, server: null, reachable: null });
    const push = await t02(['sync', 'push', '--json']);
    expect(push.code).toBe(4);
    expect(push.json.error.code).toBe('sync.not_registered');
  });

  it('a server restored from an older copy of its data dir gets back from the till what it lost (rule 5), though the till had marked it sent', async () => {
    await stopStoreServer();
    const copy = join(dir, 'server-yesterday.db');
    copyFileSync(join(DATA, 'server.db'), copy);
    await startStoreServer(port);
    const yesterday = (await held('T01')).length;

    await sell(t01, 2);
    const push = await t01(['sync', 'push', '--json']);
    expect(push.json.data.sent).toBe(2);
    expect(outbox(T01).unsent).toEqual([]);

    await stopStoreServer();
    for (const f of ['server.db', 'server.db-wal', 'server.db-shm']) rmSync(join(DATA, f), { force: true });
    copyFileSync(copy, join(DATA, 'server.db'));
    await startStoreServer(port);
    expect(await held('T01')).toHaveLength(yesterday);

    const healed = await t01(['sync', 'push', '--json']);
    expect(healed.code).toBe(0);
    expect(healed.json.data.sent).toBe(2);
    expect(await held('T01')).toEqual(outbox(T01).rows);
  });

  it('an unreachable server: push exits 7 and status says so, the backlog counted from the last hwm heard', async () => {
    await stopStoreServer();
    await sell(t01, 1);
    const push = await t01(['sync', 'push', '--json']);
    expect(push.code).toBe(7);
    expect(push.json.error.code).toBe('sync.unreachable');
    const s = await t01(['sync', 'status', '--json']);
    expect(s.code).toBe(0);
    expect(s.json.data).toMatchObject({ reachable: false, server_hwm: null, backlog: 1, last_error: { code: 'sync.unreachable' } });
    await startStoreServer(port);
  });

  it('tpv sync run (spawned) sends what is pending and each sale made while it runs, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [BIN, '--db', T01, 'sync', 'run', '--json'], { env: { ...process.env, TPV_LANG: 'en', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const until = (cond: () => Promise<boolean>): Promise<boolean> => waitFor(cond, 'the daemon catching up', 30_000, () => `the daemon said: ${stderr}`);
    const caughtUp = async (): Promise<boolean> => (await held('T01')).length === outbox(T01).rows.length;
    await until(caughtUp);
    await sell(t01, 2);
    await until(caughtUp);
    expect(await held('T01')).toEqual(outbox(T01).rows);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    outputs.push(stdout, stderr);
    expect(stderr).toMatch(/connected to ws:\/\/127\.0\.0\.1:\d+ as T01/);
    expect(stderr).toMatch(/sync stopped/);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, data: { terminal: 'T01' } });
    expect(outbox(T01).unsent).toEqual([]);
  });

  it('a till restored from an old backup that sold again under the seqs it lost is diverged: push exits 5, the server keeps its events', async () => {
    await openShopT02();
    const reg = await t02(['sync', 'register', '--server', server.url, '--code', await enrolCode('T02'), '--json']);
    expect(reg.code, reg.stdout).toBe(0);
    await sell(t02, 1);
    expect((await t02(['sync', 'push', '--json'])).code).toBe(0);
    const old = join(dir, 't02-old.db');
    expect((await t02(['backup', 'create', '--to', old, '--json'])).code).toBe(0);
    await sell(t02, 2);
    expect((await t02(['sync', 'push', '--json'])).code).toBe(0);
    const before = await held('T02');

    expect((await t02(['backup', 'restore', old, '--json'])).code).toBe(0);
    await sell(t02, 2); // the same seqs again, other events
    // its outbox reaches the server's hwm again with other events: sending only what is after the
    // hwm would go unnoticed; the event at the hwm, sent first, is not the server's
    expect(outbox(T02).rows.at(-1)!.seq).toBeGreaterThanOrEqual(before.at(-1)!.seq);
    const push = await t02(['sync', 'push', '--json']);
    expect(push.code).toBe(5);
    expect(push.json.error.code).toBe('sync.diverged');
    expect(await held('T02')).toEqual(before);
    expect((await storage.listTerminals()).find((t) => t.code === 'T02')?.diverged).toBe(true);
  });

  it('a database copied back from an old backup (not through restore) moves its series past the numbers the server holds at its first connect, though diverged', async () => {
    // T02 is diverged (above); its database now goes back to the old copy by hand, as a technician
    // copying files would: `backup restore` would have carried the series forward, this does not
    const heldReceipts = (await held('T02')).filter((e) => e.type === 'sale').map((e) => (e.payload as { receipt: { number: string } }).receipt.number);
    for (const f of ['', '-wal', '-shm']) rmSync(T02 + f, { force: true });
    copyFileSync(join(dir, 't02-old.db'), T02);
    const push = await t02(['sync', 'push', '--json']);
    expect(push.code, push.stdout).toBe(5);
    expect(push.json.error.code).toBe('sync.diverged');
    expect(push.stderr).toContain(`the server holds ${heldReceipts.at(-1)}`);
    const sale = await t02(['sale', '--json'], { input: JSON.stringify({ lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'cash', amount: '10.00' }] }) });
    expect(sale.code, sale.stdout).toBe(0);
    const number = sale.json.data.receipt.number as string;
    expect(heldReceipts).not.toContain(number);
    expect(number > heldReceipts.at(-1)!, `${number} after ${heldReceipts.join(" ")}`).toBe(true);
    // the skip is recorded (a `series` event by sync), so the audit finds no gap
    expect(outbox(T02).rows.some((r) => r.type === 'series' && (r.payload as { by: string }).by === 'sync')).toBe(true);
    const audit = await t02(['audit', 'verify', '--json']);
    expect(audit.code, audit.stdout).toBe(0);
  });

  it('tpv sync resolve finds where the diverged till parts from the server, moves its own events past the server\'s, and push sends them; the server holds both histories', async () => {
    const serverBefore = await held('T02');
    const hwm = serverBefore.at(-1)!.seq;
    const tillBefore = outbox(T02).rows;
    const noPin = await t02(['sync', 'resolve', '--json'], { env: { TPV_PIN: '' } });
    expect(noPin.code).toBe(2);
    const r = await t02(['sync', 'resolve', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const fork = r.json.data.fork as number;
    // the old copy's events are the server's up to the fork; what this till did since parts from it
    expect(tillBefore.slice(0, fork)).toEqual(serverBefore.slice(0, fork));
    expect(tillBefore[fork]!.id).not.toBe(serverBefore[fork]?.id);
    const after = tillBefore.length - fork;
    expect(r.json.data).toMatchObject({ terminal: 'T02', server_hwm: hwm, moved: after, from: hwm + 1 });
    const moved = outbox(T02).rows;
    expect(moved.slice(fork, fork + after).map((e) => ({ ...e, seq: 0 }))).toEqual(tillBefore.slice(fork).map((e) => ({ ...e, seq: 0 })));
    expect(moved.slice(fork).map((e) => e.seq)).toEqual(Array.from({ length: after + 1 }, (_, i) => hwm + 1 + i));
    expect(moved.at(-1)).toMatchObject({ type: 'resync', payload: { fork, server_hwm: hwm, moved: after, by: 'admin' } });
    expect((await storage.listTerminals()).find((t) => t.code === 'T02')?.diverged).toBe(false);

    const push = await t02(['sync', 'push', '--json']);
    expect(push.code, push.stdout).toBe(0);
    expect(push.json.data.sent).toBe(after + 1);
    expect(await held('T02')).toEqual([...serverBefore, ...moved.slice(fork)]);
    // resolving again finds nothing to move
    const again = await t02(['sync', 'resolve', '--json']);
    expect(again.json.data).toMatchObject({ moved: 0 });
    expect((await t02(['sync', 'push', '--json'])).json.data.sent).toBe(0);
  });

  it('a revoked till: push exits 5', async () => {
    expect((await run(cli, ['server', 'terminals', 'revoke', 'T01', '--data', DATA, '--json'])).code).toBe(0);
    const push = await t01(['sync', 'push', '--json']);
    expect(push.code).toBe(5);
    expect(push.json.error.code).toBe('sync.revoked');
  });

  it('no output ever showed a token', () => {
    for (const db of [T01, T02]) {
      const { token } = linkOf(db);
      const secret = token.slice(token.indexOf('.') + 1);
      for (const o of outputs) expect(o).not.toContain(secret);
    }
  });
});

async function openShopT02(): Promise<void> {
  const open = await t02(['shift', 'open', '--float', '100.00', '--json']);
  expect(open.code, open.stdout).toBe(0);
}
