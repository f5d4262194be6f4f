/** `tpv shift …`, `tpv users …`, `tpv series …`, `tpv audit verify`. */
import type { Command } from 'commander';
import { type App, inTransaction, storeMoney } from '../app/context.js';
import { verifyJournal } from '../app/journal.js';
import { addSeries, listSeries, setSeries, type SeriesView } from '../app/series.js';
import { cashMove, closeShift, openShift, type ShiftFigures, shiftStatus, zReport } from '../app/shifts.js';
import { disableUser, insertUser, listUsers, parseRole, setPin, setRole, userByCode, userView } from '../app/users.js';
import { parseCount } from '../core/cash.js';
import { TpvError } from '../core/errors.js';
import { formatDecimal, formatRate, parseDecimal } from '../core/money.js';
import { DOC_TYPES, type DocType } from '../core/numbering.js';
import { t } from '../i18n/index.js';
import { actors, allow } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';
import { figuresText } from '../devices/shift-report.js';
import { formatMoney } from '../i18n/format.js';

/** An amount typed on the command line, in the store currency ("100", "100.50", "100,50"). */
export function parseAmount(app: App, text: string, flag: string): number {
  const r = parseDecimal(text, storeMoney(app).exponent, { decimalComma: true });
  if (!r.ok) throw new TpvError('invalid', r.problem.code, { ...r.problem.params, field: flag });
  return r.value;
}

/** Money in JSON: decimal strings in the store currency. */
export function moneyJson(app: App) {
  const { exponent } = storeMoney(app);
  return (n: number | null): string | null => (n === null ? null : formatDecimal(n, exponent));
}

function figuresJson(app: App, f: ShiftFigures, number?: string) {
  const m = moneyJson(app);
  return {
    ...(number ? { number } : {}),
    shift: f.shift,
    register: f.register,
    opened_at: f.opened_at,
    closed_at: f.closed_at,
    receipts: { ...f.receipts, total: m(f.receipts.total), discounts: m(f.receipts.discounts) },
    refunds: { count: f.refunds.count, total: m(f.refunds.total) },
    tenders: f.tenders.map((x) => ({ method: x.method, sales: m(x.sales), refunds: m(x.refunds), net: m(x.net) })),
    taxes: f.taxes.map((x) => ({ rate: formatRate(x.rate), base: m(x.base), tax: m(x.tax) })),
    cash: Object.fromEntries(Object.entries(f.cash).map(([k, v]) => [k, m(v)])),
  };
}

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
  // ---- shift
  const shift = program.command('shift').description(t('help.shift'));
  example(
    shift
      .command('open')
      .description(t('help.shift.open'))
      .requiredOption('--float <amount>', t('help.shift.float'))
      .action((o: { float: string }) =>
        cli.withApp((app) => {
          const { actor, approver } = actors(cli, app);
          const s = openShift(app, actor, parseAmount(app, o.float, '--float'), approver);
          const data = { shift: s.id, register: s.register, opened_at: s.opened_at, float: moneyJson(app)(s.float) };
          cli.out(data, () => t('shift.opened', { shift: s.id, register: s.register, float: formatMoney(s.float, storeMoney(app).exponent, storeMoney(app).currency) }));
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
          cli.withApp((app) => {
            const { actor, approver } = actors(cli, app);
            const f = cashMove(app, actor, kind, parseAmount(app, amount, 'AMOUNT'), o.reason, approver);
            cli.out(figuresJson(app, f), () => t('shift.cash_moved', { expected: formatMoney(f.cash.expected, storeMoney(app).exponent, storeMoney(app).currency) }));
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
          cli.out(figuresJson(app, f), () => figuresText(app, f, t('shift.x_title', { shift: f.shift, since: f.opened_at })));
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
        cli.withApp((app) => {
          if ((o.counted === undefined) === (o.count === undefined)) throw new TpvError('usage', 'shift.counted_flag');
          let counted: number;
          if (o.count !== undefined) {
            const r = parseCount(o.count, storeMoney(app).exponent);
            if (!r.ok) throw new TpvError('invalid', r.problem.code, r.problem.params ?? {});
            counted = r.value;
          } else counted = parseAmount(app, o.counted!, '--counted');
          const { actor, approver } = actors(cli, app);
          const z = closeShift(app, actor, counted, { force: o.force ?? false, ...(approver ? { approver } : {}) });
          cli.out(figuresJson(app, z.figures, z.number), () => figuresText(app, z.figures, t('shift.z_title', { number: z.number })));
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
          cli.out(figuresJson(app, z.figures, z.number), () => figuresText(app, z.figures, t('shift.z_title', { number: z.number })));
        }),
      ),
    'tpv shift report T01Z-0001',
  );

  // ---- users
  const users = program.command('users').description(t('help.users'));
  const manage = (app: App): void => allow(cli, app, 'manage_users');
  const readPin = async (flag: string): Promise<string> => {
    const env = cli.io.env.TPV_PIN;
    if (env) return env;
    if (cli.interactive) return cli.prompt(t('users.ask_pin'), { secret: true });
    const line = (await cli.readStdin()).split(/\r?\n/)[0]?.trim();
    if (!line) throw new TpvError('usage', 'users.pin_required', { flag });
    return line;
  };
  example(
    users
      .command('add <code>')
      .description(t('help.users.add'))
      .requiredOption('--name <name>', t('help.users.name'))
      .option('--role <role>', t('help.users.role'), 'cashier')
      .action(async (code: string, o: { name: string; role: string }) => {
        const role = parseRole(o.role);
        const pin = await readPin('stdin');
        await cli.withApp((app) => {
          manage(app);
          inTransaction(app, () => insertUser(app.db, { code, name: o.name, role, pin }, app.now()));
          const u = userView(userByCode(app.db, code)!);
          cli.out(u, () => t('users.added', { code: u.code, role: u.role }));
        });
      }),
    'echo 2468 | tpv users add ana --name "Ana García" --role cashier',
  );
  example(
    users.command('list').description(t('help.users.list')).action(() =>
      cli.withApp((app) => {
        const rows = listUsers(app.db);
        cli.out(rows, () => table([t('users.code'), t('users.name'), t('users.role'), t('users.state')], rows.map((u) => [u.code, u.name, u.role, !u.active ? t('users.disabled') : u.locked_until && new Date(u.locked_until) > app.now() ? t('users.locked') : t('users.active')])));
      }),
    ),
    'tpv users list --json',
  );
  example(
    users
      .command('set-pin <code>')
      .description(t('help.users.set_pin'))
      .action(async (code: string) => {
        const pin = await readPin('stdin');
        await cli.withApp((app) => {
          const { actor } = actors(cli, app);
          // users change their own PIN; someone else's needs user management
          if (actor.code !== code) manage(app);
          const u = setPin(app.db, code, pin);
          cli.out(u, () => t('users.pin_set', { code: u.code }));
        });
      }),
    'echo 1357 | tpv users set-pin ana',
  );
  example(
    users
      .command('set-role <code> <role>')
      .description(t('help.users.set_role'))
      .action((code: string, role: string) =>
        cli.withApp((app) => {
          manage(app);
          const u = setRole(app.db, code, parseRole(role));
          cli.out(u, () => t('users.role_set', { code: u.code, role: u.role }));
        }),
      ),
    'tpv users set-role ana supervisor',
  );
  example(
    users
      .command('disable <code>')
      .description(t('help.users.disable'))
      .action((code: string) =>
        cli.withApp((app) => {
          manage(app);
          const u = disableUser(app.db, code);
          cli.out(u, () => t('users.disabled_done', { code: u.code }));
        }),
      ),
    'tpv users disable ana',
  );

  // ---- series
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
        cli.withApp((app) => {
          allow(cli, app, 'manage_store');
          const s = addSeries(app, register, docType(type), change(o));
          cli.out(s, () => seriesTable([s]));
        }),
    ),
    'tpv series add T02 receipt --template "{register}-{n:6}"',
  );
  example(
    seriesOptions(series.command('set <register> <type>').description(t('help.series.set'))).action(
      (register: string, type: string, o: { template?: string; yearlyReset?: boolean; next?: string }) =>
        cli.withApp((app) => {
          allow(cli, app, 'manage_store');
          const s = setSeries(app, register, docType(type), change(o));
          cli.out(s, () => seriesTable([s]));
        }),
    ),
    'tpv series set T01 invoice --template "{register}F{yyyy}-{n:5}" --yearly-reset',
  );

  // ---- audit
  const audit = program.command('audit').description(t('help.audit'));
  example(
    audit.command('verify').description(t('help.audit.verify')).action(() =>
      cli.withApp((app) => {
        const r = verifyJournal(app.db);
        if (!r.ok) {
          throw new TpvError('conflict', `audit.${r.broken!.reason}`, { number: r.broken!.number ?? '?', seq: r.broken!.seq }, r);
        }
        cli.out(r, () => t('audit.ok', { entries: r.entries, head: r.head.slice(0, 16) }));
      }),
    ),
    'tpv audit verify --json',
  );
}
