import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchModule, BenchRow } from '../../../bench/types';
import { parse, progress } from '../args';
import { buildApp } from '../build-ui';
import { WORKER_BUNDLE, builtFromCurrentSources } from '../../worker/bundle';
import { repoRoot } from '../../engine/util/paths';
import { writeFileAtomic } from '../../engine/util/atomic';

const usage = 'ser-workbench bench [--only name,name] [--out FILE.json]';

/** Every `bench/<name>.ts` that exports `bench()`, in a stable order. */
function benchModules(): string[] {
  const dir = path.join(repoRoot, 'bench');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'types.ts' && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export function formatTable(rows: BenchRow[]): string {
  const cells = rows.map((r) => [r.group, r.name, formatValue(r.value), r.unit, r.note ?? '']);
  const head = ['group', 'benchmark', 'value', 'unit', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 2 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { only: { type: 'string' }, out: { type: 'string' } }, usage);
  const wanted = values.only ? new Set(values.only.split(',')) : null;
  const rows: BenchRow[] = [];
  const failures: { module: string; error: string }[] = [];
  // Fold workers start from the built bundle only when it is as new as src/ (otherwise through
  // tsx, about 400 MB more each): a bench after an edit would measure the wrong process.
  if (!builtFromCurrentSources(WORKER_BUNDLE))
    await buildApp('rebuilding the app (out/main is older than src/)', 'the worker bundle');
  for (const name of benchModules()) {
    if (wanted && !wanted.has(name)) continue;
    progress(`bench: ${name} ...`);
    try {
      const mod = (await import(
        pathToFileURL(path.join(repoRoot, 'bench', `${name}.ts`)).href
      )) as BenchModule;
      const got = await mod.bench();
      rows.push(...got);
      process.stderr.write(formatTable(got) + '\n\n');
    } catch (err) {
      failures.push({ module: name, error: (err as Error).message });
      progress(`bench: ${name} failed: ${(err as Error).message}`);
    }
  }
  const doc = {
    createdAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memGiB: os.totalmem() / 2 ** 30,
      node: process.version,
    },
    rows,
    failures,
  };
  const out = values.out ?? path.join(repoRoot, 'bench', 'results', 'latest.json');
  writeFileAtomic(out, JSON.stringify(doc, null, 2));
  process.stdout.write(formatTable(rows) + '\n');
  process.stdout.write(`\nsaved ${out}\n`);
  return failures.length ? 2 : 0;
}
