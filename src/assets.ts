/** Files shipped with tpv (migrations, fixtures), found next to the program whether bundled or not. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const found = new Map<string, string>();

/** The path of a file or folder of the tpv package, e.g. `packageFile('migrations')`. */
export function packageFile(rel: string): string {
  const hit = found.get(rel);
  if (hit) return hit;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, rel);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) {
      found.set(rel, candidate);
      return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error(`${rel} not found next to the program`);
}
