import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') || e.name.endsWith('.tsx') ? [join(dir, e.name)] : [],
  );
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

describe('layers', () => {
  const core = resolve(ROOT, 'src/core');
  it('src/core imports only src/core (no node:*, no packages, no db/app/devices)', () => {
    const offenders: string[] = [];
    for (const file of sources(core)) {
      for (const spec of importsOf(file)) {
        const inside = spec.startsWith('.') && resolve(file, '..', spec).startsWith(core + '/');
        if (!inside) offenders.push(`${relative(ROOT, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the rule sees a violation (self-check on a sample)', () => {
    const sample = "import { x } from './money.js';\nimport { readFileSync } from 'node:fs';\n";
    const specs = [...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
    expect(specs).toEqual(['./money.js', 'node:fs']);
  });

  it('plain commands do not load Ink or React (only interactive ones, by dynamic import)', () => {
    const offenders: string[] = [];
    for (const file of sources(resolve(ROOT, 'src'))) {
      if (file.includes('/src/tui/')) continue;
      const text = readFileSync(file, 'utf8');
      if (/from\s+['"](ink|react)['"]/.test(text)) offenders.push(relative(ROOT, file));
    }
    expect(offenders).toEqual([]);
  });
});
