/**
 * The register's peripherals, as configured with `tpv devices add`: one row per device in the
 * `devices` table, validated here so the till never starts with a setting it cannot use. Errors
 * name the flag to fix (`--columns`, `--url`…).
 */
import { TpvError } from '../core/errors.js';
import { storedText } from '../core/text.js';
import { isoWithOffset } from '../core/time.js';
import { COLUMNS, type Columns } from '../devices/layout.js';
import { DISPLAY_MODES, type DisplayMode } from '../devices/display.js';
import { parseScannerOptions, type ScannerOptions } from '../devices/scanner.js';
import { formatDeviceUrl, parseDeviceUrl } from '../devices/transport.js';
import { prepared } from '../db/connection.js';
import { type Approver, auditLog, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { appendEvent } from './outbox.js';

export const DEVICE_KINDS = ['printer', 'drawer', 'scanner', 'display'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface PrinterConfig {
  kind: 'printer';
  name: string;
  url: string;
  /** A model of @point-of-sale/receipt-printer-encoder, or `generic`. */
  profile: string;
  columns: Columns;
  cut: 'partial' | 'full';
  /** The symbology of the document number printed at the foot (read back by returns). */
  code: 'qr' | 'code128';
}

export interface DrawerConfig {
  kind: 'drawer';
  name: string;
  /** The printer it hangs from (the usual wiring), or its own link. */
  printer: string | null;
  url: string | null;
  pin: 2 | 5;
  onMs: number;
  offMs: number;
  /** Which level of the drawer sensor (DLE EOT 1, bit 2) means open: drawers differ. */
  openWhen: 'high' | 'low';
}

export interface ScannerConfig extends Required<ScannerOptions> {
  kind: 'scanner';
  name: string;
  url: string;
}

export interface DisplayConfig {
  kind: 'display';
  name: string;
  url: string;
  mode: DisplayMode;
  welcome: string;
}

export type DeviceConfig = PrinterConfig | DrawerConfig | ScannerConfig | DisplayConfig;
type ConfigOf<K extends DeviceKind> = Extract<DeviceConfig, { kind: K }>;

/** What `tpv devices add` receives: flag values as typed (undefined when not given). */
export type DeviceInput = Record<string, string | undefined>;

const bad = (flag: string, value: string, expected: string): TpvError => new TpvError('invalid', 'device.option', { flag, value, expected });

function oneOf<T extends string>(flag: string, value: string | undefined, values: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const v = value.trim().toLowerCase();
  if (!(values as readonly string[]).includes(v)) throw bad(flag, value, values.join(', '));
  return v as T;
}

function integer(flag: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < min || n > max) throw bad(flag, value, `${min}…${max}`);
  return n;
}

function url(value: string | undefined, required: boolean): string | null {
  if (value === undefined || value.trim() === '') {
    if (required) throw new TpvError('usage', 'cli.flag_required', { flag: '--url' });
    return null;
  }
  return formatDeviceUrl(parseDeviceUrl(value.trim()));
}

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** The settings each kind takes (the keys of `DeviceInput`, as `tpv devices add` names its flags). */
const SETTINGS: Record<DeviceKind, readonly string[]> = {
  printer: ['name', 'url', 'profile', 'columns', 'cut', 'code'],
  drawer: ['name', 'url', 'printer', 'pin', 'pulse', 'openWhen'],
  scanner: ['name', 'url', 'suffix', 'timeout', 'stripPrefix', 'stripSuffix'],
  display: ['name', 'url', 'mode', 'welcome'],
};

/** `openWhen` → `--open-when`. */
const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * A setting of another kind of device is refused rather than dropped: `--pin 5` given to a
 * printer, or `--suffix` to a display, is a mistake the user must see, not a setting that silently
 * does nothing.
 */
function onlySettingsOf(kind: DeviceKind, input: DeviceInput): void {
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || SETTINGS[kind].includes(key)) continue;
    throw new TpvError('invalid', 'device.flag_kind', { flag: flagOf(key), kind });
  }
}

/** Validates a device from its flags; `isProfile` checks printer models (the encoder's list). */
export function parseDevice(kind: DeviceKind, input: DeviceInput, isProfile: (id: string) => boolean): DeviceConfig {
  onlySettingsOf(kind, input);
  const name = (input.name ?? kind).trim().toLowerCase();
  if (!NAME.test(name)) throw bad('--name', input.name ?? '', 'a-z, 0-9, - and _ (32 at most)');
  switch (kind) {
    case 'printer': {
      const profile = (input.profile ?? 'generic').trim().toLowerCase();
      if (!isProfile(profile)) throw new TpvError('invalid', 'device.profile', { value: profile });
      const columns = integer('--columns', input.columns, 32, 48, 42);
      if (!(COLUMNS as readonly number[]).includes(columns)) throw bad('--columns', input.columns ?? '', COLUMNS.join(', '));
      return {
        kind,
        name,
        url: url(input.url, true)!,
        profile,
        columns: columns as Columns,
        cut: oneOf('--cut', input.cut, ['partial', 'full'] as const, 'partial'),
        code: oneOf('--code', input.code, ['qr', 'code128'] as const, columns === 32 ? 'qr' : 'code128'),
      };
    }
    case 'drawer': {
      // hanging from a printer (the usual wiring) or on a link of its own: one or the other
      if (input.url !== undefined && input.printer !== undefined) throw new TpvError('invalid', 'device.drawer_link', { flag: '--url', other: '--printer' });
      const link = url(input.url, false);
      const printer = link ? null : (input.printer ?? 'printer').trim().toLowerCase();
      const [onMs, offMs] = pulseOf(input.pulse);
      return { kind, name, printer, url: link, pin: pinOf(input.pin), onMs, offMs, openWhen: oneOf('--open-when', input.openWhen, ['high', 'low'] as const, 'high') };
    }
    case 'scanner': {
      const link = url(input.url, true)!;
      // tpv reads scanners on serial ports; a keyboard (USB HID) scanner types into the terminal
      if (parseDeviceUrl(link).kind !== 'serial') throw new TpvError('invalid', 'device.scanner_serial', { flag: '--url', url: link });
      return { kind, name, url: link, ...parseScannerOptions({ ...input, interByteMs: input.timeout }) };
    }
    case 'display': {
      const welcome = input.welcome ?? '';
      if (welcome.length > 40) throw bad('--welcome', welcome, '40 characters at most (2×20)');
      return { kind, name, url: url(input.url, true)!, mode: oneOf('--mode', input.mode, DISPLAY_MODES, 'epson'), welcome };
    }
  }
}

/** `--pulse ON,OFF` (milliseconds, 2…510 each, ESC p's range); OFF may be left out (500). */
function pulseOf(value: string | undefined): [number, number] {
  if (value === undefined) return [100, 500];
  const parts = value.split(',');
  if (parts.length > 2) throw bad('--pulse', value, '2…510[,2…510] ms');
  return [integer('--pulse', parts[0], 2, 510, 100), integer('--pulse', parts[1] ?? '500', 2, 510, 500)];
}

/** The drawer kick goes to pin 2 or pin 5 of the drawer connector, nothing else. */
function pinOf(value: string | undefined): 2 | 5 {
  const v = value?.trim() ?? '2';
  if (v === '2' || v === '5') return v === '2' ? 2 : 5;
  throw bad('--pin', value ?? '', '2, 5');
}

interface DeviceRow {
  name: string;
  kind: DeviceKind;
  url: string | null;
  options: string;
}

function fromRow(r: DeviceRow): DeviceConfig {
  return { ...(JSON.parse(r.options) as object), kind: r.kind, name: r.name, url: r.url } as DeviceConfig;
}

export function listDevices(app: App): DeviceConfig[] {
  return (app.db.prepare('SELECT name, kind, url, options FROM devices ORDER BY kind, name').all() as DeviceRow[]).map(fromRow);
}

export function deviceByName(app: App, name: string): DeviceConfig | null {
  const r = app.db.prepare('SELECT name, kind, url, options FROM devices WHERE name = ?').get(name.trim().toLowerCase()) as DeviceRow | undefined;
  return r ? fromRow(r) : null;
}

/** The device of that kind: by name when given (and of that kind), else the first configured. */
export function deviceOf<K extends DeviceKind>(app: App, kind: K, name?: string): ConfigOf<K> | null {
  if (name) {
    const d = deviceByName(app, name);
    if (!d) throw new TpvError('not_found', 'device.unknown', { name });
    if (d.kind !== kind) throw new TpvError('invalid', 'device.wrong_kind', { name, kind: d.kind, expected: kind });
    return d as ConfigOf<K>;
  }
  const r = app.db.prepare('SELECT name, kind, url, options FROM devices WHERE kind = ? ORDER BY created_at, rowid LIMIT 1').get(kind) as DeviceRow | undefined;
  return r ? (fromRow(r) as ConfigOf<K>) : null;
}

/** `tpv devices add`: a device from its flags, validated (printer models from the encoder's list), then saved. */
export async function addDevice(app: App, actor: UserRow, kind: DeviceKind, input: DeviceInput, replace: boolean, approver?: Approver): Promise<DeviceConfig> {
  const { isPrinterProfile } = await import('../devices/escpos.js');
  const d = parseDevice(kind, input, isPrinterProfile);
  saveDevice(app, actor, d, replace, approver);
  return d;
}

/**
 * Saves a device (store management); an existing name is kept unless `replace` (a typo must not
 * lose a setting). Devices are the register's own hardware: no outbox event.
 */
export function saveDevice(app: App, actor: UserRow, d: DeviceConfig, replace: boolean, approver?: Approver): void {
  authorize(app, actor, 'manage_store', approver);
  const { kind, name, url: link, ...options } = d;
  if (kind === 'drawer' && d.printer) {
    const p = deviceByName(app, d.printer);
    if (!p || p.kind !== 'printer') throw new TpvError('invalid', 'device.drawer_printer', { name: d.printer });
  }
  const at = app.now().toISOString();
  inTransaction(app, () => {
    const old = deviceByName(app, name);
    if (old && !replace) throw new TpvError('conflict', 'device.exists', { name });
    // a printer that drawers hang from stays a printer: they would kick a scanner or a display
    if (old && old.kind !== kind) {
      const drawers = listDevices(app).filter((x) => x.kind === 'drawer' && x.printer === name);
      if (drawers.length) throw new TpvError('conflict', 'device.kind_in_use', { name, kind, by: drawers.map((x) => x.name).join(', ') });
    }
    app.db
      .prepare(
        'INSERT INTO devices (name, kind, url, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, url = excluded.url, options = excluded.options, updated_at = excluded.updated_at',
      )
      .run(name, kind, link, JSON.stringify(options), at, at);
  });
}

export function removeDevice(app: App, actor: UserRow, name: string, approver?: Approver): DeviceConfig {
  authorize(app, actor, 'manage_store', approver);
  const d = deviceByName(app, name);
  if (!d) throw new TpvError('not_found', 'device.unknown', { name });
  const drawers = listDevices(app).filter((x) => x.kind === 'drawer' && x.printer === d.name);
  if (drawers.length) throw new TpvError('conflict', 'device.in_use', { name: d.name, by: drawers.map((x) => x.name).join(', ') });
  app.db.prepare('DELETE FROM devices WHERE name = ?').run(d.name);
  return d;
}

/**
 * "No sale": opening the cash drawer outside a sale needs the `no_sale` permission (or a
 * supervisor's approval) and is recorded — audit log and outbox — before the drawer opens, so an
 * opening that fails half-way is still on record. Returns the drawer to open.
 */
export function recordNoSale(app: App, actor: UserRow, reason: string, approver?: Approver): DrawerConfig {
  const drawer = deviceOf(app, 'drawer');
  if (!drawer) throw new TpvError('not_found', 'drawer.none');
  const why = storedText(reason, 'note', 'reason');
  if (!why) throw new TpvError('invalid', 'drawer.reason_required');
  const approval = authorize(app, actor, 'no_sale', approver, why);
  const now = app.now();
  inTransaction(app, () => {
    // the open shift, if any: its X and Z list the no-sale (src/app/shifts.ts)
    const shift = prepared(app.db, 'SELECT id FROM shifts WHERE register = ? AND closed_at IS NULL').pluck().get(app.profile.register) as number | undefined;
    auditLog(app.db, now, actor.id, 'no_sale', { reason: why, drawer: drawer.name, shift: shift ?? null, ...(approval ? { approval } : {}) });
    appendEvent(app, 'no_sale', { user: actor.code, reason: why, drawer: drawer.name, at: isoWithOffset(now, app.profile.timezone), approval });
  });
  return drawer;
}

/**
 * Audit log actions of an original that never reached the paper: its job was refused before any
 * byte went out (`original_unprinted`), then printed late (`original_printed`). See
 * src/app/peripherals.ts (printDocument, printCreditSlip).
 */
export const UNPRINTED = 'original_unprinted';
export const PRINTED_LATE = 'original_printed';

/**
 * A paper whose original can be owed: a document by its number, or the slip of a store credit or
 * gift voucher by its code as printed (`ref`: the document that issued it, if any). Its audit
 * records name it the same way (`{ number }` or `{ slip }`).
 */
export type Paper = { number: string } | { slip: string; ref: string | null };

/** How the audit log names a paper. */
export const paperDetail = (p: Paper): { number: string } | { slip: string } => ('number' in p ? { number: p.number } : { slip: p.slip });

/** The last of UNPRINTED / PRINTED_LATE recorded for a document number or a slip's code. */
function lastRecord(app: App, key: 'number' | 'slip', value: string): string | undefined {
  const sql =
    key === 'number'
      ? "SELECT action FROM audit_log WHERE action IN (?, ?) AND json_extract(detail, '$.number') = ? ORDER BY id DESC LIMIT 1"
      : "SELECT action FROM audit_log WHERE action IN (?, ?) AND json_extract(detail, '$.slip') = ? ORDER BY id DESC LIMIT 1";
  return prepared(app.db, sql).pluck().get(UNPRINTED, PRINTED_LATE, value) as string | undefined;
}

/**
 * Whether the original of document `number` is still owed: its print was refused before any byte
 * went out and it has not been printed since. Its next print (and a preview of that print) is the
 * original, not a copy. Only failures are recorded, so this reads a handful of audit rows.
 */
export function originalOwed(app: App, number: string): boolean {
  return lastRecord(app, 'number', number) === UNPRINTED;
}

/**
 * Whether each paper's original is still owed. A slip follows its own records; a slip with none
 * (its document's job failed before slips were recorded on their own) is owed when the document
 * that issued it is: they went out, or not, in one job.
 */
export function originalsOwed(app: App, papers: readonly Paper[]): boolean[] {
  return papers.map((p) => {
    if ('number' in p) return originalOwed(app, p.number);
    const own = lastRecord(app, 'slip', p.slip);
    return own !== undefined ? own === UNPRINTED : p.ref !== null && originalOwed(app, p.ref);
  });
}
