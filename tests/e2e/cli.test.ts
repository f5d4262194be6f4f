/**
 * End-to-end: the built `tpv` spawned like a user (or a script) runs it — start-up, exit codes
 * through bin/tpv, stdin piped from another process, no prompt without a terminal, a real older
 * database migrated. The rest of the CLI is tested in-process in tests/cli/cli.test.ts; the tests
 * both files run are written once in tests/scenarios.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { tempDir, tpv } from '../helpers.js';
import { importFromStdin, initWithoutTerminalNamesTheFlag, missingDatabase, newStore, olderDatabaseMigrated, type Runner, type Shop, STORE_PIN, unknownCommandIsUsageError, versionAndHelp } from '../scenarios.js';

const dir = tempDir();
/** The built tpv run as the store's admin: its PIN (given to `tpv init`) in TPV_PIN. */
const run: Runner = (args, opts = {}) => tpv(args, { ...opts, env: { TPV_PIN: STORE_PIN, ...opts.env } });
const shop: Shop = { run, db: join(dir, 'shop.db'), dir };

beforeAll(() => newStore(shop));

describe('basics', () => {
  it('--version and --help', () => versionAndHelp(shop));

  it('an unknown command or option is a usage error (exit 2), as JSON with --json', () => unknownCommandIsUsageError(shop));
});

describe('init', () => {
  it('without a terminal, a missing field fails naming the flag (exit 2)', () => initWithoutTerminalNamesTheFlag(shop));

  it('a command on a missing database says how to create one (exit 4)', () => missingDatabase(shop));
});

describe('import from the command line', () => {
  it('reads stdin with "-", and --dry-run writes nothing', () => importFromStdin(shop));
});

describe('migrations from the command line', () => {
  it('an older database is migrated by any command, with a backup and a note on stderr', () => olderDatabaseMigrated(shop));
});
