/**
 * The cashier terminal's devices for one run: print jobs, drawer kicks and status polls one at a
 * time, the customer display kept open, the serial scanners. Nothing of the device code loads
 * until a configured device is used (a till without devices starts without the printer encoder).
 */
import { t } from '../i18n/index.js';
import type { App } from './context.js';
import { deviceOf, listDevices, type ScannerConfig } from './devices.js';
import { documentByNumber } from './documents.js';
import type { DisplaySession, PrinterState } from './peripherals.js';

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
        .then((p) => p.openDisplay(d))
        .catch(() => null);
      // updates go out one after the other, in order; a failing display is left alone
      shown = shown.then(async () => {
        const session = await display;
        if (session) await session.show(await displayLines(view, d.welcome || app.profile.name)).catch(() => undefined);
      });
    },
    scanners: async (onScan, onError) => {
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
