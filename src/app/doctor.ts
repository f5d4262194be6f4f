/**
 * `tpv doctor`: one checklist a technician runs over SSH to find out why a till misbehaves.
 * It never changes anything: the database is opened read-only, devices are only asked for status.
 * Each check says ok / warn / fail and, when not ok, the fix to try.
 */
import { accessSync, constants, existsSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type MessageKey, TpvError } from '../core/errors.js';
import { connect, type Sqlite } from '../db/connection.js';
import { migrationStatus, schemaVersion, knownMigrations } from '../db/migrate.js';
import { listSerialPorts, type PortHolder, type PortStatus, portStatus, processHolds, serialAccess } from '../devices/ports.js';
import { parseDeviceUrl } from '../devices/transport.js';
import { type App, appOn } from './context.js';
import { type DeviceConfig, listDevices } from './devices.js';
import { unfinishedImportNotices } from './open.js';
import { auditStore } from './audit.js';
import { listBackups } from './backup.js';
import { printerReport } from './peripherals.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  /** Stable id for fleet monitoring (`database.integrity`, `device.printer`…). */
  id: string;
  status: CheckStatus;
  /** Catalog key and parameters of the finding; `fix` the same for the remedy. */
  message: { code: MessageKey; params: Record<string, string | number> };
  fix: { code: MessageKey; params: Record<string, string | number> } | null;
}

const check = (id: string, status: CheckStatus, code: MessageKey, params: Record<string, string | number> = {}, fix?: MessageKey, fixParams: Record<string, string | number> = params): Check => ({
  id,
  status,
  message: { code, params },
  fix: fix ? { code: fix, params: fixParams } : null,
});

const LOW_DISK = 500 * 1024 * 1024;
const NO_DISK = 50 * 1024 * 1024;

/** Disk space where the database lives: a full disk stops every sale. */
function diskCheck(path: string): Check {
  const s = statfsSync(dirname(path));
  const free = s.bavail * s.bsize;
  const mb = Math.floor(free / 1024 / 1024);
  if (free < NO_DISK) return check('disk', 'fail', 'doctor.disk_full', { mb, dir: dirname(path) }, 'doctor.fix.disk');
  if (free < LOW_DISK) return check('disk', 'warn', 'doctor.disk_low', { mb, dir: dirname(path) }, 'doctor.fix.disk');
  return check('disk', 'ok', 'doctor.disk_ok', { mb });
}

/** The database file: ours, writable (so is its folder, for the WAL), not readable by others. */
function permissionCheck(path: string): Check {
  const st = statSync(path);
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
  } catch {
    return check('permissions', 'fail', 'doctor.perm_denied', { path }, 'doctor.fix.perm_owner', { path, uid: st.uid });
  }
  if (st.mode & 0o077) return check('permissions', 'warn', 'doctor.perm_open', { path, mode: (st.mode & 0o777).toString(8) }, 'doctor.fix.perm_mode', { path });
  return check('permissions', 'ok', 'doctor.perm_ok', { mode: (st.mode & 0o777).toString(8) });
}

function integrityCheck(db: Sqlite): Check {
  const rows = db.prepare('PRAGMA quick_check').pluck().all() as string[];
  if (rows.length === 1 && rows[0] === 'ok') return check('database.integrity', 'ok', 'doctor.integrity_ok');
  return check('database.integrity', 'fail', 'doctor.integrity_bad', { first: rows[0] ?? '?', count: rows.length }, 'doctor.fix.integrity');
}

function migrationCheck(db: Sqlite): Check {
  const version = schemaVersion(db);
  const known = knownMigrations().length;
  if (version > known) return check('database.migrations', 'fail', 'doctor.migrations_newer', { version, known }, 'doctor.fix.upgrade');
  const status = migrationStatus(db);
  const modified = status.filter((m) => m.modified);
  if (modified.length) return check('database.migrations', 'fail', 'doctor.migrations_modified', { tags: modified.map((m) => m.tag).join(', ') }, 'doctor.fix.integrity');
  const pending = status.filter((m) => m.state === 'pending');
  if (pending.length) return check('database.migrations', 'warn', 'doctor.migrations_pending', { count: pending.length }, 'doctor.fix.migrate');
  return check('database.migrations', 'ok', 'doctor.migrations_ok', { version });
}

/** The checks of `tpv audit verify`: the journal, the triggers, every Z report and series. */
function journalCheck(db: Sqlite): Check {
  const r = auditStore(db);
  const first = r.findings[0];
  if (!first) return check('journal', 'ok', 'doctor.journal_ok', { entries: r.journal.entries });
  return check('journal', 'fail', first.code, first.params, 'doctor.fix.journal');
}

/** Imports cut short (killed, or failed on a full disk…) and not run again to their end. */
function importChecks(app: App): Check[] {
  const left = unfinishedImportNotices(app);
  if (!left.length) return [check('imports', 'ok', 'doctor.imports_ok')];
  return left.map((n, i) => check(`imports.${i + 1}`, 'warn', n.code, n.params, 'doctor.fix.import'));
}

/** The clock: a till whose clock went back would date receipts before the ones already issued. */
function clockCheck(db: Sqlite, now: Date): Check {
  const last = db.prepare("SELECT max(created_at) FROM documents").pluck().get() as string | null;
  const iso = now.toISOString();
  if (now.getUTCFullYear() < 2024) return check('clock', 'fail', 'doctor.clock_unset', { now: iso }, 'doctor.fix.clock');
  if (last && Date.parse(last) > now.getTime() + 60_000) return check('clock', 'fail', 'doctor.clock_behind', { now: iso, last }, 'doctor.fix.clock');
  return check('clock', 'ok', 'doctor.clock_ok', { now: iso });
}

/**
 * What a port's holders mean here: a process that also has this store's database open is this
 * store's own tpv (the till holds its scanners and display for its whole run): the port is in use,
 * as it should be, not "held by another program".
 */
async function tillHolders(st: PortStatus, dbPath: string): Promise<{ till: PortHolder[]; others: PortHolder[] }> {
  const till: PortHolder[] = [];
  const others: PortHolder[] = [];
  for (const h of st.holders) ((await processHolds(h.pid, dbPath)) ? till : others).push(h);
  return { till, others };
}

/**
 * The finding for a configured serial port, from its status and who of its holders is this store's
 * till: missing, not ours to open, held by another program (fail, with the pid to stop), in use by
 * the till (ok), free — or, when processes of other users could not be looked at (`partial`), not
 * known to be free (warn: run as root to see them all).
 */
export function serialFinding(id: string, name: string, path: string, st: PortStatus, holders: { till: PortHolder[]; others: PortHolder[] }, user: string): Check {
  if (!st.exists) return check(id, 'fail', 'doctor.port_missing', { name, path }, 'doctor.fix.port_missing');
  if (!st.readable || !st.writable) return check(id, 'fail', 'doctor.port_denied', { name, path }, 'doctor.fix.dialout', { user });
  const other = holders.others[0];
  if (other) return check(id, 'fail', 'doctor.port_held', { name, path, pid: other.pid, command: other.command }, 'doctor.fix.port_held', { pid: other.pid });
  const till = holders.till[0];
  if (till) return check(id, 'ok', 'doctor.port_till', { name, path, pid: till.pid });
  if (st.partial) return check(id, 'warn', 'doctor.port_partial', { name, path }, 'doctor.fix.port_partial');
  return check(id, 'ok', 'doctor.port_ok', { name, path });
}

/** Serial links: the port exists, we may open it, and no other program holds it. */
async function serialCheck(app: App, id: string, name: string, path: string): Promise<Check> {
  const st = await portStatus(path, { excludeSelf: true });
  return serialFinding(id, name, path, st, await tillHolders(st, app.path), serialAccess().user);
}

/** Whether a configured device is there and ready (also the status column of `tpv devices list`). */
export async function deviceCheck(app: App, d: DeviceConfig): Promise<Check> {
  const id = `device.${d.name}`;
  if (d.kind === 'printer') {
    const link = parseDeviceUrl(d.url);
    const port = link.kind === 'serial' ? await serialCheck(app, id, d.name, link.path) : null;
    if (port?.status === 'fail') return port;
    const c = await printerCheck(app, d, id);
    return port?.status === 'warn' && c.status === 'ok' ? port : c;
  }
  if (d.kind === 'drawer' && !d.url) return check(id, 'ok', 'doctor.drawer_via', { name: d.name, printer: d.printer ?? '' });
  return linkCheck(app, id, d);
}

/** What the printer says of itself (or that it cannot be reached). */
async function printerCheck(app: App, d: Extract<DeviceConfig, { kind: 'printer' }>, id: string): Promise<Check> {
  const r = await printerReport(app, d);
  const params = { name: d.name, url: d.url };
  switch (r.state) {
    case 'online':
    case 'one_way':
    case 'no_answer':
    case 'not_asked':
      return check(id, 'ok', `doctor.printer_${r.state}`, params);
    case 'paper_near_end':
      return check(id, 'warn', 'doctor.printer_paper_near_end', params, 'doctor.fix.paper');
    case 'paper_end':
      return check(id, 'fail', 'doctor.printer_paper_end', params, 'doctor.fix.paper');
    case 'cover_open':
      return check(id, 'fail', 'doctor.printer_cover_open', params, 'doctor.fix.cover');
    case 'offline':
      return check(id, 'fail', 'doctor.printer_offline', params, 'doctor.fix.printer_offline');
    case 'unreachable':
      return check(id, 'fail', 'doctor.printer_unreachable', { ...params, detail: r.detail ?? '' }, 'doctor.fix.printer_unreachable');
  }
}

/** A drawer on a link of its own, a scanner, a display: the port (serial), the device file (lp, file). */
async function linkCheck(app: App, id: string, d: DeviceConfig): Promise<Check> {
  const link = parseDeviceUrl(d.url!);
  if (link.kind === 'serial') return serialCheck(app, id, d.name, link.path);
  if (link.kind === 'lp' || link.kind === 'file') {
    const target = link.kind === 'file' && !existsSync(link.path) ? dirname(link.path) : link.path;
    try {
      accessSync(target, constants.W_OK);
      return check(id, 'ok', 'doctor.port_ok', { name: d.name, path: link.path });
    } catch {
      return check(id, 'fail', existsSync(target) ? 'doctor.port_denied' : 'doctor.port_missing', { name: d.name, path: link.path }, existsSync(target) ? 'doctor.fix.lp' : 'doctor.fix.port_missing', { user: serialAccess().user });
    }
  }
  return check(id, 'ok', 'doctor.device_configured', { name: d.name, url: d.url ?? '' });
}

/** Serial permissions (dialout) and ports held by another program, over every port found. */
async function portsCheck(app: App, devices: DeviceConfig[]): Promise<Check[]> {
  const out: Check[] = [];
  const access = serialAccess();
  const usesSerial = devices.some((d) => d.url && parseDeviceUrl(d.url).kind === 'serial');
  const ports = await listSerialPorts();
  const may = access.inDialout || access.isRoot;
  if (!may && (usesSerial || ports.length)) {
    out.push(check('serial.dialout', usesSerial ? 'fail' : 'warn', 'doctor.dialout_missing', { user: access.user }, 'doctor.fix.dialout'));
  } else out.push(check('serial.dialout', 'ok', may ? 'doctor.dialout_ok' : 'doctor.dialout_unneeded', { user: access.user }));
  const configured = new Set(devices.flatMap((d) => (d.url && parseDeviceUrl(d.url).kind === 'serial' ? [(parseDeviceUrl(d.url) as { path: string }).path] : [])));
  for (const p of ports) {
    if (configured.has(p.path) || (p.byId && configured.has(p.byId))) continue; // its device check said it
    const st = await portStatus(p.path, { excludeSelf: true });
    const h = (await tillHolders(st, app.path)).others[0]; // the till's own ports are in use, not held
    if (h) out.push(check(`port.${p.path}`, 'warn', 'doctor.port_held', { name: p.byId ?? p.path, path: p.path, pid: h.pid, command: h.command }, 'doctor.fix.port_held', { pid: h.pid }));
  }
  return out;
}

/**
 * The last backup: a store whose schedule is on and whose newest backup is more than twice the
 * schedule old (or none) warns — the terminal takes them, so no backup means no terminal running,
 * or backups failing (its message line says why).
 */
function backupCheck(app: App, now: Date): Check {
  const every = app.profile.backupEveryHours;
  const newest = listBackups(app.path).backups.find((b) => b.kind === 'backup');
  if (every === 0) return check('backup', newest ? 'ok' : 'warn', newest ? 'doctor.backup_ok' : 'doctor.backup_off', { at: newest?.at ?? '-' }, newest ? undefined : 'doctor.fix.backup');
  if (!newest) return check('backup', 'warn', 'doctor.backup_none', {}, 'doctor.fix.backup');
  const hours = (now.getTime() - Date.parse(newest.at)) / 3_600_000;
  if (hours > 2 * every) return check('backup', 'warn', 'doctor.backup_old', { at: newest.at, hours: Math.floor(hours) }, 'doctor.fix.backup');
  return check('backup', 'ok', 'doctor.backup_ok', { at: newest.at });
}

export interface DoctorReport {
  ok: boolean;
  path: string;
  checks: Check[];
}

/** Runs every check on the database at `path` (which may be damaged: nothing here assumes it opens). */
export async function runDoctor(path: string, now: Date): Promise<DoctorReport> {
  const checks: Check[] = [];
  if (!existsSync(path)) {
    checks.push(check('database.file', 'fail', 'doctor.db_missing', { path }, 'doctor.fix.db_missing'));
    return { ok: false, path, checks };
  }
  checks.push(permissionCheck(path), diskCheck(path));
  let db: Sqlite;
  try {
    db = connect(path, { readonly: true });
  } catch (e) {
    checks.push(check('database.file', 'fail', 'doctor.db_unreadable', { path, detail: e instanceof TpvError ? e.code : String(e) }, 'doctor.fix.integrity'));
    return { ok: false, path, checks };
  }
  try {
    checks.push(integrityCheck(db), migrationCheck(db), journalCheck(db), clockCheck(db, now));
    const app = appOn(db, path, () => now);
    checks.push(...importChecks(app), backupCheck(app, now));
    let devices: DeviceConfig[] = [];
    try {
      devices = listDevices(app);
    } catch (e) {
      // a database from before devices existed has nothing configured yet; any other failure is a finding
      if (!(e instanceof Error && /no such table: devices\b/.test(e.message))) {
        checks.push(check('devices', 'fail', 'doctor.devices_unreadable', { detail: e instanceof Error ? e.message : String(e) }, 'doctor.fix.integrity'));
      }
    }
    for (const d of devices) checks.push(await deviceCheck(app, d));
    checks.push(...(await portsCheck(app, devices)));
  } finally {
    db.close();
  }
  return { ok: checks.every((c) => c.status !== 'fail'), path, checks };
}
