/**
 * `tpv doctor` on ports and devices: who holds a port (this store's till is not "another
 * program"), a scan that could not see every process (`partial`), and a device list that cannot
 * be read for another reason than an old database. Real processes (socat on a pty, this process),
 * real database files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, serialFinding } from '../../src/app/doctor.js';
import { type PortStatus, portStatus, processHolds } from '../../src/devices/ports.js';
import { cli, tempDir, until } from '../helpers.js';

const dir = tempDir('tpv-devices-doctor-');
let socat: ChildProcess;
const pty = join(dir, 'pty');

beforeAll(async () => {
  socat = spawn('socat', ['-d', '-d', `pty,rawer,link=${pty}`, 'STDIO'], { stdio: ['pipe', 'ignore', 'ignore'] });
  await until(() => existsSync(pty), 'the pty');
});
afterAll(() => void socat.kill());

const free: PortStatus = { exists: true, readable: true, writable: true, holders: [], partial: false, lockFile: null };
const socatHolder = { pid: 4242, command: 'socat -d -d pty,rawer,link=/tmp/x STDIO', user: 'root' };
const till = { pid: 5151, command: 'node /usr/bin/tpv pos', user: 'caja' };

describe('the finding for a configured serial port', () => {
  const finding = (st: PortStatus, holders: { till: (typeof till)[]; others: (typeof till)[] }) => serialFinding('device.scanner', 'scanner', '/dev/ttyACM0', st, holders, 'caja');

  it('held by this store’s till: ok, in use (no "kill N")', () => {
    const c = finding({ ...free, holders: [till] }, { till: [till], others: [] });
    expect(c).toMatchObject({ status: 'ok', message: { code: 'doctor.port_till', params: { pid: 5151 } }, fix: null });
  });

  it('held by another program: fail, naming it and the pid to stop — even when the till holds it too', () => {
    const c = finding({ ...free, holders: [till, socatHolder] }, { till: [till], others: [socatHolder] });
    expect(c).toMatchObject({ status: 'fail', message: { code: 'doctor.port_held', params: { pid: 4242 } }, fix: { code: 'doctor.fix.port_held', params: { pid: 4242 } } });
  });

  it('nobody seen, but processes of other users could not be looked at: warn, not "available"', () => {
    expect(finding({ ...free, partial: true }, { till: [], others: [] })).toMatchObject({ status: 'warn', message: { code: 'doctor.port_partial' }, fix: { code: 'doctor.fix.port_partial' } });
    // a holder seen is a holder, partial or not
    expect(finding({ ...free, partial: true, holders: [socatHolder] }, { till: [], others: [socatHolder] }).status).toBe('fail');
    expect(finding(free, { till: [], others: [] })).toMatchObject({ status: 'ok', message: { code: 'doctor.port_ok' } });
  });

  it('missing or not ours to open comes first', () => {
    expect(finding({ ...free, exists: false }, { till: [], others: [] }).message.code).toBe('doctor.port_missing');
    expect(finding({ ...free, writable: false, holders: [till] }, { till: [till], others: [] }).message.code).toBe('doctor.port_denied');
  });
});

describe('processHolds: whether a process has a file open', () => {
  it('sees socat holding its pty and this process holding a file it opened; not files they do not hold', async () => {
    expect(await processHolds(socat.pid!, pty)).toBe(true);
    const file = join(dir, 'held.db');
    writeFileSync(file, '');
    expect(await processHolds(process.pid, file)).toBe(false);
    const fd = openSync(file, 'r');
    try {
      expect(await processHolds(process.pid, file)).toBe(true);
      expect(await processHolds(socat.pid!, file)).toBe(false);
    } finally {
      closeSync(fd);
    }
    expect(await processHolds(process.pid, join(dir, 'missing'))).toBe(false);
    // the holders portStatus finds are what doctor sorts into "the till" and "others"
    expect((await portStatus(pty)).holders.map((h) => h.pid)).toContain(socat.pid);
  });
});

describe('the device list', () => {
  let path = '';
  beforeAll(async () => {
    path = join(dir, 'shop.db');
    expect((await cli(['--db', path, 'init', '--demo', '--json'])).code).toBe(0);
    expect((await cli(['--db', path, 'devices', 'add', 'display', '--url', `serial:${pty}`, '--json'])).code).toBe(0);
  });

  it('a configured port held by another program fails with the pid to stop', async () => {
    const r = await runDoctor(path, new Date());
    expect(r.checks.find((c) => c.id === 'device.display')).toMatchObject({ status: 'fail', message: { code: 'doctor.port_held', params: { pid: socat.pid } } });
  });

  it('a list that cannot be read (a damaged row) is a finding, not an empty list', async () => {
    const db = new Database(path);
    db.prepare("INSERT INTO devices (name, kind, url, options, created_at, updated_at) VALUES ('bad', 'printer', 'tcp://127.0.0.1:9', '{not json', 'x', 'x')").run();
    db.close();
    const r = await runDoctor(path, new Date());
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.id === 'devices')).toMatchObject({ status: 'fail', message: { code: 'doctor.devices_unreadable' } });
  });

  it('a database from before devices existed has nothing configured: no finding about it', async () => {
    const db = new Database(path);
    db.exec('DROP TABLE devices');
    db.close();
    const r = await runDoctor(path, new Date());
    expect(r.checks.find((c) => c.id === 'devices')).toBeUndefined();
    expect(r.checks.some((c) => c.id.startsWith('device.'))).toBe(false);
  });
});
