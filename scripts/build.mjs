// Bundles the CLI into dist/ with esbuild: one ESM file for plain commands (fast start-up); code
// only some commands need (zod for settings, later Ink/React for the terminal) is split into
// chunks loaded by dynamic import.
import { build } from 'esbuild';
import { common } from './esbuild-options.mjs';

await build({ ...common, entryPoints: { main: 'src/cli/main.ts' }, outdir: 'dist', splitting: true });
