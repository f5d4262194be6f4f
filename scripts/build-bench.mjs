// Bundles the benchmark program (bench/run.ts) into dist/bench.js with the same settings as the CLI
// bundle (scripts/build.mjs): ESM for node20, better-sqlite3 external, the version injected, and the
// require() shim for bundled CommonJS dependencies. One file, no chunks (it must not overwrite the CLI's).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['bench/run.ts'],
  outfile: 'dist/bench.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3'],
  define: { __TPV_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "import { createRequire as __tpvCreateRequire } from 'node:module'; const require = __tpvCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  minifySyntax: true,
  logLevel: 'warning',
});
