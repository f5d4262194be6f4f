/**
 * `tpv audit verify|head|export`: the journal of fiscal records, the checks that make a falsified
 * figure visible, and the anchors (printed hashes, exports) that let someone outside the till
 * tell a rewritten file from the one they saw.
 */
import type { Command } from 'commander';
import type { Anchor } from '../app/audit.js';
import { journalEntries, journalHead, SHORT_HASH } from '../app/journal.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { collect, dateFlag } from '../cli/flags.js';
import { type Cli, example } from '../cli/runtime.js';
import { writeOutputFile } from '../cli/output.js';

/** The audit's checks, loaded only by the audit commands (start-up of the others stays small). */
const audits = () => import('../app/audit.js');

export function register(program: Command, cli: Cli): void {
  const audit = program.command('audit').description(t('help.audit'));
  example(
    audit
      .command('verify')
      .description(t('help.audit.verify'))
      .option('--file <path>', t('help.audit.verify.file'))
      .option('--anchor <entry:hash>', t('help.audit.verify.anchor'), collect)
      .action(async (o: { file?: string; anchor?: string[] }) => {
        const anchors = (o.anchor ?? []).map(parseAnchor);
        const { assertAnchors, auditStore, verifyExportFile } = await audits();
        if (o.file !== undefined) {
          const r = verifyExportFile(o.file, anchors);
          cli.out(r, () => t('audit.file_ok', { entries: r.entries, first: r.first, last: r.last, seq: r.seq, head: r.head.slice(0, SHORT_HASH) }));
          return;
        }
        await cli.withApp((app) => {
          const r = auditStore(app.db);
          const first = r.findings[0];
          const data = { ok: r.ok, entries: r.journal.entries, broken: r.journal.broken, head: r.head, findings: r.findings };
          if (first) throw new TpvError('conflict', first.code, first.params, data);
          assertAnchors(anchors, journalEntries(app.db));
          cli.out(data, () => t('audit.ok', { entries: r.journal.entries, seq: r.head.seq, head: r.head.hash.slice(0, SHORT_HASH) }));
        });
      }),
    'tpv audit verify --json',
    'tpv audit verify --anchor 1234:9f86d081884c7d65   # the entry and hash printed on a Z report',
    'tpv audit verify --file journal-2026-11.json',
  );
  example(
    audit
      .command('head')
      .description(t('help.audit.head'))
      .action(() =>
        cli.withApp((app) => {
          const h = journalHead(app.db);
          cli.out(h, () => t('audit.head', { seq: h.seq, head: h.hash.slice(0, SHORT_HASH) }));
        }),
      ),
    'tpv audit head',
  );
  example(
    audit
      .command('export')
      .description(t('help.audit.export'))
      .argument('[file]', t('help.audit.export'))
      .option('--from <date>', t('help.audit.export.from'))
      .option('--to <date>', t('help.audit.export.to'))
      .action((file: string | undefined, o: { from?: string; to?: string }) =>
        cli.withApp(async (app) => {
          const from = dateFlag(o.from, '--from');
          const to = dateFlag(o.to, '--to');
          const p = app.profile;
          const { exportJournal, exportSummary } = await audits();
          const x = exportJournal(app.db, { name: p.legalName || p.name, tax_id: p.taxId, register: p.register }, { ...(from ? { from } : {}), ...(to ? { to } : {}) }, app.now());
          if (x.entries.length === 0) throw new TpvError('not_found', 'audit.export_empty', { from: from ?? '-', to: to ?? '-' });
          const text = JSON.stringify(x, null, 1) + '\n';
          const summary = exportSummary(x);
          if (file === undefined || file === '-') {
            cli.io.stdout.write(text);
            return;
          }
          await writeOutputFile(file, text, '--file');
          cli.out({ path: file, ...summary }, () => t('audit.exported', { path: file, ...summary, head: summary.head.slice(0, SHORT_HASH) }));
        }),
      ),
    'tpv audit export --from 2026-11-01 --to 2026-11-30 journal-2026-11.json',
  );
}

function parseAnchor(value: string): Anchor {
  const m = /^\s*#?(\d{1,12})\s*[:\s]\s*([0-9a-f]{8,64})\s*$/i.exec(value);
  if (!m) throw new TpvError('usage', 'audit.anchor_bad', { value });
  return { seq: Number(m[1]), hash: m[2]!.toLowerCase() };
}
