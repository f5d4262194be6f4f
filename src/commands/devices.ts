/**
 * `tpv devices add|list|remove|test|listen|simulate`: the technician's toolbox. Device code (the
 * ESC/POS encoder, serialport) is loaded only by the commands that talk to devices, so the rest of
 * tpv starts as fast as before.
 */
import type { Command } from 'commander';
import { addDevice, DEVICE_KINDS, type DeviceConfig, type DeviceKind, deviceOf, listDevices, removeDevice } from '../app/devices.js';
import { testPage } from '../app/documents.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { intFlag, MAX_LIMIT } from '../cli/flags.js';
import { type Cli, example, table } from '../cli/runtime.js';

interface AddFlags {
  name?: string;
  url?: string;
  profile?: string;
  columns?: string;
  cut?: string;
  code?: string;
  printer?: string;
  pin?: string;
  pulse?: string;
  openWhen?: string;
  suffix?: string;
  timeout?: string;
  stripPrefix?: string;
  stripSuffix?: string;
  mode?: string;
  welcome?: string;
  replace?: boolean;
}

function kindOf(text: string): DeviceKind {
  if (!(DEVICE_KINDS as readonly string[]).includes(text)) throw new TpvError('usage', 'device.kind', { kind: text, kinds: DEVICE_KINDS.join(', ') });
  return text as DeviceKind;
}

/** One line per device: what it is and its settings, the way `devices add` takes them. */
function describeDevice(d: DeviceConfig): string {
  switch (d.kind) {
    case 'printer':
      return `--url ${d.url} --profile ${d.profile} --columns ${d.columns} --cut ${d.cut} --code ${d.code}`;
    case 'drawer':
      return `${d.url ? `--url ${d.url}` : `--printer ${d.printer}`} --pin ${d.pin} --pulse ${d.onMs},${d.offMs} --open-when ${d.openWhen}`;
    case 'scanner':
      return `--url ${d.url} --suffix ${d.suffix} --timeout ${d.interByteMs}${d.stripPrefix ? ` --strip-prefix ${JSON.stringify(d.stripPrefix)}` : ''}${d.stripSuffix ? ` --strip-suffix ${JSON.stringify(d.stripSuffix)}` : ''}`;
    case 'display':
      return `--url ${d.url} --mode ${d.mode}${d.welcome ? ` --welcome ${JSON.stringify(d.welcome)}` : ''}`;
  }
}

export function register(program: Command, cli: Cli): void {
  const devices = program.command('devices').description(t('help.devices'));

  example(
    devices
      .command('add <kind>')
      .description(t('help.devices.add', { kinds: DEVICE_KINDS.join('|') }))
      .option('--name <name>', t('help.devices.name'))
      .option('--url <url>', t('help.devices.url'))
      .option('--profile <model>', t('help.devices.profile'))
      .option('--columns <n>', t('help.devices.columns'))
      .option('--cut <partial|full>', t('help.devices.cut'))
      .option('--code <qr|code128>', t('help.devices.code'))
      .option('--printer <name>', t('help.devices.printer'))
      .option('--pin <2|5>', t('help.devices.pin'))
      .option('--pulse <on,off>', t('help.devices.pulse'))
      .option('--open-when <high|low>', t('help.devices.open_when'))
      .option('--suffix <cr|lf|crlf|none>', t('help.devices.suffix'))
      .option('--timeout <ms>', t('help.devices.timeout'))
      .option('--strip-prefix <text>', t('help.devices.strip_prefix'))
      .option('--strip-suffix <text>', t('help.devices.strip_suffix'))
      .option('--mode <epson|cd5220>', t('help.devices.mode'))
      .option('--welcome <text>', t('help.devices.welcome'))
      .option('--replace', t('help.devices.replace'))
      .action(async (kindText: string, o: AddFlags) => {
        const kind = kindOf(kindText);
        await cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const d = await addDevice(app, actor, kind, { ...o, replace: undefined }, o.replace ?? false, approver);
          cli.out(d, () => t('devices.added', { name: d.name, kind: d.kind, settings: describeDevice(d) }));
        });
      }),
    'tpv devices add printer --url tcp://192.168.1.50:9100 --profile epson-tm-t20iii --columns 48',
    'tpv devices add drawer --printer printer --pin 2',
    'tpv devices add scanner --url "serial:/dev/ttyACM0?baud=9600" --suffix crlf',
    'tpv devices add display --url "serial:/dev/ttyUSB1?baud=9600" --mode epson --welcome "Bienvenido"',
  );

  example(
    devices
      .command('list')
      .description(t('help.devices.list'))
      .option('--no-detect', t('help.devices.no_detect'))
      .action(async (o: { detect: boolean }) => {
        const { deviceCheck } = await import('../app/doctor.js');
        const configured = await cli.withApp(async (app) => {
          const list = listDevices(app);
          if (!o.detect) return list.map((d) => ({ ...d, status: null }));
          return Promise.all(
            list.map(async (d) => {
              const c = await deviceCheck(app, d);
              return { ...d, status: { status: c.status, message: t(c.message.code, c.message.params) } };
            }),
          );
        });
        const { detectPorts } = await import('../app/devtools.js');
        const withStatus = o.detect ? await detectPorts() : [];
        cli.out({ devices: configured, detected: withStatus }, () => {
          const parts = [
            configured.length
              ? table(
                  [t('devices.h.name'), t('devices.h.kind'), t('devices.h.settings'), ...(o.detect ? [t('devices.h.status')] : [])],
                  configured.map((d) => [d.name, d.kind, describeDevice(d), ...(d.status ? [`${d.status.status}: ${d.status.message}`] : [])]),
                )
              : t('devices.none'),
          ];
          if (o.detect) {
            parts.push(
              '',
              withStatus.length
                ? table(
                    [t('devices.h.port'), t('devices.h.what'), t('devices.h.access'), t('devices.h.held_by')],
                    withStatus.map((p) => [
                      p.type === 'serial' && p.byId ? `${p.path} (${p.byId})` : p.path,
                      p.type === 'serial'
                        ? [p.manufacturer, p.vendorId && `${p.vendorId}:${p.productId}`].filter(Boolean).join(' ')
                        : [p.manufacturer, p.model].filter(Boolean).join(' ') || t('devices.usb_printer'),
                      !p.status.exists ? t('devices.missing') : p.status.readable && p.status.writable ? t('devices.rw') : t('devices.denied'),
                      p.status.holders.map((h) => `${h.pid} ${h.command}`).join(', ') || (p.status.lockFile ? `${t('devices.lock_file')} ${p.status.lockFile.path}` : ''),
                    ]),
                  )
                : t('devices.none_detected'),
            );
          }
          return parts.join('\n');
        });
      }),
    'tpv devices list',
    'tpv devices list --json',
  );

  example(
    devices
      .command('remove <name>')
      .description(t('help.devices.remove'))
      .action((name: string) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const d = removeDevice(app, actor, name, approver);
          cli.out(d, () => t('devices.removed', { name: d.name }));
        }),
      ),
    'tpv devices remove scanner2',
  );

  const test = devices.command('test').description(t('help.devices.test'));
  example(
    test
      .command('printer [name]')
      .description(t('help.devices.test.printer'))
      .option('--preview', t('help.devices.preview'))
      .action((name: string | undefined, o: { preview?: boolean }) =>
        cli.withApp(async (app) => {
          const p = deviceOf(app, 'printer', name);
          if (!p) throw new TpvError('not_found', 'printer.none');
          if (o.preview) {
            const page = testPage(app, p);
            return cli.out({ printer: p.name, text: page.text }, () => page.text);
          }
          const { printTestPage } = await import('../app/peripherals.js');
          const r = await printTestPage(app, p);
          cli.out(r, () => t('devices.test_printed', { name: p.name, bytes: r.bytes, state: t(`printer.state.${r.status.state}`) }));
        }),
      ),
    'tpv devices test printer',
    'tpv devices test printer --preview',
  );
  example(
    test
      .command('drawer')
      .description(t('help.devices.test.drawer'))
      .action(() =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const { openDrawer } = await import('../app/peripherals.js');
          const r = await openDrawer(app, actor, 'test', approver);
          cli.out(r, () => t('devices.drawer_opened', { name: r.drawer }));
        }),
      ),
    'tpv devices test drawer',
  );
  example(
    test
      .command('display [name]')
      .description(t('help.devices.test.display'))
      .action((name: string | undefined) =>
        cli.withApp(async (app) => {
          const d = deviceOf(app, 'display', name);
          if (!d) throw new TpvError('not_found', 'display.none');
          const { showDisplayTest } = await import('../app/peripherals.js');
          const shown = await showDisplayTest(app, d);
          cli.out({ display: d.name, shown }, () => shown.map((l) => `${l[0]}\n${l[1]}`).join('\n\n'));
        }),
      ),
    'tpv devices test display',
  );

  example(
    devices
      .command('listen <kind> [name]')
      .description(t('help.devices.listen'))
      .option('--count <n>', t('help.devices.count'))
      .action(async (kindText: string, name: string | undefined, o: { count?: string }) => {
        if (kindText !== 'scanner') throw new TpvError('usage', 'device.kind', { kind: kindText, kinds: 'scanner' });
        const d = await cli.withApp((app) => deviceOf(app, 'scanner', name));
        if (!d) throw new TpvError('not_found', 'scanner.none');
        const { listenScanner } = await import('../app/peripherals.js');
        const max = o.count ? intFlag(o.count, '--count', 1, MAX_LIMIT) : Infinity;
        const scans: { code: string; ms: number }[] = [];
        await listenScanner(
          d,
          max,
          (code, ms) => {
            scans.push({ code, ms });
            if (!cli.json) cli.io.stdout.write(`${code}\t${t('devices.scan_ms', { ms })}\n`);
          },
          () => cli.io.stderr.write(t('devices.listening', { name: d.name, url: d.url }) + '\n'),
        );
        if (cli.json) cli.out({ scanner: d.name, scans }, () => '');
      }),
    'tpv devices listen scanner',
    'tpv devices listen scanner --count 3 --json',
  );

  registerSimulators(devices, cli);
}

function registerSimulators(devices: Command, cli: Cli): void {
  const simulate = devices.command('simulate').description(t('help.devices.simulate'));
  example(
    simulate
      .command('printer')
      .description(t('help.simulate.printer'))
      .option('--listen <host:port>', t('help.simulate.listen'), '127.0.0.1:9100')
      .option('--save <dir>', t('help.simulate.save'))
      .option('--state <state>', t('help.simulate.state'), 'online')
      .option('--drawer-high', t('help.simulate.drawer_high'))
      .option('--count <n>', t('help.simulate.count'))
      .action(async (o: { listen: string; save?: string; state: string; drawerHigh?: boolean; count?: string }) => {
        const { startPrinterSimulator } = await import('../app/devtools.js');
        const max = o.count ? intFlag(o.count, '--count', 1, MAX_LIMIT) : Infinity;
        let seen = 0;
        let stop: () => void = () => undefined;
        const stopped = new Promise<void>((r) => (stop = r));
        const printer = await startPrinterSimulator(
          { listen: o.listen, ...(o.save ? { save: o.save } : {}), state: o.state, drawerHigh: o.drawerHigh ?? false },
          (job) => {
            if (cli.json) cli.io.stdout.write(JSON.stringify({ job: job.seq, bytes: job.bytes, file: job.file, text: job.text, events: job.events }) + '\n');
            else cli.io.stdout.write(`${t('simulate.job', { seq: job.seq, bytes: job.bytes })}\n${job.marked}\n`);
            if (++seen >= max) stop();
          },
        );
        cli.io.stderr.write(t('simulate.printer_listening', { host: printer.host, port: printer.port }) + '\n');
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        await stopped;
        await printer.close();
      }),
    'tpv devices simulate printer --listen 127.0.0.1:9100 --save jobs/',
    'tpv devices simulate printer --state paper_end   # answers DLE EOT like a printer out of paper',
  );
  example(
    simulate
      .command('scanner')
      .description(t('help.simulate.scanner'))
      .option('--link <path>', t('help.simulate.link'), '/tmp/tpv-scanner')
      .option('--scan <code...>', t('help.simulate.scan'))
      .option('--suffix <cr|lf|crlf|none>', t('help.devices.suffix'), 'crlf')
      .option('--interval <ms>', t('help.simulate.interval'), '300')
      .action(async (o: { link: string; scan?: string[]; suffix: string; interval: string }) => {
        const suffix = { cr: '\r', lf: '\n', crlf: '\r\n', none: '' }[o.suffix];
        if (suffix === undefined) throw new TpvError('invalid', 'device.option', { flag: '--suffix', value: o.suffix, expected: 'cr, lf, crlf, none' });
        const interval = intFlag(o.interval, '--interval', 0, 60_000);
        const { startScannerSimulator } = await import('../app/devtools.js');
        const scanner = await startScannerSimulator(o.link, suffix);
        cli.io.stderr.write(t('simulate.scanner_ready', { link: scanner.link }) + '\n');
        const type = (code: string): void => {
          scanner.scan(code);
          cli.io.stdout.write(t('simulate.scanned', { code }) + '\n');
        };
        if (o.scan) {
          for (const code of o.scan) {
            type(code);
            await new Promise((r) => setTimeout(r, interval));
          }
        } else {
          const { createInterface } = await import('node:readline');
          for await (const line of createInterface({ input: cli.io.stdin })) if (line.trim()) type(line.trim());
        }
        scanner.close();
      }),
    'tpv devices simulate scanner --link /tmp/tpv-scanner   # then type codes, one per line',
    'tpv devices simulate scanner --scan 8412345678905 8412345678912 --interval 500',
  );
  example(
    simulate
      .command('display')
      .description(t('help.simulate.display'))
      .option('--link <path>', t('help.simulate.link'), '/tmp/tpv-display')
      .option('--mode <epson|cd5220>', t('help.devices.mode'), 'epson')
      .action(async (o: { link: string; mode: string }) => {
        const { startDisplaySimulator } = await import('../app/devtools.js');
        const display = await startDisplaySimulator(o.link, o.mode, (lines, boxed) => cli.io.stdout.write((cli.json ? JSON.stringify({ lines }) : boxed) + '\n'));
        cli.io.stderr.write(t('simulate.display_ready', { link: display.link }) + '\n');
        process.once('SIGINT', () => display.close());
        process.once('SIGTERM', () => display.close());
        await display.exited;
      }),
    'tpv devices simulate display --link /tmp/tpv-display',
  );
}

