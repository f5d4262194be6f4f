/** `tpv sales import`: many sales from JSON Lines, each on its own. */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { limitLines } from '../app/files.js';
import { parseSaleJson, sell } from '../app/sales.js';
import { TpvError } from '../core/errors.js';
import { terminalText } from '../core/text.js';
import { errorMessage, t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const sales = program.command('sales').description(t('help.sales'));
  example(
    sales
      .command('import <file>')
      .description(t('help.sales.import'))
      .action(async (file: string) => {
        if (file !== '-' && !existsSync(file)) throw new TpvError('not_found', 'file.not_found', { path: file });
        await cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const input = limitLines(file === '-' ? cli.io.stdin : createReadStream(file), file === '-' ? 'stdin' : file);
          const lines = createInterface({ input, crlfDelay: Infinity });
          const results: { line: number; ok: boolean; number?: string; duplicate?: boolean; error?: { code: string; message: string; field?: string } }[] = [];
          let n = 0;
          for await (const text of lines) {
            n++;
            if (!text.trim()) continue;
            try {
              const r = sell(app, parseSaleJson(text), actor, approver);
              results.push({ line: n, ok: true, number: r.receipt.number, duplicate: r.duplicate });
            } catch (e) {
              if (!(e instanceof TpvError)) throw e;
              results.push({ line: n, ok: false, error: { code: e.code, message: errorMessage(e.code, e.params), ...(e.params.field ? { field: String(e.params.field) } : {}) } });
            }
          }
          const failed = results.filter((r) => !r.ok).length;
          const data = { sold: results.filter((r) => r.ok && !r.duplicate).length, duplicates: results.filter((r) => r.duplicate).length, failed, results };
          if (failed && !cli.json) for (const r of results) if (!r.ok) cli.io.stderr.write(terminalText(t('import.row_error', { line: r.line, column: '-', message: r.error!.message }), true) + '\n');
          // one document either way: the results, or the error carrying them
          if (failed) throw new TpvError('invalid', 'sales.some_failed', { failed, total: results.length }, data);
          cli.out(data, () => t('sales.imported', { sold: data.sold, duplicates: data.duplicates, failed }));
        });
      }),
    'tpv sales import day.jsonl --json',
  );
}
