/** `tpv products import|export|list|show|add|set|remove`: the catalog. */
import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../app/context.js';
import { limitLines } from '../app/files.js';
import { importProducts, type ImportFormat, type ImportReport, parseEncoding } from '../app/import.js';
import { addProduct, exportProducts, listProducts, productView, type ProductView, removeProduct, setProduct, showProduct } from '../app/products.js';
import { TpvError } from '../core/errors.js';
import { PRODUCT_FIELDS, type ProductField } from '../core/product.js';
import { terminalText } from '../core/text.js';
import { formatNumberText } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { importProgress } from '../cli/progress.js';
import { actors } from '../cli/actors.js';
import { collect, intFlag, MAX_LIMIT } from '../cli/flags.js';
import { writeOutputFile } from '../cli/output.js';
import { type Cli, example, table } from '../cli/runtime.js';

function parseMap(entries: string[]): Partial<Record<ProductField, string>> {
  const map: Partial<Record<ProductField, string>> = {};
  for (const e of entries) {
    const eq = e.indexOf('=');
    const target = e.slice(0, eq).trim().toLowerCase();
    if (eq < 1 || !(PRODUCT_FIELDS as readonly string[]).includes(target)) {
      throw new TpvError('usage', 'import.map_flag', { value: e, fields: PRODUCT_FIELDS.join(', ') });
    }
    map[target as ProductField] = e.slice(eq + 1);
  }
  return map;
}

function money(app: App, text: string): string {
  const { currency } = app.profile;
  return `${formatNumberText(text)} ${currency === 'EUR' ? '€' : currency}`;
}

function productText(app: App, p: ProductView & { measure?: { kind: string; value: string } }): string {
  const lines = [
    `${p.sku}  ${p.name}${p.active ? '' : `  (${t('product.inactive')})`}`,
    `${t('product.price')}: ${money(app, p.price)}${p.unit === 'kg' ? ' / kg' : ''}`,
    `${t('product.tax_rate')}: ${formatNumberText(p.tax_rate)} %`,
    `${t('product.category')}: ${p.category ?? '-'}`,
    `${t('product.barcodes')}: ${p.barcodes.join(', ') || '-'}`,
    `${t('product.stock')}: ${p.track_stock ? formatNumberText(p.stock) + (p.unit === 'kg' ? ' kg' : '') : t('product.not_tracked')}`,
  ];
  if (p.measure) {
    lines.push(
      p.measure.kind === 'price'
        ? `${t('product.measure_price')}: ${money(app, p.measure.value)}`
        : `${t('product.measure_weight')}: ${formatNumberText(p.measure.value)} kg`,
    );
  }
  return lines.join('\n');
}

function reportText(r: ImportReport): string {
  const head = t(r.dryRun ? 'import.summary_dry' : 'import.summary', {
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    rejected: r.rejected,
  });
  return head;
}

/** The list of rejected rows, one per line: `line 7, price: more than 2 decimals`. */
export function rowErrorsText(r: ImportReport, max = 200): string {
  const lines = r.errors.slice(0, max).map((e) => t('import.row_error', { line: e.line, column: e.column, message: t(e.code, e.params) }));
  if (r.errors.length > max) lines.push(t('import.more_errors', { count: r.errors.length - max }));
  // values and column names come from the file: escaped for the terminal
  return terminalText(lines.join('\n'), true);
}

interface ProductFlags {
  sku?: string;
  name?: string;
  price?: string;
  taxRate?: string;
  barcode?: string[];
  addBarcode?: string[];
  removeBarcode?: string[];
  unit?: string;
  category?: string;
  stock?: string;
  trackStock?: boolean;
  active?: boolean;
}

function cellsFrom(f: ProductFlags): Partial<Record<ProductField, string>> {
  const cells: Partial<Record<ProductField, string>> = {};
  if (f.sku !== undefined) cells.sku = f.sku;
  if (f.name !== undefined) cells.name = f.name;
  if (f.price !== undefined) cells.price = f.price;
  if (f.taxRate !== undefined) cells.tax_rate = f.taxRate;
  if (f.barcode !== undefined) cells.barcodes = f.barcode.join('|');
  if (f.unit !== undefined) cells.unit = f.unit;
  if (f.category !== undefined) cells.category = f.category;
  if (f.stock !== undefined) cells.stock = f.stock;
  if (f.trackStock !== undefined) cells.track_stock = f.trackStock ? '1' : '0';
  if (f.active !== undefined) cells.active = f.active ? '1' : '0';
  return cells;
}

export function register(program: Command, cli: Cli): void {
  const products = program.command('products').description(t('help.products'));

  const imp = products
    .command('import <file>')
    .description(t('help.products.import'))
    .option('--format <csv|jsonl>', t('help.import.format'))
    .option('--encoding <utf8|latin1>', t('help.import.encoding'), 'utf8')
    .option('--map <target=source>', t('help.import.map'), collect, [])
    .option('--skip-invalid', t('help.import.skip_invalid'))
    .option('--dry-run', t('help.import.dry_run'))
    .action(async (file: string, o: { format?: string; encoding: string; map: string[]; skipInvalid?: boolean; dryRun?: boolean }) => {
      const encoding = parseEncoding(o.encoding);
      if (!encoding) throw new TpvError('usage', 'import.encoding_flag', { value: o.encoding });
      if (o.format !== undefined && o.format !== 'csv' && o.format !== 'jsonl') {
        throw new TpvError('usage', 'import.format_flag', { value: o.format });
      }
      const format = (o.format ?? (/\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : undefined)) as ImportFormat | undefined;
      const map = parseMap(o.map);
      let size: number | null = null;
      if (file !== '-') {
        try {
          size = statSync(file).size;
        } catch {
          throw new TpvError('not_found', 'file.not_found', { path: file });
        }
      }
      await cli.withApp(async (app) => {
        const { actor, approver } = await actors(cli, app);
        const progress = importProgress(cli.io);
        const input = limitLines(file === '-' ? cli.io.stdin : createReadStream(file), file === '-' ? 'stdin' : file);
        try {
          const report = await importProducts(app, actor, input, size, {
            ...(approver ? { approver } : {}),
            ...(format ? { format } : {}),
            encoding,
            map,
            skipInvalid: o.skipInvalid ?? false,
            dryRun: o.dryRun ?? false,
            source: file,
            progress: progress.update,
          });
          progress.done();
          if (report.errors.length && !cli.json) cli.io.stderr.write(rowErrorsText(report) + '\n');
          cli.out(report, () => reportText(report));
        } catch (e) {
          progress.done();
          if (e instanceof TpvError && e.code === 'import.rejected' && !cli.json) {
            cli.io.stderr.write(rowErrorsText(e.details as ImportReport) + '\n');
          }
          throw e;
        }
      });
    });
  example(
    imp,
    'tpv products import catalog.csv',
    'tpv products import legacy.csv --encoding latin1 --map sku=Referencia --map name=Descripción --map price=PVP',
    'tpv products import new-prices.csv --dry-run --json',
    'cat products.jsonl | tpv products import - --format jsonl --skip-invalid',
  );

  const exp = products
    .command('export [file]')
    .description(t('help.products.export'))
    .option('--format <csv|jsonl>', t('help.export.format'), 'csv')
    .action(async (file: string | undefined, o: { format: string }) => {
      if (o.format !== 'csv' && o.format !== 'jsonl') throw new TpvError('usage', 'import.format_flag', { value: o.format });
      await cli.withApp(async (app) => {
        const chunks = exportProducts(app, o.format as 'csv' | 'jsonl');
        if (file === undefined || file === '-') return cli.writeChunks(chunks);
        // the file appears whole or not at all (a full disk leaves no half catalog behind)
        let rows = o.format === 'csv' ? -1 : 0;
        await writeOutputFile(file, (function* () {
          for (const chunk of chunks) {
            rows += chunk.split('\n').length - 1;
            yield chunk;
          }
        })());
        const data = { path: file, format: o.format, rows };
        cli.out(data, () => t('export.done', data));
      });
    });
  example(exp, 'tpv products export catalog.csv', 'tpv products export --format jsonl - | gzip > catalog.jsonl.gz');

  const list = products
    .command('list')
    .description(t('help.products.list'))
    .option('--search <text>', t('help.products.search'))
    .option('--category <name>', t('help.products.category'))
    .option('--limit <n>', t('help.products.limit'), '50')
    .option('--all', t('help.products.all'))
    .action((o: { search?: string; category?: string; limit: string; all?: boolean }) =>
      cli.withApp((app) => {
        const limit = intFlag(o.limit, '--limit', 1, MAX_LIMIT);
        const rows = listProducts(app, {
          ...(o.search !== undefined ? { search: o.search } : {}),
          ...(o.category !== undefined ? { category: o.category } : {}),
          limit,
          includeInactive: o.all ?? false,
        }).map((r) => productView(app, r));
        cli.out(rows, () =>
          rows.length === 0
            ? t('products.none')
            : table(
                [t('product.sku'), t('product.name'), t('product.price'), t('product.tax_short'), t('product.stock')],
                rows.map((p) => [
                  p.sku,
                  p.name.length > 40 ? p.name.slice(0, 39) + '…' : p.name,
                  formatNumberText(p.price) + (p.unit === 'kg' ? '/kg' : ''),
                  formatNumberText(p.tax_rate) + '%',
                  p.track_stock ? formatNumberText(p.stock) : '-',
                ]),
                ['l', 'l', 'r', 'r', 'r'],
              ),
        );
      }),
    );
  example(list, 'tpv products list --search "choc mil"', 'tpv products list --category Lácteos --limit 10 --json');

  example(
    products
      .command('show <code>')
      .description(t('help.products.show'))
      .action((code: string) =>
        cli.withApp((app) => {
          const p = showProduct(app, code);
          cli.out(p, () => productText(app, p));
        }),
      ),
    'tpv products show 8490300000015 --json',
    'tpv products show 2500101012349',
  );

  const add = products
    .command('add')
    .description(t('help.products.add'))
    .requiredOption('--sku <sku>', t('help.products.sku'))
    .requiredOption('--name <name>', t('help.products.name'))
    .requiredOption('--price <amount>', t('help.products.price'))
    .requiredOption('--tax-rate <percent>', t('help.products.tax_rate'))
    .option('--barcode <code>', t('help.products.barcode'), collect)
    .option('--unit <each|kg>', t('help.products.unit'))
    .option('--category <name>', t('help.products.category_set'))
    .option('--stock <qty>', t('help.products.stock'))
    .option('--no-track-stock', t('help.products.no_track_stock'))
    .action((f: ProductFlags) =>
      cli.withApp(async (app) => {
        const { actor, approver } = await actors(cli, app);
        const p = addProduct(app, actor, cellsFrom(f), approver);
        cli.out(p, () => productText(app, p));
      }),
    );
  example(add, 'tpv products add --sku CAF-001 --name "Café molido 250 g" --price 3.45 --tax-rate 10 --barcode 8412345678905');

  const set = products
    .command('set <code>')
    .description(t('help.products.set'))
    .option('--name <name>', t('help.products.name'))
    .option('--price <amount>', t('help.products.price'))
    .option('--tax-rate <percent>', t('help.products.tax_rate'))
    .option('--barcode <code>', t('help.products.barcode_replace'), collect)
    .option('--add-barcode <code>', t('help.products.add_barcode'), collect)
    .option('--remove-barcode <code>', t('help.products.remove_barcode'), collect)
    .option('--unit <each|kg>', t('help.products.unit'))
    .option('--category <name>', t('help.products.category_set'))
    .option('--track-stock', t('help.products.track_stock'))
    .option('--no-track-stock', t('help.products.no_track_stock'))
    .option('--active', t('help.products.active'))
    .option('--no-active', t('help.products.inactive'))
    .action((code: string, f: ProductFlags) =>
      cli.withApp(async (app) => {
        const { actor, approver } = await actors(cli, app);
        const cells = cellsFrom(f);
        if (Object.keys(cells).length === 0 && !f.addBarcode && !f.removeBarcode) {
          throw new TpvError('usage', 'products.set_nothing');
        }
        const r = setProduct(
          app,
          actor,
          code,
          cells,
          { ...(f.addBarcode ? { add: f.addBarcode } : {}), ...(f.removeBarcode ? { remove: f.removeBarcode } : {}) },
          approver,
        );
        cli.out({ ...r.view, outcome: r.outcome }, () => productText(app, r.view));
      }),
    );
  example(set, 'tpv products set CAF-001 --price 3.55', 'tpv products set 8412345678905 --add-barcode 8412345678912 --category Despensa');

  example(
    products
      .command('remove <code>')
      .description(t('help.products.remove'))
      .action((code: string) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const r = removeProduct(app, actor, code, approver);
          cli.out({ ...r.view, outcome: r.outcome }, () => t('products.removed', { sku: r.view.sku, name: r.view.name }));
        }),
      ),
    'tpv products remove CAF-001',
  );
}
