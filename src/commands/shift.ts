/** `tpv shift open|cash-in|cash-out|status|close|report`: cash sessions and their X and Z reports. */
import type { Command } from 'commander';
import { moneyText } from '../app/events.js';
import { cashMove, closeShift, figuresView, openShift, shiftReportText, shiftStatus, zReport } from '../app/shifts.js';
import { parseCount } from '../core/cash.js';
import { TpvError } from '../core/errors.js';
import { problemError } from '../core/money.js';
import { formatMoney } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { parseAmount } from '../cli/flags.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const shift = program.command('shift').description(t('help.shift'));
  example(
    shift
      .command('open')
      .description(t('help.shift.open'))
      .requiredOption('--float <amount>', t('help.shift.float'))
      .action((o: { float: string }) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const s = openShift(app, actor, parseAmount(app, o.float, '--float'), approver);
          const data = { shift: s.id, register: s.register, opened_at: s.opened_at, float: moneyText(app, s.float) };
          cli.out(data, () => t('shift.opened', { shift: s.id, register: s.register, float: formatMoney(s.float, app.profile.exponent, app.profile.currency) }));
        }),
      ),
    'tpv shift open --float 100.00',
  );
  for (const kind of ['in', 'out'] as const) {
    example(
      shift
        .command(`cash-${kind} <amount>`)
        .description(t(`help.shift.cash_${kind}`))
        .requiredOption('--reason <text>', t('help.shift.reason'))
        .action((amount: string, o: { reason: string }) =>
          cli.withApp(async (app) => {
            const { actor, approver } = await actors(cli, app);
            const f = cashMove(app, actor, kind, parseAmount(app, amount, 'AMOUNT'), o.reason, approver);
            cli.out(figuresView(app, f), () => t('shift.cash_moved', { expected: formatMoney(f.cash.expected, app.profile.exponent, app.profile.currency) }));
          }),
        ),
      `tpv shift cash-${kind} 20.00 --reason "${kind === 'in' ? 'cambio' : 'pago proveedor'}"`,
    );
  }
  example(
    shift
      .command('status')
      .description(t('help.shift.status'))
      .action(() =>
        cli.withApp((app) => {
          const f = shiftStatus(app);
          cli.out(figuresView(app, f), () => shiftReportText(app, f, t('shift.x_title', { shift: f.shift, since: f.opened_at })));
        }),
      ),
    'tpv shift status --json',
  );
  example(
    shift
      .command('close')
      .description(t('help.shift.close'))
      .option('--counted <amount>', t('help.shift.counted'))
      .option('--count <denominations>', t('help.shift.count'))
      .option('--force', t('help.shift.force'))
      .action((o: { counted?: string; count?: string; force?: boolean }) =>
        cli.withApp(async (app) => {
          if ((o.counted === undefined) === (o.count === undefined)) throw new TpvError('usage', 'shift.counted_flag');
          let counted: number;
          if (o.count !== undefined) {
            const r = parseCount(o.count, app.profile.exponent);
            if (!r.ok) throw problemError('invalid', r.problem, app.profile.exponent);
            counted = r.value;
          } else counted = parseAmount(app, o.counted!, '--counted');
          const { actor, approver } = await actors(cli, app);
          const z = closeShift(app, actor, counted, { force: o.force ?? false, ...(approver ? { approver } : {}) });
          cli.out(figuresView(app, z.figures, z), () => shiftReportText(app, z.figures, t('shift.z_title', { number: z.number }), z));
        }),
      ),
    'tpv shift close --counted 245.30',
    'tpv shift close --count 50x2,20x3,10x5,2x10,1x3,0.50x4,0.10x3',
  );
  example(
    shift
      .command('report [z-number]')
      .description(t('help.shift.report'))
      .action((number: string | undefined) =>
        cli.withApp((app) => {
          const z = zReport(app, number);
          cli.out(figuresView(app, z.figures, z), () => shiftReportText(app, z.figures, t('shift.z_title', { number: z.number }), z));
        }),
      ),
    'tpv shift report T01Z-0001',
  );
}
