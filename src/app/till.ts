/**
 * The cashier terminal's devices for one run: print jobs, drawer kicks and status polls one at a
 * time, the customer display kept open, the serial scanners. Nothing of the device code loads
 * until a configured device is used (a till without devices starts without the printer encoder).
 */
import { TpvError } from '../core/errors.js';
import { SETTING_DEFAULTS, type Settings } from '../core/profile.js';
import { zonedParts } from '../core/time.js';
import { prepared } from '../db/connection.js';
import { t } from '../i18n/index.js';
import type { App } from './context.js';
import { deviceOf, listDevices, originalOwed, type ScannerConfig } from './devices.js';
import { documentByNumber, documentText } from './documents.js';
import type { DisplaySession, PrinterState } from './peripherals.js';
import { findProduct, type Lookup } from './products.js';

/** The cashier terminal's own store settings (`tui.*`): its guards and conveniences. */
export interface TillSettings {
  /** Units above which a typed quantity asks "are you sure?" (`tui.confirm_quantity`; 0: never). */
  confirmQuantity: number;
  /** Kilograms above which a typed weight asks "are you sure?" (`tui.confirm_weight`; 0: never). */
  confirmWeight: number;
  /** The same item scanned again adds to its line instead of a new line (`tui.merge_scans`). */
  mergeScans: boolean;
  /** SKUs of items without a barcode (bags, bread) on the quick keys, in order (`tui.quick_items`). */
  quickItems: string[];
  /** Voiding a whole ticket needs a supervisor for a cashier (`tui.void_approval`). */
  voidApproval: boolean;
}

/** The till's settings out of the store's settings (`tui.*`, each at its default when not set). */
function tillSettingsOf(s: Settings): TillSettings {
  return {
    confirmQuantity: s['tui.confirm_quantity'],
    confirmWeight: s['tui.confirm_weight'],
    mergeScans: s['tui.merge_scans'],
    quickItems: s['tui.quick_items'],
    voidApproval: s['tui.void_approval'],
  };
}

/** Every `tui.*` setting's default (what a store that never set them gets). */
export const TILL_DEFAULTS: Readonly<TillSettings> = Object.freeze(tillSettingsOf(SETTING_DEFAULTS));

/**
 * The till's settings as stored, each missing one at its default. Read from the settings the
 * store profile keeps fresh (another process's `tpv config set` shows at the next key), so no
 * database work of its own.
 */
export function tillSettings(app: App): TillSettings {
  return tillSettingsOf({ ...SETTING_DEFAULTS, ...app.settings });
}

/** The wall clock of the status bar, "HH:MM" in the store's time zone (the zone its receipts print). */
export function tillClock(app: App): string {
  const z = zonedParts(app.now(), app.profile.timezone);
  return `${String(z.hour).padStart(2, '0')}:${String(z.minute).padStart(2, '0')}`;
}

/**
 * A code typed or scanned at the till: as {@link findProduct}, and a sku typed in lower case
 * (`beb-020`) finds `BEB-020` — skus are stored as the catalog spells them, cashiers type fast.
 */
export function tillLookup(app: App, code: string): Lookup {
  try {
    return findProduct(app, code);
  } catch (e) {
    const upper = code.trim().toUpperCase();
    if (!(e instanceof TpvError) || e.code !== 'product.not_found' || upper === code.trim()) throw e;
    try {
      return findProduct(app, upper);
    } catch {
      throw e;
    }
  }
}

/** The number of this register's last receipt or refund (what a reprint with no number prints), also after a restart. */
export function lastDocumentNumber(app: App): string | null {
  return (
    (prepared(app.db, "SELECT number FROM documents WHERE register = ? AND type IN ('receipt', 'refund') ORDER BY id DESC LIMIT 1")
      .pluck()
      .get(app.profile.register) as string | undefined) ?? null
  );
}

/**
 * Any stored document by its number or its scan code, as its reprint reads (the preview) and as it
 * prints: a copy, or — `copy` false — the original, when the original never reached paper and is
 * still owed (src/app/devices.ts): a reprint job (`copy: true`) prints that original. Asked before
 * printing, so the cashier is told what comes out of the printer.
 */
export function copyOf(app: App, typed: string): { number: string; text: string; copy: boolean } {
  const doc = documentByNumber(app, typed);
  const copy = !originalOwed(app, doc.number);
  return { number: doc.number, text: documentText(app, doc, { copy }), copy };
}

/** What the customer display shows (amounts already formatted). */
export type DisplayView =
  | { kind: 'welcome' }
  | { kind: 'item'; name: string; price: string; total: string }
  | { kind: 'total'; total: string }
  | { kind: 'change'; paid: string; change: string };

/** A committed document to print (a reprint is a copy); `kick` opens the drawer with it. */
export interface PrintJob {
  number: string;
  copy?: boolean;
  kick?: boolean;
}

/** The terminal's devices for one run: jobs go out one at a time, the display stays open. */
export interface TillDevices {
  /** Prints after commit; rejects with the printer's problem (the document stays committed). */
  print(job: PrintJob): Promise<void>;
  /** Prints a store credit or gift voucher's slip on its own (a code issued without a document); resolves to whether it was a copy. */
  printSlip(code: string): Promise<boolean>;
  kickDrawer(): Promise<void>;
  printerState(): Promise<PrinterState | null>;
  /** Shows on the customer display, if there is one (a failing display never stops a sale). */
  display(view: DisplayView): void;
  /** Opens the serial scanners; each scan comes to `onScan`. Resolves to the closer. */
  scanners(onScan: (code: string) => void, onError: (e: Error) => void): Promise<() => Promise<void>>;
  /** Lets go of the customer display (its port would keep the program running). */
  close(): Promise<void>;
}

export function tillDevices(app: App): TillDevices {
  // the device code (ESC/POS encoder, serialport) loads when a configured device is first used
  const io = () => import('./peripherals.js');
  // the customer display: one link for the whole run (opened at the first update)
  let display: Promise<DisplaySession | null> | null = null;
  let shown: Promise<void> = Promise.resolve();
  /** Where news of the display (lost, back) goes: the till's, once it listens for its scanners. */
  let tell: (e: Error) => void = () => undefined;
  // printer jobs, drawer kicks and status polls one at a time: a serial or USB printer opens for one
  // program at a time, and a poll must not make the next receipt fail as "busy"
  let busy: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = busy.then(work, work);
    busy = run.catch(() => undefined);
    return run;
  };
  return {
    print: (job) =>
      oneAtATime(async () => {
        await (await io()).printDocument(app, documentByNumber(app, job.number), { copy: job.copy ?? false, kick: job.kick ?? false });
      }),
    printSlip: (code) => oneAtATime(async () => (await (await io()).printCreditSlip(app, code)).copy),
    kickDrawer: () => oneAtATime(async () => void (await (await io()).kickDrawer(app))),
    printerState: () =>
      oneAtATime(async () => {
        const printer = deviceOf(app, 'printer');
        return printer ? (await (await io()).printerReport(app, printer)).state : null;
      }),
    display: (view) => {
      const d = deviceOf(app, 'display');
      if (!d) return;
      display ??= io()
        .then((p) => p.openDisplay(d, (e) => tell(e)))
        .catch(() => null);
      // updates go out one after the other, in order; a failing display is left alone
      shown = shown.then(async () => {
        const session = await display;
        if (session) await session.show(await displayLines(view, d.welcome || app.profile.name)).catch(() => undefined);
      });
    },
    scanners: async (onScan, onError) => {
      tell = onError;
      const open = listDevices(app).filter((d): d is ScannerConfig => d.kind === 'scanner');
      if (open.length === 0) return async () => undefined; // keyboard scanners need nothing
      const p = await io();
      const closers = await Promise.all(open.map((d) => p.openScanner(d, onScan, onError).catch((e: unknown) => (onError(e as Error), null))));
      return async () => void (await Promise.all(closers.map((c) => c?.close())));
    },
    close: async () => {
      await shown;
      await (await display)?.close().catch(() => undefined);
      display = null;
    },
  };
}

/** The two 20-character lines of the customer display for a view. */
async function displayLines(view: DisplayView, welcome: string): Promise<[string, string]> {
  const d = await import('../devices/display.js');
  switch (view.kind) {
    case 'welcome':
      return d.showWelcome(welcome);
    case 'item':
      return d.showItem(view.name, view.price, { label: t('tui.display.total'), amount: view.total });
    case 'total':
      return d.showTotal(t('tui.display.total'), view.total);
    case 'change':
      return d.showChange(t('tui.display.paid'), view.paid, t('tui.display.change'), view.change);
  }
}
