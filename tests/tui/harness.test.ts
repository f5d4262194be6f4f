import { EventEmitter } from 'node:events';
import React, { useEffect, useState } from 'react';
import { Box, Text, render, useApp, useStdout } from 'ink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderTui, toPlainFrame, type Harness } from './harness.js';

const h = React.createElement;

let harness: Harness | undefined;
afterEach(() => {
  harness?.unmount();
  harness = undefined;
});

function Panel(): React.ReactElement {
  return h(
    Box,
    { borderStyle: 'single', flexDirection: 'column', width: '100%' },
    h(Text, { color: 'green', bold: true }, 'TOTAL'),
    h(Text, null, 'x'.repeat(200)),
  );
}

function Counter({ bus }: { bus: EventEmitter }): React.ReactElement {
  const [n, setN] = useState(0);
  useEffect(() => {
    const inc = (): void => setN((v) => v + 1);
    bus.on('inc', inc);
    return () => {
      bus.off('inc', inc);
    };
  }, [bus]);
  return h(Text, null, `count=${n}`);
}

function Size(): React.ReactElement {
  const { stdout } = useStdout();
  const [size, setSize] = useState({ columns: stdout.columns, rows: stdout.rows });
  useEffect(() => {
    const onResize = (): void => setSize({ columns: stdout.columns, rows: stdout.rows });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return h(Box, { width: '100%', borderStyle: 'single' }, h(Text, null, `size ${size.columns}x${size.rows}`));
}

describe('renderTui', () => {
  it('renders Box/Text within 80 columns as plain text', () => {
    harness = renderTui(h(Panel));
    const frame = harness.lastFrame();
    const lines = frame.split('\n');
    expect(frame).toContain('TOTAL');
    expect(frame).not.toMatch(/\x1b/); // no ANSI, whatever NO_COLOR/FORCE_COLOR say
    expect(Math.max(...lines.map((l) => l.length))).toBe(80);
    expect(lines[0]).toBe(`┌${'─'.repeat(78)}┐`);
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
    expect(harness.frames()).toHaveLength(1);
  });

  it('waitFor sees a state change triggered from an EventEmitter', async () => {
    const bus = new EventEmitter();
    harness = renderTui(h(Counter, { bus }));
    expect(await harness.waitFor('count=0')).toBe('count=0'); // the current frame counts
    const pending = harness.waitFor(/count=1/);
    bus.emit('inc'); // React 19 commits this on a scheduler task, not synchronously
    expect(harness.lastFrame()).toBe('count=0');
    await expect(pending).resolves.toBe('count=1');
    bus.emit('inc');
    bus.emit('inc'); // batched into one commit
    expect(await harness.waitFor('count=3')).toBe('count=3');
    expect(harness.frames()).toEqual(['count=0', 'count=1', 'count=3']);
  });

  it('resize is seen by a component reading useStdout().stdout', async () => {
    harness = renderTui(h(Size));
    expect(harness.lastFrame()).toContain('size 80x24');
    harness.resize(100, 30);
    const frame = await harness.waitFor((f) => f.includes('size 100x30'));
    expect(frame.split('\n')[0]).toHaveLength(100);
    harness.resize(60, 20);
    // Ink re-lays out at once (new width; outside CI with the component's stale state), and the
    // component's own update follows on a scheduler task.
    expect(harness.lastFrame().split('\n')[0]).toHaveLength(60);
    expect(await harness.waitFor('size 60x20')).toContain('size 60x20');
  });

  it('resize re-lays out even when no component subscribes', () => {
    harness = renderTui(h(Panel), { columns: 40, rows: 10 });
    expect(harness.lastFrame().split('\n')[0]).toHaveLength(40);
    harness.resize(50, 10);
    expect(harness.lastFrame().split('\n')[0]).toHaveLength(50);
  });

  it('rerender replaces the element', async () => {
    harness = renderTui(h(Text, null, 'one'));
    harness.rerender(h(Text, null, 'two'));
    expect(await harness.waitFor('two')).toBe('two');
  });

  it('waitFor rejects on timeout with the last frame in the message', async () => {
    harness = renderTui(h(Text, null, 'still here'), { columns: 30, rows: 5 });
    await harness.waitFor('still here');
    // not before its time: on a fake clock it is still waiting at 199 ms and gives up at 200
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let error: unknown;
    let settled = false;
    try {
      const waiting = harness.waitFor('never', 200).then(
        () => (settled = true),
        (e: unknown) => {
          settled = true;
          error = e;
        },
      );
      await vi.advanceTimersByTimeAsync(199);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
    } finally {
      vi.useRealTimers();
    }
    expect(settled).toBe(true);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/waitFor\("never"\) timed out after 200 ms/);
    expect((error as Error).message).toContain('still here');
    expect((error as Error).stack).toContain('harness.test.ts');
  });

  it('waitFor rejects at once after unmount', async () => {
    const bus = new EventEmitter();
    harness = renderTui(h(Counter, { bus }));
    const pending = harness.waitFor('count=9');
    harness.unmount();
    harness = undefined;
    await expect(pending).rejects.toThrow(/can never match: the harness was unmounted[\s\S]*count=0/);
  });

  it('waitFor rejects at once when the app exits by itself', async () => {
    const bus = new EventEmitter();
    function Quitter(): React.ReactElement {
      const { exit } = useApp();
      useEffect(() => {
        bus.on('quit', exit);
        return () => {
          bus.off('quit', exit);
        };
      }, [exit]);
      return h(Text, null, 'bye soon');
    }
    harness = renderTui(h(Quitter));
    const pending = harness.waitFor('never');
    bus.emit('quit');
    await expect(pending).rejects.toThrow(/can never match: the app exited[\s\S]*bye soon/);
  });
});

// Same test as the is-in-ci package Ink uses: in CI, Ink writes no frames until unmount outside debug mode.
const inCi = ['CI', 'CONTINUOUS_INTEGRATION'].some((k) => {
  const v = process.env[k];
  return v !== undefined && v !== '0' && v !== 'false';
});

// Documents finding (1) of harness.ts: what Ink does outside debug mode when the output is as tall
// as the terminal. Uses Ink's render() directly on a recording TTY-like stdout.
describe.skipIf(inCi)('Ink 6.8 full-height output (non-debug)', () => {
  it('writes a rows-tall frame without trailing newline, then clears the terminal on each render', () => {
    const writes: string[] = [];
    const stdout = Object.assign(new EventEmitter(), {
      columns: 20,
      rows: 4,
      isTTY: true,
      write: (s: string) => {
        writes.push(s);
        return true;
      },
    });
    const stdin = Object.assign(new EventEmitter(), { isTTY: false, setRawMode: () => undefined });
    const rows = (label: string): React.ReactElement =>
      h(Box, { flexDirection: 'column', height: 4 }, ...['a', 'b', 'c', 'd'].map((r) => h(Text, { key: r }, `${label}${r}`)));
    const ink = render(rows('1'), {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      patchConsole: false,
      exitOnCtrlC: false,
    });
    ink.rerender(rows('2'));
    ink.unmount(); // flushes the throttled frame
    const frames = writes.filter((w) => w.includes('a'));
    expect(frames[0]!.endsWith('1d')).toBe(true); // no '\n': a rows-tall frame does not scroll
    expect(frames[1]!.startsWith('\x1b[2J\x1b[3J\x1b[H')).toBe(true); // clearTerminal, scrollback too
    expect(toPlainFrame(frames[1]!)).toBe('2a\n2b\n2c\n2d');
  });
});
