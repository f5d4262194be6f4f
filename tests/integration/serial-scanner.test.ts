/**
 * A scanner on a real serial port: socat makes a pair of pseudo-terminals, tpv opens one as the
 * scanner's port and the test types scans into the other, as the scanner would.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialPortMock } from 'serialport';
import { openSerialScanner, type ScannerHandle, type ScannerOptions, scanPort } from '../../src/devices/scanner.js';
import { tempDir, until } from '../helpers.js';

const dir = tempDir('tpv-scanner-');
const children: ChildProcess[] = [];
const fds: number[] = [];

/** A socat pty pair: `scanner` is the port tpv opens, `host` the fd the test types into. */
async function ptyPair(name: string): Promise<{ scanner: string; host: number; socat: ChildProcess }> {
  const scanner = join(dir, `${name}-scanner`);
  const hostPath = join(dir, `${name}-host`);
  const socat = spawn('socat', ['-d', '-d', `pty,rawer,link=${scanner}`, `pty,rawer,link=${hostPath}`], { stdio: 'ignore' });
  children.push(socat);
  await until(() => existsSync(scanner) && existsSync(hostPath), 'socat to create the pty pair');
  const host = openSync(hostPath, constants.O_RDWR | constants.O_NOCTTY);
  fds.push(host);
  return { scanner, host, socat };
}

let scannerPath: string;
let host: number;

beforeAll(async () => {
  ({ scanner: scannerPath, host } = await ptyPair('main'));
});

afterAll(() => {
  for (const fd of fds) closeSync(fd);
  for (const child of children) child.kill();
});

/** Opens the scanner on a pty and collects what it reports. */
async function scanner(opts: ScannerOptions, path = scannerPath): Promise<{ scans: string[]; errors: Error[]; handle: ScannerHandle }> {
  const scans: string[] = [];
  const errors: Error[] = [];
  const handle = await openSerialScanner({ path, baudRate: 9600, ...opts }, (code) => scans.push(code), (e) => errors.push(e));
  return { scans, errors, handle };
}

const type = (text: string): void => void writeSync(host, text);

describe('openSerialScanner on a pseudo-terminal', () => {
  it('reports scans ended by CRLF, LF and a CRLF split in two writes, in order', async () => {
    const { scans, errors, handle } = await scanner({ suffix: 'crlf' });
    try {
      type('8412345678905\r\n');
      type('ABC-123\n');
      type(']E04006381333931\r');
      await until(() => scans.length >= 3, 'three scans');
      type('\n');
      type('XYZ\r\n');
      await until(() => scans.length >= 4, 'the fourth scan');
      expect(scans).toEqual(['8412345678905', 'ABC-123', ']E04006381333931', 'XYZ']);
      expect(errors).toEqual([]);
    } finally {
      await handle.close();
    }
  });

  it("with suffix 'none' a silence ends each scan (and the prefix is stripped)", async () => {
    const { scans, handle } = await scanner({ suffix: 'none', interByteMs: 30, stripPrefix: 'aim' });
    try {
      type(']E08412345678905');
      await until(() => scans.length >= 1, 'the first scan (after its silence)');
      type(']C1LOT-42');
      await until(() => scans.length >= 2, 'the second scan');
      expect(scans).toEqual(['8412345678905', 'LOT-42']);
    } finally {
      await handle.close();
    }
  });

  it('a port held by another scanner is busy; a missing one is not found', async () => {
    const first = await scanner({ suffix: 'crlf' });
    try {
      await expect(scanner({ suffix: 'crlf' })).rejects.toMatchObject({ kind: 'device', code: 'device.busy', params: { path: scannerPath } });
    } finally {
      await first.handle.close();
    }
    const missing = join(dir, 'nothing');
    await expect(openSerialScanner({ path: missing, baudRate: 9600, suffix: 'lf' }, () => undefined, () => undefined)).rejects.toMatchObject({
      code: 'device.not_found',
      params: { path: missing },
    });
  });

  it("opens the port with the link's line settings (parity, stop bits, RTS/CTS, speed), and locks it", async () => {
    // what the kernel holds for the port, as stty reads it (a pty keeps these flags; it forces cs8
    // and no parity enable, so data bits and PARENB cannot be seen on one)
    const termios = (): string[] => execFileSync('stty', ['-F', scannerPath, '-a']).toString().split(/[\s;]+/);
    const opened = async (link: Partial<Parameters<typeof openSerialScanner>[0]>): Promise<ScannerHandle> =>
      openSerialScanner({ path: scannerPath, baudRate: 9600, suffix: 'crlf', ...link }, () => undefined, () => undefined);
    const even = await opened({ parity: 'even' });
    try {
      expect(termios()).toEqual(expect.arrayContaining(['-parodd', '-cstopb', '-crtscts', '9600']));
    } finally {
      await even.close();
    }
    const odd = await opened({ baudRate: 19200, dataBits: 7, parity: 'odd', stopBits: 2, rtscts: true });
    try {
      expect(termios()).toEqual(expect.arrayContaining(['parodd', 'cstopb', 'crtscts', '19200']));
      // locked like the printer's port: a second opener is told it is busy
      await expect(scanner({ suffix: 'crlf' })).rejects.toMatchObject({ code: 'device.busy' });
    } finally {
      await odd.close();
    }
    const plain = await opened({});
    try {
      expect(termios()).toEqual(expect.arrayContaining(['-cstopb', '-crtscts', '9600']));
    } finally {
      await plain.close();
    }
  });

  it('reports an unplugged scanner as device.disconnected', async () => {
    const pair = await ptyPair('unplug');
    const { errors, handle } = await scanner({ suffix: 'crlf' }, pair.scanner);
    try {
      pair.socat.kill();
      await until(() => errors.length > 0, 'the disconnect');
      expect(errors[0]).toMatchObject({ kind: 'device', code: 'device.disconnected', params: { path: pair.scanner } });
    } finally {
      await handle.close();
    }
  });
});

describe('scanPort with the mock binding', () => {
  it('reads scans, maps a locked port and a missing one', async () => {
    // the mock binding serialport itself loaded (importing @serialport/binding-mock from ESM would
    // give a second copy, with its own list of ports)
    const mock = SerialPortMock.binding;
    mock.reset();
    mock.createPort('/dev/mockscanner');
    const port = new SerialPortMock({ path: '/dev/mockscanner', baudRate: 9600, autoOpen: false });
    const scans: string[] = [];
    const handle = await scanPort(port, { suffix: 'cr' }, (code) => scans.push(code), () => undefined);
    port.port!.emitData(Buffer.from('12345\r67'));
    port.port!.emitData(Buffer.from('890\r'));
    await until(() => scans.length >= 2, 'two scans');
    expect(scans).toEqual(['12345', '67890']);

    const again = new SerialPortMock({ path: '/dev/mockscanner', baudRate: 9600, autoOpen: false });
    await expect(scanPort(again, { suffix: 'cr' }, () => undefined, () => undefined)).rejects.toMatchObject({ code: 'device.busy' });
    await handle.close();

    const ghost = new SerialPortMock({ path: '/dev/ghost', baudRate: 9600, autoOpen: false });
    await expect(scanPort(ghost, { suffix: 'cr' }, () => undefined, () => undefined)).rejects.toMatchObject({ code: 'device.not_found' });
  });

  it('closes the port and reports device.disconnected once the device node is gone', async () => {
    SerialPortMock.binding.createPort('/dev/mockgone');
    const port = new SerialPortMock({ path: '/dev/mockgone', baudRate: 9600, autoOpen: false });
    const errors: Error[] = [];
    let plugged = true;
    const handle = await scanPort(port, { suffix: 'cr' }, () => undefined, (e) => errors.push(e), () => plugged);
    plugged = false;
    await until(() => errors.length > 0 && !port.isOpen, 'the presence check');
    expect(errors).toEqual([expect.objectContaining({ code: 'device.disconnected', params: { path: '/dev/mockgone' } })]);
    await handle.close();
    expect(errors).toHaveLength(1);
  });
});
