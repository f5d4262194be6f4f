/**
 * Enrolment and authentication at the store server (docs/sync.md): a one-time code is spent once,
 * for its register, within 24 h, at most 10 attempts a minute per address; the socket's upgrade is
 * refused (401/403) before any WebSocket exists when its token is missing, wrong or revoked.
 * A real server on 127.0.0.1, real SQLite, fetch and `ws` as the till.
 */
import { describe, expect, it } from 'vitest';
import { addTerminal } from '../../src/server/admin.js';
import { sha256Hex } from '../../src/server/auth.js';
import { tempDir } from '../helpers.js';
import { connect, enrolled, online, postEnrol, harnesses, Till } from './server-harness.js';

const root = tempDir('tpv-server-enrol-');
const harness = harnesses(root);

describe('POST /enrol', () => {
  it('spends a good code for a token: 256 random bits after the terminal, only its sha256 kept', async () => {
    const h = await harness();
    const { enrol_code } = await addTerminal(h.storage, 'T02', 'Caja 2', new Date());
    expect(enrol_code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    // typed by hand: lower case, spaces instead of dashes
    const r = await postEnrol(h, { code: enrol_code.toLowerCase().replace(/-/g, ' '), register: 'T02' });
    expect(r.status).toBe(200);
    expect(r.body.terminal).toBe('T02');
    expect(r.body.token).toMatch(/^T02\.[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(r.body.token.slice(4), 'base64url')).toHaveLength(32);
    const creds = await h.storage.credentials('T02');
    expect(creds?.tokenHash).toBe(sha256Hex(r.body.token));
    expect(creds?.terminal.enrolled).toBe(true);
    expect(h.lines.some((l) => / enrol terminal=T02 /.test(l))).toBe(true);
  });

  it('refuses a used, unknown, expired or wrong-register code, and writes nothing', async () => {
    let clock = new Date();
    const h = await harness({ now: () => clock });
    const t02 = await addTerminal(h.storage, 'T02', '', clock);
    const t03 = await addTerminal(h.storage, 'T03', '', clock);
    const t04 = await addTerminal(h.storage, 'T04', '', clock);

    const wrong = await postEnrol(h, { code: t03.enrol_code, register: 'T02' });
    expect(wrong).toMatchObject({ status: 409, body: { error: { code: 'wrong_register' } } });
    expect(await postEnrol(h, { code: 'AAAA-BBBB-CCCC-DDDD', register: 'T02' })).toMatchObject({ status: 401, body: { error: { code: 'unknown' } } });

    expect((await postEnrol(h, { code: t02.enrol_code, register: 'T02' })).status).toBe(200);
    const token = (await h.storage.credentials('T02'))?.tokenHash;
    const again = await postEnrol(h, { code: t02.enrol_code, register: 'T02' });
    expect(again).toMatchObject({ status: 401, body: { error: { code: 'used' } } });
    expect((await h.storage.credentials('T02'))?.tokenHash).toBe(token); // the first till's token still stands

    clock = new Date(clock.getTime() + 24 * 3600_000 + 1000);
    expect(await postEnrol(h, { code: t04.enrol_code, register: 'T04' })).toMatchObject({ status: 401, body: { error: { code: 'expired' } } });

    // nothing enrolled by the refusals: T03's code still works for T03
    for (const code of ['T03', 'T04']) expect((await h.storage.credentials(code))?.tokenHash).toBeNull();
    clock = new Date();
    expect((await postEnrol(h, { code: t03.enrol_code, register: 'T03' })).status).toBe(200);
  });

  it('refuses a body that is not an enrolment, or larger than 4 KiB', async () => {
    const h = await harness();
    expect(await postEnrol(h, '{"code":')).toMatchObject({ status: 400, body: { error: { code: 'malformed' } } });
    expect(await postEnrol(h, { code: 'X', register: 't02' })).toMatchObject({ status: 400, body: { error: { code: 'malformed' } } });
    expect(await postEnrol(h, { code: 'X', register: 'T02', extra: 1 })).toMatchObject({ status: 400 });
    expect(await postEnrol(h, { code: 'x'.repeat(5000), register: 'T02' })).toMatchObject({ status: 413, body: { error: { code: 'too_large' } } });
    const get = await fetch(`${h.http}/enrol`);
    expect(get.status).toBe(405);
    expect((await fetch(`${h.http}/elsewhere`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('allows 10 attempts a minute per address, then answers 429 — even to a good code', async () => {
    const h = await harness();
    const { enrol_code } = await addTerminal(h.storage, 'T02', '', new Date());
    for (let i = 0; i < 10; i++) expect((await postEnrol(h, { code: `WRONG-${i}`, register: 'T02' })).status).toBe(401);
    const limited = await postEnrol(h, { code: enrol_code, register: 'T02' });
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect((await h.storage.credentials('T02'))?.tokenHash).toBeNull();
  });
});

describe('the upgrade to /sync', () => {
  it('refuses no token, a wrong one and an unknown terminal with 401, a revoked one with 403: no socket', async () => {
    const h = await harness();
    const token = await enrolled(h, 'T02');
    await enrolled(h, 'T03');
    const secret = token.slice(4);
    const other = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    expect(await connect(h, undefined)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await connect(h, `T02.${other}`)).toMatchObject({ status: 401 });
    expect(await connect(h, `T03.${secret}`)).toMatchObject({ status: 401 }); // T02's secret is not T03's
    expect(await connect(h, `T09.${secret}`)).toMatchObject({ status: 401 });
    expect(await connect(h, 'garbage')).toMatchObject({ status: 401 });

    const good = await connect(h, token);
    expect(good).toBeInstanceOf(Till);
    await (good as Till).close();

    await h.storage.revoke('T02', new Date().toISOString());
    expect(await connect(h, token)).toMatchObject({ status: 403, body: { error: { code: 'revoked' } } });
    expect(h.lines.filter((l) => / refused /.test(l))).toHaveLength(6);
  });

  it('a revoked terminal is cut off while connected: error revoked, then closed', async () => {
    const h = await harness({ pingMs: 250 });
    const token = await enrolled(h, 'T02');
    const { till, hello } = await online(h, 'T02', token);
    expect(hello.type).toBe('hello');
    await h.storage.revoke('T02', new Date().toISOString());
    expect(await till.next()).toMatchObject({ type: 'error', code: 'revoked' });
    expect((await till.closed).code).toBe(1008);
  });

  it('a revoked and re-added terminal enrols again with a new code, keeping what the server holds', async () => {
    const h = await harness();
    const token = await enrolled(h, 'T02');
    const { till } = await online(h, 'T02', token);
    expect(await till.ask({ type: 'events', events: [{ id: '01a1fd8c-6900-7a9e-aa46-825a3e797c8b', seq: 1, type: 'no_sale', version: 1, at: '2026-11-21T09:00:00.000Z', payload: '{}' }] })).toMatchObject({ type: 'ack', hwm: 1 });
    await till.close();
    await h.storage.revoke('T02', new Date().toISOString());
    const fresh = await enrolled(h, 'T02');
    expect(fresh).not.toBe(token);
    expect(await connect(h, token)).toMatchObject({ status: 401 }); // the old token is gone
    expect((await online(h, 'T02', fresh)).hello).toMatchObject({ type: 'hello', hwm: 1 });
  });
});
