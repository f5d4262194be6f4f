/**
 * `tpv server --database postgres://…`: the same commands and the same server on PostgreSQL (a
 * private cluster for this file, tests/pg.ts), two server processes sharing one database — a till
 * acked by one is known to the other.
 */
import { expect, it } from 'vitest';
import { cli } from '../helpers.js';
import { endpoint, online, postEnrol, postgresServers, wire } from './server-harness.js';

const { database, serve } = postgresServers();

it('terminals add/list/revoke and two servers sharing one PostgreSQL database', async () => {
  const db = await database();
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
