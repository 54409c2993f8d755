/**
 * The built worker bundles (electron-vite's out/main): Electron starts them as utility processes,
 * and a run started from the sources forks its fold workers from them when they were built from
 * the sources as they are now. Why: a worker run through tsx holds about 370 MB more anonymous
 * memory than the same code bundled (435 against 66 MB after importing the worker, before
 * TensorFlow loads: tsx's loader keeps every module it transformed) and starts 5-8 s slower.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../engine/util/paths';

export const WORKER_BUNDLE = path.join(repoRoot, 'out', 'main', 'worker.js');

/** The newest modification time of any file under `dir` (ms; 0 for an empty or missing folder). */
function newestMtime(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when `bundle` exists and no file under src/ changed after it was written (make's rule). */
export function builtFromCurrentSources(bundle: string): boolean {
  if (!fs.existsSync(bundle)) return false;
  return fs.statSync(bundle).mtimeMs >= newestMtime(path.join(repoRoot, 'src'));
}
