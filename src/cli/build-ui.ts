/**
 * Builds the UI on demand: `npm ci && npm run serve` on a fresh clone has no out/renderer yet, and
 * a researcher should not have to know that the served UI is a build product.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot } from '../engine/util/paths';
import { UserError } from '../engine/util/errors';
import { progress } from './args';

export const defaultStaticDir = path.join(repoRoot, 'out', 'renderer');

export function hasBuiltUi(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}

/** Builds the app when out/renderer has no UI yet (a fresh clone's `npm run serve`). */
export async function buildUi(): Promise<void> {
  await buildApp('building the UI once (out/renderer is missing; about 10 s)', 'the UI');
  if (!hasBuiltUi(defaultStaticDir)) throw new UserError('building the UI wrote no out/renderer/index.html');
}

/**
 * Runs `electron-vite build` in the repository (every bundle: the UI, Electron's main process and
 * its utility-process entries), printing `announce` before and one line after.
 */
export async function buildApp(announce: string, what = 'the app'): Promise<void> {
  let bin: string;
  try {
    const pkg = createRequire(path.join(repoRoot, 'package.json')).resolve('electron-vite/package.json');
    bin = path.join(path.dirname(pkg), 'bin', 'electron-vite.js');
  } catch {
    throw new UserError(`building ${what} needs electron-vite, which is not installed: run \`npm ci\``);
  }
  progress(`${announce}...`);
  const started = Date.now();
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'build'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) {
    throw new UserError(
      `building ${what} failed (electron-vite build exited with ${code}):\n${output.slice(-4000)}`,
    );
  }
  progress(`built ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
