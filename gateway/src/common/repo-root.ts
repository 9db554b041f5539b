import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest ancestor of `from` holding both `package.json` and `gateway/`.
 * Walking up (rather than a fixed `../..`) keeps this right whether the code runs from `gateway/src` (Jest, tsc
 * --noEmit) or from `gateway/dist` (the built gateway and the deploy CLI).
 * @param from A file URL or path inside the repository; defaults to this module's location.
 * @throws Error when no such ancestor exists.
 */
export function findRepoRoot(from: string = import.meta.url): string {
  const start = from.startsWith('file:') ? fileURLToPath(from) : from;
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'gateway'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`expected a directory with package.json and gateway/ above ${start}, found none`);
    dir = parent;
  }
}
