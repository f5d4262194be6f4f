/** `tpv stock adjust|show`: stock on hand and its moves. */
import type { Command } from 'commander';
import { adjustStock, stockOf, type StockView } from '../app/products.js';
import { parseQuantity, problemError } from '../core/money.js';
import type { App } from '../app/context.js';
import { formatInstant, formatNumberText } from '../i18n/format.js';
import { t, tOr } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';

function stockText(app: App, s: StockView): string {
  const head = `${s.sku}  ${s.name}: ${formatNumberText(s.stock)}${s.unit === 'kg' ? ' kg' : ''}`;
  if (!s.moves.length) return head;
  return (
    head +
    '\n\n' +
    table(
      [t('stock.at'), t('stock.qty'), t('stock.kind'), t('stock.reason')],
      s.moves.map((m) => [formatInstant(m.at, app.profile.timezone), formatNumberText(m.qty), tOr(`stock.move.${m.kind}`, m.kind), m.reason ?? '']),
      ['l', 'r', 'l', 'l'],
    )
  );
}

export function register(program: Command, cli: Cli): void {
  const stock = program.command('stock').description(t('help.stock'));
  example(
    stock
      .command('adjust <code> <qty>')
      .description(t('help.stock.adjust'))
      .requiredOption('--reason <text>', t('help.stock.reason'))
      .action((code: string, qtyText: string, o: { reason: string }) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const q = parseQuantity(qtyText, { allowNegative: true, decimalComma: true });
          if (!q.ok) throw problemError('invalid', q.problem, 0, { field: 'qty' });
          const s = adjustStock(app, actor, code, q.value, o.reason, approver);
          cli.out(s, () => stockText(app, s));
        }),
      ),
    'tpv stock adjust LAC-001 -- -2 --reason "caducado"',
    'tpv stock adjust 8490300000015 24 --reason "pedido 1234"',
  );
  example(
    stock
      .command('show <code>')
      .description(t('help.stock.show'))
      .action((code: string) =>
        cli.withApp((app) => {
          const s = stockOf(app, code);
          cli.out(s, () => stockText(app, s));
        }),
      ),
    'tpv stock show LAC-001',
  );
}
