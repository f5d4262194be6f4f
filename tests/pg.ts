/**
 * A private PostgreSQL cluster for tests: initdb in a temp folder, started with pg_ctl on a free
 * port of 127.0.0.1 (its socket in that folder too), never the system's service. As root (here and
 * in CI) the cluster belongs to the `postgres` user: initdb refuses to run as root. It cannot start
 * → the caller's tests fail with the reason; they are never skipped. The sync bench starts its
 * cluster here too.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** The cluster's superuser on its maintenance database. */
  url: string;
  /** A new empty database of the cluster: its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The folder of initdb and pg_ctl: on the PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
function binDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(debian, v, 'bin', 'initdb'))) return join(debian, v, 'bin');
  throw new Error('PostgreSQL is not installed (no initdb on the PATH nor in /usr/lib/postgresql/*/bin): apt-get install postgresql');
}

/** Runs a PostgreSQL program, as `postgres` when we are root; rejects with its output. */
function run(user: string | undefined, cwd: string, program: string, args: string[]): Promise<void> {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', program, ...args]] : [program, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${program} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** The uid or gid of the `postgres` user. */
function postgresId(flag: '-u' | '-g'): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('id', [flag, 'postgres'], (err, stdout) => (err ? reject(new Error(`no postgres user to run the test cluster as: ${err.message}`)) : resolve(Number(stdout.trim()))));
  });
}

/** A port nobody listens on now (this module imports no test helper: the bench uses it too). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let databases = 0;

/** `sizing`: the bench's cluster is given the memory a shop's server would have; the tests' stays small. */
export async function startPostgres(sizing: { sharedBuffers: string; maxConnections: number } = { sharedBuffers: '16MB', maxConnections: 40 }): Promise<TestPostgres> {
  const bin = binDir();
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tpv-pg-'));
  const user = root ? 'postgres' : undefined;
  if (root) chownSync(dir, await postgresId('-u'), await postgresId('-g'));
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const port = await freePort();
  const superuser = root ? 'postgres' : userInfo().username;
  try {
    await run(user, dir, join(bin, 'initdb'), ['-D', data, '-U', superuser, '-A', 'trust', '-E', 'UTF8', '--locale=C']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=${sizing.sharedBuffers} -c max_connections=${sizing.maxConnections}`;
    await run(user, dir, join(bin, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', options]);
  } catch (e) {
    const logText = existsSync(log) ? readFileSync(log, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the test PostgreSQL cluster could not start: ${(e as Error).message}\n${logText}`);
  }
  const url = `postgres://${superuser}@127.0.0.1:${port}/postgres`;
  return {
    url,
    async createDatabase() {
      const name = `tpv_test_${process.pid}_${++databases}`;
      const client = new pg.Client(url);
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${superuser}@127.0.0.1:${port}/${name}`;
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
