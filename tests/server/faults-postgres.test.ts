/**
 * Issue 13, faults: one batch replayed at the same time to two `tpv server` processes sharing one
 * PostgreSQL database (a private cluster, tests/pg.ts) — a till that reconnected to the other
 * server of a chain while its first link still delivers. Stored once, both acks right. (The
 * storage contract tests the same on two pools of one process; this is the two real processes.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresStorage } from '../../src/server/postgres.js';
import { BIN, cli } from '../helpers.js';
import { startPostgres, type TestPostgres } from '../pg.js';
import { batch, endpoint, online, postEnrol } from './server-harness.js';

let cluster: TestPostgres;
const children: ChildProcess[] = [];
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cluster?.stop();
});

/** The built `tpv server` on a database: its URL once it listens. */
function serve(url: string): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--database', url], { env: { ...process.env, TPV_LANG: 'en' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const found = /listening on (ws:\/\/\S+)/.exec(err)?.[1];
      if (found) resolve(found);
    });
    child.on('exit', (code) => reject(new Error(`tpv server exited (${code}): ${err}`)));
  });
}

it('the same batches sent at once to two server processes on one PostgreSQL: every event stored once', { timeout: 120_000 }, async () => {
  const db = await cluster.createDatabase();
  const add = await cli(['server', 'terminals', 'add', 'T02', '--database', db, '--json']);
  expect(add.code, add.stdout).toBe(0);
  const [a, b] = await Promise.all([serve(db), serve(db)]);
  const enrol = await postEnrol(endpoint(a!), { code: add.json.data.enrol_code, register: 'T02' });
  expect(enrol.status).toBe(200);
  const one = await online(endpoint(a!), 'T02', enrol.body.token);
  const two = await online(endpoint(b!), 'T02', enrol.body.token);
  const all = batch(1, 2000);
  for (let from = 0; from < all.length; from += 250) {
    const events = all.slice(from, from + 250);
    const acks = await Promise.all([one.till.ask({ type: 'events', events }), two.till.ask({ type: 'events', events })]);
    for (const ack of acks) expect(ack).toEqual({ type: 'ack', hwm: from + 250, quarantined: [] });
  }
  await Promise.all([one.till.close(), two.till.close()]);

  const storage = await openPostgresStorage(db);
  try {
    const held = await storage.events('T02', 0, 10_000);
    expect(held.map((e) => [e.id, e.seq])).toEqual(all.map((e) => [e.id, e.seq]));
    expect((await storage.credentials('T02'))!.terminal).toMatchObject({ hwm: 2000, quarantined: 0, diverged: false });
  } finally {
    await storage.close();
  }
});
