/**
 * A private PostgreSQL cluster for the sync bench: initdb in a temp folder, started with pg_ctl on
 * a free port of 127.0.0.1, never the system's service (as root it belongs to `postgres`: initdb
 * refuses root). The start logic of tests/pg.ts, which the bench bundle cannot import (its helpers
 * pull in vitest).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

export interface BenchPostgres {
  /** A new empty database of the cluster: its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(debian, v, 'bin', 'initdb'))) return join(debian, v, 'bin');
  throw new Error('PostgreSQL is not installed (no initdb on the PATH nor in /usr/lib/postgresql/*/bin)');
}

function run(user: string | undefined, cwd: string, program: string, args: string[]): Promise<string> {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', program, ...args]] : [program, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${program} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<BenchPostgres> {
  const bin = binDir();
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tpv-bench-pg-'));
  const user = root ? 'postgres' : undefined;
  if (root) {
    const id = async (flag: string): Promise<number> => Number((await run(undefined, dir, 'id', [flag, 'postgres'])).trim());
    chownSync(dir, await id('-u'), await id('-g'));
  }
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const port = await freePort();
  const superuser = root ? 'postgres' : userInfo().username;
  try {
    await run(user, dir, join(bin, 'initdb'), ['-D', data, '-U', superuser, '-A', 'trust', '-E', 'UTF8', '--locale=C']);
    // the defaults but a small shared_buffers: durable commits (fsync, synchronous_commit on)
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=128MB -c max_connections=60`;
    await run(user, dir, join(bin, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', options]);
  } catch (e) {
    const logText = existsSync(log) ? readFileSync(log, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the bench PostgreSQL cluster could not start: ${(e as Error).message}\n${logText}`);
  }
  const url = (db: string): string => `postgres://${superuser}@127.0.0.1:${port}/${db}`;
  return {
    async createDatabase(name) {
      const client = new pg.Client(url('postgres'));
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      try {
        await run(user, dir, join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
