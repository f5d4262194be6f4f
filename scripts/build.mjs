// Bundles the CLI into dist/ with esbuild: one ESM file for plain commands (fast start-up), with
// Ink/React split into chunks loaded only by interactive commands. better-sqlite3 stays external
// (native addon).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3'],
  define: { __TPV_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    // some bundled CommonJS dependencies call require()
    js: "import { createRequire as __tpvCreateRequire } from 'node:module'; const require = __tpvCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  minifySyntax: true,
  logLevel: 'warning',
});
