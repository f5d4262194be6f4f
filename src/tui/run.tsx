/**
 * Runs the cashier terminal on a real terminal: raw keys from stdin through the key decoder into
 * `handleKey`, one state, rendered by Ink on the alternate screen. Keys are handled synchronously
 * as they arrive (a scanner burst is never dropped or reordered, whatever the render rate).
 */
import { useSyncExternalStore } from 'react';
import { render } from 'ink';
import { scheduledBackup } from '../app/backup.js';
import type { App } from '../app/context.js';
import { tillClock } from '../app/till.js';
import { type LoopState, readLink, runSync } from '../app/sync.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { appActions, type DisplayView, type PosActions, type PrinterState } from './actions.js';
import { type EinvoiceCounts, type EinvoiceLoop, startEinvoice } from './einvoice.js';
import { KeyDecoder } from './keys.js';
import { type Context, displayView, handleKey, handleScan, initialState, loginPrompt, type PosState, tillMessage } from './state.js';
import { PosView } from './view.js';

export interface RunOptions {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  /** Shown on the login screen (the demo store's users). */
  loginHint?: string;
}

/** A tiny store: the state, and who to tell when it changes. */
class Store {
  private listeners = new Set<() => void>();
  constructor(public state: PosState) {}
  set(next: PosState): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  }
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

/** How often the terminal asks whether a scheduled backup is due (`backup.every`). */
const BACKUP_CHECK_MS = 10 * 60_000;

const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export async function runPos(app: App, opts: RunOptions): Promise<number> {
  const { stdin, stdout } = opts;
  if (!stdin.isTTY || !stdout.isTTY) throw new TpvError('usage', 'tui.not_a_terminal');
  const base = appActions(app);
  const store = new Store(initialState());
  const notify = (text: string, error: boolean): void =>
    store.set({ ...store.state, message: { text, error }, bell: error ? store.state.bell + 1 : store.state.bell });
  const detail = (e: unknown): string => (e instanceof TpvError ? tillMessage(e.code, e.params) : e instanceof Error ? e.message : String(e));
  /**
   * What the devices the till holds say: a scanner or display lost (once, with the bell) and back
   * again (once, quietly); any other failure of a scanner as before.
   */
  const deviceNews = (e: Error): void => {
    const code = e instanceof TpvError ? e.code : null;
    if (code === 'device.reconnected') notify(sentence(detail(e)), false);
    else if (code === 'scanner.lost' || code === 'display.lost') notify(sentence(detail(e)), true);
    else notify(t('tui.scanner_failed', { detail: detail(e) }), true);
  };
  // the printer's state in the status bar: asked at start, after each job, and every half minute
  let printer: PrinterState | null | 'unknown' = 'unknown';
  /** The background sync loop's state; null when the till is not registered with a store server. */
  let sync: LoopState | null = null;
  /** The VERI*FACTU queue's counts; null when the store's scheme is off. */
  let einvoice: EinvoiceCounts | null = null;
  const refreshPrinter = (): void =>
    void base.printerState().then(
      (state) => {
        if (state === printer) return;
        printer = state;
        sizeStore.set({ ...sizeStore.state });
      },
      () => undefined,
    );
  // printing runs after the sale is committed; a printer failure is a message, never a blocked till
  const actions: PosActions = {
    ...base,
    print: (job) =>
      base.print(job).then(refreshPrinter, (e: unknown) => {
        notify(t('tui.printer_failed', { number: job.number, detail: detail(e) }), true);
        refreshPrinter();
      }),
    printSlip: (code) =>
      base.printSlip(code).then(
        (copy) => {
          refreshPrinter();
          return copy;
        },
        (e: unknown) => {
          notify(t('tui.slip_print_failed', { code, detail: detail(e) }), true);
          refreshPrinter();
          return false;
        },
      ),
    kickDrawer: () => base.kickDrawer().catch((e: unknown) => notify(t('tui.drawer_failed', { detail: detail(e) }), true)),
    printX: () =>
      base.printX().then((p) => {
        if (p) notify(t('tui.x_print_failed', { detail: p }), true);
        refreshPrinter();
        return p;
      }),
  };
  const ctx: Context = { actions, info: actions.info() };
  store.set(loginPrompt({ ...store.state, message: opts.loginHint ? { text: opts.loginHint, error: false } : null }, ctx));

  let bell = store.state.bell;
  /** When the last key came: the till locks after `tui.lock_minutes` without one (read again at every look, so a changed setting applies at once). */
  let lastKey = Date.now();
  const lockIfIdle = (): void => {
    const minutes = ctx.info.lockMinutes;
    if (minutes > 0 && store.state.user && Date.now() - lastKey >= minutes * 60_000) {
      store.set(loginPrompt({ ...store.state, help: false, message: { text: t('tui.locked', { name: store.state.user.name }), error: false } }, ctx));
    }
  };

  const decoder = new KeyDecoder();
  let flushTimer: NodeJS.Timeout | undefined;
  let done: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (done = resolve));
  /** Applies keys (or a serial scan) one by one, then draws once. */
  const apply = (steps: ((s: PosState) => PosState)[]): void => {
    // the store's settings as they are now (changed from another process, they show at the next key)
    ctx.info = actions.info();
    let s = store.state;
    for (const step of steps) {
      try {
        s = step(s);
      } catch (e) {
        // a bug must not take the till down: say it, keep the cart (it is saved on every change)
        s = { ...s, prompt: null, message: { text: t('tui.internal', { detail: e instanceof Error ? e.message : String(e) }), error: true }, bell: s.bell + 1 };
      }
      if (s.quit) break;
    }
    store.set(s);
    if (s.bell !== bell) {
      bell = s.bell;
      stdout.write('\x07');
    }
    lastKey = Date.now();
    if (s.quit) done(0);
  };
  const feed = (keys: ReturnType<KeyDecoder['feed']>): void => apply(keys.map((key) => (s: PosState) => handleKey(s, key, ctx)));
  const onData = (chunk: string): void => {
    clearTimeout(flushTimer);
    feed(decoder.feed(chunk));
    if (decoder.pending) flushTimer = setTimeout(() => feed(decoder.flush()), 25);
  };

  const size = { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const sizeStore = new Store(store.state);
  const onResize = (): void => {
    size.columns = stdout.columns || 80;
    size.rows = stdout.rows || 24;
    sizeStore.set({ ...sizeStore.state });
  };
  let clock = tillClock(app);
  const clockTimer = setInterval(() => {
    try {
      ctx.info = actions.info();
      lockIfIdle();
      const now = tillClock(app);
      if (now !== clock) {
        clock = now;
        sizeStore.set({ ...sizeStore.state });
      }
    } catch {
      // the database busy or closing: the next look tells
    }
  }, 5_000);

  function Root() {
    const state = useSyncExternalStore(store.subscribe, () => store.state);
    useSyncExternalStore(sizeStore.subscribe, () => sizeStore.state);
    const shift = state.user ? actions.shift() : null;
    return (
      <PosView
        state={state}
        info={ctx.info}
        columns={size.columns}
        rows={size.rows}
        clock={clock}
        shift={shift ? t('tui.shift_open', { id: shift.id }) : t('tui.shift_closed')}
        printer={printer === null ? t('tui.printer_none') : t(`tui.printer.${printer}`)}
        sync={sync}
        einvoice={einvoice}
      />
    );
  }

  stdout.write('\x1b[?1049h\x1b[H');
  const restore = (): void => {
    stdout.write('\x1b[?25h\x1b[?1049l');
  };
  process.on('exit', restore);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.on('data', onData);
  stdin.resume();
  stdout.on('resize', onResize);
  const ink = render(<Root />, { stdout, stdin, exitOnCtrlC: false, patchConsole: false });
  const stop = (): void => done(0);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  // everything started from here on is undone in the finally, whatever fails while starting
  let unwatch: () => void = () => undefined;
  let closeScanners: () => Promise<void> = async () => undefined;
  let printerTimer: NodeJS.Timeout | undefined;
  let backupTimer: NodeJS.Timeout | undefined;
  let backup: Promise<void> | null = null;
  const stopSync = new AbortController();
  let syncLoop: Promise<void> | null = null;
  let einvoiceLoop: EinvoiceLoop | null = null;
  try {
    // the customer display follows the state, guarded like the reducer: a failure there is said
    // once on the message line (not at every key), and the till goes on selling
    let shown = '';
    let displayFailure = '';
    let reporting = false;
    const showOnDisplay = (view?: DisplayView): void => {
      if (reporting) return;
      try {
        const next = view ?? displayView(store.state, ctx);
        const key = JSON.stringify(next);
        if (key === shown) return;
        shown = key;
        actions.display(next);
        displayFailure = '';
      } catch (e) {
        const text = e instanceof Error ? e.message : String(e);
        if (text === displayFailure) return;
        displayFailure = text;
        reporting = true;
        try {
          notify(t('tui.internal', { detail: text }), true);
        } finally {
          reporting = false;
        }
      }
    };
    unwatch = store.subscribe(() => showOnDisplay());
    showOnDisplay({ kind: 'welcome' });
    // the serial scanners type into the till like the keyboard; one that fails or is unplugged is
    // reopened by itself, and the cashier is told when it goes and when it is back (not at each retry)
    try {
      closeScanners = await actions.scanners((code) => apply([(s) => handleScan(s, code, ctx)]), deviceNews);
    } catch (e) {
      notify(t('tui.scanner_failed', { detail: detail(e) }), true);
    }
    refreshPrinter();
    printerTimer = setInterval(refreshPrinter, 30_000);
    // scheduled backups, at start and then whenever one is due: in the background, between keys (the
    // backup API copies in small steps, outside any transaction); a failure is said, never a stop
    const backupIfDue = (): void => {
      backup ??= scheduledBackup(app).then(
        () => void (backup = null),
        (e: unknown) => {
          backup = null;
          notify(t('tui.backup_failed', { detail: detail(e) }), true);
        },
      );
    };
    backupIfDue();
    backupTimer = setInterval(backupIfDue, BACKUP_CHECK_MS);
    // a till registered with a store server (`<db>.sync`) ships its outbox in the background, the
    // loop of `tpv sync run` on this connection between keys; its state is on the status bar, and a
    // refusal that stops it (revoked…) is said there and on the message line, never a stopped till
    try {
      const link = readLink(app.path);
      if (link) {
        syncLoop = runSync(app, link, stopSync.signal, undefined, (state) => {
          sync = state;
          sizeStore.set({ ...sizeStore.state });
        }).catch((e: unknown) => notify(t('tui.sync_failed', { detail: detail(e) }), true));
      }
    } catch (e) {
      notify(t('tui.sync_failed', { detail: detail(e) }), true);
    }
    // with the store's VERI*FACTU scheme on and its certificate stored, the records go to the AEAT
    // in the background (the loop of `tpv einvoice run`, between keys, outside any sale's
    // transaction); the queue is on the status bar. A failed submission only keeps the count up.
    try {
      einvoiceLoop = await startEinvoice(app, {
        env: process.env,
        onCounts: (counts) => {
          einvoice = counts;
          sizeStore.set({ ...sizeStore.state });
        },
        onError: (e) => notify(t('tui.einvoice_failed', { detail: detail(e) }), true),
      });
    } catch (e) {
      notify(t('tui.einvoice_failed', { detail: detail(e) }), true);
    }
    return await finished;
  } finally {
    clearTimeout(flushTimer);
    clearInterval(clockTimer);
    clearInterval(printerTimer);
    clearInterval(backupTimer);
    stopSync.abort();
    const einvoiceStopped = einvoiceLoop?.stop();
    await syncLoop;
    await einvoiceStopped;
    await backup;
    unwatch();
    // a device that fails to let go must not leave the terminal in raw mode
    await closeScanners().catch(() => undefined);
    await actions.closeDisplay().catch(() => undefined);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    stdin.off('data', onData);
    stdout.off('resize', onResize);
    ink.unmount();
    stdin.setRawMode(false);
    stdin.pause();
    restore();
    process.off('exit', restore);
  }
}
