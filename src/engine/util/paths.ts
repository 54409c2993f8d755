import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this module holding package.json. This module is
 * src/engine/util/paths.ts when run from the sources and a chunk in out/main/chunks/ when bundled
 * (Electron, and fold workers started from the build), so no fixed number of `..` fits both.
 */
export const repoRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) throw new Error(`no package.json in any folder above ${dir}`);
  }
}

/** shared/ beside the repository: specs, corpora subsets and the YAMNet model for tests. */
export function sharedDir(): string {
  return process.env.SER_SHARED ? path.resolve(process.env.SER_SHARED) : path.resolve(repoRoot, '../shared');
}

/**
 * The user's data folder: installed weights, caches, runs. SER_WORKBENCH_HOME overrides it
 * (tests point it at a temporary folder).
 */
export function dataHome(): string {
  if (process.env.SER_WORKBENCH_HOME) return path.resolve(process.env.SER_WORKBENCH_HOME);
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'ser-workbench');
}
