// Bundles the benchmark program (bench/run.ts) into dist/bench.js with the CLI's settings.
// One file, no chunks (it must not overwrite the CLI's).
import { build } from 'esbuild';
import { common } from './esbuild-options.mjs';

await build({ ...common, entryPoints: ['bench/run.ts'], outfile: 'dist/bench.js' });
