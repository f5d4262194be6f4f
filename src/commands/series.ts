/** `tpv series list|add|set`: document numbering. */
import type { Command } from 'commander';
import { addSeries, listSeries, setSeries, type SeriesView } from '../app/series.js';
import { TpvError } from '../core/errors.js';
import { DOC_TYPES, type DocType } from '../core/numbering.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';

function seriesTable(rows: SeriesView[]): string {
  return table(
    [t('series.register_h'), t('series.type_h'), t('series.template_h'), t('series.next_h'), t('series.yearly_h')],
    rows.map((r) => [r.register, r.type, r.template, r.preview, r.yearly_reset ? t('yes') : t('no')]),
  );
}

function docType(text: string): DocType {
  if (!(DOC_TYPES as readonly string[]).includes(text)) throw new TpvError('usage', 'series.type', { type: text, types: DOC_TYPES.join(', ') });
  return text as DocType;
}

export function register(program: Command, cli: Cli): void {
  const series = program.command('series').description(t('help.series'));
  example(
    series.command('list').description(t('help.series.list')).action(() =>
      cli.withApp((app) => {
        const rows = listSeries(app);
        cli.out(rows, () => seriesTable(rows));
      }),
    ),
    'tpv series list',
  );
  const seriesOptions = (c: Command): Command =>
    c
      .option('--template <template>', t('help.series.template'))
      .option('--yearly-reset', t('help.series.yearly'))
      .option('--no-yearly-reset', t('help.series.no_yearly'))
      .option('--next <n>', t('help.series.next'));
  const change = (o: { template?: string; yearlyReset?: boolean; next?: string }) => {
    const next = o.next === undefined ? undefined : Number(o.next);
    if (next !== undefined && (!Number.isSafeInteger(next) || next < 1)) throw new TpvError('usage', 'series.next', { value: o.next! });
    return { ...(o.template !== undefined ? { template: o.template } : {}), ...(o.yearlyReset !== undefined ? { yearlyReset: o.yearlyReset } : {}), ...(next !== undefined ? { next } : {}) };
  };
  example(
    seriesOptions(series.command('add <register> <type>').description(t('help.series.add'))).action(
      (register: string, type: string, o: { template?: string; yearlyReset?: boolean; next?: string }) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const s = addSeries(app, actor, register, docType(type), change(o), approver);
          cli.out(s, () => seriesTable([s]));
        }),
    ),
    'tpv series add T02 receipt --template "{register}-{n:6}"',
  );
  example(
    seriesOptions(series.command('set <register> <type>').description(t('help.series.set'))).action(
      (register: string, type: string, o: { template?: string; yearlyReset?: boolean; next?: string }) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const s = setSeries(app, actor, register, docType(type), change(o), approver);
          cli.out(s, () => seriesTable([s]));
        }),
    ),
    'tpv series set T01 invoice --template "{register}F{yyyy}-{n:5}" --yearly-reset',
  );
}
