/**
 * The store server's log file: `openServerLog` rotates by size like logrotate (FILE, FILE.1 …
 * FILE.N), keeps N old files, loses and repeats no line, goes on after a restart, and survives a
 * file it cannot write; `tpv server` writes every log line to stderr and to server.log in its data
 * dir (0600), or to --log-file, or to no file with --no-log-file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openServerLog } from '../../src/server/log.js';
import { BIN, cli, tempDir, until as waitFor } from '../helpers.js';
import { endpoint, postEnrol } from './server-harness.js';

const root = tempDir('tpv-server-log-');
const fresh = (): string => mkdtempSync(join(root, 'log-'));

/** The files of a log, oldest first: FILE.N … FILE.1, FILE. */
function logFiles(dir: string, name: string): string[] {
  const n = (f: string): number => (f === name ? 0 : Number(f.slice(name.length + 1)));
  return readdirSync(dir)
    .filter((f) => f === name || new RegExp(`^${name.replace('.', '\\.')}\\.\\d+$`).test(f))
    .sort((a, b) => n(b) - n(a));
}
const linesOf = (dir: string, files: string[]): string[] => files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));

const until = (done: () => boolean): Promise<boolean> => waitFor(done, 'the log line');

const line = (i: number): string => `2026-11-21T10:00:00.000Z connect terminal=T02 conn=${String(i).padStart(4, '0')} from=127.0.0.1`;

describe('openServerLog', () => {
  it('rotates at the size, every line once and in order across the files, and goes on after a restart', async () => {
    const dir = join(fresh(), 'logs', 'server'); // made 0700 by openServerLog
    const file = join(dir, 'server.log');
    const first = await openServerLog(file, { size: 500, keep: 100 });
    for (let i = 0; i < 100; i++) first.write(line(i));
    await first.close();
    const second = await openServerLog(file, { size: 500, keep: 100 });
    for (let i = 100; i < 150; i++) second.write(line(i));
    await second.close();

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = logFiles(dir, 'server.log');
    expect(files.length).toBeGreaterThan(10);
    expect(readdirSync(dir).sort()).toEqual([...files].sort()); // nothing else beside them
    expect(linesOf(dir, files)).toEqual(Array.from({ length: 150 }, (_, i) => line(i)));
    for (const f of files) {
      const st = statSync(join(dir, f));
      expect(st.mode & 0o777).toBe(0o600);
      // rotated once it reached the size: at most one line past it, never a line split
      expect(st.size).toBeLessThan(500 + line(0).length + 1);
    }
  });

  it('keeps only the newest N old files beside the current one', async () => {
    const dir = fresh();
    const log = await openServerLog(join(dir, 'server.log'), { size: 300, keep: 3 });
    for (let i = 0; i < 200; i++) log.write(line(i));
    await log.close();

    const files = logFiles(dir, 'server.log');
    expect(files).toEqual(['server.log.3', 'server.log.2', 'server.log.1', 'server.log']);
    const kept = linesOf(dir, files);
    // the newest lines, in order, once each: what was dropped is the oldest files
    expect(kept.length).toBeGreaterThan(3 * 3);
    expect(kept.length).toBeLessThan(200);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => line(200 - kept.length + i)));
  });

  it('a file it cannot write never throws: told once, then it goes on once the file can be written again', async () => {
    const dir = fresh();
    // server.log.1 is a folder that is not empty: rotating server.log onto it fails (EISDIR)
    mkdirSync(join(dir, 'server.log.1', 'x'), { recursive: true });
    const errors: Error[] = [];
    const log = await openServerLog(join(dir, 'server.log'), { size: 200, keep: 1, retryMs: 0, onError: (e) => errors.push(e) });
    for (let i = 0; i < 20; i++) expect(() => log.write(line(i))).not.toThrow();
    await until(() => errors.length > 0);
    for (let i = 20; i < 40; i++) log.write(line(i)); // each one tries the file again, and fails again: told no more
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('EISDIR');

    rmSync(join(dir, 'server.log.1'), { recursive: true });
    const written = Array.from({ length: 40 }, (_, i) => line(i));
    await until(() => {
      written.push(`recovered ${written.length}`);
      log.write(written.at(-1)!);
      return existsSync(join(dir, 'server.log')) && readFileSync(join(dir, 'server.log'), 'utf8').includes('recovered');
    });
    log.write('last');
    written.push('last');
    await log.close();
    expect(errors).toHaveLength(1);
    // the file takes lines again: what it holds is in the order written, once each, up to the last one
    const kept = linesOf(dir, logFiles(dir, 'server.log'));
    expect(kept.at(-1)).toBe('last');
    const at = kept.map((l) => written.indexOf(l));
    expect(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]!))).toBe(true);
  });

  it('refuses a folder or a device as the log file', async () => {
    const dir = fresh();
    await expect(openServerLog(dir)).rejects.toMatchObject({ code: 'io.directory', kind: 'invalid' });
    await expect(openServerLog('/dev/null')).rejects.toMatchObject({ code: 'io.not_file', kind: 'invalid' });
  });
});

let children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
});

/** Runs the built `tpv server` until it listens, asks `during(url)`, stops it with SIGTERM: its exit code and stderr. */
async function serveOnce(args: string[], during: (url: string) => Promise<void> = async () => undefined): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', ...args], { env: { ...process.env, TPV_LANG: 'en', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const found = /listening on (wss?:\/\/\S+)/.exec(err)?.[1];
      if (found) resolve(found);
    });
    void exited.then((code) => reject(new Error(`tpv server exited (${code}): ${err}`)));
  });
  await during(url);
  child.kill('SIGTERM');
  const code = await exited;
  return { code, stderr: err };
}

/** The server's own log lines (`TIME EVENT k=v…`) among what it wrote. */
const logLines = (text: string): string[] => text.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT\S+Z \w+/.test(l));

describe('tpv server: its log file', () => {
  it('writes every line to stderr and to server.log in its data dir (0600)', async () => {
    const dir = fresh();
    const { code, stderr } = await serveOnce(['--data', dir], async (url) => {
      const r = await postEnrol(endpoint(url), { code: 'AAAA-BBBB-CCCC-DDDD', register: 'T02' });
      expect(r.status).toBe(401);
    });
    expect(code).toBe(0);
    const file = join(dir, 'server.log');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const inFile = logLines(readFileSync(file, 'utf8'));
    const onStderr = logLines(stderr);
    expect(inFile).toEqual(onStderr);
    expect(inFile.map((l) => l.split(' ')[1])).toEqual(['listening', 'enrol_refused', 'stopped']);
    expect(inFile[1]).toMatch(/ enrol_refused register=T02 from=\S+ status=401 code=unknown$/);
  });

  it('--log-file names another file (its folder made 0700), --no-log-file none', async () => {
    const dir = fresh();
    const file = join(dir, 'var', 'log', 'tpv.log');
    const named = await serveOnce(['--data', join(dir, 'data'), '--log-file', file, '--log-size', '1', '--log-keep', '2']);
    expect(named.code).toBe(0);
    expect(logLines(readFileSync(file, 'utf8'))).toEqual(logLines(named.stderr));
    expect(statSync(join(dir, 'var', 'log')).mode & 0o777).toBe(0o700);
    expect(existsSync(join(dir, 'data', 'server.log'))).toBe(false);

    const none = await serveOnce(['--data', join(dir, 'quiet'), '--no-log-file']);
    expect(none.code).toBe(0);
    expect(logLines(none.stderr).map((l) => l.split(' ')[1])).toEqual(['listening', 'stopped']);
    expect(readdirSync(join(dir, 'quiet')).filter((f) => f.endsWith('.log'))).toEqual([]);
  });

  it('refuses a bad --log-size or --log-keep naming the flag, before touching the data dir; a folder as --log-file', async () => {
    const dir = join(root, 'untouched');
    const size = await cli(['server', '--log-size', '0', '--data', dir, '--json']);
    expect(size.code).toBe(3);
    expect(size.json.error).toMatchObject({ code: 'cli.integer' });
    expect(size.json.error.message).toContain('--log-size must be a whole number from 1 to 1024');
    expect((await cli(['server', '--log-size', '1.5', '--data', dir])).stderr).toContain('--log-size');
    const keep = await cli(['server', '--log-keep', '101', '--data', dir]);
    expect(keep.code).toBe(3);
    expect(keep.stderr).toContain('--log-keep must be a whole number from 1 to 100');
    expect(existsSync(dir)).toBe(false);

    const folder = fresh();
    const r = await cli(['server', '--data', join(folder, 'data'), '--log-file', folder, '--json']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('io.directory');
  });
});
