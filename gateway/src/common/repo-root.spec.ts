import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from './repo-root.js';

describe('findRepoRoot', () => {
  it('finds the folder with package.json and gateway/ from the source tree', () => {
    const root = findRepoRoot(import.meta.dirname);
    expect(existsSync(join(root, 'patient-portal'))).toBe(true);
    expect(existsSync(join(root, 'gateway', 'src', 'common'))).toBe(true);
  });

  it('walks up from a nested build folder such as gateway/dist/web', () => {
    const root = mkdtempSync(join(tmpdir(), 'repo-root-'));
    try {
      writeFileSync(join(root, 'package.json'), '{}');
      mkdirSync(join(root, 'gateway', 'dist', 'web'), { recursive: true });
      expect(findRepoRoot(join(root, 'gateway', 'dist', 'web'))).toBe(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
