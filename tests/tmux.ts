/** Drives a real terminal program in tmux: type keys, wait for text on the screen (no fixed sleeps). */
import { execFileSync } from 'node:child_process';

export class Tmux {
  private constructor(readonly session: string) {}

  static start(command: string, opts: { width?: number; height?: number; env?: Record<string, string> } = {}): Tmux {
    const session = `tpv-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
    execFileSync('tmux', [
      'new-session', '-d', '-s', session, '-x', String(opts.width ?? 80), '-y', String(opts.height ?? 24),
      `${env} ${command}; echo "[exit $?]"; sleep 600`,
    ]);
    return new Tmux(session);
  }

  /** Types text (literally), then optionally presses keys such as Enter, BSpace, F2. */
  type(text: string, ...keys: string[]): void {
    if (text) execFileSync('tmux', ['send-keys', '-t', this.session, '-l', text]);
    if (keys.length) execFileSync('tmux', ['send-keys', '-t', this.session, ...keys]);
  }

  screen(): string {
    return execFileSync('tmux', ['capture-pane', '-t', this.session, '-p']).toString('utf8');
  }

  /** Waits until the screen matches (polling the pane), or fails with the last screen. */
  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s)) return s;
      if (Date.now() > deadline) throw new Error(`screen never showed ${String(pattern)}:\n${s}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.session]);
    } catch {
      /* already gone */
    }
  }
}

const shellQuote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** `tpv pos` on a database (the built CLI), in English, with `env` added. */
export function startPos(bin: string, db: string, env: Record<string, string> = {}): Tmux {
  return Tmux.start(`${process.execPath} ${bin} --db ${db} pos`, { env: { TPV_LANG: 'en', TERM: 'screen', ...env } });
}

/** Logs a user in at the terminal's login screen. */
export async function posLogin(t: Tmux, code: string, pin: string): Promise<void> {
  await t.waitFor('User: ');
  t.type(code, 'Enter');
  await t.waitFor(`PIN of ${code}:`);
  t.type(pin, 'Enter');
}

/** Ctrl+C, yes: the program must end by itself (exit 0). */
export async function posQuit(t: Tmux): Promise<void> {
  t.type('', 'C-c');
  await t.waitFor('Leave tpv?');
  t.type('y');
  await t.waitFor('[exit 0]');
}
