/**
 * Issue 14's "done when": a Spanish shop goes from `tpv init` to a day of sales submitted and
 * accepted by a simulated AEAT following only the README. The README's block ("The whole path on
 * one machine") is run as written, line by line, by bash in an empty folder with the built tpv on
 * the PATH: the `tpv einvoice simulate` line in the background (the README's "second terminal"),
 * `tpv pos` left out (the terminal has its own tmux test, tests/e2e/pos-einvoice.test.ts). Then
 * the simulator is restarted with `--reject`: it still trusts the certificate tpv keeps, refuses
 * that record once, and `tpv einvoice fix` gets it accepted.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../helpers.js';

const dir = tempDir('tpv-vf-readme-');
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TPV_') && k !== 'XDG_DATA_HOME' && k !== 'LANG'));
Object.assign(env, { HOME: dir, TPV_LANG: 'en', PATH: `${dirname(BIN)}:${process.env.PATH ?? ''}` });

/** The README's block: its command lines, in order. */
function readmeBlock(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('**The whole path on one machine**');
  expect(at, 'the README section "The whole path on one machine"').toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  return block.split('\n').filter((l) => l.trim());
}

let simulator: ChildProcess | undefined;
let simulatorOut = '';

/** Starts a command line of the simulator in the background; resolves once it listens (env.sh written, its banner on stderr). */
async function startSimulator(line: string): Promise<void> {
  simulatorOut = '';
  const child = spawn('bash', ['-c', `exec ${line}`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  simulator = child;
  child.stdout!.on('data', (d: Buffer) => (simulatorOut += d.toString()));
  let banner = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      banner += d.toString();
      if (banner.includes('point tpv at it')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the simulator stopped (${code}): ${banner}`)));
  });
  expect(existsSync(join(dir, 'aeat', 'env.sh'))).toBe(true);
}

async function stopSimulator(): Promise<number | null> {
  const child = simulator;
  simulator = undefined;
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}
afterAll(() => void stopSimulator());

/** The simulator's output, once it shows `pattern` (bash runs synchronously: its lines arrive after). */
async function simulatorSaid(pattern: RegExp): Promise<void> {
  for (let i = 0; i < 600 && !pattern.test(simulatorOut); i++) await new Promise((r) => setTimeout(r, 50));
  expect(simulatorOut).toMatch(pattern);
}

/** Lines run by bash in the folder, stopping at the first that fails. */
function bash(lines: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-e', '-c', lines.join('\n')], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as { ok: boolean; data: Record<string, unknown> };
const records = (r: { stdout: string }) => JSON.parse(r.stdout).data as { number: string; tipo: string; state: string }[];

describe('VERI*FACTU from tpv init to records accepted, by the README alone', () => {
  const lines = readmeBlock();
  const simulate = lines.find((l) => l.includes('tpv einvoice simulate'))!;
  const before = lines.slice(0, lines.indexOf(simulate));
  const after = lines.slice(lines.indexOf(simulate) + 1).filter((l) => !/^tpv pos\b/.test(l));
  const withEnv = (more: string[]) => ['. aeat/env.sh', 'export TPV_PIN=4321', ...more];

  it('runs the README block: the sale and its refund are accepted', async () => {
    const init = bash(before);
    expect(init.status, init.stderr).toBe(0);
    await startSimulator(simulate);
    const run = bash(after);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('records sent 2 (requests 1): accepted 2');
    expect(records(bash(withEnv(['tpv einvoice list --json']))).map((r) => [r.number, r.tipo, r.state])).toEqual([
      ['T01-000001', 'F2', 'accepted'],
      ['T01R-000001', 'R5', 'accepted'],
    ]);
    await simulatorSaid(/T01R-000001 \S+: Correcto/);
    expect(simulatorOut).toMatch(/T01-000001 \S+: Correcto/);
  }, 180_000);

  it('a restarted simulator trusts the kept certificate; a record it rejects is fixed and accepted', async () => {
    expect(await stopSimulator()).toBe(0);
    await startSimulator(`${simulate.split('#')[0]!.trim()} --reject T01-000002`);
    const sale = `echo '{"lines":[{"code":"TOR-001","qty":"1"}],"payments":[{"method":"cash","amount":"5.00"}]}' | tpv sale >/dev/null`;
    const first = bash(withEnv([sale, 'tpv einvoice submit --json']));
    expect(first.status, first.stderr).toBe(0);
    expect(json(first).data).toMatchObject({ records: 1, rejected: 1 });
    expect(records(bash(withEnv(['tpv einvoice list --state rejected --json']))).map((r) => r.number)).toEqual(['T01-000002']);
    const fix = bash(withEnv(['tpv einvoice fix T01-000002 --json']));
    expect(fix.status, fix.stderr).toBe(0);
    expect(records(bash(withEnv(['tpv einvoice list --json']))).map((r) => `${r.number} ${r.state}`)).toEqual(['T01-000001 accepted', 'T01R-000001 accepted', 'T01-000002 accepted']);
    await simulatorSaid(/T01-000002 \S+ \(subsanación\): Correcto/);
    expect(simulatorOut).toMatch(/T01-000002 \S+: Incorrecto/);
  }, 180_000);
});
