/**
 * No import cycles between our modules: a cycle makes load order matter and hides a missing layer
 * (docs/architecture.md). Reads every src/**.ts import written as a relative path (type-only
 * imports included: they still tie two modules' concepts together) and looks for strongly
 * connected components (Tarjan).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/engine/util/paths';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  // `@shared/*` is the path alias of tsconfig.json (src/shared); other bare names are packages.
  const aliased = spec.startsWith('@shared/') ? path.join(repoRoot, 'src', 'shared', spec.slice(8)) : null;
  if (!aliased && !spec.startsWith('.')) return null;
  const base = aliased ?? path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const targets = [...text.matchAll(importRe)]
      .map((m) => resolveImport(file, m[1]))
      .filter((t) => t !== null);
    graph.set(file, targets);
  }
  return graph;
}

/** Tarjan's strongly connected components with more than one member (or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import graph', () => {
  it('finds a cycle when there is one (the detector works)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g).map((c) => c.sort())).toEqual([['a', 'b', 'c']]);
  });

  it('src has no import cycle', () => {
    const graph = importGraph(sourceFiles(path.join(repoRoot, 'src')));
    expect(graph.size).toBeGreaterThan(100);
    const rel = (f: string) => path.relative(repoRoot, f);
    expect(cycles(graph).map((c) => c.map(rel).sort())).toEqual([]);
  });
});
