// Bundles the CLI into dist/ with esbuild: one ESM file for plain commands (fast start-up); code
// only some commands need (zod for settings, later Ink/React for the terminal) is split into
// chunks loaded by dynamic import.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { common } from './esbuild-options.mjs';

// chunks of earlier builds have other hashes: drop them (bench.js is another build's)
mkdirSync('dist', { recursive: true });
for (const f of readdirSync('dist').filter((name) => name !== 'bench.js')) rmSync(`dist/${f}`);
await build({ ...common, entryPoints: { main: 'src/cli/main.ts' }, outdir: 'dist', splitting: true });
