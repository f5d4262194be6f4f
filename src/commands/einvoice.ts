/**
 * `tpv einvoice setup|status|list|show|verify`: the store's e-invoicing scheme (VERI*FACTU) and
 * the records every fiscal document gets (docs/einvoice.md).
 */
import type { Command } from 'commander';
import { EINVOICE_STATES, type EinvoiceState, einvoiceStatus, listRecords, showRecords, verifyChain } from '../app/einvoice.js';
import { changeSettings } from '../app/settings.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const einvoice = program.command('einvoice').description(t('help.einvoice'));
  example(
    einvoice
      .command('setup')
      .description(t('help.einvoice.setup'))
      .option('--scheme <scheme>', t('help.einvoice.scheme'))
      .option('--env <env>', t('help.einvoice.env'), 'test')
      .action((o: { scheme?: string; env: string }) =>
        cli.withApp(async (app) => {
          const scheme = cli.required(o.scheme, '--scheme');
          const { actor, approver } = await actors(cli, app);
          if (scheme === 'verifactu' && app.profile.country !== 'ES') throw new TpvError('invalid', 'einvoice.not_spain', { field: 'store.country', country: app.profile.country || '-' });
          if (scheme === 'verifactu' && !app.profile.taxId) throw new TpvError('invalid', 'einvoice.no_tax_id', { field: 'store.tax_id' });
          await changeSettings(app, actor, { 'einvoice.scheme': scheme, 'einvoice.env': o.env }, approver);
          const s = einvoiceStatus(app);
          cli.out(s, () => t('einvoice.setup_done', { scheme: s.scheme, env: s.env }));
        }),
      ),
    'TPV_PIN=… tpv einvoice setup --scheme verifactu --env test',
  );
  example(
    einvoice
      .command('status')
      .description(t('help.einvoice.status'))
      .action(() =>
        cli.withApp((app) => {
          const s = einvoiceStatus(app);
          cli.out(s, () =>
            t('einvoice.status', {
              scheme: s.scheme,
              env: s.env,
              records: s.records,
              head: s.head ? `${s.head.number} ${s.head.huella.slice(0, 16)} (${s.head.generated_at})` : '-',
              queue: EINVOICE_STATES.map((k) => `${t(`einvoice.state.${k}`)} ${s.queue[k]}`).join(', '),
            }),
          );
        }),
      ),
    'tpv einvoice status --json',
  );
  example(
    einvoice
      .command('list')
      .description(t('help.einvoice.list'))
      .option('--state <state>', t('help.einvoice.state'))
      .action((o: { state?: string }) =>
        cli.withApp((app) => {
          if (o.state !== undefined && !(EINVOICE_STATES as readonly string[]).includes(o.state)) {
            throw new TpvError('usage', 'einvoice.bad_state', { flag: '--state', value: o.state, states: EINVOICE_STATES.join(', ') });
          }
          const rows = listRecords(app.db, o.state as EinvoiceState | undefined);
          cli.out(rows, () =>
            table(
              [t('einvoice.h.number'), t('einvoice.h.tipo'), t('einvoice.h.generated'), t('einvoice.h.state'), t('einvoice.h.huella')],
              rows.map((r) => [r.number, r.tipo ?? r.kind, r.generated_at, t(`einvoice.state.${r.state}`) + (r.code ? ` ${r.code}` : ''), r.huella.slice(0, 16)]),
            ),
          );
        }),
      ),
    'tpv einvoice list --state pending',
  );
  example(
    einvoice
      .command('show <number>')
      .description(t('help.einvoice.show'))
      .action((number: string) =>
        cli.withApp(async (app) => {
          const shown = await showRecords(app, number);
          cli.out(shown, () =>
            shown
              .map((s) =>
                [
                  `${s.view.number} ${s.view.tipo ?? s.view.kind} ${t(`einvoice.state.${s.view.state}`)}`,
                  ...s.states.map((x) => `  ${x.at} ${t(`einvoice.state.${x.state}`)}${x.code ? ` ${x.code}` : ''}${x.description ? ` ${x.description}` : ''}${x.csv ? ` CSV ${x.csv}` : ''}`),
                  ...(s.qr ? [`QR ${s.qr}`] : []),
                  s.xml,
                ].join('\n'),
              )
              .join('\n\n'),
          );
        }),
      ),
    'tpv einvoice show T01-000123',
  );
  example(
    einvoice
      .command('verify')
      .description(t('help.einvoice.verify'))
      .action(() =>
        cli.withApp((app) => {
          const r = verifyChain(app.db);
          if (r.broken) throw new TpvError('conflict', `einvoice.broken_${r.broken.reason}`, { number: r.broken.number, id: r.broken.id }, r);
          cli.out(r, () => t('einvoice.verified', { records: r.records, head: r.head?.slice(0, 16) ?? '-' }));
        }),
      ),
    'tpv einvoice verify',
  );
}
