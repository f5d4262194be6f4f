// What every tpv bundle shares: ESM for Node 20, better-sqlite3 and serialport external (native
// addons, found at run time next to their prebuilt binaries), the version injected, and a
// require() shim for bundled CommonJS dependencies.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'serialport', '@serialport/*'],
  // Ink imports react-devtools-core only with DEV=true; it is not installed
  alias: { 'react-devtools-core': './scripts/no-devtools.mjs' },
  define: { __TPV_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "import { createRequire as __tpvCreateRequire } from 'node:module'; const require = __tpvCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  minifySyntax: true,
  logLevel: 'warning',
};
