/**
 * Test harness for Ink screens: renders a React element into a fake terminal of fixed size and
 * records every frame Ink produces, so tests can wait for a frame instead of sleeping.
 *
 * How it works
 * - Ink runs with `debug: true`. In debug mode Ink (6.8, ink.js `onRender`) skips log-update and the
 *   render throttle and writes the *whole* frame (`fullStaticOutput + output`) to stdout on every
 *   React commit, synchronously. We also pass `onRender`, which Ink calls right before that write,
 *   so exactly the writes that follow an `onRender` are frames; anything else on the fake stdout
 *   (cursor show on unmount, `useStdout().write`) is ignored.
 * - The fake stdout is an EventEmitter with `columns`, `rows`, `isTTY: true` and `write()`; the fake
 *   stdin has `isTTY: false` and no-op `setRawMode`/`setEncoding`/`ref`/`unref` (our TUI reads keys
 *   from its own key source, so Ink's stdin is never read; calling Ink's `useInput` would throw
 *   "Raw mode is not supported", which is the point).
 * - Also set: `patchConsole: false` (console.log in tests stays on the real console),
 *   `exitOnCtrlC: false`, `isScreenReaderEnabled: false` (ignore INK_SCREEN_READER), legacy (not
 *   concurrent) root. The first frame and `rerender()` are written synchronously; a setState fired
 *   from outside React (EventEmitter, key source) is batched and committed on a React scheduler task
 *   (after microtasks, before setImmediate callbacks), so two emits in one tick give ONE frame. Hence
 *   `waitFor` after triggering an update, never `lastFrame()` right after the trigger.
 * - Ink listens to stdout 'resize' only when not in CI (`is-in-ci`: env CI / CONTINUOUS_INTEGRATION).
 *   `resize()` emits 'resize'; if nothing rendered in response (CI), it re-renders the current element
 *   so the root is laid out at the new width, which is what Ink does outside CI. Note Ink's resize
 *   handler only re-lays out: components reading `useStdout().stdout.columns/rows` must subscribe to
 *   stdout 'resize' themselves to re-render (Ink 6.8 has no useWindowSize hook).
 *
 * Findings about Ink 6.8 in a real terminal (read from ink.js/log-update.js, checked in tmux 40x24):
 * (1) Output as tall as the terminal. Outside debug mode Ink treats a frame as "fullscreen" when
 *     `stdout.isTTY && outputHeight >= stdout.rows`: such a frame is written WITHOUT the trailing
 *     newline (so a frame of exactly `rows` lines does not scroll). The first frame still goes through
 *     log-update from the current cursor row; from then on, whenever the previous frame was >= rows
 *     tall, every render writes `clearTerminal` (ESC[2J ESC[3J ESC[H: clears the screen AND erases the
 *     scrollback) followed by the full frame, with no "unchanged" check (the final frame on unmount is
 *     written again). So: a 24-row app in a 24-row terminal shows rows 0-23 correctly, but wipes the
 *     user's scrollback; a 25-row app loses its top row on every frame (it scrolls off); a 23-row app
 *     uses the normal erase-lines diff and keeps scrollback. On exit the cursor is left at the end of
 *     the last row (no newline), so the shell prompt is glued to the last line. Keep the root
 *     `<Box height={rows}>` and never taller.
 * (2) Alternate screen. Ink 6.8 has no option for it (no `alternateScreen`, no 1049 in its build).
 *     Write it ourselves: `stdout.write('\x1b[?1049h\x1b[H')` before `render()` and
 *     `stdout.write('\x1b[?1049l')` after `waitUntilExit()`/`unmount()` (and on crash paths, e.g.
 *     process 'exit'). Checked in tmux: the app fills the alt screen, the shell's screen and
 *     scrollback come back intact on exit, and Ink's ESC[3J no longer touches the user's history.
 * (3) Throttling. Default `maxFps` is 30, i.e. renders are throttled to one per ceil(1000/30) = 34 ms
 *     with leading + trailing edges (es-toolkit throttle): an update after an idle period is drawn
 *     immediately, further updates in the window are coalesced into one trailing frame (intermediate
 *     states are never drawn). Log writes go through a second throttle (wait 0, so a trailing write
 *     lands on a later timer tick). `maxFps: 0` removes the 34 ms window but writes are still async;
 *     `debug: true` or `isScreenReaderEnabled: true` disable throttling entirely (debug: one full
 *     frame per commit, which is what this harness uses). `unmount()` flushes a pending throttled frame.
 *     For the real app the default is fine (a keypress after >34 ms idle renders at once); a higher
 *     `maxFps` (e.g. 60) only shortens the coalescing window for key bursts.
 *
 * Gotchas seen with Ink 6.8 + React 19: no act() warnings (React only warns when the global
 * IS_REACT_ACT_ENVIRONMENT is set; we don't set it and don't need act: waitFor listens for writes).
 * Outside debug mode with an isTTY stdout, Ink's cursor hiding (cli-cursor -> restore-cursor)
 * registers an exit hook that writes ESC[?25h to the real process.stderr (a stray "[?25h" in the
 * vitest output of the non-debug test in harness.test.ts); debug mode avoids it. Outside debug mode
 * in CI, Ink writes no frame at all until unmount. Ink also registers a signal-exit hook that
 * unmounts (and renders a last frame) at process exit. `render()` keeps one Ink instance per stdout
 * object (WeakMap), so each harness has its own stdout. The app may call `useApp().exit()`: the
 * harness then counts as ended and pending `waitFor`s reject at once.
 */
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import type React from 'react';
import { render, type Instance } from 'ink';
import type { TillInfo } from '../../src/tui/actions.js';
import { initialState, type PosState } from '../../src/tui/state.js';

/** The till the view tests draw: a corner shop in euros. */
export const TILL: TillInfo = {
  store: 'Corner Shop',
  register: 'T01',
  currency: 'EUR',
  exponent: 2,
  pricesIncludeTax: true,
  otherTenders: [],
  cashIncrement: 1,
  discountLimit: 1000,
  lockMinutes: 5,
};

/** A cashier on the sale screen, nothing in the cart. */
export const SALE_SCREEN: PosState = { ...initialState(), screen: 'sale', user: { id: 3, code: 'cash', name: 'Cora Cash', role: 'cashier' }, prompt: null };

export interface Harness {
  /** The latest full frame, ANSI codes stripped, each line right-trimmed. */
  lastFrame(): string;
  /** All frames so far. */
  frames(): string[];
  /** Resolves when a frame satisfying `test` (string includes or predicate) is rendered (the current one counts); rejects after `timeoutMs` (default 5000) with the last frame in the error message. No fixed sleeps: it resolves on the stdout write event. */
  waitFor(test: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Changes the terminal size and emits 'resize' like a real terminal. */
  resize(columns: number, rows: number): void;
  rerender(node: React.ReactElement): void;
  unmount(): void;
}

type FrameTest = string | RegExp | ((frame: string) => boolean);

/** Strips ANSI/VT control sequences and right-trims every line. */
export function toPlainFrame(raw: string): string {
  return stripVTControlCharacters(raw)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

class FakeStdout extends EventEmitter {
  isTTY = true;
  /** Set by Ink's onRender callback: the next write is a full frame. */
  frameExpected = false;

  constructor(
    public columns: number,
    public rows: number,
    private readonly onFrame: (raw: string) => void,
  ) {
    super();
  }

  write(chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean {
    const raw = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (this.frameExpected) {
      this.frameExpected = false;
      this.onFrame(raw);
    }
    const cb = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof cb === 'function') process.nextTick(cb as () => void);
    return true;
  }

  getColorDepth(): number {
    return 1;
  }

  hasColors(): boolean {
    return false;
  }
}

class FakeStdin extends EventEmitter {
  isTTY = false;
  setRawMode(): this {
    return this;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  read(): null {
    return null;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}

function describeTest(test: FrameTest): string {
  if (typeof test === 'string') return JSON.stringify(test);
  if (test instanceof RegExp) return String(test);
  return test.name ? `predicate ${test.name}` : 'predicate';
}

function toPredicate(test: FrameTest): (frame: string) => boolean {
  if (typeof test === 'string') return (frame) => frame.includes(test);
  if (test instanceof RegExp) return (frame) => frame.search(test) !== -1;
  return test;
}

export function renderTui(node: React.ReactElement, opts: { columns?: number; rows?: number } = {}): Harness {
  const frameList: string[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(Infinity);
  let ended: string | undefined; // why no more frames will come

  const stdout = new FakeStdout(opts.columns ?? 80, opts.rows ?? 24, (raw) => {
    const frame = toPlainFrame(raw);
    frameList.push(frame);
    events.emit('frame', frame);
  });
  const stdin = new FakeStdin();

  let current = node;
  const instance: Instance = render(node, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stdout as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
    isScreenReaderEnabled: false,
    onRender: () => {
      stdout.frameExpected = true;
    },
  });

  const end = (reason: string): void => {
    if (ended !== undefined) return;
    ended = reason;
    events.emit('end', reason);
  };
  // The app may exit by itself (useApp().exit()); waiters then fail at once instead of timing out.
  instance.waitUntilExit().then(
    () => end('the app exited'),
    (error: unknown) => end(`the app exited with ${String(error)}`),
  );

  const lastFrame = (): string => frameList[frameList.length - 1] ?? '';

  return {
    lastFrame,
    frames: () => [...frameList],

    waitFor(test, timeoutMs = 5000) {
      const matches = toPredicate(test);
      if (frameList.length > 0 && matches(lastFrame())) return Promise.resolve(lastFrame());
      // Created here so the rejection points at the caller, not at a timer.
      const error = new Error(`waitFor(${describeTest(test)})`);
      const fail = (why: string): Error => {
        error.message = `waitFor(${describeTest(test)}) ${why}; ${frameList.length} frame(s), last frame:\n${lastFrame()}`;
        error.stack = `Error: ${error.message}\n${(error.stack ?? '').split('\n').slice(1).join('\n')}`;
        return error;
      };
      if (ended !== undefined) return Promise.reject(fail(`can never match: ${ended}`));
      return new Promise<string>((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          events.off('frame', onFrame);
          events.off('end', onEnd);
        };
        const onFrame = (frame: string): void => {
          let ok: boolean;
          try {
            ok = matches(frame);
          } catch (e) {
            cleanup();
            reject(e);
            return;
          }
          if (ok) {
            cleanup();
            resolve(frame);
          }
        };
        const onEnd = (reason: string): void => {
          cleanup();
          reject(fail(`can never match: ${reason}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(fail(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        events.on('frame', onFrame);
        events.on('end', onEnd);
      });
    },

    resize(columns, rows) {
      stdout.columns = columns;
      stdout.rows = rows;
      const before = frameList.length;
      stdout.emit('resize');
      // In CI Ink does not listen to 'resize'; lay out again at the new width ourselves.
      if (frameList.length === before && ended === undefined) instance.rerender(current);
    },

    rerender(next) {
      current = next;
      instance.rerender(next);
    },

    unmount() {
      instance.unmount();
      end('the harness was unmounted');
    },
  };
}
