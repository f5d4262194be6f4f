/**
 * The root commander program: global options, the command groups, and the mapping of every
 * failure to one exit code and (with --json) one error document. bin/tpv calls main().
 */
import { type Argument, Command, CommanderError, type Help, type Option } from 'commander';
import { EXIT_CODES, type MessageKey, TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';
import { terminalJson, terminalText } from '../core/text.js';
import { errorMessage, languageFromEnv, setLanguage, t, tOr } from '../i18n/index.js';
import { VERSION } from '../version.js';
import * as init from '../commands/init.js';
import * as demo from '../commands/demo.js';
import * as config from '../commands/config.js';
import * as taxes from '../commands/taxes.js';
import * as migrate from '../commands/migrate.js';
import * as backup from '../commands/backup.js';
import * as products from '../commands/products.js';
import * as stock from '../commands/stock.js';
import * as sale from '../commands/sale.js';
import * as sales from '../commands/sales.js';
import * as receipts from '../commands/receipts.js';
import * as report from '../commands/report.js';
import * as shift from '../commands/shift.js';
import * as users from '../commands/users.js';
import * as series from '../commands/series.js';
import * as audit from '../commands/audit.js';
import * as credit from '../commands/credit.js';
import * as customers from '../commands/customers.js';
import * as refund from '../commands/refund.js';
import * as exchange from '../commands/exchange.js';
import * as invoice from '../commands/invoice.js';
import * as pos from '../commands/pos.js';
import * as devices from '../commands/devices.js';
import * as print from '../commands/print.js';
import * as drawer from '../commands/drawer.js';
import * as doctor from '../commands/doctor.js';
import * as sync from '../commands/sync.js';
import * as server from '../commands/server.js';
import * as einvoice from '../commands/einvoice.js';
import { Cli, type Io } from './runtime.js';

export function buildProgram(io: Io): { program: Command; cli: Cli } {
  const program = new Command('tpv');
  const cli = new Cli(io, program);
  program
    .description(t('help.tpv'))
    .version(VERSION, '-V, --version', t('help.version'))
    .helpOption('-h, --help', t('help.help'))
    .helpCommand(false)
    .option('--db <path>', t('help.db'))
    .option('--json', t('help.json'))
    .option('--user <code>', t('help.user'))
    .option('--approver <code>', t('help.approver'))
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => cli.io.stdout.write(s),
      writeErr: (s) => cli.io.stderr.write(s),
      outputError: (s, write) => {
        if (!cli.json) write(terminalText(commanderText(s), true));
      },
    })
    .exitOverride();
  // one module per command group, named after it, in the order `tpv --help` lists them
  for (const group of [init, demo, config, taxes, migrate, backup, products, stock, sale, sales, receipts, report, shift, users, series, audit, credit, customers, refund, exchange, invoice, pos, devices, print, drawer, doctor, sync, server, einvoice]) group.register(program, cli);
  for (const c of allCommands(program)) {
    c.exitOverride();
    c.configureOutput(program.configureOutput());
    c.helpOption('-h, --help', t('help.help'));
    // a group's `help [command]` (`tpv products help import`), described in the screen's language
    if (c.commands.length) c.helpCommand('help [command]', t('help.help_command'));
  }
  // the help's headings in the screen's language ("Uso:", "Opciones:"), whatever else a command configured
  const titles: Record<string, string> = {
    'Usage:': t('help.title.usage'),
    'Arguments:': t('help.title.arguments'),
    'Options:': t('help.title.options'),
    'Global Options:': t('help.title.global_options'),
    'Commands:': t('help.title.commands'),
  };
  const words = helpWords();
  for (const c of [program, ...allCommands(program)]) c.configureHelp({ ...c.configureHelp(), ...words, styleTitle: (title: string) => titles[title] ?? title });
  return { program, cli };
}

/**
 * commander's own words in the help, in the screen's language (the catalog's `help.arg.*` and
 * `help.extra.*`): the usage's `[options]` and `[command]`, the placeholders of arguments and
 * options (`<path>` → `<ruta>`; a list of the values themselves, `<each|kg>`, is what is typed
 * and stays as it is), and the `(default: …)` after an option's description. Only how the help is
 * drawn changes: the flags and argument names a script passes are the same in every language.
 */
function helpWords(): Partial<Help> {
  const word = (name: string): string => tOr(`help.arg.${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`, name);
  const placeholders = (text: string): string =>
    text.replace(/([<[])([^<>[\]]+?)(\.\.\.)?([>\]])/g, (_m, open: string, name: string, more: string | undefined, close: string) => `${open}${word(name)}${more ?? ''}${close}`);
  const described = (description: string, extra: [MessageKey, string][]): string => {
    const text = extra.map(([key, value]) => `${t(key)}: ${value}`).join(', ');
    return text ? (description ? `${description} (${text})` : `(${text})`) : description;
  };
  const shown = (value: unknown, description: string | undefined): string => description || JSON.stringify(value);
  const choices = (values: readonly string[] | undefined): [MessageKey, string][] => (values ? [['help.extra.choices', values.map((v) => JSON.stringify(v)).join(', ')]] : []);
  return {
    styleUsage: placeholders,
    styleSubcommandTerm: placeholders,
    styleOptionTerm: placeholders,
    styleArgumentTerm: word,
    // as commander's own (lib/help.js), its words from the catalog
    optionDescription: (o: Option): string => {
      const extra = choices(o.argChoices);
      if (o.defaultValue !== undefined && (o.required || o.optional || (o.isBoolean() && typeof o.defaultValue === 'boolean'))) {
        extra.push(['help.extra.default', shown(o.defaultValue, o.defaultValueDescription)]);
      }
      if (o.presetArg !== undefined && o.optional) extra.push(['help.extra.preset', JSON.stringify(o.presetArg)]);
      if (o.envVar !== undefined) extra.push(['help.extra.env', o.envVar]);
      return described(o.description, extra);
    },
    argumentDescription: (a: Argument): string => {
      const extra = choices(a.argChoices);
      if (a.defaultValue !== undefined) extra.push(['help.extra.default', shown(a.defaultValue, a.defaultValueDescription)]);
      return described(a.description, extra);
    },
  };
}

/** Options every command takes that carry a value; with only these (and their values), no command was named. */
const GLOBAL_WITH_VALUE = ['--db', '--user', '--approver'];

/** Whether `argv` names no command: nothing, or only `--db PATH`, `--user CODE`, `--approver CODE`. */
function noCommand(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (GLOBAL_WITH_VALUE.includes(a)) i++;
    else if (!GLOBAL_WITH_VALUE.some((o) => a.startsWith(`${o}=`))) return false;
  }
  return true;
}

function allCommands(c: Command): Command[] {
  return c.commands.flatMap((s) => [s, ...allCommands(s)]);
}

/** Runs tpv with argv (without node and script); returns the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  setLanguage(languageFromEnv(io.env));
  const { program, cli } = buildProgram(io);
  // alone on a terminal (also `tpv --db PATH`), tpv is the cashier terminal; from a script, it shows its help
  if (noCommand(argv)) {
    if (!(io.stdin.isTTY && io.stdout.isTTY)) {
      program.outputHelp();
      return cli.finish(0);
    }
    argv = [...argv, 'pos'];
  }
  let code: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    code = 0;
  } catch (e) {
    code = reportError(e, cli);
  }
  return cli.finish(code);
}

/** Commander's messages for a wrong command line (its own English), each as the catalog says it. */
const COMMANDER_MESSAGES: [RegExp, MessageKey][] = [
  [/^unknown option '([^']*)'/, 'cli.err.unknown_option'],
  [/^unknown command '([^']*)'/, 'cli.err.unknown_command'],
  [/^too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\./, 'cli.err.excess_arguments'],
  [/^missing required argument '([^']*)'/, 'cli.err.missing_argument'],
  [/^required option '([^']*)' not specified/, 'cli.err.required_option'],
  [/^option '([^']*)' argument missing/, 'cli.err.option_argument'],
  [/^option '([^']*)' argument '([^']*)' is invalid\./, 'cli.err.option_invalid'],
];

/**
 * A message of commander's ("error: unknown option '--x'\n(Did you mean --y?)") in the screen's
 * language; one it does not know stays as commander wrote it.
 */
function commanderText(text: string, prefixed = true): string {
  return text
    .split('\n')
    .map((line) => {
      const body = line.replace(/^error: /, '');
      const hint = /^\(Did you mean (.*)\?\)$/.exec(body);
      if (hint) return t('cli.err.did_you_mean', { suggestion: hint[1]! });
      for (const [re, key] of COMMANDER_MESSAGES) {
        const m = re.exec(body);
        if (m) return `${prefixed ? `${t('cli.err.prefix')}: ` : ''}${t(key, { a: m[1] ?? '', b: m[2] ?? '', c: m[3] ?? '' })}`;
      }
      return prefixed ? line : body;
    })
    .join('\n');
}

/**
 * One exit code (and with --json one error document) for any failure: tpv's own errors, usage
 * errors, the system refusing (a full disk, a read-only database: core/system-errors) — and only
 * what is none of these, a bug, exit 1.
 */
function reportError(e: unknown, cli: Cli): number {
  const { io } = cli;
  let err: TpvError;
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return 0; // --help, --version
    err = new TpvError('usage', 'cli.usage', { message: commanderText(e.message, false) });
  } else if (e instanceof TpvError) {
    err = e;
  } else {
    const system = systemError(e, cli.dbPath());
    if (system) err = system;
    else {
      const msg = e instanceof Error ? e.message : String(e);
      err = new TpvError('internal', 'cli.internal', { message: msg });
    }
    if (io.env.TPV_DEBUG && e instanceof Error) io.stderr.write((e.stack ?? '') + '\n');
  }
  const message = errorMessage(err.code, err.params);
  if (cli.json) {
    const error: Record<string, unknown> = { code: err.code, message };
    if (err.details !== undefined) error.details = err.details;
    else if (Object.keys(err.params).length) error.details = err.params;
    io.stdout.write(terminalJson({ ok: false, error }) + '\n');
  } else if (!(e instanceof CommanderError)) {
    // a message may quote stored or typed text: never raw to the terminal
    io.stderr.write(`tpv: ${terminalText(message, true)}\n`);
  }
  return EXIT_CODES[err.kind];
}

export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
