/** `tpv config list|get|set`: the store's settings. */
import type { Command } from 'commander';
import { changeSettings } from '../app/settings.js';
import { TpvError } from '../core/errors.js';
import { isSettingKey, SETTING_DEFAULTS, SETTING_KEYS, type SettingKey } from '../core/profile.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';

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
        const values = { ...SETTING_DEFAULTS, ...app.settings };
        const data = Object.fromEntries(SETTING_KEYS.map((k) => [k, values[k] ?? null]));
        cli.out(data, () => table([t('config.key'), t('config.value')], SETTING_KEYS.map((k) => [k, show(values[k])])));
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
          const value = app.settings[k] ?? SETTING_DEFAULTS[k] ?? null;
          cli.out({ key: k, value }, () => show(value));
        }),
      ),
    'tpv config get store.timezone',
  );
  example(
    config
      .command('set <key> <value> [more...]')
      .description(t('help.config.set'))
      .option('--accept-tax-id', t('help.customers.accept_tax_id'))
      .action((key: string, value: string, more: string[], o: { acceptTaxId?: boolean }) =>
        cli.withApp(async (app) => {
          // several KEY VALUE pairs are checked and written together (a country with its tax id)
          if (more.length % 2 !== 0) throw new TpvError('usage', 'config.pairs', { key: more[more.length - 1]! });
          const pairs = [key, value, ...more];
          const texts: Partial<Record<SettingKey, string>> = {};
          for (let i = 0; i < pairs.length; i += 2) texts[settingKey(pairs[i]!)] = pairs[i + 1]!;
          const { actor, approver } = await actors(cli, app);
          // a store tax id kept unverified is told on stderr (a notice) and in --json as tax_id_warning
          const { changes, taxIdWarning } = await changeSettings(app, actor, texts, approver, { acceptTaxId: o.acceptTaxId ?? false });
          const k = settingKey(key);
          cli.out({ key: k, value: changes[k], changes, ...(taxIdWarning ? { tax_id_warning: taxIdWarning } : {}) }, () =>
            Object.entries(changes)
              .map(([c, v]) => `${c} = ${show(v)}`)
              .join('\n'),
          );
        }),
      ),
    'tpv config set store.prices_include_tax no',
    'tpv config set barcode.weight_prefixes 27,28,29',
    'tpv config set sales.cash_rounding 0.05',
    'tpv config set store.country PT store.tax_id PT501964843',
  );
}
