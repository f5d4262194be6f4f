/**
 * The devices the till holds for its run — a serial scanner and a customer display, here on socat
 * pseudo-terminals — when they are unplugged (socat killed: the port vanishes) and plugged back
 * (socat again at the same path): they are reopened with backoff, the cashier is told once when
 * they go and once when they are back (never once per retry), scans flow again and the display
 * shows the last screen again by itself.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DisplayConfig, ScannerConfig } from '../../src/app/devices.js';
import { openDisplay, openScanner, type ReopenOptions } from '../../src/app/peripherals.js';
import { TpvError } from '../../src/core/errors.js';
import { DisplayScreen } from '../../src/devices/display.js';
import { tempDir, until } from '../helpers.js';

const dir = tempDir('tpv-devices-reopen-');
const children: ChildProcessWithoutNullStreams[] = [];
const fds = new Set<number>();
afterAll(() => {
  for (const fd of fds) closeSync(fd);
  for (const c of children) c.kill();
});

/** socat with `args`, waiting for each of `links` to exist. */
async function socat(args: string[], links: string[]): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn('socat', ['-d', '-d', ...args]);
  child.stderr.resume();
  children.push(child);
  await until(() => links.every((l) => existsSync(l)), 'the pseudo-terminals');
  return child;
}

function unplug(child: ChildProcessWithoutNullStreams, links: string[]): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => void until(() => links.every((l) => !existsSync(l)), 'the links gone').then(() => resolve()));
    child.kill();
  });
}

/** Quick retries for the test: every wait is the cap (random 1), and each failed attempt is counted. */
function quick(): { opts: ReopenOptions; retries: number[] } {
  const retries: number[] = [];
  return { retries, opts: { baseMs: 10, capMs: 40, random: () => 1, onRetry: (n) => retries.push(n) } };
}

const codes = (news: Error[]): string[] => news.map((e) => (e instanceof TpvError ? e.code : e.message));

describe('a serial scanner held by the till', () => {
  const port = join(dir, 'scanner');
  const hostPath = join(dir, 'scanner-host');
  const config: ScannerConfig = {
    kind: 'scanner',
    name: 'scanner',
    url: `serial:${port}?baud=9600&parity=odd&stop=2`,
    suffix: 'crlf',
    interByteMs: 50,
    stripPrefix: '',
    stripSuffix: '',
  };
  const plugIn = async (): Promise<{ child: ChildProcessWithoutNullStreams; host: number }> => {
    const child = await socat([`pty,rawer,link=${port}`, `pty,rawer,link=${hostPath}`], [port, hostPath]);
    const host = openSync(hostPath, constants.O_RDWR | constants.O_NOCTTY);
    fds.add(host);
    return { child, host };
  };
  const pull = async (p: { child: ChildProcessWithoutNullStreams; host: number }): Promise<void> => {
    closeSync(p.host);
    fds.delete(p.host);
    await unplug(p.child, [port, hostPath]);
  };

  it('unplugged, it is told once, retried with backoff, told once when back, and scans again', async () => {
    let plugged = await plugIn();
    const scans: string[] = [];
    const news: Error[] = [];
    const { opts, retries } = quick();
    const scanner = await openScanner(config, (c) => scans.push(c), (e) => news.push(e), opts);
    try {
      // the link's line settings reached the port (odd parity, two stop bits)
      expect(execFileSync('stty', ['-F', port, '-a']).toString().split(/[\s;]+/)).toEqual(expect.arrayContaining(['parodd', 'cstopb']));
      writeSync(plugged.host, '8412345678905\r\n');
      await until(() => scans.length === 1, 'the first scan');

      await pull(plugged);
      await until(() => news.length >= 1, 'the loss');
      // it keeps trying while the port is gone, and says nothing more
      await until(() => retries.length >= 4, 'several attempts');
      expect(codes(news)).toEqual(['scanner.lost']);
      expect(news[0]!.message).toBeTruthy();

      plugged = await plugIn();
      await until(() => news.length >= 2, 'the scanner back');
      expect(codes(news)).toEqual(['scanner.lost', 'device.reconnected']);
      expect((news[1] as TpvError).params).toEqual({ name: 'scanner' });
      writeSync(plugged.host, 'LAC-001\r\n');
      await until(() => scans.length === 2, 'a scan after the replug');
      expect(scans).toEqual(['8412345678905', 'LAC-001']);
    } finally {
      await scanner.close();
    }
    // closed: the port is let go (another program may open it) and nothing is retried
    const again = await openScanner(config, () => undefined, () => undefined);
    await again.close();
    await pull(plugged);
  });

  it('a scanner missing when the till starts is told once, and found when it is plugged in', async () => {
    const news: Error[] = [];
    const scans: string[] = [];
    const { opts, retries } = quick();
    const scanner = await openScanner(config, (c) => scans.push(c), (e) => news.push(e), opts);
    let plugged: Awaited<ReturnType<typeof plugIn>> | undefined;
    try {
      expect(codes(news)).toEqual(['scanner.lost']);
      expect((news[0] as TpvError).params.detail).toContain(port);
      await until(() => retries.length >= 3, 'several attempts');
      expect(news).toHaveLength(1);
      plugged = await plugIn();
      await until(() => news.length >= 2, 'the scanner found');
      writeSync(plugged.host, 'ABC\r\n');
      await until(() => scans.length === 1, 'a scan');
      expect(codes(news)).toEqual(['scanner.lost', 'device.reconnected']);
    } finally {
      await scanner.close();
    }
    await pull(plugged);
  });

  it('a scanner configured on a link that is not serial is refused at once (nothing to retry)', async () => {
    await expect(openScanner({ ...config, url: 'tcp://127.0.0.1:9100' }, () => undefined, () => undefined)).rejects.toMatchObject({ code: 'scanner.serial_only' });
  });
});

describe('a customer display held by the till', () => {
  const port = join(dir, 'display');
  const config: DisplayConfig = { kind: 'display', name: 'display', url: `serial:${port}`, mode: 'epson', welcome: '' };
  /** The display: socat's other side is our stdin/stdout, its bytes fed to a screen model. */
  const plugIn = async (): Promise<{ child: ChildProcessWithoutNullStreams; screen: DisplayScreen }> => {
    const child = await socat([`pty,rawer,link=${port}`, 'STDIO'], [port]);
    const screen = new DisplayScreen('epson');
    child.stdout.on('data', (d: Buffer) => screen.feed(new Uint8Array(d)));
    return { child, screen };
  };
  const shows = (screen: DisplayScreen, top: string): boolean => screen.lines[0].trim() === top;

  it('unplugged, it is told once and retried; once back it shows the last screen again by itself', async () => {
    let plugged = await plugIn();
    const news: Error[] = [];
    const { opts, retries } = quick();
    const display = await openDisplay(config, (e) => news.push(e), opts);
    try {
      await display.show(['Bienvenidos', '']);
      await until(() => shows(plugged.screen, 'Bienvenidos'), 'the welcome');

      await unplug(plugged.child, [port]);
      // the till goes on selling: updates never reject, the loss is told once
      await display.show(['Leche entera', 'TOTAL 0,99']);
      await until(() => news.length >= 1, 'the loss');
      await display.show(['Pan', 'TOTAL 1,99']);
      await until(() => retries.length >= 4, 'several attempts');
      expect(codes(news)).toEqual(['display.lost']);

      plugged = await plugIn();
      await until(() => news.length >= 2, 'the display back');
      expect(codes(news)).toEqual(['display.lost', 'device.reconnected']);
      // the last lines shown while it was gone are on it now, without another update
      await until(() => shows(plugged.screen, 'Pan'), 'the last screen again');
      expect(plugged.screen.lines[1]).toBe('TOTAL 1,99'.padEnd(20));
      await display.show(['Gracias', '']);
      await until(() => shows(plugged.screen, 'Gracias'), 'the next update');
    } finally {
      await display.close();
    }
    expect(news).toHaveLength(2);
    plugged.child.kill();
  });

  it('a display missing at start: openDisplay resolves, tells once, and shows the screen when it appears', async () => {
    const news: Error[] = [];
    const { opts } = quick();
    const display = await openDisplay(config, (e) => news.push(e), opts);
    try {
      await display.show(['Hola', '']);
      expect(codes(news)).toEqual(['display.lost']);
      const plugged = await plugIn();
      await until(() => shows(plugged.screen, 'Hola'), 'the screen once it is there');
      expect(codes(news)).toEqual(['display.lost', 'device.reconnected']);
      plugged.child.kill();
    } finally {
      await display.close();
    }
  });
});
