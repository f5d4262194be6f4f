/**
 * Port diagnostics on real parts: a fake /dev + /sys tree in a temp folder for the scans, a real
 * socat pty pair held open for "who holds the port", real lock files and the real /proc.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSerialPorts, listUsbPrinters, parseIeee1284, parseLockPid, portStatus, serialAccess } from '../../src/devices/ports.js';
import { tempDir, until } from '../helpers.js';

const root = tempDir('tpv-ports-');

function file(path: string, content = ''): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

function link(path: string, target: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}

describe('scanning a fake /dev and /sys', () => {
  const dev = join(root, 'dev');
  const sys = join(root, 'sys');
  const usb1 = join(sys, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1');

  /** A tty in sysfs the way the kernel lays it out: class/tty/<name> → devices/…, device → parent. */
  function sysTty(name: string, ttyDir: string, deviceLink: string): void {
    mkdirSync(join(sys, ttyDir), { recursive: true });
    link(join(sys, ttyDir, 'device'), deviceLink);
    link(join(sys, 'class', 'tty', name), join('..', '..', ttyDir));
  }

  function usbDevice(dir: string, ids: Record<string, string>): void {
    for (const [k, v] of Object.entries(ids)) file(join(usb1, dir, k), v + '\n');
  }

  beforeAll(() => {
    // A CDC-ACM scanner (device → the USB interface; ids on the USB device above it), with by-id.
    file(join(dev, 'ttyACM0'));
    link(join(dev, 'serial', 'by-id', 'usb-Acme_Scanner_123-if00'), '../../ttyACM0');
    link(join(dev, 'serial', 'by-id', 'usb-Gone_Device-if00'), '../../ttyUSB9'); // dangling
    usbDevice('1-2', { idVendor: '0C2E', idProduct: '0b61', serial: '123', manufacturer: 'Acme' });
    sysTty('ttyACM0', 'devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/tty/ttyACM0', '../../../1-2:1.0');
    // An FTDI adapter (device → the usb-serial port; ids two levels up), without by-id.
    file(join(dev, 'ttyUSB0'));
    usbDevice('1-3', { idVendor: '0403', idProduct: '6001', serial: 'A10K', manufacturer: 'FTDI' });
    sysTty('ttyUSB0', 'devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB0/tty/ttyUSB0', '../../../ttyUSB0');
    // No ids anywhere inside sys (an idVendor above the sys root must not be picked up).
    file(join(dev, 'ttyUSB1'));
    file(join(root, 'idVendor'), 'ffff');
    sysTty('ttyUSB1', 'devices/virtual/odd/tty/ttyUSB1', '..');
    // Built-in UARTs: ttyS0 is real (type 4 = 16550A), ttyS1 a placeholder (type 0).
    file(join(dev, 'ttyS0'));
    file(join(dev, 'ttyS1'));
    file(join(sys, 'devices/platform/serial8250/tty/ttyS0/type'), '4\n');
    file(join(sys, 'devices/platform/serial8250/tty/ttyS1/type'), '0\n');
    link(join(sys, 'class/tty/ttyS0'), '../../devices/platform/serial8250/tty/ttyS0');
    link(join(sys, 'class/tty/ttyS1'), '../../devices/platform/serial8250/tty/ttyS1');
    file(join(dev, 'tty0')); // not a serial port
    // A usblp receipt printer; ieee1284_id lives on the USB interface.
    file(join(dev, 'usb', 'lp0'));
    file(join(dev, 'usb', 'lp1'));
    file(join(dev, 'usb', 'hiddev0'));
    file(join(usb1, '1-4/1-4:1.0/ieee1284_id'), 'MFG:EPSON;CMD:ESC/POS;MDL:TM-T20III;CLS:PRINTER;');
    link(join(usb1, '1-4/1-4:1.0/usbmisc/lp0/device'), '../../../1-4:1.0');
    link(join(sys, 'class/usbmisc/lp0'), '../../devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.0/usbmisc/lp0');
  });

  it('finds by-id names, ttyUSB/ttyACM and real UARTs once each, with USB ids from sysfs', async () => {
    const ports = await listSerialPorts({ devDir: dev, sysDir: sys });
    expect(ports).toEqual([
      {
        path: join(dev, 'ttyACM0'),
        byId: join(dev, 'serial', 'by-id', 'usb-Acme_Scanner_123-if00'),
        manufacturer: 'Acme',
        vendorId: '0c2e',
        productId: '0b61',
        serialNumber: '123',
        source: 'scan',
      },
      { path: join(dev, 'ttyS0'), byId: null, manufacturer: null, vendorId: null, productId: null, serialNumber: null, source: 'scan' },
      { path: join(dev, 'ttyUSB0'), byId: null, manufacturer: 'FTDI', vendorId: '0403', productId: '6001', serialNumber: 'A10K', source: 'scan' },
      { path: join(dev, 'ttyUSB1'), byId: null, manufacturer: null, vendorId: null, productId: null, serialNumber: null, source: 'scan' },
    ]);
  });

  it('finds usblp printers with the model from the IEEE-1284 id', async () => {
    expect(await listUsbPrinters({ devDir: dev, sysDir: sys })).toEqual([
      { path: join(dev, 'usb', 'lp0'), model: 'TM-T20III', manufacturer: 'EPSON' },
      { path: join(dev, 'usb', 'lp1'), model: null, manufacturer: null },
    ]);
  });

  it('copes with an empty or missing tree', async () => {
    expect(await listSerialPorts({ devDir: join(root, 'nope'), sysDir: join(root, 'nope') })).toEqual([]);
    expect(await listUsbPrinters({ devDir: join(root, 'nope') })).toEqual([]);
  });

  it('parses IEEE-1284 ids and lock file contents', () => {
    expect(parseIeee1284('MANUFACTURER:Star;MODEL:TSP100 ;COMMAND SET:STAR;')).toEqual({ MANUFACTURER: 'Star', MODEL: 'TSP100', 'COMMAND SET': 'STAR' });
    expect(parseLockPid(Buffer.from('      4242\n'))).toBe(4242);
    const bin = Buffer.alloc(4);
    bin.writeInt32LE(4242);
    expect(parseLockPid(bin)).toBe(4242);
    expect(parseLockPid(Buffer.from('garbage\n'))).toBeNull();
  });
});

describe('a port held open (socat pty pair)', () => {
  const dir = join(root, 'pty');
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  let socat: ChildProcess;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    socat = spawn('socat', ['-d', '-d', `pty,rawer,link=${a}`, `pty,rawer,link=${b}`], { stdio: 'ignore' });
    await until(() => existsSync(a) && existsSync(b), 'socat links');
  });
  afterAll(() => {
    socat?.kill();
  });

  it('names socat as the holder', async () => {
    const status = await portStatus(a);
    expect(status).toMatchObject({ exists: true, readable: true, writable: true, lockFile: null });
    const holder = status.holders.find((h) => h.pid === socat.pid);
    expect(holder?.command).toContain('socat');
    expect(holder?.user).toBe(userInfo().username);
    expect(status.holders.map((h) => h.pid)).not.toContain(process.pid);
  });

  it('sees this process when it opens the other end, unless told to leave it out', async () => {
    const fd = openSync(b, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    try {
      const pids = (await portStatus(b)).holders.map((h) => h.pid);
      expect(pids).toContain(process.pid);
      expect(pids).toContain(socat.pid);
      const others = (await portStatus(b, { excludeSelf: true })).holders.map((h) => h.pid);
      expect(others).not.toContain(process.pid);
      expect(others).toContain(socat.pid);
    } finally {
      closeSync(fd);
    }
  });

  it('reads UUCP lock files and says whether their owner lives', async () => {
    const lockDir = join(root, 'lock');
    const lock = join(lockDir, 'LCK..a');
    const dead = spawnSync('true').pid;
    file(lock, `${String(dead).padStart(10)}\n`);
    expect((await portStatus(a, { lockDirs: [join(root, 'none'), lockDir] })).lockFile).toEqual({ path: lock, pid: dead, alive: false });
    file(lock, `${String(process.pid).padStart(10)}\n`);
    expect((await portStatus(a, { lockDirs: [lockDir] })).lockFile).toEqual({ path: lock, pid: process.pid, alive: true });
    const bin = Buffer.alloc(4);
    bin.writeInt32LE(process.pid);
    file(lock, bin as unknown as string);
    expect((await portStatus(a, { lockDirs: [lockDir] })).lockFile).toMatchObject({ pid: process.pid, alive: true });
  });

  it('reports a missing port plainly', async () => {
    expect(await portStatus(join(dir, 'missing'), { lockDirs: [] })).toEqual({
      exists: false,
      readable: false,
      writable: false,
      holders: [],
      partial: false,
      lockFile: null,
    });
  });
});

describe('on this machine', () => {
  it('knows the user and the serial group', () => {
    const access = serialAccess();
    expect(access.user).toBe(userInfo().username);
    expect(typeof access.inDialout).toBe('boolean');
    expect(typeof access.dialoutExists).toBe('boolean');
    expect(access.groups.length).toBeGreaterThan(0);
  });

  it('counts dialout (or uucp) membership from the group file', () => {
    const groupFile = join(root, 'group');
    file(groupFile, `root:x:0:\nuucp:x:${process.getegid!()}:\n`);
    expect(serialAccess({ groupFile })).toMatchObject({ inDialout: true, dialoutExists: true, group: 'uucp' });
    file(groupFile, `dialout:x:${process.getegid!() + 4242}:\n`);
    expect(serialAccess({ groupFile })).toMatchObject({ inDialout: false, dialoutExists: true, group: 'dialout' });
  });

  it('lists real ports without udevadm (never throws)', async () => {
    const ports = await listSerialPorts();
    expect(Array.isArray(ports)).toBe(true);
    expect(Array.isArray(await listUsbPrinters())).toBe(true);
  });
});
