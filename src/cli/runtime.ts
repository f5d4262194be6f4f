/** What every command gets: global options, the database, output in text or `--json`, prompts. */
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { App, Notice } from '../app/context.js';
import { readStreamText, readTextFile } from '../app/files.js';
import { openApp, type OpenOptions } from '../app/open.js';
import { TpvError } from '../core/errors.js';
import { terminalJson, terminalText } from '../core/text.js';
import { systemError } from '../core/system-errors.js';
import { errorMessage, t } from '../i18n/index.js';
import { GuardedOutput } from './output.js';
import { ensureParentDir, resolveDbPath } from './paths.js';

export interface Io {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export class Cli {
  /** The io of the commands: stdout guarded (a write error never crashes tpv; see `finish`). */
  readonly io: Io;
  private readonly stdout: GuardedOutput;
  /** What this run committed (a sale…), named if its output then cannot be written. */
  private done: string | undefined;

  constructor(
    io: Io,
    readonly program: Command,
  ) {
    this.stdout = new GuardedOutput(io.stdout);
    this.io = { ...io, stdout: this.stdout };
    // stderr failing (2>/dev/full) must not crash tpv either; there is nowhere left to say so
    io.stderr.on('error', () => undefined);
  }

  get json(): boolean {
    return Boolean(this.program.opts().json);
  }

  dbPath(): string {
    return resolveDbPath(this.program.opts().db as string | undefined, this.io.env);
  }

  /** Notices go to stderr, whatever the output mode. */
  notice = (n: Notice): void => {
    this.io.stderr.write(terminalText(t(n.code, n.params ?? {}), true) + '\n');
  };

  async open(opts: OpenOptions = {}): Promise<App> {
    const path = this.dbPath();
    if (opts.create) ensureParentDir(path);
    return openApp(path, { notice: this.notice, ...opts });
  }

  /** Opens the database, runs fn, closes it whatever happens. */
  async withApp<T>(fn: (app: App) => T | Promise<T>, opts: OpenOptions = {}): Promise<T> {
    const app = await this.open(opts);
    try {
      return await fn(app);
    } finally {
      app.close();
    }
  }

  /**
   * Records that the command committed something (`t('output.sale', { number })`): if its output
   * then cannot be written, tpv says so on stderr, so a script knows not to do it again blindly.
   */
  committed(what: string): void {
    this.done = what;
  }

  /** Writes chunks to stdout as it takes them (an export); stops once stdout failed. */
  writeChunks(chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
    return this.stdout.writeChunks(chunks);
  }

  /**
   * The exit code once stdout took everything: a write that failed (a full disk, a reader gone
   * away) is one line on stderr, naming what was committed, and exit 5 — or the command's own
   * code when it had failed already.
   */
  async finish(code: number): Promise<number> {
    await this.stdout.settled();
    const failure = this.stdout.failure;
    if (!failure) return code;
    const err = systemError(failure, 'stdout') ?? new TpvError('conflict', 'io.failed', { path: 'stdout', reason: failure.message });
    const message = errorMessage(err.code, err.params);
    this.io.stderr.write(`tpv: ${this.done ? t('output.committed', { what: this.done, message }) : t('output.failed', { message })}\n`);
    return code === 0 ? 5 : code;
  }

  /** Prints a result: one JSON document with --json, else the human text. */
  out(data: unknown, human: () => string): void {
    // stored text may hold what a terminal acts on (older data, a hand-edited row): escaped here
    if (this.json) this.io.stdout.write(terminalJson({ ok: true, data }) + '\n');
    else {
      const text = terminalText(human(), true);
      if (text) this.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
    }
  }

  get interactive(): boolean {
    return Boolean(this.io.stdin.isTTY);
  }

  /** Fails naming the flag to pass when a value is missing and nobody can be asked. */
  required<T>(value: T | undefined, flag: string): T {
    if (value === undefined || value === '') throw new TpvError('usage', 'cli.flag_required', { flag });
    return value;
  }

  /** Asks on the terminal (stderr); a secret is read in raw mode and echoed as `*`. */
  async prompt(question: string, opts: { secret?: boolean; default?: string } = {}): Promise<string> {
    const label = opts.default ? `${question} [${opts.default}]: ` : `${question}: `;
    if (opts.secret) return this.readSecret(label);
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: this.io.stdin, output: this.io.stderr, terminal: true });
    try {
      const answer = (await rl.question(label)).trim();
      return answer === '' && opts.default !== undefined ? opts.default : answer;
    } finally {
      rl.close();
    }
  }

  private readSecret(label: string): Promise<string> {
    const { stdin, stderr } = this.io;
    stderr.write(label);
    return new Promise((resolve, reject) => {
      let value = '';
      const done = (err?: TpvError): void => {
        stdin.off('data', onData);
        stdin.setRawMode?.(false);
        stdin.pause();
        stderr.write('\n');
        if (err) reject(err);
        else resolve(value);
      };
      const onData = (chunk: Buffer | string): void => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return done();
          if (ch === '\u0003') return done(new TpvError('cancelled', 'cli.cancelled'));
          if (ch === '\u007f' || ch === '\b') {
            if (value.length > 0) {
              value = value.slice(0, -1);
              stderr.write('\b \b');
            }
          } else if (ch >= ' ') {
            value += ch;
            stderr.write('*');
          }
        }
      };
      stdin.setRawMode?.(true);
      stdin.resume();
      stdin.on('data', onData);
    });
  }

  /** The text of `--file PATH`, else of stdin (a request: `tpv sale`, `tpv refund`…), at most 16 MiB. */
  async readInput(file: string | undefined): Promise<string> {
    return file === undefined ? this.readStdin() : readTextFile(file);
  }

  /** Reads all of stdin (for `--admin-pin-stdin`, `tpv sale`, …), at most 16 MiB. */
  readStdin(): Promise<string> {
    return readStreamText(this.io.stdin, 'stdin');
  }
}

/** `Example:` help text for a command, in the user's language. */
export function example(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\n${t('cli.example')}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/** Simple aligned table for human output. */
export function table(headers: string[], cells: string[][], align: ('l' | 'r')[] = []): string {
  // one cell, one line: its line breaks and control characters shown as escapes
  const rows = cells.map((r) => r.map((c) => terminalText(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
