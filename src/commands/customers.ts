/** `tpv customers add|list|show|set|import`. */
import type { Command } from 'commander';
import { addCustomer, type Customer, type CustomerInput, findCustomer, importCustomers, listCustomers, setCustomer } from '../app/customers.js';
import { errorMessage, t, taxIdTerm } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';
import { type MessageKey, TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';
import { terminalText } from '../core/text.js';

interface Flags {
  name?: string;
  taxId?: string;
  country?: string;
  email?: string;
  phone?: string;
  address?: string;
  acceptTaxId?: boolean;
}

const input = (f: Flags): CustomerInput => ({
  ...(f.acceptTaxId ? { acceptTaxId: true } : {}),
  ...(f.name !== undefined ? { name: f.name } : {}),
  ...(f.taxId !== undefined ? { taxId: f.taxId } : {}),
  ...(f.country !== undefined ? { country: f.country } : {}),
  ...(f.email !== undefined ? { email: f.email } : {}),
  ...(f.phone !== undefined ? { phone: f.phone } : {}),
  ...(f.address !== undefined ? { address: f.address } : {}),
});

const customerText = (c: Customer): string =>
  [
    `#${c.id}  ${c.name}`,
    `${t('customer.tax_id')}: ${c.tax_id ?? '-'}${c.tax_id_kind ? ` (${taxIdTerm('kind', c.tax_id_kind)})` : ''}${c.country ? `  ${c.country}` : ''}`,
    ...(c.tax_id_warning && c.tax_id ? [t('customer.tax_id_unverified', { tax_id: c.tax_id, reason: t(c.tax_id_warning.code, c.tax_id_warning.params) })] : []),
    ...(c.address ? [c.address] : []),
    ...(c.email || c.phone ? [[c.email, c.phone].filter(Boolean).join('  ')] : []),
  ].join('\n');

function fields(cmd: Command): Command {
  return cmd
    .option('--tax-id <id>', t('help.customers.tax_id'))
    .option('--country <XX>', t('help.customers.country'))
    .option('--email <email>', t('help.customers.email'))
    .option('--phone <phone>', t('help.customers.phone'))
    .option('--address <text>', t('help.customers.address'))
    .option('--accept-tax-id', t('help.customers.accept_tax_id'));
}

export function register(program: Command, cli: Cli): void {
  const customers = program.command('customers').description(t('help.customers'));
  example(
    fields(customers.command('add').description(t('help.customers.add')).requiredOption('--name <name>', t('help.customers.name'))).action((f: Flags) =>
      cli.withApp(async (app) => {
        await actors(cli, app); // any user may add a customer (the till does), but someone known
        const c = addCustomer(app, input(f));
        cli.out(c, () => customerText(c));
      }),
    ),
    'tpv customers add --name "Ferretería Sol SL" --tax-id B12345674 --country ES',
  );
  example(
    customers
      .command('list')
      .description(t('help.customers.list'))
      .option('--search <text>', t('help.customers.search'))
      .action((o: { search?: string }) =>
        cli.withApp((app) => {
          const rows = listCustomers(app, o.search);
          cli.out(rows, () => table(['#', t('customer.name'), t('customer.tax_id'), t('customer.country_h')], rows.map((c) => [String(c.id), c.name, c.tax_id ?? '', c.country ?? ''])));
        }),
      ),
    'tpv customers list --search sol',
  );
  example(
    customers
      .command('show <id-or-tax-id>')
      .description(t('help.customers.show'))
      .action((key: string) =>
        cli.withApp((app) => {
          const c = findCustomer(app, key);
          cli.out(c, () => customerText(c));
        }),
      ),
    'tpv customers show B12345674 --json',
  );
  example(
    fields(customers.command('set <id-or-tax-id>').description(t('help.customers.set')).option('--name <name>', t('help.customers.name'))).action(
      (key: string, f: Flags) =>
        cli.withApp(async (app) => {
          await actors(cli, app);
          const c = setCustomer(app, key, input(f));
          cli.out(c, () => customerText(c));
        }),
    ),
    'tpv customers set 12 --email compras@ferreteriasol.es',
  );
  example(
    customers
      .command('import <file>')
      .description(t('help.customers.import'))
      .option('--accept-tax-id', t('help.customers.import_accept_tax_id'))
      .action((file: string, o: { acceptTaxId?: boolean }) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          try {
            // each tax id kept unverified is a notice on stderr (app/customers.ts) and a row of `unverified`
            const r = importCustomers(app, actor, file, approver, { acceptTaxId: o.acceptTaxId ?? false });
            cli.out(r, () => t('customers.imported', { created: r.created }));
          } catch (e) {
            if (e instanceof TpvError && e.code === 'customer.import_rejected' && !cli.json) {
              const errs = (e.details as { errors: { line: number; field: string; code: MessageKey; params: Record<string, string | number> }[] }).errors;
              for (const x of errs) cli.io.stderr.write(terminalText(t('import.row_error', { line: x.line, column: x.field, message: errorMessage(x.code, { ...x.params, field: '-' }) }), true) + '\n');
            }
            // one transaction: a full disk or a read-only file leaves nothing behind, and says so
            const sys = e instanceof TpvError ? undefined : systemError(e, app.path);
            if (sys) throw new TpvError(sys.kind, 'import.nothing_written', { source: file, reason: t(sys.code, sys.params) });
            throw e;
          }
        }),
      ),
    'tpv customers import clientes.csv   # name,tax_id,country,email,phone,address',
    'tpv customers import clientes.csv --accept-tax-id',
  );
}
