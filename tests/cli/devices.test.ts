/** Configuring devices from the CLI (in-process): refusals naming the flag, a drawer hanging from its printer, --replace, in use. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, type RunResult, tempDir } from '../helpers.js';

const dir = tempDir('tpv-devices-');
const DB = join(dir, 'shop.db');
const run = (args: string[], opts: Parameters<typeof cli>[1] = {}): Promise<RunResult> => cli(['--db', DB, ...args], opts);
let port = 0;

beforeAll(async () => {
  expect((await run(['init', '--demo', '--json'])).code).toBe(0);
  expect((await run(['users', 'add', 'ana', '--name', 'Ana', '--role', 'cashier', '--json'], { input: '2468\n' })).code).toBe(0);
  port = await freePort();
});

describe('configuring devices', () => {
  it('refuses bad settings naming the flag, and writes nothing', async () => {
    const cols = await run(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--columns', '40', '--json']);
    expect(cols.code).toBe(3);
    expect(cols.json.error).toMatchObject({ code: 'device.option', message: expect.stringContaining('--columns') });
    const url = await run(['devices', 'add', 'printer', '--url', 'tcp://127.0.0.1:99999', '--json']);
    expect(url.code).toBe(3);
    expect(url.json.error.code).toBe('device.url');
    const profile = await run(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--profile', 'epson-tm-9000', '--json']);
    expect(profile.code).toBe(3);
    expect(profile.json.error.code).toBe('device.profile');
    expect((await run(['devices', 'add', 'drawer', '--pin', '3', '--json'])).json.error.message).toContain('--pin');
    const asCashier = await run(['--user', 'ana', 'devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--json'], { env: { TPV_PIN: '2468' } });
    expect(asCashier.code).toBe(5);
    expect((await run(['devices', 'list', '--no-detect', '--json'])).json.data.devices).toEqual([]);
  });

  it('adds the printer and a drawer hanging from it; list shows them; a second add needs --replace', async () => {
    const p = await run(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--profile', 'epson-tm-t20iii', '--columns', '42', '--json']);
    expect(p.code).toBe(0);
    expect(p.json.data).toMatchObject({ kind: 'printer', name: 'printer', profile: 'epson-tm-t20iii', columns: 42, cut: 'partial', code: 'code128' });
    expect((await run(['devices', 'add', 'drawer', '--printer', 'printer', '--pin', '2', '--json'])).code).toBe(0);
    const again = await run(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--json']);
    expect(again.code).toBe(5);
    expect(again.json.error.code).toBe('device.exists');
    const list = await run(['devices', 'list', '--no-detect', '--json']);
    expect(list.json.data.devices.map((d: { name: string; kind: string }) => `${d.kind}:${d.name}`)).toEqual(['drawer:drawer', 'printer:printer']);
    expect((await run(['devices', 'remove', 'printer', '--json'])).json.error.code).toBe('device.in_use');
  });
});
