/** `tpv shift open|cash-in|cash-out|status|close|report`: cash sessions and their X and Z reports. */
import type { Command } from 'commander';
import { deviceOf } from '../app/devices.js';
import { moneyText } from '../app/events.js';
import { cashMove, closeShift, figuresView, openShift, printXReport, shiftReportText, shiftStatus, xTitle, zDocument, zReport } from '../app/shifts.js';
import { type CountLine, countTotal, parseCountLines } from '../core/cash.js';
import { TpvError } from '../core/errors.js';
import { problemError } from '../core/money.js';
import { formatMoney } from '../i18n/format.js';
import { errorMessage, t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { parseAmount } from '../cli/flags.js';
import { type Cli, example } from '../cli/runtime.js';
import type { App } from '../app/context.js';

/** How printing went (`print` in the JSON): after the commit, never instead of it. */
interface Printed {
  ok: boolean;
  printer?: string | null;
  error?: { code: string; message: string };
}

/** A printer problem as the JSON carries it (and the warning line says). */
function printFailure(e: unknown): { code: string; message: string } {
  if (e instanceof TpvError) return { code: e.code, message: errorMessage(e.code, e.params) };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/**
 * Prints the Z report just issued: always with `--print`, never with `--no-print`, and by default
 * when the store has a printer. Never throws: the shift is closed whatever happens here.
 */
async function printZ(cli: Cli, app: App, number: string, wanted: boolean | undefined): Promise<Printed | undefined> {
  if (wanted === false || (wanted === undefined && !deviceOf(app, 'printer'))) return undefined;
  const warn = (message: string): void => void cli.io.stderr.write(t('sale.not_printed', { number, message }) + '\n');
  if (!deviceOf(app, 'printer')) {
    const error = printFailure(new TpvError('not_found', 'printer.none'));
    warn(error.message);
    return { ok: false, error };
  }
  const { printIssued } = await import('../app/peripherals.js');
  const r = await printIssued(app, [zDocument(app, number)], (m) => void cli.io.stderr.write(m + '\n'));
  return r.ok ? { ok: true, printer: r.printer ?? null } : { ok: false, ...(r.error ? { error: r.error } : {}) };
}

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
      .option('--print', t('help.shift.print_x'))
      .action((o: { print?: boolean }) =>
        cli.withApp(async (app) => {
          const f = shiftStatus(app);
          // an X asked for on paper: a printer that is missing or fails is the command's error
          const print = o.print ? await printXReport(app) : undefined;
          cli.out({ ...figuresView(app, f), ...(print ? { print: { ok: true, printer: print.printer } } : {}) }, () => shiftReportText(app, f, xTitle(f)));
        }),
      ),
    'tpv shift status --json',
    'tpv shift status --print      # the X report on the store\'s printer',
  );
  example(
    shift
      .command('close')
      .description(t('help.shift.close'))
      .option('--counted <amount>', t('help.shift.counted'))
      .option('--count <denominations>', t('help.shift.count'))
      .option('--keep-carts', t('help.shift.keep_carts'))
      .option('--force', t('help.shift.force'))
      .option('--print', t('help.shift.print'))
      .option('--no-print', t('help.shift.no_print'))
      .action((o: { counted?: string; count?: string; keepCarts?: boolean; force?: boolean; print?: boolean }) =>
        cli.withApp(async (app) => {
          if ((o.counted === undefined) === (o.count === undefined)) throw new TpvError('usage', 'shift.counted_flag');
          if (o.keepCarts && o.force) throw new TpvError('usage', 'shift.keep_or_force');
          let counted: number;
          let count: CountLine[] | undefined;
          if (o.count !== undefined) {
            const r = parseCountLines(o.count, app.profile.exponent);
            if (!r.ok) throw problemError('invalid', r.problem, app.profile.exponent, { field: '--count' });
            count = r.value;
            counted = countTotal(count);
          } else counted = parseAmount(app, o.counted!, '--counted');
          const { actor, approver } = await actors(cli, app);
          const z = closeShift(app, actor, counted, {
            force: o.force ?? false,
            ...(o.keepCarts ? { keep: true as const } : {}),
            ...(count ? { count } : {}),
            ...(approver ? { approver } : {}),
          });
          cli.committed(t('shift.closed_output', { number: z.number }));
          const print = await printZ(cli, app, z.number, o.print);
          cli.out({ ...figuresView(app, z.figures, z), ...(print ? { print } : {}) }, () =>
            shiftReportText(app, z.figures, t('shift.z_title', { number: z.number }), z),
          );
        }),
      ),
    'tpv shift close --counted 245.30',
    'tpv shift close --count 50x2,20x3,10x5,2x10,1x3,0.50x4,0.10x3',
    'tpv shift close --count "50x2;0,50x4" --keep-carts   # decimal commas; open and held carts wait for the next shift',
    'tpv shift close --counted 245.30 --no-print            # the Z prints by default when a printer is configured',
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
