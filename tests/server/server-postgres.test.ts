/**
 * `tpv server --database postgres://…`: the same commands and the same server on PostgreSQL (a
 * private cluster for this file, tests/pg.ts), two server processes sharing one database — a till
 * acked by one is known to the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, cli } from '../helpers.js';
import { startPostgres, type TestPostgres } from '../pg.js';
import { endpoint, online, postEnrol, wire } from './server-harness.js';

let cluster: TestPostgres;
const children: ChildProcess[] = [];
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cluster?.stop();
});

/** Starts the built `tpv server` on a database; resolves with its URL. */
function serve(url: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--database', url], { env: { ...process.env, TPV_LANG: 'en' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const found = /listening on (ws:\/\/\S+)/.exec(err)?.[1];
      if (found) resolve({ child, url: found });
    });
    child.on('exit', (code) => reject(new Error(`tpv server exited (${code}): ${err}`)));
  });
}

it('terminals add/list/revoke and two servers sharing one PostgreSQL database', async () => {
  const db = await cluster.createDatabase();
  const add = await cli(['server', 'terminals', 'add', 'T02', '--database', db, '--json']);
  expect(add.code).toBe(0);
  const a = await serve(db);
  const b = await serve(db);
  const enrol = await postEnrol(endpoint(a.url), { code: add.json.data.enrol_code, register: 'T02' });
  expect(enrol.status).toBe(200);
  const events = [wire(1), wire(2), wire(3)];
  const first = await online(endpoint(a.url), 'T02', enrol.body.token);
  expect(await first.till.ask({ type: 'events', events })).toMatchObject({ type: 'ack', hwm: 3 });
  await first.till.close();
  // the other server knows the token and the hwm; a resend there is a duplicate
  const second = await online(endpoint(b.url), 'T02', enrol.body.token);
  expect(second.hello).toMatchObject({ type: 'hello', hwm: 3 });
  expect(await second.till.ask({ type: 'events', events: [...events, wire(4)] })).toMatchObject({ type: 'ack', hwm: 4 });
  await second.till.close();
  const list = await cli(['server', 'terminals', 'list', '--database', db, '--json']);
  expect(list.json.data.terminals[0]).toMatchObject({ code: 'T02', hwm: 4, state: 'online' });
  expect((await cli(['server', 'terminals', 'revoke', 'T02', '--database', db])).code).toBe(0);
  for (const s of [a, b]) {
    s.child.kill('SIGTERM');
    expect(await new Promise((resolve) => s.child.on('exit', resolve))).toBe(0);
  }
});
