/** What every command gets: global options, the database, output in text or `--json`, prompts. */
import { existsSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { App, Notice } from '../app/context.js';
import { openApp, type OpenOptions } from '../app/open.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { ensureParentDir, resolveDbPath } from './paths.js';

export interface Io {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export class Cli {
  constructor(
    readonly io: Io,
    readonly program: Command,
  ) {}

  get json(): boolean {
    return Boolean(this.program.opts().json);
  }

  dbPath(): string {
    return resolveDbPath(this.program.opts().db as string | undefined, this.io.env);
  }

  /** Notices go to stderr, whatever the output mode. */
  notice = (n: Notice): void => {
    this.io.stderr.write(t(n.code, n.params ?? {}) + '\n');
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

  /** Prints a result: one JSON document with --json, else the human text. */
  out(data: unknown, human: () => string): void {
    if (this.json) this.io.stdout.write(JSON.stringify({ ok: true, data }) + '\n');
    else {
      const text = human();
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

  /** The text of `--file PATH`, else of stdin (a request: `tpv refund`, `tpv exchange`…). */
  async readInput(file: string | undefined): Promise<string> {
    if (file === undefined) return this.readStdin();
    if (!existsSync(file)) throw new TpvError('not_found', 'file.not_found', { path: file });
    return readFileSync(file, 'utf8');
  }

  /** Reads all of stdin (for `--admin-pin-stdin`, `tpv sale`, …). */
  async readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of this.io.stdin as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks).toString('utf8');
  }
}

/** `Example:` help text for a command, in the user's language. */
export function example(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\n${t('cli.example')}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/** Simple aligned table for human output. */
export function table(headers: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
