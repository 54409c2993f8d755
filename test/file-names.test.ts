/**
 * One file-naming case (issue 16): TypeScript modules are kebab-case (`run-table.ts`), Vue
 * single-file components PascalCase (`RunTable.vue`, the Vue style guide's rule for SFCs).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/engine/util/paths';

const tracked = execFileSync('git', ['ls-files', 'src', 'test', 'bench', 'fuzz', 'e2e', 'scripts'], {
  cwd: repoRoot,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);

describe('file names', () => {
  it('TypeScript modules are kebab-case', () => {
    const bad = tracked
      .filter((f) => /\.(ts|mts|mjs)$/.test(f))
      .filter((f) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)*\.(ts|mts|mjs)$/.test(path.basename(f)));
    expect(bad).toEqual([]);
  });

  it('Vue components are PascalCase', () => {
    const bad = tracked
      .filter((f) => f.endsWith('.vue'))
      .filter((f) => !/^([A-Z][a-z0-9]*)+\.vue$/.test(path.basename(f)));
    expect(bad).toEqual([]);
  });
});
