/** `tpv credit issue|show|print|list|void|expire`: store credit and gift vouchers. */
import type { Command } from 'commander';
import { type CreditView, expireDue, issueCredit, listCredits, showCredit, voidCredit } from '../app/credit.js';
import type { App } from '../app/context.js';
import { creditSlip, validUntilText } from '../app/documents.js';
import { endOfDay } from '../core/credit.js';
import { TpvError } from '../core/errors.js';
import { formatInstant, formatNumberText } from '../i18n/format.js';
import { t, tOr } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { parseAmount } from '../cli/flags.js';
import { type Cli, example, table } from '../cli/runtime.js';

const STATUSES = ['active', 'spent', 'expired', 'void'] as const;

function creditText(app: App, c: CreditView): string {
  const head = [
    `${c.printed}  ${t(`credit.status.${c.status}`)}`,
    `${t('credit.balance')}: ${formatNumberText(c.balance)}  (${t('credit.issued')} ${formatNumberText(c.issued)}, ${t('credit.redeemed')} ${formatNumberText(c.redeemed)})`,
    `${t('credit.expires')}: ${c.expires_at ? validUntilText(app, c.expires_at) : '-'}`,
  ].join('\n');
  return (
    head +
    '\n\n' +
    table(
      [t('credit.event'), t('credit.amount'), t('credit.at'), t('credit.ref')],
      c.events.map((e) => [tOr(`credit.move.${e.kind}`, e.kind), formatNumberText(e.amount), formatInstant(e.at, app.profile.timezone), e.ref ?? e.reason ?? '']),
      ['l', 'r', 'l', 'l'],
    )
  );
}

function expiryFlag(app: App, value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'never') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new TpvError('usage', 'credit.expires_flag', { value });
  // valid through the whole day given, in the store's calendar
  return endOfDay(value, app.profile.timezone);
}

function customerFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new TpvError('usage', 'credit.customer_flag', { value });
  return n;
}

export function register(program: Command, cli: Cli): void {
  const credit = program.command('credit').description(t('help.credit'));
  example(
    credit
      .command('issue <amount>')
      .description(t('help.credit.issue'))
      .option('--customer <id>', t('help.credit.customer'))
      .option('--expires <date|never>', t('help.credit.expires'))
      .option('--print', t('help.credit.issue_print'))
      .action((amount: string, o: { customer?: string; expires?: string; print?: boolean }) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const expiresAt = expiryFlag(app, o.expires);
          const customerId = customerFlag(o.customer);
          const c = issueCredit(
            app,
            parseAmount(app, amount, 'AMOUNT'),
            actor,
            { ...(expiresAt !== undefined ? { expiresAt } : {}), ...(customerId !== undefined ? { customerId } : {}) },
            approver,
          );
          // issued: a printer problem is reported beside it, never instead of it
          const print = o.print ? await (await import('../app/peripherals.js')).printIssuedSlip(app, c.code, (m) => cli.io.stderr.write(m + '\n')) : undefined;
          cli.out(print ? { ...c, print } : c, () => creditText(app, c));
        }),
      ),
    'tpv credit issue 25.00 --expires 2027-12-31 --print',
  );
  example(
    credit
      .command('show <code>')
      .description(t('help.credit.show'))
      .action((code: string) =>
        cli.withApp((app) => {
          const c = showCredit(app, code);
          cli.out(c, () => creditText(app, c));
        }),
      ),
    'tpv credit show K3F9-2QRM-X7TD-8W4P --json',
  );
  example(
    credit
      .command('print <code>')
      .description(t('help.credit.print'))
      .option('--preview', t('help.devices.preview'))
      .action((code: string, o: { preview?: boolean }) =>
        cli.withApp(async (app) => {
          if (o.preview) {
            // what the print would be: a copy, or the original when the slip never reached paper
            const slip = creditSlip(app, code, { copy: 'owed' });
            return cli.out({ code: slip.printed, copy: slip.copy, text: slip.text }, () => slip.text);
          }
          const { printCreditSlip } = await import('../app/peripherals.js');
          const r = await printCreditSlip(app, code);
          cli.out(r, () => t(r.copy ? 'devices.printed' : 'devices.printed_original', { number: r.code, printer: r.printer ?? '', bytes: r.bytes }));
        }),
      ),
    'tpv credit print 7K3M-9QXD-2HFA-P4WZ            # the slip again (its balance now): a copy, the original if it never printed',
    'tpv credit print 7K3M-9QXD-2HFA-P4WZ --preview',
  );
  example(
    credit
      .command('list')
      .description(t('help.credit.list'))
      .option('--customer <id>', t('help.credit.customer'))
      .option('--status <status>', STATUSES.join('|'))
      .action((o: { customer?: string; status?: string }) =>
        cli.withApp((app) => {
          if (o.status !== undefined && !(STATUSES as readonly string[]).includes(o.status)) {
            throw new TpvError('usage', 'credit.status_flag', { value: o.status, values: STATUSES.join(', ') });
          }
          const customerId = customerFlag(o.customer);
          const rows = listCredits(app, {
            ...(customerId !== undefined ? { customerId } : {}),
            ...(o.status ? { status: o.status as (typeof STATUSES)[number] } : {}),
          });
          cli.out(rows, () =>
            table(
              [t('credit.code'), t('credit.state'), t('credit.balance'), t('credit.expires')],
              rows.map((c) => [c.printed, t(`credit.status.${c.status}`), formatNumberText(c.balance), c.expires_at?.slice(0, 10) ?? '-']),
              ['l', 'l', 'r', 'l'],
            ),
          );
        }),
      ),
    'tpv credit list --status active --json',
  );
  example(
    credit
      .command('void <code>')
      .description(t('help.credit.void'))
      .option('--reason <text>', t('help.shift.reason'))
      .action((code: string, o: { reason?: string }) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const c = voidCredit(app, code, actor, o.reason, approver);
          cli.out(c, () => creditText(app, c));
        }),
      ),
    'tpv credit void K3F9-2QRM-X7TD-8W4P --reason "lost voucher reissued"',
  );
  example(
    credit
      .command('expire')
      .description(t('help.credit.expire'))
      .action(() =>
        cli.withApp(async (app) => {
          const r = expireDue(app, (await actors(cli, app)).actor);
          cli.out(r, () => t('credit.expired_done', { count: r.expired.length }));
        }),
      ),
    'TPV_PIN=… tpv --user cron credit expire   # from cron, daily, as a cashier of its own (TPV_PIN from a root-only file)',
  );
}
