/** `tpv config list|get|set`, `tpv taxes list|add`, `tpv migrate [status]`. */
import type { Command } from 'commander';
import { inTransaction } from '../app/context.js';
import { isSettingKey, SETTING_KEYS, type SettingKey, type Settings, writeSettings } from '../app/settings.js';
import { addTax, listTaxes } from '../app/taxes.js';
import { TpvError } from '../core/errors.js';
import { formatRate, parseRate } from '../core/money.js';
import { backupPath, backupTo, connect } from '../db/connection.js';
import { applyPending, knownMigrations, migrationStatus, schemaVersion, writtenBy } from '../db/migrate.js';
import { t } from '../i18n/index.js';
import { allow } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';
import { VERSION } from '../version.js';

const show = (v: unknown): string => (Array.isArray(v) ? v.join(',') : v === undefined ? '' : String(v));

function settingKey(key: string): SettingKey {
  if (!isSettingKey(key)) throw new TpvError('usage', 'config.unknown_key', { key, keys: SETTING_KEYS.join(', ') });
  return key;
}

export function register(program: Command, cli: Cli): void {
  const config = program.command('config').description(t('help.config'));
  example(
    config.command('list').description(t('help.config.list')).action(() =>
      cli.withApp((app) => {
        const data = Object.fromEntries(SETTING_KEYS.map((k) => [k, app.settings[k] ?? null]));
        cli.out(data, () => table([t('config.key'), t('config.value')], SETTING_KEYS.map((k) => [k, show(app.settings[k])])));
      }),
    ),
    'tpv config list',
  );
  example(
    config
      .command('get <key>')
      .description(t('help.config.get'))
      .action((key: string) =>
        cli.withApp((app) => {
          const k = settingKey(key);
          const value = app.settings[k] ?? null;
          cli.out({ key: k, value }, () => show(value));
        }),
      ),
    'tpv config get store.timezone',
  );
  example(
    config
      .command('set <key> <value>')
      .description(t('help.config.set'))
      .action((key: string, value: string) =>
        cli.withApp(async (app) => {
          allow(cli, app, 'manage_store');
          const { assertLayout, parseSetting } = await import('../app/settings-schema.js');
          const k = settingKey(key);
          const parsed = parseSetting(k, value);
          const next: Partial<Settings> = { ...app.settings, [k]: parsed };
          if (k.startsWith('barcode.')) assertLayout(next);
          inTransaction(app, () => {
            if (k === 'store.currency' && parsed !== app.settings['store.currency']) {
              if (app.db.prepare('SELECT 1 FROM products LIMIT 1').get()) {
                throw new TpvError('conflict', 'config.currency_locked');
              }
            }
            writeSettings(app.db, { [k]: parsed });
          });
          cli.out({ key: k, value: parsed }, () => `${k} = ${show(parsed)}`);
        }),
      ),
    'tpv config set store.prices_include_tax no',
    'tpv config set barcode.weight_prefixes 27,28,29',
  );

  const taxes = program.command('taxes').description(t('help.taxes'));
  example(
    taxes.command('list').description(t('help.taxes.list')).action(() =>
      cli.withApp((app) => {
        const rows = listTaxes(app.db).map((x) => ({ code: x.code, name: x.name, rate: formatRate(x.rate) }));
        cli.out(rows, () => table([t('taxes.code'), t('taxes.name'), t('taxes.rate')], rows.map((r) => [r.code, r.name, r.rate + ' %']), ['l', 'l', 'r']));
      }),
    ),
    'tpv taxes list --json',
  );
  example(
    taxes
      .command('add <rate>')
      .description(t('help.taxes.add'))
      .option('--code <code>', t('help.taxes.code'))
      .option('--name <name>', t('help.taxes.name'))
      .action((rateText: string, o: { code?: string; name?: string }) =>
        cli.withApp((app) => {
          allow(cli, app, 'manage_store');
          const r = parseRate(rateText.replace(/%$/, ''));
          if (!r.ok) throw new TpvError('usage', 'init.tax_rates', { value: rateText });
          const x = addTax(app, r.value, o.code, o.name);
          const data = { code: x.code, name: x.name, rate: formatRate(x.rate) };
          cli.out(data, () => t('taxes.added', data));
        }),
      ),
    'tpv taxes add 5 --name "IVA 5% (temporal)"',
  );

  const migrate = program
    .command('migrate')
    .description(t('help.migrate'))
    .action(async () => {
      const path = cli.dbPath();
      const db = connect(path);
      try {
        const version = schemaVersion(db);
        const known = knownMigrations().length;
        if (version > known) {
          throw new TpvError('conflict', 'store.newer', { path, version, known, theirs: writtenBy(db) ?? '?', ours: VERSION });
        }
        let backup: string | null = null;
        let applied: string[] = [];
        if (version < known) {
          if (version > 0) {
            backup = backupPath(path, new Date());
            await backupTo(db, backup);
          }
          applied = applyPending(db, () => new Date());
        }
        const data = { path, applied, backup, version: schemaVersion(db) };
        cli.out(data, () =>
          applied.length ? t('migrate.applied', { count: applied.length, tags: applied.join(', '), backup: backup ?? '-' }) : t('migrate.up_to_date', { version: data.version }),
        );
      } finally {
        db.close();
      }
    });
  example(migrate, 'tpv migrate', 'tpv migrate status --json');
  migrate
    .command('status')
    .description(t('help.migrate.status'))
    .action(() => {
      const path = cli.dbPath();
      const db = connect(path, { readonly: false });
      try {
        const version = schemaVersion(db);
        const list = migrationStatus(db);
        const data = {
          path,
          version,
          known: list.length,
          newer: version > list.length,
          migrations: list.map((m) => ({ tag: m.tag, state: m.state, applied_at: m.appliedAt, modified: m.modified })),
        };
        cli.out(data, () =>
          table(
            [t('migrate.tag'), t('migrate.state'), t('migrate.applied_at')],
            data.migrations.map((m) => [m.tag, t(`migrate.${m.state}`) + (m.modified ? ' (!)' : ''), m.applied_at ?? '']),
          ) + (data.newer ? '\n' + t('store.newer', { path, version, known: list.length, theirs: writtenBy(db) ?? '?', ours: VERSION }) : ''),
        );
      } finally {
        db.close();
      }
    });
}
