/**
 * `tpv einvoice setup|status|list|show|verify|export|submit|fix|run`: the store's e-invoicing scheme
 * (VERI*FACTU), its certificate, the records every fiscal document gets and their submission to
 * the AEAT (docs/einvoice.md). TPV_CERT_PASSWORD gives the certificate's password at setup (else
 * it is asked on a terminal; never a flag); TPV_EINVOICE_ENDPOINT (an https:// URL) and
 * TPV_EINVOICE_CA (a PEM file of the CA that signed its certificate) point submit, fix and run at
 * a test server instead of the AEAT's.
 */
import type { Command } from 'commander';
import { cancelRecord, EINVOICE_STATES, type EinvoiceState, listRecords, showRecords, verifyChain } from '../app/einvoice.js';
import type { CertificateStatus, SubmitOptions, SubmitResult } from '../app/einvoice-submit.js';
import { readTextFile } from '../app/files.js';
import { changeSettings } from '../app/settings.js';
import { TpvError } from '../core/errors.js';
import { errorMessage, t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { dateFlag, intFlag } from '../cli/flags.js';
import { writeOutputFile } from '../cli/output.js';
import { type Cli, example, table } from '../cli/runtime.js';

/** The certificate and the submission (TLS, the AEAT's XML, node-forge), loaded only by the commands that use them. */
const submitter = () => import('../app/einvoice-submit.js');
/** The export for an inspector and its check (the XML writer and parser), loaded only by `export` and `verify --file`. */
const exporter = () => import('../app/einvoice-export.js');

export function register(program: Command, cli: Cli): void {
  const einvoice = program.command('einvoice').description(t('help.einvoice'));
  example(
    einvoice
      .command('setup')
      .description(t('help.einvoice.setup'))
      .option('--scheme <scheme>', t('help.einvoice.scheme'))
      .option('--env <env>', t('help.einvoice.env'), 'test')
      .option('--cert <file>', t('help.einvoice.cert'))
      .action((o: { scheme?: string; env: string; cert?: string }) =>
        cli.withApp(async (app) => {
          const scheme = cli.required(o.scheme, '--scheme');
          const { actor, approver } = await actors(cli, app);
          if (scheme === 'verifactu' && app.profile.country !== 'ES') throw new TpvError('invalid', 'einvoice.not_spain', { field: 'store.country', country: app.profile.country || '-' });
          if (scheme === 'verifactu' && !app.profile.taxId) throw new TpvError('invalid', 'einvoice.no_tax_id', { field: 'store.tax_id' });
          // the certificate is opened and checked before anything changes: a wrong one stores nothing
          const cert = o.cert === undefined ? undefined : await (await submitter()).readCertificate(app, o.cert, await certPassword(cli, o.cert));
          await changeSettings(app, actor, { 'einvoice.scheme': scheme, 'einvoice.env': o.env }, approver);
          if (cert) (await submitter()).saveCertificate(app, cert);
          const s = await (await submitter()).einvoiceFullStatus(app);
          cli.out(s, () =>
            [t('einvoice.setup_done', { scheme: s.scheme, env: s.env }), ...(s.certificate ? [t('einvoice.cert_installed', { subject: s.certificate.subject, nifs: s.certificate.nifs.join(', '), date: s.certificate.not_after, path: s.certificate.path })] : [])].join('\n'),
          );
        }),
      ),
    'TPV_PIN=… tpv einvoice setup --scheme verifactu --env test',
    'TPV_PIN=… TPV_CERT_PASSWORD=… tpv einvoice setup --scheme verifactu --env prod --cert empresa.p12',
  );
  example(
    einvoice
      .command('status')
      .description(t('help.einvoice.status'))
      .action(() =>
        cli.withApp(async (app) => {
          const s = await (await submitter()).einvoiceFullStatus(app);
          cli.out(s, () =>
            [
              t('einvoice.status', {
                scheme: s.scheme,
                env: s.env,
                records: s.records,
                head: s.head ? `${s.head.number} ${s.head.huella.slice(0, 16)} (${s.head.generated_at})` : '-',
                queue: EINVOICE_STATES.map((k) => `${t(`einvoice.state.${k}`)} ${s.queue[k]}`).join(', '),
              }),
              certLine(s.certificate),
              ...(s.last_submission
                ? [t('einvoice.status_last', { at: s.last_submission.at, result: s.last_submission.error ?? `${s.last_submission.estado_envio ?? '-'} ${s.last_submission.records} CSV ${s.last_submission.csv ?? '-'}` })]
                : []),
              ...(s.next_submission_at ? [t('einvoice.status_next', { at: s.next_submission_at })] : []),
            ].join('\n'),
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
      .option('--file <path>', t('help.einvoice.verify.file'))
      .action(async (o: { file?: string }) => {
        if (o.file !== undefined) {
          // an export, checked from the file alone: no database needed
          const r = (await exporter()).verifyExportFile(o.file);
          cli.out(r, () =>
            t('einvoice.file_verified', {
              path: r.path,
              records: r.records,
              first: r.first ?? '-',
              last: r.last ?? '-',
              head: r.head?.slice(0, 16) ?? '-',
              anterior: r.anterior ? `${r.anterior.number} ${r.anterior.huella.slice(0, 16)}` : t('einvoice.chain_start'),
            }),
          );
          return;
        }
        await cli.withApp((app) => {
          const r = verifyChain(app.db);
          if (r.broken) throw new TpvError('conflict', `einvoice.broken_${r.broken.reason}`, { number: r.broken.number, id: r.broken.id }, r);
          cli.out(r, () => t('einvoice.verified', { records: r.records, head: r.head?.slice(0, 16) ?? '-' }));
        });
      }),
    'tpv einvoice verify',
    'tpv einvoice verify --file verifactu-2026-11.xml   # an export, from the file alone',
  );
  example(
    einvoice
      .command('export')
      .description(t('help.einvoice.export'))
      .argument('[file]', t('help.einvoice.export.file'))
      .option('--from <date>', t('help.einvoice.export.from'))
      .option('--to <date>', t('help.einvoice.export.to'))
      .action((file: string | undefined, o: { from?: string; to?: string }) =>
        cli.withApp(async (app) => {
          const from = dateFlag(o.from, '--from');
          const to = dateFlag(o.to, '--to');
          const { chunks, summary } = (await exporter()).exportRecords(app, { ...(from ? { from } : {}), ...(to ? { to } : {}) }, app.now());
          if (file === undefined || file === '-') {
            await cli.writeChunks(chunks);
            return;
          }
          await writeOutputFile(file, chunks, 'FILE');
          cli.out({ path: file, ...summary }, () =>
            t('einvoice.exported', { path: file, records: summary.records, first: summary.first ?? '-', last: summary.last ?? '-', head: summary.head?.slice(0, 16) ?? '-' }),
          );
        }),
      ),
    'tpv einvoice export --from 2026-11-01 --to 2026-11-30 verifactu-2026-11.xml',
    'tpv einvoice export --from 2026-11-21 --to 2026-11-21 | less',
  );
  example(
    einvoice
      .command('cancel <number>')
      .description(t('help.einvoice.cancel'))
      .action((number: string) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const r = cancelRecord(app, actor, number, approver);
          cli.out(r, () => t('einvoice.cancelled', { number, huella: r.huella.slice(0, 16) }));
        }),
      ),
    'TPV_PIN=… tpv einvoice cancel T01F-000012 && tpv einvoice submit   # an invoice issued in error',
  );
  example(
    einvoice
      .command('submit')
      .description(t('help.einvoice.submit'))
      .action(() =>
        cli.withApp(async (app) => {
          const r = await (await submitter()).submitPending(app, target(cli));
          cli.out(r, () => submitted(r));
        }),
      ),
    'tpv einvoice submit --json',
    'TPV_EINVOICE_ENDPOINT=https://aeat-test.local:8443/ws TPV_EINVOICE_CA=ca.pem tpv einvoice submit',
  );
  example(
    einvoice
      .command('fix <number>')
      .description(t('help.einvoice.fix'))
      .action((number: string) =>
        cli.withApp(async (app) => {
          const r = await (await submitter()).fixRecord(app, number, target(cli));
          cli.out(r, () => submitted(r));
        }),
      ),
    'tpv einvoice fix T01-000123',
  );
  example(
    einvoice
      .command('run')
      .description(t('help.einvoice.run'))
      .option('--idle <seconds>', t('help.einvoice.idle'), '60')
      .action((o: { idle: string }) =>
        cli.withApp(async (app) => {
          const idleSeconds = Number(o.idle);
          if (!Number.isInteger(idleSeconds) || idleSeconds < 1 || idleSeconds > 86400) throw new TpvError('usage', 'cli.integer', { flag: '--idle', min: 1, max: 86400, value: o.idle });
          const stop = new AbortController();
          const onSignal = (): void => stop.abort();
          process.once('SIGTERM', onSignal);
          process.once('SIGINT', onSignal);
          const log = (line: string): void => void cli.io.stderr.write(line + '\n');
          log(t('einvoice.run_started'));
          try {
            const totals = await (await submitter()).runSubmitter(app, {
              ...target(cli),
              signal: stop.signal,
              idleSeconds,
              onSent: (r, at) => log(t('einvoice.run_sent', { at, records: r.records, accepted: r.accepted, accepted_with_errors: r.accepted_with_errors, rejected: r.rejected })),
              onFailed: (e, seconds, at) => log(t('einvoice.run_failed', { at, seconds, message: e instanceof TpvError ? errorMessage(e.code, e.params) : String(e) })),
            });
            log(t('einvoice.run_stopped'));
            cli.out(totals, () => submitted(totals));
          } finally {
            process.off('SIGTERM', onSignal);
            process.off('SIGINT', onSignal);
          }
        }),
      ),
    'tpv einvoice run   # systemd: ExecStart=/usr/bin/tpv --db /var/lib/tpv/tpv.db einvoice run',
  );
  example(
    einvoice
      .command('simulate')
      .description(t('help.einvoice.simulate'))
      .option('--nif <nif>', t('help.einvoice.simulate.nif'))
      .option('--dir <dir>', t('help.einvoice.simulate.dir'), 'aeat-simulator')
      .option('--listen <host:port>', t('help.einvoice.simulate.listen'), '127.0.0.1:0')
      .option('--wait <seconds>', t('help.einvoice.simulate.wait'), '0')
      .option('--xsd <file>', t('help.einvoice.simulate.xsd'))
      .option('--reject <number...>', t('help.einvoice.simulate.reject'))
      .action(async (o: { nif?: string; dir: string; listen: string; wait: string; xsd?: string; reject?: string[] }) => {
        const { startAeatSimulator } = await import('../app/einvoice-simulator.js');
        const password = cli.io.env.TPV_CERT_PASSWORD ?? 'simulador';
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        try {
          const sim = await startAeatSimulator(
            {
              nif: cli.required(o.nif, '--nif'),
              dir: o.dir,
              listen: o.listen,
              wait: intFlag(o.wait, '--wait', 0, 3600),
              password,
              reject: o.reject ?? [],
              ...(o.xsd === undefined ? {} : { xsd: o.xsd }),
            },
            (e) => {
              if (cli.json) return void cli.io.stdout.write(JSON.stringify(e) + '\n');
              const records = e.records.length;
              if (e.fault !== undefined) return void cli.io.stdout.write(t('einvoice.simulate_fault', { request: e.request, reason: e.fault.split('\n')[0] ?? '' }) + '\n');
              if (e.cut) return void cli.io.stdout.write(t('einvoice.simulate_cut', { request: e.request, records }) + '\n');
              const lines = e.records.map((r, i) => `  ${r.kind === 'Alta' ? '' : 'anulación '}${r.numSerie} ${r.fecha}${r.subsanacion ? ' (subsanación)' : ''}: ${e.estados[i]}`);
              cli.io.stdout.write([t('einvoice.simulate_request', { request: e.request, records }), ...lines].join('\n') + '\n');
            },
          );
          cli.io.stderr.write(t('einvoice.simulate_started', { url: sim.url, cert: sim.certFile, password, env: sim.envFile }) + '\n');
          if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
          await sim.close();
        } finally {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
        }
      }),
    'tpv einvoice simulate --nif B12345674 --dir aeat   # then: . aeat/env.sh',
    'tpv einvoice simulate --nif B12345674 --dir aeat --reject T01-000002 --wait 5',
  );
}

/** The certificate's password: TPV_CERT_PASSWORD, else asked on a terminal, else a usage error naming the variable. Never a flag (it would show in `ps`). */
async function certPassword(cli: Cli, path: string): Promise<string> {
  const env = cli.io.env.TPV_CERT_PASSWORD;
  if (env !== undefined) return env;
  if (cli.interactive) return cli.prompt(t('einvoice.ask_cert_password', { path }), { secret: true });
  throw new TpvError('usage', 'einvoice.cert_password_needed', { path });
}

/** A technician's test server instead of the AEAT: TPV_EINVOICE_ENDPOINT and TPV_EINVOICE_CA. */
function target(cli: Cli): SubmitOptions {
  const endpoint = cli.io.env.TPV_EINVOICE_ENDPOINT?.trim();
  const ca = cli.io.env.TPV_EINVOICE_CA?.trim();
  return { ...(endpoint ? { endpoint } : {}), ...(ca ? { ca: readTextFile(ca) } : {}) };
}

function certLine(c: CertificateStatus | null): string {
  if (!c) return t('einvoice.status_no_cert');
  return t('einvoice.status_cert', { subject: c.subject, nifs: c.nifs.join(', ') || '-', date: c.not_after, expired: c.expired ? t('einvoice.status_cert_expired') : '' });
}

function submitted(r: SubmitResult): string {
  if (r.records === 0 && r.remaining === 0) return t('einvoice.nothing_to_submit');
  return [
    t('einvoice.submitted', { records: r.records, requests: r.requests, accepted: r.accepted, accepted_with_errors: r.accepted_with_errors, rejected: r.rejected }),
    ...r.problems.map((p) => `  ${p.number} ${t(`einvoice.state.${p.state}`)}${p.code ? ` ${p.code}` : ''}${p.description ? ` ${p.description}` : ''}`),
    ...(r.unanswered ? [t('einvoice.submitted_unanswered', { unanswered: r.unanswered })] : []),
    ...(r.remaining && r.next_at ? [t('einvoice.submit_later', { remaining: r.remaining, at: r.next_at })] : []),
  ].join('\n');
}
