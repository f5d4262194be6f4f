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

describe('settings that cannot work are refused, naming the flag', () => {
  it('a scanner is read on a serial port: tcp://, lp: and file: links are refused (exit 3, --url)', async () => {
    for (const url of [`tcp://127.0.0.1:${port}`, '/dev/usb/lp0', `file:${join(dir, 'scans.txt')}`]) {
      const r = await run(['devices', 'add', 'scanner', '--name', 'scan-bad', '--url', url, '--json']);
      expect(r.code, url).toBe(3);
      expect(r.json.error).toMatchObject({ code: 'device.scanner_serial', message: expect.stringContaining('--url') });
    }
    const ok = await run(['devices', 'add', 'scanner', '--name', 'scan-ok', '--url', 'serial:/dev/ttyACM0?baud=9600&parity=odd&stop=2&flow=rtscts', '--json']);
    expect(ok.code).toBe(0);
    // every line setting is kept with the link (it reaches serialport: tests/integration/serial-scanner.test.ts)
    expect(ok.json.data.url).toBe('serial:/dev/ttyACM0?baud=9600&parity=odd&stop=2&flow=rtscts');
    expect((await run(['devices', 'remove', 'scan-ok', '--json'])).code).toBe(0);
  });

  it('a drawer hangs from a printer or has its own link, not both (--url with --printer)', async () => {
    const r = await run(['devices', 'add', 'drawer', '--name', 'drawer2', '--printer', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--json']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('device.drawer_link');
    expect(r.json.error.message).toContain('--url');
    expect(r.json.error.message).toContain('--printer');
  });

  it('--pulse takes ON or ON,OFF in 2…510 ms: extra values, empty parts and words are refused', async () => {
    for (const pulse of ['100,500,300', '100,', ',500', 'abc', '1,500', '100,600']) {
      const r = await run(['devices', 'add', 'drawer', '--name', 'drawer2', '--pulse', pulse, '--json']);
      expect(r.code, pulse).toBe(3);
      expect(r.json.error).toMatchObject({ code: 'device.option', message: expect.stringContaining('--pulse') });
    }
    const one = await run(['devices', 'add', 'drawer', '--name', 'drawer2', '--pulse', '120', '--json']);
    expect(one.json.data).toMatchObject({ onMs: 120, offMs: 500 });
    expect((await run(['devices', 'remove', 'drawer2', '--json'])).code).toBe(0);
  });

  it("a setting of another kind of device is refused, not silently dropped", async () => {
    const cases: [string[], string][] = [
      [['printer', '--name', 'p2', '--url', `tcp://127.0.0.1:${port}`, '--pin', '5'], '--pin'],
      [['display', '--url', 'serial:/dev/ttyUSB1', '--suffix', 'cr'], '--suffix'],
      [['scanner', '--url', 'serial:/dev/ttyACM0', '--open-when', 'low'], '--open-when'],
      [['drawer', '--name', 'drawer2', '--columns', '42'], '--columns'],
    ];
    for (const [args, flag] of cases) {
      const r = await run(['devices', 'add', ...args, '--json']);
      expect(r.code, flag).toBe(3);
      expect(r.json.error).toMatchObject({ code: 'device.flag_kind', message: expect.stringContaining(flag) });
    }
  });

  it('--replace cannot turn the printer a drawer hangs from into another kind (exit 5); it stays a printer', async () => {
    const r = await run(['devices', 'add', 'scanner', '--name', 'printer', '--url', 'serial:/dev/ttyACM0', '--replace', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'device.kind_in_use', message: expect.stringContaining('drawer') });
    const list = await run(['devices', 'list', '--no-detect', '--json']);
    expect(list.json.data.devices.find((d: { name: string }) => d.name === 'printer')).toMatchObject({ kind: 'printer', url: `tcp://127.0.0.1:${port}` });
    // a printer replaced by a printer is fine
    expect((await run(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--columns', '48', '--replace', '--json'])).code).toBe(0);
  });

  it("the simulators check their flags before starting: exit 3 naming the flag", async () => {
    const cases: [string[], string][] = [
      [['printer', '--listen', '127.0.0.1:0', '--count', '0'], '--count'],
      [['printer', '--listen', '127.0.0.1:0', '--count', '2x'], '--count'],
      [['printer', '--listen', 'nowhere'], '--listen'],
      [['printer', '--listen', '127.0.0.1:0', '--state', 'burning'], '--state'],
      [['scanner', '--link', join(dir, 'sim-scanner'), '--scan', '1', '--interval', '-5'], '--interval'],
      [['scanner', '--link', join(dir, 'sim-scanner'), '--scan', '1', '--interval', '1.5'], '--interval'],
      [['scanner', '--link', join(dir, 'sim-scanner'), '--scan', '1', '--suffix', 'tab'], '--suffix'],
      [['scanner', '--link', `${join(dir, 'a')},exec=true`, '--scan', '1'], '--link'],
      [['display', '--link', join(dir, 'sim-display'), '--mode', 'vfd'], '--mode'],
    ];
    for (const [args, flag] of cases) {
      const r = await cli(['devices', 'simulate', ...args, '--json']);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.json.error.message, args.join(' ')).toContain(flag);
    }
  });
});
