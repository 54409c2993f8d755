import path from 'node:path';
import { dataHome } from '../util/paths';
import { ensureWritableDir } from '../util/writable-dir';
import { defaultRunsDir } from './store';

/**
 * The data home and the parent of new run folders exist (created if missing) and are writable,
 * checked before any run folder is made; otherwise one user error naming the path and why. Light
 * on imports so the CLI can check before it starts the training worker.
 */
export function checkOutputLocations(opts: { outDir?: string; runDir?: string; resuming?: boolean }): void {
  ensureWritableDir(dataHome(), 'data folder (SER_WORKBENCH_HOME)');
  if (opts.resuming) return;
  if (opts.runDir) ensureWritableDir(path.dirname(path.resolve(opts.runDir)), 'parent of the run folder');
  else if (opts.outDir) ensureWritableDir(opts.outDir, 'runs folder (--out)');
  else ensureWritableDir(defaultRunsDir(), 'runs folder');
}
