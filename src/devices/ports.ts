/**
 * Finding the hardware from a shell: which serial ports and USB printers the till has, who holds
 * a port open, stale UUCP lock files, and whether this user may open serial ports at all.
 *
 * Everything here reads the file system (/dev, /sys, /proc, /etc) and never shells out: lsof and
 * fuser are often missing on a till. The one exception is `SerialPort.list()`, which runs
 * `udevadm`; when that is missing or knows nothing we scan /dev and /sys ourselves.
 * The roots (/dev, /sys, /proc, the lock folders, /etc files) are options so tests can point the
 * functions at a temp folder that mimics the layout.
 */
import { constants, readFileSync } from 'node:fs';
import { access, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';

export interface SerialPortInfo {
  /** The device node, resolved (`/dev/ttyACM0`). */
  path: string;
  /** The stable name under /dev/serial/by-id (full path), which survives replugging; null if none. */
  byId: string | null;
  manufacturer: string | null;
  /** Lowercase hex without 0x (`0403`). */
  vendorId: string | null;
  productId: string | null;
  serialNumber: string | null;
  /** Where the data came from: udev (`SerialPort.list()`) or our own /dev + /sys scan. */
  source: 'udev' | 'scan';
}

export interface ScanOptions {
  /** Default '/dev'. Giving another folder skips udev (it only knows the real /dev). */
  devDir?: string;
  /** Default '/sys'. */
  sysDir?: string;
}

const DEV = '/dev';
const SYS = '/sys';

// ─── small file helpers ──────────────────────────────────────────────────────────────────────

/** A file's trimmed text, or null when it is missing or unreadable. */
async function readText(file: string): Promise<string | null> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

/** A folder's entries, or [] when it is missing or unreadable. */
async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** The real path, or null for a dangling link or missing file. */
async function real(file: string): Promise<string | null> {
  try {
    return await realpath(file);
  } catch {
    return null;
  }
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

// ─── serial ports ────────────────────────────────────────────────────────────────────────────

/**
 * The serial ports of this machine. Asks udev first (`SerialPort.list()`); when that fails
 * (no `udevadm`, as in containers and minimal installs) or finds nothing, scans
 * /dev/serial/by-id, /dev/ttyUSB*, /dev/ttyACM* and the built-in /dev/ttyS* that have a UART.
 * Either way the /dev/ttyS* placeholders without hardware (udev lists all 32) are left out.
 * Never throws.
 */
export async function listSerialPorts(opts: ScanOptions = {}): Promise<SerialPortInfo[]> {
  const devDir = opts.devDir ?? DEV;
  const sysDir = opts.sysDir ?? SYS;
  if (devDir === DEV && sysDir === SYS) {
    const fromUdev = await udevPorts();
    const withHardware: SerialPortInfo[] = [];
    for (const p of fromUdev) if (!/^ttyS\d+$/.test(basename(p.path)) || (await hasUart(sysDir, basename(p.path)))) withHardware.push(p);
    if (withHardware.length > 0) return withHardware;
  }
  return scanPorts(devDir, sysDir);
}

/** `SerialPort.list()`, or [] when serialport or udevadm is unavailable (or takes over 5 s). */
async function udevPorts(): Promise<SerialPortInfo[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { SerialPort } = await import('serialport');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('udevadm timed out')), 5000);
      timer.unref();
    });
    const ports = await Promise.race([SerialPort.list(), timeout]);
    return ports.map((p) => ({
      path: p.path,
      byId: p.pnpId ? join(DEV, 'serial', 'by-id', p.pnpId) : null,
      manufacturer: p.manufacturer ?? null,
      vendorId: p.vendorId?.toLowerCase() ?? null,
      productId: p.productId?.toLowerCase() ?? null,
      serialNumber: p.serialNumber ?? null,
      source: 'udev' as const,
    }));
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** Our own scan of /dev, deduplicated by real path, with USB ids from sysfs. */
async function scanPorts(devDir: string, sysDir: string): Promise<SerialPortInfo[]> {
  const byReal = new Map<string, string | null>(); // real path → by-id path
  const byIdDir = join(devDir, 'serial', 'by-id');
  for (const name of (await list(byIdDir)).sort()) {
    const target = await real(join(byIdDir, name));
    if (target && !byReal.get(target)) byReal.set(target, join(byIdDir, name));
  }
  for (const name of (await list(devDir)).sort(naturally)) {
    if (!/^tty(USB|ACM|S)\d+$/.test(name)) continue;
    if (name.startsWith('ttyS') && !(await hasUart(sysDir, name))) continue;
    const target = await real(join(devDir, name));
    if (target && !byReal.has(target)) byReal.set(target, null);
  }
  const ports: SerialPortInfo[] = [];
  for (const [path, byId] of byReal) ports.push({ path, byId, ...(await usbIds(sysDir, basename(path))), source: 'scan' });
  return ports.sort((a, b) => naturally(a.path, b.path));
}

/** ttyUSB2 before ttyUSB10. */
function naturally(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Most PCs have 4-32 /dev/ttyS* nodes, almost all without hardware behind them; the kernel
 * reports those with UART type 0 (unknown) in /sys/class/tty/ttySN/type.
 */
async function hasUart(sysDir: string, name: string): Promise<boolean> {
  const type = await readText(join(sysDir, 'class', 'tty', name, 'type'));
  return type !== null && type !== '0';
}

type UsbIds = Pick<SerialPortInfo, 'manufacturer' | 'vendorId' | 'productId' | 'serialNumber'>;

/**
 * The USB ids of a tty from sysfs: /sys/class/tty/<name>/device points at the USB interface
 * (ttyACM) or the usb-serial port (ttyUSB); the USB device with idVendor is one or two levels up.
 */
async function usbIds(sysDir: string, name: string): Promise<UsbIds> {
  const none: UsbIds = { manufacturer: null, vendorId: null, productId: null, serialNumber: null };
  const device = await real(join(sysDir, 'class', 'tty', name, 'device'));
  const usb = device && (await findUp(device, 'idVendor', sysDir));
  if (!usb) return none;
  return {
    manufacturer: await readText(join(usb, 'manufacturer')),
    vendorId: (await readText(join(usb, 'idVendor')))?.toLowerCase() ?? null,
    productId: (await readText(join(usb, 'idProduct')))?.toLowerCase() ?? null,
    serialNumber: await readText(join(usb, 'serial')),
  };
}

/** The nearest folder from `dir` upwards (staying inside `root`) that holds `file`. */
async function findUp(dir: string, file: string, root: string): Promise<string | null> {
  const top = (await real(root)) ?? root;
  for (let d = dir; isInside(d, top); d = dirname(d)) {
    if ((await readText(join(d, file))) !== null) return d;
    if (d === top) break;
  }
  return null;
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
}

// ─── USB printers ────────────────────────────────────────────────────────────────────────────

export interface UsbPrinterInfo {
  /** `/dev/usb/lp0`, usable as a tpv printer transport. */
  path: string;
  /** From the IEEE-1284 device id (`MDL:`), e.g. `TM-T20III`; null when sysfs does not say. */
  model: string | null;
  /** From the IEEE-1284 device id (`MFG:`), e.g. `EPSON`. */
  manufacturer: string | null;
}

/**
 * The printers of the usblp driver (/dev/usb/lpN) with make and model from
 * /sys/class/usbmisc/lpN/device/ieee1284_id. Parallel /dev/lpN are left out: the node exists
 * whenever the lp module is loaded, printer or not. Never throws.
 */
export async function listUsbPrinters(opts: ScanOptions = {}): Promise<UsbPrinterInfo[]> {
  const devDir = opts.devDir ?? DEV;
  const sysDir = opts.sysDir ?? SYS;
  const names = (await list(join(devDir, 'usb'))).filter((n) => /^lp\d+$/.test(n)).sort(naturally);
  const printers: UsbPrinterInfo[] = [];
  for (const name of names) {
    const id = parseIeee1284((await readText(join(sysDir, 'class', 'usbmisc', name, 'device', 'ieee1284_id'))) ?? '');
    printers.push({ path: join(devDir, 'usb', name), model: id.MDL ?? id.MODEL ?? null, manufacturer: id.MFG ?? id.MANUFACTURER ?? null });
  }
  return printers;
}

/** `MFG:EPSON;CMD:ESC/POS;MDL:TM-T20III;` → { MFG: 'EPSON', CMD: 'ESC/POS', MDL: 'TM-T20III' } (keys uppercased). */
export function parseIeee1284(id: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of id.split(';')) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    const value = part.slice(colon + 1).trim();
    if (value) fields[part.slice(0, colon).trim().toUpperCase()] = value;
  }
  return fields;
}

// ─── who holds a port ────────────────────────────────────────────────────────────────────────

export interface PortHolder {
  pid: number;
  /** The command line (truncated to 80 characters), or the process name. */
  command: string;
  /** The user name, or the numeric uid when /etc/passwd does not know it; null if unreadable. */
  user: string | null;
}

export interface LockFileInfo {
  path: string;
  /** The pid written in the file; null when it cannot be parsed. */
  pid: number | null;
  /** Whether that process still runs (false: a stale lock, safe to delete); null without a pid. */
  alive: boolean | null;
}

export interface PortStatus {
  exists: boolean;
  readable: boolean;
  writable: boolean;
  /** Processes with the device open, one entry per process. */
  holders: PortHolder[];
  /** True when some processes could not be inspected (other users'; retry with sudo). */
  partial: boolean;
  /** The UUCP lock file (LCK..ttyUSB0) if there is one. */
  lockFile: LockFileInfo | null;
}

export interface PortStatusOptions {
  /** Leave this process out of `holders`. */
  excludeSelf?: boolean;
  /** Default '/proc'. */
  procDir?: string;
  /** Where UUCP lock files live; default ['/var/lock', '/run/lock']. */
  lockDirs?: string[];
  /** Default '/etc/passwd'. */
  passwdFile?: string;
}

/**
 * Everything about one port that explains "cannot open": does it exist, may we read and write it,
 * which processes have it open (from /proc/<pid>/fd, so no lsof needed) and its lock file.
 */
export async function portStatus(path: string, opts: PortStatusOptions = {}): Promise<PortStatus> {
  const target = await real(path);
  const [readable, writable] = target ? await Promise.all([canAccess(target, constants.R_OK), canAccess(target, constants.W_OK)]) : [false, false];
  const { holders, partial } = target ? await findHolders(target, opts) : { holders: [], partial: false };
  const names = [...new Set([basename(path), ...(target ? [basename(target)] : [])])];
  return {
    exists: target !== null,
    readable,
    writable,
    holders,
    partial,
    lockFile: await findLockFile(names, opts.lockDirs ?? ['/var/lock', '/run/lock']),
  };
}

async function canAccess(file: string, mode: number): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

/** The processes with an open fd on `target` (a real path), scanning /proc/<pid>/fd. */
async function findHolders(target: string, opts: PortStatusOptions): Promise<{ holders: PortHolder[]; partial: boolean }> {
  const procDir = opts.procDir ?? '/proc';
  const rdev = await charDevice(target);
  const users = await readPasswd(opts.passwdFile ?? '/etc/passwd');
  const holders: PortHolder[] = [];
  let partial = false;
  for (const entry of await list(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (opts.excludeSelf && pid === process.pid) continue;
    const found = await holdsOpen(join(procDir, entry, 'fd'), target, rdev);
    if (found === 'denied') partial = true;
    if (found !== true) continue;
    holders.push({ pid, command: await commandOf(join(procDir, entry)), user: await userOf(join(procDir, entry), users) });
  }
  return { holders, partial };
}

/** The device number of a character device (to match fds whose path reads differently), else null. */
async function charDevice(file: string): Promise<number | null> {
  try {
    const s = await stat(file);
    return s.isCharacterDevice() ? s.rdev : null;
  } catch {
    return null;
  }
}

/**
 * Whether one of the fds in `fdDir` is `target`: by link text, or for a character device by
 * device number (a /dev/... link seen through another mount namespace). 'denied' when the folder
 * is not ours to read; false when the process is gone.
 */
async function holdsOpen(fdDir: string, target: string, rdev: number | null): Promise<boolean | 'denied'> {
  let fds: string[];
  try {
    fds = await readdir(fdDir);
  } catch (e) {
    return errCode(e) === 'EACCES' || errCode(e) === 'EPERM' ? 'denied' : false;
  }
  for (const fd of fds) {
    let link: string;
    try {
      link = await readlink(join(fdDir, fd));
    } catch {
      continue; // closed meanwhile
    }
    if (link === target) return true;
    if (rdev !== null && link.startsWith('/dev/') && (await charDevice(join(fdDir, fd))) === rdev) return true;
  }
  return false;
}

/**
 * Whether process `pid` has `file` open (say, a database: the tpv that holds a port is this
 * store's own till when it also holds this store's database). False when the process is gone or
 * its fds are not ours to read.
 */
export async function processHolds(pid: number, file: string, opts: Pick<PortStatusOptions, 'procDir'> = {}): Promise<boolean> {
  const target = await real(file);
  if (!target) return false;
  return (await holdsOpen(join(opts.procDir ?? '/proc', String(pid), 'fd'), target, null)) === true;
}

/** /proc/<pid>/cmdline with NULs as spaces, at most 80 characters; `comm` for kernel threads. */
async function commandOf(pidDir: string): Promise<string> {
  let command = '';
  try {
    command = (await readFile(join(pidDir, 'cmdline'), 'latin1')).replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    /* gone or hidden */
  }
  if (!command) command = (await readText(join(pidDir, 'comm'))) ?? '?';
  return command.length > 80 ? command.slice(0, 79) + '…' : command;
}

/** The real uid in /proc/<pid>/status, as a user name. */
async function userOf(pidDir: string, users: Map<number, string>): Promise<string | null> {
  const status = await readText(join(pidDir, 'status'));
  const uid = status?.match(/^Uid:\s+(\d+)/m)?.[1];
  if (uid === undefined) return null;
  return users.get(Number(uid)) ?? uid;
}

/** id → name from an /etc/passwd or /etc/group style file (name:x:id:...). */
async function readPasswd(file: string): Promise<Map<number, string>> {
  return parseIdFile((await readText(file)) ?? '');
}

function parseIdFile(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const [id, name] of idEntries(text)) if (!names.has(id)) names.set(id, name);
  return names;
}

/** The [id, name] pairs of an /etc/passwd or /etc/group style text, in file order. */
function idEntries(text: string): [number, string][] {
  const entries: [number, string][] = [];
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id && /^\d+$/.test(id)) entries.push([Number(id), name]);
  }
  return entries;
}

// ─── lock files ──────────────────────────────────────────────────────────────────────────────

/** The first LCK..<name> in the lock folders. */
async function findLockFile(names: string[], lockDirs: string[]): Promise<LockFileInfo | null> {
  for (const dir of lockDirs) {
    for (const name of names) {
      const path = join(dir, `LCK..${name}`);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch {
        continue;
      }
      const pid = parseLockPid(bytes);
      return { path, pid, alive: pid === null ? null : isAlive(pid) };
    }
  }
  return null;
}

/** UUCP lock contents: the pid in ASCII ("%10d\n"), or (old Kermit/HDB) a 4-byte binary int. */
export function parseLockPid(bytes: Uint8Array): number | null {
  const text = Buffer.from(bytes).toString('latin1').trim();
  if (/^\d+$/.test(text)) return Number(text) > 0 ? Number(text) : null;
  if (bytes.length === 4) {
    const pid = Buffer.from(bytes).readInt32LE(0);
    return pid > 0 ? pid : null;
  }
  return null;
}

/** Whether a process runs; a process of another user (EPERM) runs too. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
}

// ─── permissions ─────────────────────────────────────────────────────────────────────────────

export interface SerialAccess {
  user: string;
  groups: string[];
  /** In the group that owns serial ports: `dialout` (Debian/Ubuntu) or `uucp` (Arch). */
  inDialout: boolean;
  /** Whether such a group exists here. */
  dialoutExists: boolean;
  /** The group to add the user to (`dialout`, else `uucp`), null if neither exists. */
  group: string | null;
  /** Root opens every port regardless of groups. */
  isRoot: boolean;
}

/** Who we are and whether our groups let us open serial ports. */
export function serialAccess(opts: { groupFile?: string } = {}): SerialAccess {
  let groupText = '';
  try {
    groupText = readFileSync(opts.groupFile ?? '/etc/group', 'utf8');
  } catch {
    /* no /etc/group: numeric ids only */
  }
  const entries = idEntries(groupText);
  const gids = new Set([...(process.getgroups?.() ?? []), ...(process.getegid ? [process.getegid()] : [])]);
  // Every name of each of our gids (two groups may share one), the bare id when /etc/group has none.
  const groups = [...gids].flatMap((gid) => {
    const names = entries.filter(([id]) => id === gid).map(([, name]) => name);
    return names.length ? names : [String(gid)];
  });
  const known = new Set(entries.map(([, name]) => name));
  const serialGroups = ['dialout', 'uucp'];
  return {
    user: currentUser(),
    groups,
    inDialout: groups.some((g) => serialGroups.includes(g)),
    dialoutExists: serialGroups.some((g) => known.has(g)),
    group: serialGroups.find((g) => known.has(g)) ?? null,
    isRoot: process.geteuid?.() === 0,
  };
}

/** The user name; the uid when the passwd database has no entry (as in some containers). */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? String(process.getuid?.() ?? '?');
  }
}
