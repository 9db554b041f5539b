import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Source unit name (posix path relative to the contracts directory) → Solidity source text. */
export type SoliditySources = Readonly<Record<string, string>>;

/**
 * Every `.sol` file under `contractsDir`, except the top-level `test/` folder (tests and their helpers are not
 * deployed) and any `node_modules/`. Names are sorted so the build hash does not depend on directory order.
 */
export async function collectSources(contractsDir: string): Promise<SoliditySources> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || (dir === contractsDir && entry.name === 'test')) continue;
        await walk(path);
      } else if (entry.isFile() && entry.name.endsWith('.sol')) {
        found.push(path);
      }
    }
  };
  await walk(contractsDir);
  if (found.length === 0) throw new Error(`expected Solidity sources under ${contractsDir}, found none`);
  const sources: Record<string, string> = {};
  for (const path of found.sort()) {
    sources[relative(contractsDir, path).split(sep).join('/')] = await readFile(path, 'utf8');
  }
  return sources;
}

const IMPORT_RE = /^\s*import\s+(?:[^'";]*?\bfrom\s+)?["']([^"']+)["']/gm;

/**
 * Names of the npm packages our sources import (`@openzeppelin/contracts` for `@openzeppelin/contracts/...`).
 * Their versions go into the build hash, so upgrading a dependency recompiles even though our files did not change.
 */
export function importedPackages(sources: SoliditySources): string[] {
  const packages = new Set<string>();
  for (const text of Object.values(sources)) {
    for (const match of text.matchAll(IMPORT_RE)) {
      const path = match[1];
      if (path.startsWith('.')) continue;
      const parts = path.split('/');
      packages.add(path.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
    }
  }
  return [...packages].sort();
}

/** The `version` of an installed package, read from its package.json. */
export function packageVersion(nodeModulesDir: string, name: string): string {
  const file = join(nodeModulesDir, name, 'package.json');
  try {
    const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
    if (typeof version === 'string') return version;
  } catch {
    // Reported below with the path we looked at.
  }
  throw new Error(`expected package ${name} installed (${file}), found none; run npm install`);
}
