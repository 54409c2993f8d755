/**
 * The layers of docs/architecture.md are enforced by ESLint's no-restricted-imports zones
 * (eslint.config.js). These tests lint a deliberately forbidden import placed, by path, in each
 * zone, with the project's real config, and check that the allowed imports still pass.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/engine/util/paths';

const eslint = new ESLint({ cwd: repoRoot });

async function restrictedImports(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer zones', () => {
  it('the engine may not import a face (server, worker, cli, main, renderer) or electron', async () => {
    const file = 'src/engine/runs/zone-probe.ts';
    for (const spec of ['../../server/jobs', '../../worker/entry', '../../cli/commands/run', 'electron']) {
      const msgs = await restrictedImports(file, `import x from '${spec}';\nexport default x;\n`);
      expect(msgs, spec).toHaveLength(1);
      expect(msgs[0]).toContain('The engine is plain TypeScript');
    }
    expect(
      await restrictedImports(file, `import x from '../../shared/vocabulary';\nexport default x;\n`),
    ).toEqual([]);
    expect(await restrictedImports(file, `import x from '../folds/folds';\nexport default x;\n`)).toEqual([]);
  });

  it('the renderer may import only src/shared, its own code and browser packages', async () => {
    const file = 'src/renderer/src/stores/zone-probe.ts';
    for (const spec of ['../../../engine/corpora/types', '../../../server/http', 'node:fs', 'electron']) {
      const msgs = await restrictedImports(file, `import x from '${spec}';\nexport default x;\n`);
      expect(msgs, spec).toHaveLength(1);
      expect(msgs[0]).toContain('The renderer speaks only the contract');
    }
    expect(
      await restrictedImports(file, `import x from '../../../shared/contract';\nexport default x;\n`),
    ).toEqual([]);
    expect(await restrictedImports(file, `import { ref } from 'vue';\nexport default ref;\n`)).toEqual([]);
  });

  it('each face imports the application layer, never another face', async () => {
    const cases: [string, string, string][] = [
      ['src/app/domains/zone-probe.ts', '../../server/http', 'The application layer is shared'],
      ['src/app/zone-probe.ts', 'electron', 'The application layer is shared'],
      ['src/server/zone-probe.ts', '../main/index', 'Served mode is a face'],
      ['src/main/zone-probe.ts', '../server/http', 'Electron main is a face'],
      ['src/worker/zone-probe.ts', '../server/http', 'Workers run engine'],
    ];
    for (const [file, spec, message] of cases) {
      const msgs = await restrictedImports(file, `import x from '${spec}';\nexport default x;\n`);
      expect(msgs, `${file} -> ${spec}`).toHaveLength(1);
      expect(msgs[0]).toContain(message);
    }
    for (const [file, spec] of [
      ['src/server/zone-probe.ts', '../app/handlers'],
      ['src/main/zone-probe.ts', '../app/handlers'],
      ['src/worker/zone-probe.ts', '../app/domains/tsne'],
      ['src/app/zone-probe.ts', '../engine/runs/plan'],
    ]) {
      expect(await restrictedImports(file, `import x from '${spec}';\nexport default x;\n`), spec).toEqual(
        [],
      );
    }
  });

  it('src/shared imports nothing of ours outside src/shared', async () => {
    const file = 'src/shared/zone-probe.ts';
    const msgs = await restrictedImports(file, `import x from '../engine/util/errors';\nexport default x;\n`);
    expect(msgs).toHaveLength(1);
    expect(await restrictedImports(file, `import x from './contract';\nexport default x;\n`)).toEqual([]);
    expect(await restrictedImports(file, `import { z } from 'zod';\nexport default z;\n`)).toEqual([]);
  });
});
