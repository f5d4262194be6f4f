/**
 * Issue 13, faults: the store server as a real process (`tpv server --data DIR`, built: needs
 * `npm run build`) SIGKILLed while a till pushes, then restarted: nothing it acked is lost and the
 * till converges. Then the server's data dir put back to an earlier copy: the till resends
 * everything after the hwm the restored server states, and both agree again event by event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { inTransaction } from '../../src/app/context.js';
import { appendEvent } from '../../src/app/outbox.js';
import { pushOutbox, registerTill, requireLink } from '../../src/app/sync.js';
import { TpvError } from '../../src/core/errors.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import { BIN, cli, freePort, makeShopWithCatalog, tempDir } from '../helpers.js';
import { eventHash } from '../../src/sync/protocol.js';

const dir = tempDir('tpv-faults-kill-');
const DATA = join(dir, 'server');
const BACKUP = join(dir, 'server-copy');

const children: ChildProcess[] = [];
let app: App | undefined;
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  app?.close();
});

/** `tpv server --listen 127.0.0.1:PORT --data DATA`, resolved once it listens. */
function serve(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'server', '--listen', `127.0.0.1:${port}`, '--data', DATA], { env: { ...process.env, TPV_LANG: 'en' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      if (/listening on ws:\/\//.test(err)) resolve(child);
    });
    child.on('exit', (code, signal) => reject(new Error(`tpv server exited (${code ?? signal}): ${err}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

let minute = 0;
/** `count` no-sales in the outbox, a thousand per transaction. */
function fill(count: number): void {
  for (let done = 0; done < count; done += 1000) {
    inTransaction(app!, () => {
      for (let i = done; i < Math.min(done + 1000, count); i++) {
        const at = new Date(Date.parse('2026-11-21T09:00:00.000Z') + ++minute * 1000);
        app!.now = () => at;
        appendEvent(app!, 'no_sale', { user: 'admin', reason: `cambio ${minute}`, drawer: 'drawer', at: at.toISOString(), approval: null });
      }
    });
  }
}

type Held = { id: string; seq: number; hash: string };
function outbox(): Held[] {
  const rows = app!.db.prepare('SELECT seq, id, type, version, payload, created_at FROM outbox ORDER BY seq').all() as {
    seq: number;
    id: string;
    type: string;
    version: number;
    payload: string;
    created_at: string;
  }[];
  return rows.map((r) => ({ id: r.id, seq: r.seq, hash: eventHash({ type: r.type, version: r.version, at: r.created_at, payload: r.payload }) }));
}
const acked = (): number => app!.db.prepare('SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL').pluck().get() as number;

/** What the (stopped) server holds of T01. */
async function held(): Promise<{ events: Held[]; hwm: number }> {
  const s = await openSqliteStorage(DATA, { create: false });
  try {
    const events = (await s.events('T01', 0, 1_000_000)).map((e) => ({ id: e.id, seq: e.seq, hash: e.hash }));
    return { events, hwm: (await s.credentials('T01'))!.terminal.hwm };
  } finally {
    await s.close();
  }
}

it('SIGKILL mid-ingest (three times), restart: nothing acked lost; a data dir restored from an earlier copy: the till fills it again', { timeout: 120_000 }, async () => {
  const port = await freePort();
  app = await makeShopWithCatalog(dir, 'T01.db', () => new Date('2026-11-21T09:00:00.000Z'));
  let server = await serve(port);
  const add = await cli(['server', 'terminals', 'add', 'T01', '--data', DATA, '--json']);
  expect(add.code, add.stdout).toBe(0);
  await registerTill(app, actingUser(app.db), undefined, { server: `ws://127.0.0.1:${port}`, code: add.json.data.enrol_code });

  // an earlier state of the server: it holds what the till had then; copied while stopped
  fill(3000);
  await pushOutbox(app, requireLink(app.path));
  const earlier = outbox().length;
  expect(await stop(server, 'SIGTERM')).toBe(0);
  cpSync(DATA, BACKUP, { recursive: true });

  // killed three times while the till pushes 10,000 more, at a different point each time
  fill(10_000);
  for (const [at, wait] of [
    [1500, 0],
    [4700, 7],
    [7900, 19],
  ] as const) {
    server = await serve(port);
    const push = pushOutbox(app, requireLink(app.path)).then(
      () => 'done',
      (e: unknown) => e,
    );
    while (acked() < earlier + at) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, wait)); // at another point of the next batch
    await stop(server, 'SIGKILL');
    const failed = await push;
    expect(failed).toBeInstanceOf(TpvError);
    expect((failed as TpvError).kind).toBe('network');
    const ackedRows = outbox().slice(0, acked());
    expect(ackedRows.length).toBeLessThan(outbox().length); // killed mid-push indeed
    const afterKill = await held();
    console.log(`faults-kill: killed with ${ackedRows.length} of ${outbox().length} events acked; the server held ${afterKill.events.length}`);
    // every acked event is there, as sent (the server may hold more: committed, its ack lost)
    expect(afterKill.hwm).toBeGreaterThanOrEqual(ackedRows.length);
    expect(afterKill.events.slice(0, ackedRows.length)).toEqual(ackedRows);
    expect(afterKill.events).toEqual(outbox().slice(0, afterKill.events.length));
  }

  server = await serve(port);
  await pushOutbox(app, requireLink(app.path));
  expect(await stop(server, 'SIGTERM')).toBe(0);
  expect((await held()).events).toEqual(outbox());

  // the data dir put back to the earlier copy: its hwm is behind the till's marks; the till resends the rest
  rmSync(DATA, { recursive: true });
  cpSync(BACKUP, DATA, { recursive: true });
  expect((await held()).hwm).toBe(earlier);
  server = await serve(port);
  const r = await pushOutbox(app, requireLink(app.path));
  expect(r.sent).toBe(outbox().length - earlier);
  expect(await stop(server, 'SIGTERM')).toBe(0);
  const healed = await held();
  expect(healed.hwm).toBe(outbox().length);
  expect(healed.events).toEqual(outbox());
});
