/**
 * The register's devices, for the CLI and the terminal alike: printing a document (always after it
 * is committed: a printer that is off, unreachable or out of paper never loses or undoes a sale;
 * the error says what is wrong and the document prints again once the printer is back — as the
 * original when the paper never saw it, as a copy when it did), the drawer, the printer's status,
 * the customer display and serial scanners (the terminal holds them for its run through
 * src/app/till.ts, and reopens them when they fail or are unplugged). Loaded on demand (it brings
 * the ESC/POS encoder and the transports).
 */
import { jitteredBackoff } from '../core/backoff.js';
import { movesCash, type StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { errorMessage, t } from '../i18n/index.js';
import { drawerPulse, encodeJob, parseStatus, type PrinterStatus, profileInfo, STATUS_REQUESTS } from '../devices/escpos.js';
import type { LayoutLine } from '../devices/layout.js';
import { askStatus, openTransport, openWithRetry, parseDeviceUrl, type Transport } from '../devices/transport.js';
import { type Approver, auditLog, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import {
  deviceOf,
  type DisplayConfig,
  type DrawerConfig,
  originalsOwed,
  type Paper,
  paperDetail,
  PRINTED_LATE,
  type PrinterConfig,
  recordNoSale,
  type ScannerConfig,
  UNPRINTED,
} from './devices.js';
import { creditSlip, documentJob, jobPapers, slipPaperOf, testPage } from './documents.js';

const STATUS_TIMEOUT_MS = 800;

export interface PrintOutcome {
  /** The printer used, or null when none is configured (nothing was printed). */
  printer: string | null;
  bytes: number;
  kicked: boolean;
}

/**
 * Whether tpv asks this printer how it is before each job. ESC/POS printers answer DLE EOT; Star
 * printers (StarPRNT, Star Line) do not — asking them only made every receipt wait for the
 * silence — so their status is not asked and their jobs go out at once.
 */
export function asksStatus(profile: string): boolean {
  return profileInfo(profile).language === 'esc-pos';
}

/**
 * Asks a two-way printer how it is; null when it does not answer (many do not: print anyway).
 * The first request decides: a silent printer is not asked twice more. Bytes that cannot be a
 * DLE EOT reply (`(b & 0x93) !== 0x12`) are not taken as one (see askStatus).
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

interface JobCheck {
  name: string;
  openWhen: 'high' | 'low';
  kick: Uint8Array | null;
  /** Whether to ask the printer's status first (not Star printers: {@link asksStatus}). */
  asks: boolean;
  /** Called just before the job's bytes go out: until then, nothing of it can be on paper. */
  sending(): void;
}

/**
 * Sends bytes; with `check`, asks the printer first (when it answers DLE EOT) and refuses a job it
 * cannot print. The drawer pulse (`kick`) goes out even then: a cashier with no paper still has
 * change to give.
 */
async function send(url: string, data: Uint8Array, check?: JobCheck): Promise<void> {
  const tr = await openWithRetry(parseDeviceUrl(url));
  try {
    if (check) {
      try {
        ready(check.name, check.asks ? await ask(tr, check.openWhen) : null);
      } catch (e) {
        if (check.kick) await tr.write(check.kick);
        throw e;
      }
      check.sending();
    }
    await tr.write(check?.kick ? concat(check.kick, data) : data);
  } finally {
    await tr.close();
  }
}

/** Failures of a print job that happened before any byte of the document went out. */
const nothingPrinted = new WeakSet<object>();
const markNothingPrinted = (e: unknown): unknown => {
  if (typeof e === 'object' && e !== null) nothingPrinted.add(e);
  return e;
};

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
  let sending = false;
  const check: JobCheck = { name: printer.name, openWhen: d?.drawer.openWhen ?? 'high', kick: withJob, asks: asksStatus(printer.profile), sending: () => void (sending = true) };
  try {
    await send(printer.url, body, check);
  } catch (e) {
    throw sending ? e : markNothingPrinted(e);
  }
  if (kickFailure) throw kickFailure;
  return { printer: printer.name, bytes: body.length + (withJob?.length ?? 0), kicked };
}

// ── Original or copy ──────────────────────────────────────────────────────────────────────────
//
// A receipt is a copy once its original has been on paper. The original of a document is printed
// right after its commit; when that job is refused before any byte went out (paper out, printer
// off), the audit log records the original as unprinted, and the next print of the document is
// the original, not a copy — the customer's only receipt must not say COPIA. The slips of store
// credit and gift vouchers follow the same rule, each on its own record (`{ slip: code }`): the
// slips printed with their document, and a slip printed alone (`tpv credit issue --print`,
// `tpv credit print`). Only failures are written, so a sale that prints costs no extra write. A
// job that failed half-way may have put part of the receipt on paper: that one is a copy afterwards.

/**
 * Records originals whose job was refused before any byte went out. Never throws: the print's own
 * error is what the caller must see (unrecorded, a later reprint says COPIA, as it always did).
 */
function recordUnprinted(app: App, papers: readonly Paper[], e: unknown): void {
  const reason = e instanceof TpvError ? e.code : 'internal';
  try {
    inTransaction(app, () => {
      for (const p of papers) auditLog(app.db, app.now(), null, UNPRINTED, { ...paperDetail(p), reason });
    });
  } catch {
    /* see above */
  }
}

/**
 * Takes the owed originals among `papers`, in one transaction (two reprints at once never both
 * print one); true for each paper this print is to be the original of.
 */
function takeOwedOriginals(app: App, papers: readonly Paper[], userId: number | null = null): boolean[] {
  return inTransaction(app, () => {
    const owed = originalsOwed(app, papers);
    papers.forEach((p, i) => {
      if (owed[i]) auditLog(app.db, app.now(), userId, PRINTED_LATE, paperDetail(p));
    });
    return owed;
  });
}

/**
 * Prints a job whose papers are printed as originals where `originals` says; when it is refused
 * before any byte went out, those originals are owed.
 */
async function printOriginals(app: App, job: LayoutLine[][], papers: readonly Paper[], originals: readonly boolean[], opts: { kick?: boolean; printer?: string }): Promise<PrintOutcome> {
  try {
    return await printLayouts(app, job, opts);
  } catch (e) {
    const owed = papers.filter((_, i) => originals[i]);
    if (owed.length && nothingPrinted.has(e as object)) recordUnprinted(app, owed, e);
    throw e;
  }
}

/** How a document was printed: `copy` false when this was its original. */
export type DocumentPrint = PrintOutcome & { copy: boolean };

/**
 * Prints a committed document (and the slips it issued). With `copy` false it is the original,
 * printed right after the commit; if that job is refused before any byte went out, the original is
 * owed (the document's and its slips'). With `copy` (a reprint: Ctrl+P, the till's reprint of a
 * code's document, `tpv print`) each is a copy, unless its original is owed: then this is the
 * original.
 */
export async function printDocument(app: App, doc: StoredDocument, opts: { copy?: boolean; kick?: boolean; printer?: string } = {}): Promise<DocumentPrint> {
  const printer = deviceOf(app, 'printer', opts.printer);
  const papers = jobPapers(app, doc);
  const originals = !(opts.copy ?? false) ? papers.map(() => true) : printer ? takeOwedOriginals(app, papers) : papers.map(() => false);
  const job = documentJob(app, doc, { copy: originals.map((o) => !o), code: printer?.code ?? 'code128' });
  return { ...(await printOriginals(app, job, papers, originals, opts)), copy: !originals[0] };
}

/**
 * `tpv print NUMBER --original`: another original of a document that already had one. Needs the
 * permission (a supervisor's or manager's approval for a cashier) and is recorded in the audit
 * log — who, which document, which printer, who approved — before anything is printed, so a
 * print that fails half-way is on record too.
 */
export async function printOriginalAgain(app: App, actor: UserRow, doc: StoredDocument, opts: { printer?: string; approver?: Approver } = {}): Promise<DocumentPrint> {
  const printer = deviceOf(app, 'printer', opts.printer);
  if (!printer) throw new TpvError('not_found', 'printer.none');
  const approval = authorize(app, actor, 'print_original', opts.approver, doc.number);
  const papers = jobPapers(app, doc);
  inTransaction(app, () => {
    const approved = approval ? { approval } : {};
    auditLog(app.db, app.now(), actor.id, 'print_original', { number: doc.number, printer: printer.name, ...approved });
    // originals still owed (the document's, its slips') are printed now: their next reprint is a copy
    takeOwedOriginals(app, papers, actor.id);
  });
  const job = documentJob(app, doc, { copy: false, code: printer.code });
  return { ...(await printLayouts(app, job, { printer: printer.name })), copy: false };
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
 * again) and into the report. `originals`: the papers of the job, owed when the paper saw nothing.
 */
async function printCommitted(app: App, jobs: LayoutLine[][], kick: boolean, warn: (message: string) => void, originals: readonly Paper[]): Promise<IssuedPrint> {
  try {
    const r = await printOriginals(app, jobs, originals, originals.map(() => true), { kick });
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
  return printCommitted(
    app,
    jobs,
    docs.some(movesCash),
    (message) => {
      for (const doc of docs) warn(t('sale.not_printed', { number: doc.number, message }));
    },
    docs.flatMap((doc) => jobPapers(app, doc)),
  );
}

/** Prints the slip of a code just issued on its own (`tpv credit issue --print`): its original, owed when the paper saw nothing. */
export function printIssuedSlip(app: App, code: string, warn: (text: string) => void): Promise<IssuedPrint> {
  const slip = creditSlip(app, code);
  return printCommitted(app, [slip.layout], false, (message) => warn(t('credit.not_printed', { code: slip.printed, message })), [slip.paper]);
}

/**
 * `tpv credit print`: a code's slip again (its balance now) on the store's printer, marked as a
 * copy — or, when its original never reached paper (its job was refused before any byte went
 * out), as that original.
 */
export async function printCreditSlip(app: App, code: string): Promise<PrintOutcome & { code: string; copy: boolean }> {
  if (!deviceOf(app, 'printer')) throw new TpvError('not_found', 'printer.none');
  const paper = slipPaperOf(app, code);
  const originals = takeOwedOriginals(app, [paper]);
  const slip = creditSlip(app, code, { copy: !originals[0] });
  const r = await printOriginals(app, [slip.layout], [paper], originals, {});
  return { code: slip.printed, ...r, copy: slip.copy };
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

/** `not_asked`: reachable, but a printer that does not answer DLE EOT (Star) is not asked. */
export type PrinterState = 'online' | 'offline' | 'cover_open' | 'paper_end' | 'paper_near_end' | 'one_way' | 'no_answer' | 'not_asked' | 'unreachable';

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
    if (!asksStatus(printer.profile)) return { ...base, state: 'not_asked', drawerOpen: null, detail: null };
    const s = await ask(tr, drawerOf(app)?.drawer.openWhen ?? 'high');
    if (!s) return { ...base, state: 'no_answer', drawerOpen: null, detail: null };
    return { ...base, state: stateOf(s), drawerOpen: s.drawerOpen, detail: null };
  } finally {
    await tr.close();
  }
}

// ── Devices the till holds: reopened when they fail ───────────────────────────────────────────

/**
 * How a display or scanner the till holds is reopened after it failed or was unplugged: after
 * n failures in a row, a wait drawn from [0, min(cap, base × 2^n)) (src/core/backoff.ts), so a
 * replugged device is back within seconds and a missing one costs a till almost nothing.
 */
export interface ReopenOptions {
  /** Default 500 ms. */
  baseMs?: number;
  /** Default 10 s. */
  capMs?: number;
  /** Default Math.random. */
  random?: () => number;
  /** Told of each attempt that failed (from 1), for logs and tests; the cashier is told once. */
  onRetry?: (attempt: number, e: unknown) => void;
}

const REOPEN_BASE_MS = 500;
const REOPEN_CAP_MS = 10_000;
/** Never retry in a tight loop, whatever the draw. */
const REOPEN_MIN_MS = 20;

/**
 * Keeps one device open for the till's run: `open` opens it (and hands it a `lost` callback for
 * the failures it sees later). A failure is told once (`tell` with `lost`), then the device is
 * reopened with backoff until it opens again, which is told once too (`back`): the cashier gets a
 * message when it goes and one when it is back, never one per retry.
 */
class Keeper<T extends { close(): Promise<void> }> {
  private device: T | null = null;
  private generation = 0;
  private attempt = 0;
  private down = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly open: (lost: (e: unknown) => void) => Promise<T>,
    private readonly tell: { lost(e: unknown): void; back(): void; opened?(device: T): Promise<void> },
    private readonly opts: ReopenOptions,
  ) {}

  get current(): T | null {
    return this.device;
  }

  /** Opens it now; a failure is told and retried later (this never rejects). */
  async start(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    const gen = ++this.generation;
    let device: T;
    try {
      device = await this.open((e) => this.fail(gen, e));
    } catch (e) {
      this.opts.onRetry?.(++this.attempt, e);
      this.lose(e);
      return;
    }
    if (this.closed || gen !== this.generation) return void (await device.close().catch(() => undefined));
    this.device = device;
    this.attempt = 0;
    if (this.down) {
      this.down = false;
      this.tell.back();
    }
    await this.tell.opened?.(device);
  }

  /** The device in use failed (a write, a read, an unplug): let it go, tell, reopen later. */
  fail(gen: number, e: unknown): void {
    if (this.closed || gen !== this.generation || !this.device) return;
    this.generation++; // later errors of the same device are not news
    const device = this.device;
    this.device = null;
    void device.close().catch(() => undefined);
    this.lose(e);
  }

  failCurrent(e: unknown): void {
    this.fail(this.generation, e);
  }

  private lose(e: unknown): void {
    if (!this.down) {
      this.down = true;
      this.tell.lost(e);
    }
    if (this.closed) return;
    const base = this.opts.baseMs ?? REOPEN_BASE_MS;
    const wait = Math.max(REOPEN_MIN_MS, jitteredBackoff(this.attempt, base, this.opts.capMs ?? REOPEN_CAP_MS, this.opts.random ?? Math.random));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.start(), wait);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const device = this.device;
    this.device = null;
    await device?.close().catch(() => undefined);
  }
}

const detailOf = (e: unknown): string => (e instanceof TpvError ? errorMessage(e.code, e.params) : e instanceof Error ? e.message : String(e));

/** A customer display kept open while the till runs; each `show` replaces what it shows. */
export interface DisplaySession {
  /** Never rejects: a failing display is told through `onProblem` and reopened. */
  show(lines: [string, string]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The customer display for the till's run. When a write fails or the display was unplugged it is
 * reopened with backoff, and once back it shows the last lines again (tpv always rewrites the whole
 * screen). `onProblem` gets `display.lost` once when it goes and `device.reconnected` once when it
 * is back. Never rejects: a display that is not there at start is retried the same way.
 */
export async function openDisplay(d: DisplayConfig, onProblem: (e: Error) => void = () => undefined, opts: ReopenOptions = {}): Promise<DisplaySession> {
  const { displayBytes } = await import('../devices/display.js');
  const link = parseDeviceUrl(d.url);
  let last: [string, string] | null = null;
  const write = async (tr: Transport, lines: [string, string]): Promise<void> => {
    try {
      await tr.write(displayBytes(lines, d.mode));
    } catch (e) {
      if (keeper.current === tr) keeper.failCurrent(e);
    }
  };
  const keeper: Keeper<Transport> = new Keeper<Transport>(() => openTransport(link), {
    lost: (e) => onProblem(new TpvError('device', 'display.lost', { name: d.name, detail: detailOf(e) })),
    back: () => onProblem(new TpvError('device', 'device.reconnected', { name: d.name })),
    opened: async (tr) => {
      if (last) await write(tr, last);
    },
  }, opts);
  await keeper.start();
  return {
    show: async (lines) => {
      last = lines;
      const tr = keeper.current;
      if (tr) await write(tr, lines);
    },
    close: () => keeper.close(),
  };
}

/** `tpv devices test display`: accented text, an item with its price, the welcome text. */
export async function showDisplayTest(app: App, d: DisplayConfig): Promise<[string, string][]> {
  const { displayBytes, showItem, showWelcome } = await import('../devices/display.js');
  const screens: [string, string][] = [
    ['TPV 1234567890123456', 'ñ á é í ó ú ç ü € ß'],
    showItem('Café con leche', '1,50 €'),
    showWelcome(d.welcome || app.profile.name || 'tpv'),
  ];
  // a test says what is wrong at once (exit 6), it does not wait for the display to come back
  const tr = await openTransport(parseDeviceUrl(d.url));
  try {
    for (const lines of screens) {
      await tr.write(displayBytes(lines, d.mode));
      await new Promise((r) => setTimeout(r, 700));
    }
  } finally {
    await tr.close();
  }
  return screens;
}

/** The serial link of a scanner, with every line setting (keyboard-wedge scanners need no configuration at all). */
function scannerLink(d: ScannerConfig): { path: string; baudRate: number; dataBits: 5 | 6 | 7 | 8; parity: 'none' | 'even' | 'odd'; stopBits: 1 | 2; rtscts: boolean } {
  const link = parseDeviceUrl(d.url);
  if (link.kind !== 'serial') throw new TpvError('invalid', 'scanner.serial_only', { name: d.name, url: d.url });
  const { path, baudRate, dataBits, parity, stopBits, rtscts } = link;
  return { path, baudRate, dataBits, parity, stopBits, rtscts };
}

type Scanner = { close(): Promise<void> };

/** Opens a serial scanner once; each scan calls `onScan`; open errors reject. */
async function openScannerOnce(d: ScannerConfig, onScan: (code: string) => void, onError: (e: Error) => void): Promise<Scanner> {
  const { openSerialScanner } = await import('../devices/scanner.js');
  return openSerialScanner({ ...scannerLink(d), suffix: d.suffix, interByteMs: d.interByteMs, stripPrefix: d.stripPrefix, stripSuffix: d.stripSuffix }, (code) => onScan(code), onError);
}

/**
 * A serial scanner for the till's run: each scan calls `onScan`. When it fails or is unplugged
 * (or is not there at start) it is reopened with backoff; `onError` gets `scanner.lost` once when
 * it goes and `device.reconnected` once when it is back — never a stream of errors. A scanner whose
 * settings cannot work (not a serial link) is refused at once.
 */
export async function openScanner(d: ScannerConfig, onScan: (code: string) => void, onError: (e: Error) => void, opts: ReopenOptions = {}): Promise<Scanner> {
  scannerLink(d);
  const keeper = new Keeper<Scanner>((lost) => openScannerOnce(d, onScan, lost), {
    lost: (e) => onError(new TpvError('device', 'scanner.lost', { name: d.name, detail: detailOf(e) })),
    back: () => onError(new TpvError('device', 'device.reconnected', { name: d.name })),
  }, opts);
  await keeper.start();
  return { close: () => keeper.close() };
}

/** `tpv devices listen scanner`: each scan as it arrives with the milliseconds since the previous. */
export async function listenScanner(d: ScannerConfig, max: number, onScan: (code: string, ms: number) => void, onReady: () => void): Promise<void> {
  let last = Date.now();
  let seen = 0;
  let failure: Error | null = null;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stop = r));
  // a technician's test: a failure ends it with the error (exit 6), it does not wait for a replug
  const scanner = await openScannerOnce(
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
