/**
 * The register's devices, for the CLI and the terminal alike: printing a document (always after it
 * is committed: a printer that is off, unreachable or out of paper never loses or undoes a sale;
 * the error says what is wrong and the document prints again, as a copy, once the printer is
 * back), the drawer, the printer's status, the customer display and serial scanners (the
 * terminal holds them for its run through src/app/till.ts). Loaded on demand (it brings the
 * ESC/POS encoder and the transports).
 */
import { movesCash, type StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { errorMessage, t } from '../i18n/index.js';
import { drawerPulse, encodeJob, parseStatus, type PrinterStatus, STATUS_REQUESTS } from '../devices/escpos.js';
import type { LayoutLine } from '../devices/layout.js';
import { askStatus, openTransport, openWithRetry, parseDeviceUrl, type Transport } from '../devices/transport.js';
import { type Approver, type UserRow } from './auth.js';
import type { App } from './context.js';
import { deviceOf, type DisplayConfig, type DrawerConfig, type PrinterConfig, recordNoSale, type ScannerConfig } from './devices.js';
import { creditSlip, documentJob, testPage } from './documents.js';

const STATUS_TIMEOUT_MS = 800;

export interface PrintOutcome {
  /** The printer used, or null when none is configured (nothing was printed). */
  printer: string | null;
  bytes: number;
  kicked: boolean;
}

/**
 * Asks a two-way printer how it is; null when it does not answer (many do not: print anyway).
 * The first request decides: a silent printer is not asked twice more.
 */
async function ask(tr: Transport, openWhen: 'high' | 'low'): Promise<PrinterStatus | null> {
  if (!tr.twoWay) return null;
  const [printer] = await askStatus(tr, STATUS_REQUESTS.slice(0, 1), STATUS_TIMEOUT_MS);
  if (printer == null) return null;
  const [offline, paper] = await askStatus(tr, STATUS_REQUESTS.slice(1), STATUS_TIMEOUT_MS);
  return parseStatus({ printer, ...(offline != null ? { offline } : {}), ...(paper != null ? { paper } : {}) }, openWhen === 'high');
}

/** What matters most of what a printer says: a cover open hides the paper sensor, and so on. */
function stateOf(s: PrinterStatus): PrinterState {
  return s.coverOpen ? 'cover_open' : s.paperEnd ? 'paper_end' : !s.online || s.error ? 'offline' : s.paperNearEnd ? 'paper_near_end' : 'online';
}

/** Refuses to send a job the printer would swallow without printing. */
function ready(name: string, s: PrinterStatus | null): void {
  const state = s ? stateOf(s) : 'online';
  if (state === 'cover_open' || state === 'paper_end' || state === 'offline') throw new TpvError('device', `printer.${state}`, { printer: name });
}

/** The drawer and the printer it hangs from (if it does). */
function drawerOf(app: App): { drawer: DrawerConfig; via: PrinterConfig | null } | null {
  const drawer = deviceOf(app, 'drawer');
  if (!drawer) return null;
  return { drawer, via: drawer.printer ? deviceOf(app, 'printer', drawer.printer) : null };
}

const pulseOf = (d: DrawerConfig, profile?: string): Uint8Array => drawerPulse({ pin: d.pin, onMs: d.onMs, offMs: d.offMs, ...(profile ? { profile } : {}) });

/**
 * Sends bytes; with `check`, asks the printer first and refuses a job it cannot print. The drawer
 * pulse (`kick`) goes out even then: a cashier with no paper still has change to give.
 */
async function send(url: string, data: Uint8Array, check?: { name: string; openWhen: 'high' | 'low'; kick: Uint8Array | null }): Promise<void> {
  const tr = await openWithRetry(parseDeviceUrl(url));
  try {
    if (check) {
      try {
        ready(check.name, await ask(tr, check.openWhen));
      } catch (e) {
        if (check.kick) await tr.write(check.kick);
        throw e;
      }
    }
    await tr.write(check?.kick ? concat(check.kick, data) : data);
  } finally {
    await tr.close();
  }
}

/**
 * Prints laid-out documents on the printer (the first configured, or `printer` by name) and, when
 * `kick`, opens the drawer first (so it opens while the paper prints). With no printer configured
 * nothing is printed and the outcome says so: a shop may run without one.
 */
export async function printLayouts(app: App, docs: LayoutLine[][], opts: { kick?: boolean; printer?: string } = {}): Promise<PrintOutcome> {
  const printer = deviceOf(app, 'printer', opts.printer);
  const d = opts.kick ? drawerOf(app) : null;
  // the pulse rides with the job when the drawer hangs from this printer; otherwise it goes on its
  // own, and a failure there never stops the receipt (it is reported after printing)
  const withJob = d && printer && d.via?.name === printer.name ? pulseOf(d.drawer, printer.profile) : null;
  let kickFailure: unknown = null;
  let kicked = withJob !== null;
  if (d && !withJob) {
    try {
      await kickDrawer(app);
      kicked = true;
    } catch (e) {
      kickFailure = e;
    }
  }
  if (!printer) {
    if (kickFailure) throw kickFailure;
    return { printer: null, bytes: 0, kicked };
  }
  const body = encodeJob(docs, { profile: printer.profile, columns: printer.columns, cut: printer.cut });
  await send(printer.url, body, { name: printer.name, openWhen: d?.drawer.openWhen ?? 'high', kick: withJob });
  if (kickFailure) throw kickFailure;
  return { printer: printer.name, bytes: body.length + (withJob?.length ?? 0), kicked };
}

/** Prints a committed document (and the slips it issued), a copy when reprinted. */
export async function printDocument(app: App, doc: StoredDocument, opts: { copy?: boolean; kick?: boolean; printer?: string } = {}): Promise<PrintOutcome> {
  const printer = deviceOf(app, 'printer', opts.printer);
  return printLayouts(app, documentJob(app, doc, { copy: opts.copy ?? false, code: printer?.code ?? 'code128' }), opts);
}

/** How printing went after a commit, for the command's result (`print`). */
export interface IssuedPrint {
  ok: boolean;
  printer?: string | null;
  kicked?: boolean;
  error?: { code: string; message: string };
}

/**
 * Prints what was just committed, opening the drawer with it when `kick`. Never throws: the
 * documents are committed whatever happens here; a failure goes to `warn` (naming how to print
 * again) and into the report.
 */
async function printCommitted(app: App, jobs: LayoutLine[][], kick: boolean, warn: (message: string) => void): Promise<IssuedPrint> {
  try {
    const r = await printLayouts(app, jobs, { kick });
    return { ok: true, printer: r.printer, kicked: r.kicked };
  } catch (e) {
    const code = e instanceof TpvError ? e.code : 'internal';
    const message = e instanceof TpvError ? errorMessage(e.code, e.params) : e instanceof Error ? e.message : String(e);
    warn(message);
    return { ok: false, error: { code, message } };
  }
}

/**
 * Prints documents just committed (a sale, a refund, an exchange's two), each followed by the
 * slips of the codes it issued, in one job; the drawer opens when cash moved.
 */
export function printIssued(app: App, docs: StoredDocument[], warn: (text: string) => void): Promise<IssuedPrint> {
  const code = deviceOf(app, 'printer')?.code ?? 'code128';
  const jobs = docs.flatMap((doc) => documentJob(app, doc, { code }));
  return printCommitted(app, jobs, docs.some(movesCash), (message) => {
    for (const doc of docs) warn(t('sale.not_printed', { number: doc.number, message }));
  });
}

/** Prints the slip of a code just issued on its own (`tpv credit issue --print`). */
export function printIssuedSlip(app: App, code: string, warn: (text: string) => void): Promise<IssuedPrint> {
  const slip = creditSlip(app, code);
  return printCommitted(app, [slip.layout], false, (message) => warn(t('credit.not_printed', { code: slip.printed, message })));
}

/** `tpv credit print`: a code's slip again (its balance now) on the store's printer, marked as a copy. */
export async function printCreditSlip(app: App, code: string): Promise<PrintOutcome & { code: string }> {
  const slip = creditSlip(app, code, { copy: true });
  const r = await printLayouts(app, [slip.layout]);
  if (!r.printer) throw new TpvError('not_found', 'printer.none');
  return { code: slip.printed, ...r };
}

/** `tpv devices test printer`: the test page, and how the printer says it is after. */
export async function printTestPage(app: App, printer: PrinterConfig): Promise<PrintOutcome & { status: PrinterReport }> {
  const r = await printLayouts(app, [testPage(app, printer).layout], { printer: printer.name });
  return { ...r, status: await printerReport(app, printer) };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Opens the cash drawer (a sale paid in cash, or a "no sale" already recorded). */
export async function kickDrawer(app: App): Promise<{ drawer: string }> {
  const d = drawerOf(app);
  if (!d) throw new TpvError('not_found', 'drawer.none');
  const url = d.via ? d.via.url : d.drawer.url;
  if (!url) throw new TpvError('invalid', 'device.drawer_printer', { name: d.drawer.printer ?? '' });
  await send(url, pulseOf(d.drawer, d.via?.profile));
  return { drawer: d.drawer.name };
}

/** "No sale": recorded first (permission, audit log, outbox), then the drawer opens. */
export async function openDrawer(app: App, actor: UserRow, reason: string, approver?: Approver): Promise<{ drawer: string }> {
  recordNoSale(app, actor, reason, approver);
  return kickDrawer(app);
}

export type PrinterState = 'online' | 'offline' | 'cover_open' | 'paper_end' | 'paper_near_end' | 'one_way' | 'no_answer' | 'unreachable';

export interface PrinterReport {
  name: string;
  url: string;
  state: PrinterState;
  drawerOpen: boolean | null;
  detail: string | null;
}

/** How the printer is, for the status bar, `tpv devices list` and `tpv doctor`. */
export async function printerReport(app: App, printer: PrinterConfig): Promise<PrinterReport> {
  const base = { name: printer.name, url: printer.url };
  // a file or USB printer cannot answer: opening it would create the file or take the device
  if (parseDeviceUrl(printer.url).kind === 'lp' || parseDeviceUrl(printer.url).kind === 'file') return { ...base, state: 'one_way', drawerOpen: null, detail: null };
  let tr: Transport;
  try {
    tr = await openTransport(parseDeviceUrl(printer.url), { connectTimeoutMs: 1500 });
  } catch (e) {
    return { ...base, state: 'unreachable', drawerOpen: null, detail: e instanceof TpvError ? String(e.params.detail ?? e.params.path ?? e.code) : String(e) };
  }
  try {
    if (!tr.twoWay) return { ...base, state: 'one_way', drawerOpen: null, detail: null };
    const s = await ask(tr, drawerOf(app)?.drawer.openWhen ?? 'high');
    if (!s) return { ...base, state: 'no_answer', drawerOpen: null, detail: null };
    return { ...base, state: stateOf(s), drawerOpen: s.drawerOpen, detail: null };
  } finally {
    await tr.close();
  }
}

/** A customer display kept open while the till runs; each `show` replaces what it shows. */
export interface DisplaySession {
  show(lines: [string, string]): Promise<void>;
  close(): Promise<void>;
}

export async function openDisplay(d: DisplayConfig): Promise<DisplaySession> {
  const { displayBytes } = await import('../devices/display.js');
  const tr = await openTransport(parseDeviceUrl(d.url));
  return {
    show: (lines) => tr.write(displayBytes(lines, d.mode)),
    close: () => tr.close(),
  };
}

/** `tpv devices test display`: accented text, an item with its price, the welcome text. */
export async function showDisplayTest(app: App, d: DisplayConfig): Promise<[string, string][]> {
  const { showItem, showWelcome } = await import('../devices/display.js');
  const screens: [string, string][] = [
    ['TPV 1234567890123456', 'ñ á é í ó ú ç ü € ß'],
    showItem('Café con leche', '1,50 €'),
    showWelcome(d.welcome || app.profile.name || 'tpv'),
  ];
  const s = await openDisplay(d);
  try {
    for (const lines of screens) {
      await s.show(lines);
      await new Promise((r) => setTimeout(r, 700));
    }
  } finally {
    await s.close();
  }
  return screens;
}

/** The serial path of a scanner (keyboard-wedge scanners need no configuration at all). */
function scannerPort(d: ScannerConfig): { path: string; baudRate: number } {
  const link = parseDeviceUrl(d.url);
  if (link.kind !== 'serial') throw new TpvError('invalid', 'scanner.serial_only', { name: d.name, url: d.url });
  return { path: link.path, baudRate: link.baudRate };
}

/** Opens a serial scanner; each scan calls `onScan` with the code. */
export async function openScanner(d: ScannerConfig, onScan: (code: string) => void, onError: (e: Error) => void): Promise<{ close(): Promise<void> }> {
  const { openSerialScanner } = await import('../devices/scanner.js');
  return openSerialScanner({ ...scannerPort(d), suffix: d.suffix, interByteMs: d.interByteMs, stripPrefix: d.stripPrefix, stripSuffix: d.stripSuffix }, (code) => onScan(code), onError);
}

/** `tpv devices listen scanner`: each scan as it arrives with the milliseconds since the previous. */
export async function listenScanner(d: ScannerConfig, max: number, onScan: (code: string, ms: number) => void, onReady: () => void): Promise<void> {
  let last = Date.now();
  let seen = 0;
  let failure: Error | null = null;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stop = r));
  const scanner = await openScanner(
    d,
    (code) => {
      const now = Date.now();
      onScan(code, now - last);
      last = now;
      if (++seen >= max) stop();
    },
    (e) => {
      failure = e;
      stop();
    },
  );
  // the port is open (opening drops what arrived before): from now on every scan is seen
  onReady();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await scanner.close();
  if (failure) throw failure;
}
