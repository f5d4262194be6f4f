/**
 * The cashier terminal: start-up to the first frame (in tmux, beside a bare node program that
 * prints the same prompt) and the cost of a keystroke on a 200-line cart (state + Ink frame,
 * beside Ink drawing a frame of the same size that does nothing else).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createElement } from 'react';
import { Box, render, Text } from 'ink';
import { addLine, emptyCart } from '../src/core/cart.js';
import type { PosActions, TillInfo } from '../src/tui/actions.js';
import { parseKeys } from '../src/tui/keys.js';
import { handleKey, initialState, type PosState } from '../src/tui/state.js';
import { PosView } from '../src/tui/view.js';

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Milliseconds until `text` shows in a fresh 80×24 tmux pane running `command`. */
function firstFrame(command: string, text: string): number {
  const session = `tpv-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const t0 = nowMs();
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '80', '-y', '24', command]);
  try {
    for (;;) {
      const pane = spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout;
      if (pane.includes(text)) return nowMs() - t0;
      if (nowMs() - t0 > 20_000) throw new Error(`no "${text}" after 20 s:\n${pane}`);
    }
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
}

export function benchTuiStartup(bin: string, db: string, runs: number): { tpv: number[]; baseline: number[] } {
  const tpv: number[] = [];
  const baseline: number[] = [];
  const node = `${process.execPath} -e "process.stdout.write('User: '); setTimeout(() => {}, 60000)"`;
  const pos = `TPV_LANG=en ${process.execPath} ${bin} --db ${db} pos`;
  firstFrame(node, 'User:');
  firstFrame(pos, 'User:');
  for (let i = 0; i < runs; i++) {
    baseline.push(firstFrame(node, 'User:'));
    tpv.push(firstFrame(pos, 'User:'));
  }
  return { tpv, baseline };
}

function fakeStdout(): NodeJS.WriteStream {
  const out = new EventEmitter() as EventEmitter & { columns: number; rows: number; isTTY: boolean; write: (s: string) => boolean };
  out.columns = 80;
  out.rows = 24;
  out.isTTY = true;
  out.write = () => true;
  return out as unknown as NodeJS.WriteStream;
}

function fakeStdin(): NodeJS.ReadStream {
  const input = new EventEmitter() as EventEmitter & Record<string, unknown>;
  Object.assign(input, { isTTY: false, setRawMode: () => input, setEncoding: () => input, ref: () => input, unref: () => input, read: () => null, resume: () => input, pause: () => input });
  return input as unknown as NodeJS.ReadStream;
}

const INFO: TillInfo = {
  store: 'Bench',
  register: 'T01',
  currency: 'EUR',
  exponent: 2,
  pricesIncludeTax: true,
  otherTenders: [],
  cashIncrement: 1,
  discountLimit: 1000,
  lockMinutes: 0,
};

/** Per keystroke (arrow up/down on a 200-line cart): state update + a full Ink frame. */
export function benchKeystroke(keys: number): { tpv: number[]; baseline: number[] } {
  let cart = emptyCart();
  for (let i = 0; i < 200; i++) {
    const r = addLine(cart, { sku: `SKU-${i}`, name: `Product number ${i} with a long name`, unit: 'each', unitPrice: 99 + i, taxRate: 2100 });
    if (!r.ok) throw new Error(r.problem.code);
    cart = r.value;
  }
  let state: PosState = { ...initialState(), screen: 'sale', user: { id: 1, code: 'a', name: 'A', role: 'cashier' }, cart, selected: 199 };
  const actions = new Proxy({}, { get: () => () => undefined }) as PosActions;
  const ctx = { actions, info: INFO };
  const view = (s: PosState) => createElement(PosView, { state: s, info: INFO, columns: 80, rows: 24, clock: '12:00', shift: 'shift 1', printer: 'no printer' });
  const ink = render(view(state), { stdout: fakeStdout(), stdin: fakeStdin(), debug: true, patchConsole: false, exitOnCtrlC: false });
  const up = parseKeys('\x1b[A')[0]!;
  const down = parseKeys('\x1b[B')[0]!;
  const tpv: number[] = [];
  for (let i = 0; i < keys; i++) {
    const t0 = nowMs();
    state = handleKey(state, i % 40 < 20 ? up : down, ctx);
    ink.rerender(view(state));
    tpv.push(nowMs() - t0);
  }
  ink.unmount();
  // the floor: Ink drawing 23 fixed rows of text
  const rows = Array.from({ length: 23 }, (_, i) => `row ${i} `.padEnd(80, '.'));
  const plain = (n: number) => createElement(Box, { flexDirection: 'column', width: 80, height: 23 }, ...rows.map((r, i) => createElement(Text, { key: i }, i === n % 23 ? r.toUpperCase() : r)));
  const base = render(plain(0), { stdout: fakeStdout(), stdin: fakeStdin(), debug: true, patchConsole: false, exitOnCtrlC: false });
  const baseline: number[] = [];
  for (let i = 0; i < keys; i++) {
    const t0 = nowMs();
    base.rerender(plain(i));
    baseline.push(nowMs() - t0);
  }
  base.unmount();
  return { tpv, baseline };
}
