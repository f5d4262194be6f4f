/**
 * The layers of the design guide, read off the import graph of src/:
 *
 *   cli + commands (the shell) ─┐
 *   tui ────────────────────────┼→ app → core + db + devices + sync + einvoice
 *                               └────→ core, i18n
 *
 * core imports only core; nothing imports upward; no module cycles; one file per command group.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const SRC = resolve(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') || e.name.endsWith('.tsx') ? [join(dir, e.name)] : [],
  );
}

/** `import … from 'x'`, `export … from 'x'`, `import 'x'` and `import('x')`. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function importsOf(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

type Layer = 'core' | 'i18n' | 'base' | 'db' | 'devices' | 'sync' | 'einvoice' | 'server' | 'app' | 'tui' | 'commands' | 'cli';

/** The layer of a file of src/ (a module at the top of src/ — version, assets — is `base`). */
function layerOf(file: string): Layer {
  const rel = relative(SRC, file);
  const top = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : 'base';
  return top as Layer;
}

/** What each layer may import (besides node:* and packages, checked below). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  core: ['core'],
  base: ['base'],
  i18n: ['core', 'i18n'],
  db: ['core', 'db', 'base'],
  devices: ['core', 'i18n', 'devices'],
  sync: ['core', 'sync'],
  einvoice: ['core', 'sync', 'einvoice'],
  // the store server: the protocol, its own storage adapters (SQLite through db's connection factory)
  server: ['core', 'base', 'db', 'sync', 'server'],
  app: ['core', 'i18n', 'base', 'db', 'devices', 'sync', 'einvoice', 'app'],
  tui: ['core', 'i18n', 'app', 'tui'],
  // the shell: commands use the CLI's runtime (not its root program); the root program registers them
  commands: ['core', 'i18n', 'base', 'app', 'cli', 'tui', 'server'],
  cli: ['core', 'i18n', 'base', 'app', 'cli', 'commands'],
};

/** Packages only some layers may load (the rest are free): the driver, the terminal UI, the device libraries, validation. */
const PACKAGES: Record<string, readonly Layer[]> = {
  'better-sqlite3': ['db'],
  'drizzle-orm': ['db'],
  ink: ['tui'],
  react: ['tui'],
  commander: ['cli', 'commands'],
  serialport: ['devices'],
  '@point-of-sale/receipt-printer-encoder': ['devices'],
  zod: ['sync', 'app', 'server'],
  ws: ['server', 'app'],
  pg: ['server'],
};

interface Edge {
  from: string;
  to: string;
  spec: string;
  typeOnly: boolean;
}

function graph(): { files: string[]; edges: Edge[]; texts: Map<string, string> } {
  const files = sources(SRC);
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const edges: Edge[] = [];
  for (const file of files) {
    const text = texts.get(file)!;
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      const typeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0].replace(/^\n/, ''));
      const to = spec.startsWith('.') ? resolve(dirname(file), spec).replace(/\.js$/, existsAs(dirname(file), spec)) : spec;
      edges.push({ from: file, to, spec, typeOnly });
    }
  }
  return { files, edges, texts };
}

/** The source file a relative `.js` specifier names (.ts or .tsx). */
function existsAs(dir: string, spec: string): string {
  const base = resolve(dir, spec).replace(/\.js$/, '');
  try {
    readFileSync(base + '.ts');
    return '.ts';
  } catch {
    return '.tsx';
  }
}

/** Every import that breaks the layering, as `file → import`. */
function violations(): string[] {
  const out: string[] = [];
  for (const e of graph().edges) {
    const from = layerOf(e.from);
    const where = `${relative(ROOT, e.from)} → ${e.spec}`;
    if (e.to.startsWith(SRC + '/')) {
      const to = layerOf(e.to);
      if (!MAY_IMPORT[from].includes(to)) out.push(where);
      // the shell: only the root program registers the command groups; only `tpv pos` opens the terminal
      else if (from === 'cli' && to === 'commands' && relative(SRC, e.from) !== 'cli/main.ts') out.push(where);
      else if (from === 'commands' && to === 'cli' && relative(SRC, e.to) === 'cli/main.ts') out.push(where);
      else if (from === 'commands' && to === 'tui' && relative(SRC, e.from) !== 'commands/pos.ts') out.push(where);
    } else if (e.spec.startsWith('.')) {
      out.push(`${where} (outside src)`);
    } else {
      const pkg = e.spec.startsWith('@') ? e.spec.split('/').slice(0, 2).join('/') : e.spec.split('/')[0]!;
      if (from === 'core') out.push(where);
      const only = PACKAGES[pkg];
      // a type from a package is no load of it
      if (only && !only.includes(from) && !e.typeOnly) out.push(where);
    }
  }
  return out;
}

/**
 * Imports that break the layering and are tolerated until fixed. It may only shrink: an entry
 * that is no longer a violation fails the test (remove it), a new violation fails it too.
 */
const TOLERATED: readonly string[] = [];

describe('layers', () => {
  it('every import follows the layering (nothing tolerated)', () => {
    const found = violations();
    expect(found.filter((v) => !TOLERATED.includes(v))).toEqual([]);
    expect(TOLERATED.filter((v) => !found.includes(v)), 'tolerated entries that are fixed: remove them').toEqual([]);
    expect(TOLERATED).toEqual([]);
  });

  it('no module imports itself through others (no cycles)', () => {
    const { files, edges } = graph();
    const next = new Map(files.map((f) => [f, edges.filter((e) => e.from === f && e.to.startsWith(SRC + '/')).map((e) => e.to)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const to of next.get(f) ?? []) {
        if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].map((x) => relative(SRC, x)).join(' → '));
        else if (!state.has(to)) visit(to);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('the rules see a violation (self-check on samples)', () => {
    const sample = "import { x } from './money.js';\nimport type { Y } from '../db/documents.js';\nconst z = await import('../devices/escpos.js');\nimport '../cli/runtime.js';\n";
    expect(importsOf(sample)).toEqual(['./money.js', '../db/documents.js', '../devices/escpos.js', '../cli/runtime.js']);
    expect(MAY_IMPORT.devices.includes('app')).toBe(false);
    expect(MAY_IMPORT.commands.includes('db')).toBe(false);
    expect(layerOf(join(SRC, 'devices/documents.ts'))).toBe('devices');
    expect(layerOf(join(SRC, 'version.ts'))).toBe('base');
  });

  it('each command group is registered from a file named after it', () => {
    const dir = join(SRC, 'commands');
    const misplaced: string[] = [];
    const groups: string[] = [];
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/program\s*\.command\(\s*['"]([a-z-]+)/g)) {
        groups.push(m[1]!);
        if (m[1] !== basename(file, '.ts')) misplaced.push(`${m[1]} in commands/${file}`);
      }
    }
    expect(misplaced).toEqual([]);
    expect(groups.length).toBeGreaterThan(20);
    const main = readFileSync(join(SRC, 'cli/main.ts'), 'utf8');
    for (const g of groups) expect(main, `cli/main.ts registers ${g}`).toContain(`from '../commands/${g}.js'`);
  });

  it('plain commands do not load Ink or React (only interactive ones, by dynamic import)', () => {
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      if (file.includes('/src/tui/')) continue;
      if (/from\s+['"](ink|react)['"]/.test(readFileSync(file, 'utf8'))) offenders.push(relative(ROOT, file));
    }
    expect(offenders).toEqual([]);
  });
});
