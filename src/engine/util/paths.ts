import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is src/engine/util/paths.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

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
