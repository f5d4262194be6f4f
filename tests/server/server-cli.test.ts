/**
 * `tpv server` and `tpv server terminals add|list|revoke`: the admin commands in-process (beside a
 * running server, on its data dir), the server itself as the built binary — it prints its URL,
 * serves (wss with --tls-cert/--tls-key), refuses a second server on its data dir, and stops
 * cleanly on SIGTERM.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cli, tempDir, tpv } from '../helpers.js';
import { type Harness, online, postEnrol, startHarness } from './server-harness.js';

const root = tempDir('tpv-server-cli-');
const fresh = (): string => mkdtempSync(join(root, 'data-'));

let running: Harness[] = [];
let children: ChildProcess[] = [];
afterEach(async () => {
  for (const h of running) await h.stop();
  running = [];
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
});

describe('tpv server terminals', () => {
  it('add prints a one-time code; list shows each till; revoke cuts it off — beside a running server', async () => {
    const dir = fresh();
    const add = await cli(['server', 'terminals', 'add', 'T02', '--name', 'Caja 2', '--data', dir, '--json']);
    expect(add.code).toBe(0);
    expect(add.json.data).toMatchObject({ code: 'T02', name: 'Caja 2', enrol_code: expect.stringMatching(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/) });
    expect(statSync(join(dir, 'server.db')).mode & 0o777).toBe(0o600);

    const human = await cli(['server', 'terminals', 'add', 'T03', '--data', dir]);
    expect(human.code).toBe(0);
    const t03code = /^ {2}(\S{19})$/m.exec(human.stdout)?.[1];
    expect(human.stdout).toContain(`tpv sync register --server ws://HOST:8787 --code ${t03code}`);

    // the server runs on the data dir; the commands work beside it
    const h = await startHarness(root, { dir, pingMs: 300 });
    running.push(h);
    const enrol = await postEnrol(h, { code: add.json.data.enrol_code, register: 'T02' });
    expect(enrol.status).toBe(200);
    const { till } = await online(h, 'T02', enrol.body.token);
    await till.ask({ type: 'heartbeat', at: new Date(Date.now() - 2000).toISOString(), version: '0.1.0', backlog: 37, last_z: 'T02Z-000004' });
    await till.ask({ type: 'events', events: [{ id: '01a1fd8c-6900-7a9e-aa46-825a3e797c8b', seq: 1, type: 'no_sale', version: 1, at: '2026-11-21T10:00:00.000Z', payload: JSON.stringify({ user: 'admin', reason: 'cambio', drawer: 'drawer', at: '2026-11-21T10:00:00.000Z', approval: null }) }] });

    const list = await cli(['server', 'terminals', 'list', '--data', dir, '--json']);
    expect(list.code).toBe(0);
    const [t02, t03] = list.json.data.terminals;
    expect(t02).toMatchObject({ code: 'T02', name: 'Caja 2', state: 'online', online: true, version: '0.1.0', backlog: 37, hwm: 1, last_event_at: '2026-11-21T10:00:00.000Z', last_z: 'T02Z-000004', diverged: false, quarantined: 0 });
    expect(t02.skew_ms).toBeGreaterThanOrEqual(2000);
    expect(t03).toMatchObject({ code: 'T03', state: 'not_enrolled', online: false, hwm: 0 });
    const table = await cli(['server', 'terminals', 'list', '--data', dir]);
    expect(table.stdout).toMatch(/^T02\s+Caja 2\s+online\s+0\.1\.0\s+37\s+1\s+2026-11-21 10:00:00Z\s+T02Z-000004\s+\d+\.\d s\s+no\s+0$/m);
    expect(table.stdout).toMatch(/^T03\s+T03\s+not enrolled\s/m);

    // an enrolled terminal is not added twice
    const twice = await cli(['server', 'terminals', 'add', 'T02', '--data', dir]);
    expect(twice.code).toBe(5);
    expect(twice.stderr).toContain('revoke it first');

    const revoke = await cli(['server', 'terminals', 'revoke', 'T02', '--data', dir]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain('T02 revoked');
    // the open socket is cut off, the token refused from now on
    expect(await till.next()).toMatchObject({ type: 'error', code: 'revoked' });
    expect((await cli(['server', 'terminals', 'list', '--data', dir, '--json'])).json.data.terminals[0].state).toBe('revoked');

    // a revoked terminal may be enrolled again with a new code
    expect((await cli(['server', 'terminals', 'add', 'T02', '--data', dir])).code).toBe(0);
  });

  it('refuses a bad code (3), an unknown terminal (4), a data dir that does not exist (4), --data with --database (2)', async () => {
    const dir = fresh();
    const bad = await cli(['server', 'terminals', 'add', 't 2', '--data', dir]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('is not a register code');
    expect((await cli(['server', 'terminals', 'add', 'T02', '--name', 'Caja\u001b[2J', '--data', dir])).code).toBe(3);
    const nothing = join(root, 'nowhere');
    const list = await cli(['server', 'terminals', 'list', '--data', nothing]);
    expect(list.code).toBe(4);
    expect(existsSync(nothing)).toBe(false);
    expect((await cli(['server', 'terminals', 'add', 'T02', '--data', dir])).code).toBe(0);
    const unknown = await cli(['server', 'terminals', 'revoke', 'T09', '--data', dir, '--json']);
    expect(unknown.code).toBe(4);
    expect(unknown.json.error.code).toBe('server.terminal_unknown');
    expect((await cli(['server', 'terminals', 'list', '--data', dir, '--database', 'postgres://localhost/x'])).code).toBe(2);
  });

  it('keeps its data beside the till database by default', async () => {
    const dir = fresh();
    const r = await cli(['--db', join(dir, 'tpv.db'), 'server', 'terminals', 'add', 'T02', '--json']);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'server', 'server.db'))).toBe(true);
    expect((await cli(['--db', join(dir, 'tpv.db'), 'server', 'terminals', 'list', '--json'])).json.data.terminals).toHaveLength(1);
  });
});

/** Starts the built `tpv server`; resolves with the URL it prints on stderr. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', ...args], { env: { ...process.env, TPV_LANG: 'en', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const url = /listening on (wss?:\/\/\S+)/.exec(err)?.[1];
      if (url) resolve({ child, url, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`tpv server exited (${code}): ${err}`)));
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.on('exit', (code) => resolve(code)));

describe('tpv server', () => {
  it('serves until SIGTERM, then stops cleanly; a second one on its data dir fails at once', async () => {
    const dir = fresh();
    const { child, url, stderr } = await serve(['--data', dir]);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const second = await tpv(['server', '--listen', '127.0.0.1:0', '--data', dir]);
    expect(second.code).toBe(5);
    expect(second.stderr).toContain(`another tpv server (pid ${child.pid}) is using the data folder ${dir}`);
    // it answers: an upgrade without a token is refused
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${url}/sync`);
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(stderr()).toMatch(/ refused .*status=401/);
    expect(stderr()).toMatch(/ stopped$/m);
    expect(existsSync(join(dir, 'server.pid'))).toBe(false);
  });

  it('serves wss with --tls-cert and --tls-key', async () => {
    const dir = fresh();
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const { child, url } = await serve(['--data', join(dir, 'data'), '--tls-cert', cert, '--tls-key', key]);
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${url}/sync`, { ca: readFileSync(cert) });
      ws.on('error', reject);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('refuses a bad --listen and half a TLS pair as usage errors, before touching the data dir', async () => {
    const dir = join(root, 'untouched');
    const listen = await cli(['server', '--listen', 'localhost', '--data', dir]);
    expect(listen.code).toBe(2);
    expect(listen.stderr).toContain('--listen must be HOST:PORT');
    expect((await cli(['server', '--listen', '127.0.0.1:99999', '--data', dir])).code).toBe(2);
    expect((await cli(['server', '--tls-cert', 'c.pem', '--data', dir])).code).toBe(2);
    expect(existsSync(dir)).toBe(false);
  });
});
