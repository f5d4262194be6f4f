/**
 * Issue 13, faults: one batch replayed at the same time to two `tpv server` processes sharing one
 * PostgreSQL database (a private cluster, tests/pg.ts) — a till that reconnected to the other
 * server of a chain while its first link still delivers. Stored once, both acks right. (The
 * storage contract tests the same on two pools of one process; this is the two real processes.)
 */
import { expect, it } from 'vitest';
import { openPostgresStorage } from '../../src/server/postgres.js';
import { cli } from '../helpers.js';
import { batch, endpoint, online, postEnrol, postgresServers } from './server-harness.js';

const { database, serve } = postgresServers();

it('the same batches sent at once to two server processes on one PostgreSQL: every event stored once', { timeout: 120_000 }, async () => {
  const db = await database();
  const add = await cli(['server', 'terminals', 'add', 'T02', '--database', db, '--json']);
  expect(add.code, add.stdout).toBe(0);
  const [a, b] = (await Promise.all([serve(db), serve(db)])).map((server) => server.url);
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
