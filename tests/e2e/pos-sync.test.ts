/**
 * Issue 13: `tpv pos` on a till registered with a store server runs the sync loop in the
 * background, its state on the status bar. The real store server (`startServer` over
 * `openSqliteStorage`, in this process, on 127.0.0.1) and the built CLI in tmux: a sale at the
 * till reaches the server and the bar says `online · 0 pending`; with the server stopped the bar
 * says `offline`, counts the next sale, and sends it once the server is back; a revoked terminal
 * is shown on the bar, the till still sells; quitting stops the loop and the program ends.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import type { ServerStorage } from '../../src/server/storage.js';
import { BIN, cli, tempDir, until as waitFor } from '../helpers.js';
import { posLogin, posQuit, startPos, type Tmux } from '../tmux.js';

const dir = tempDir('tpv-pos-sync-');
const DATA = join(dir, 'server');
const DB = join(dir, 't01.db');
let storage: ServerStorage | undefined;
let server: RunningServer | undefined;
let term: Tmux | undefined;

async function startStoreServer(port = 0): Promise<number> {
  storage = await openSqliteStorage(DATA);
  server = await startServer({ listen: `127.0.0.1:${port}`, storage, log: () => undefined });
  return server.port;
}
async function stopStoreServer(): Promise<void> {
  await server?.close();
  await storage?.close();
  server = undefined;
  storage = undefined;
}
afterAll(async () => {
  term?.kill();
  await stopStoreServer().catch(() => undefined);
});

/** The till's outbox ids, in seq order. */
function outboxIds(): string[] {
  const c = connect(DB);
  try {
    return c.prepare('SELECT id FROM outbox ORDER BY seq').pluck().all() as string[];
  } finally {
    c.close();
  }
}
async function heldIds(): Promise<string[]> {
  return (await storage!.events('T01', 0, 100_000)).map((e) => e.id);
}
/** Polls until `check` holds; a failure shows the terminal's screen. */
const until = (check: () => Promise<boolean>, what: string, ms = 15_000): Promise<boolean> => waitFor(check, what, ms, () => term?.screen() ?? '');

/** Starts `tpv pos` in tmux and logs in as the demo store's admin. */
async function login(): Promise<void> {
  term = startPos(BIN, DB);
  await posLogin(term, 'admin', '1234');
}

const quit = (): Promise<void> => posQuit(term!);

async function sellOne(number: string): Promise<void> {
  term!.type('LAC-001', 'Enter');
  await term!.waitFor(/TOTAL\s+€0\.99/);
  term!.type('', 'F12');
  term!.type('', 'F3');
  await term!.waitFor('confirm the sale');
  term!.type('', 'Enter');
  await term!.waitFor(`Sold ${number}`);
}

describe('tpv pos on a registered till', () => {
  let port = 0;

  it('an unregistered till shows no sync state', async () => {
    expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
    expect((await cli(['--db', DB, 'shift', 'open', '--float', '100'])).code).toBe(0);
    await login();
    const screen = await term!.waitFor('F12 Pay');
    expect(screen.split('\n')[0]).not.toMatch(/pending|online|offline/);
    await quit();
    term!.kill();
  });

  it('registered: a sale reaches the server and the bar says online · 0 pending', async () => {
    port = await startStoreServer();
    const add = await cli(['server', 'terminals', 'add', 'T01', '--data', DATA, '--json']);
    expect(add.code, add.stdout).toBe(0);
    const reg = await cli(['--db', DB, 'sync', 'register', '--server', `ws://127.0.0.1:${port}`, '--code', add.json.data.enrol_code as string, '--json']);
    expect(reg.code, reg.stdout).toBe(0);

    await login();
    // what init and the shift wrote is sent at once
    await term!.waitFor('online · 0 pending');
    await sellOne('T01-000001');
    await until(async () => (await heldIds()).length === outboxIds().length, 'the sale on the server');
    expect(await heldIds()).toEqual(outboxIds());
    const events = await storage!.events('T01', 0, 100_000);
    expect(events.filter((e) => e.type === 'sale')).toHaveLength(1);
    await term!.waitFor(/online · 0 pending\s+\d\d:\d\d/);
  });

  it('the server stops: offline, the next sale counted as pending; back again, it is sent', async () => {
    await stopStoreServer();
    await term!.waitFor('offline · 0 pending');
    await sellOne('T01-000002');
    await term!.waitFor(/offline · [1-9]\d* pending/);
    await startStoreServer(port);
    // the loop tries again with backoff (up to a few seconds after a short outage)
    await term!.waitFor('online · 0 pending', 30_000);
    await until(async () => (await heldIds()).length === outboxIds().length, 'the second sale on the server');
    expect(await heldIds()).toEqual(outboxIds());
    // quitting while linked stops the loop: the program ends (a socket or timer left open would keep it)
    await quit();
  });

  it('the terminal revoked: the bar says so, the till still sells', async () => {
    term!.kill();
    await login();
    await term!.waitFor('online · 0 pending');
    const revoke = await cli(['server', 'terminals', 'revoke', 'T01', '--data', DATA, '--json']);
    expect(revoke.code, revoke.stdout).toBe(0);
    // the open socket is refused at its next batch
    await sellOne('T01-000003');
    await term!.waitFor(/revoked · [1-9]\d* pending/);
    await term!.waitFor('sync stopped: terminal T01 was revoked');
    await sellOne('T01-000004');
    await quit();
  });
});
