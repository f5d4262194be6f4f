/** The program version: injected by the bundler; read from package.json when running from source. */
import { readFileSync } from 'node:fs';

declare const __TPV_VERSION__: string | undefined;

export const VERSION: string =
  typeof __TPV_VERSION__ === 'string'
    ? __TPV_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
