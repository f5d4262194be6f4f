/** Database path resolution: --db, else TPV_DB, else $TPV_HOME/tpv.db, else the XDG data dir. */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return resolve(flag);
  if (env.TPV_DB) return resolve(env.TPV_DB);
  if (env.TPV_HOME) return resolve(env.TPV_HOME, 'tpv.db');
  const data = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(data, 'tpv', 'tpv.db');
}

/** Creates the folder of a new database (private to the user). */
export function ensureParentDir(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
}
