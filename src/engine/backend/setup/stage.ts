/**
 * Gets tfjs-node(-gpu)'s JavaScript package and its own small dependencies through npm (from
 * npm's cache first, so a machine that installed it once needs no registry), without running its
 * install script, and assembles it as one self-contained folder: the package with every
 * dependency nested under its own node_modules, except `@tensorflow/*`, which must resolve to the
 * project's copy so that one tfjs-core engine holds all tensors.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export async function stagePackage(pkg: string, version: string, workDir: string): Promise<string> {
  const prefix = path.join(workDir, 'npm');
  fs.mkdirSync(prefix, { recursive: true });
  fs.writeFileSync(path.join(prefix, 'package.json'), '{ "private": true }\n');
  const args = [
    'install',
    '--prefix',
    prefix,
    '--ignore-scripts',
    '--no-save',
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--loglevel=error',
    `${pkg}@${version}`,
  ];
  try {
    await execFileP('npm', args, { cwd: prefix, maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const detail = (e.stderr || e.message).trim().split('\n').slice(-4).join(' | ');
    throw new Error(
      `npm could not fetch ${pkg}@${version} (registry unreachable and not in npm's cache?): ${detail}`,
    );
  }
  const top = path.join(prefix, 'node_modules');
  const pkgDir = path.join(top, ...pkg.split('/'));
  if (!fs.existsSync(path.join(pkgDir, 'binding.gyp')))
    throw new Error(`${pkg}@${version} has no binding.gyp`);
  const nested = path.join(pkgDir, 'node_modules');
  fs.mkdirSync(nested, { recursive: true });
  for (const name of fs.readdirSync(top)) {
    if (name === '@tensorflow' || name.startsWith('.')) continue;
    moveMerging(path.join(top, name), path.join(nested, name));
  }
  return pkgDir;
}

/** Moves a package (or a whole @scope folder), keeping any copy already nested for the package. */
function moveMerging(from: string, to: string): void {
  if (!fs.existsSync(to)) {
    fs.renameSync(from, to);
    return;
  }
  if (path.basename(from).startsWith('@')) {
    for (const name of fs.readdirSync(from)) moveMerging(path.join(from, name), path.join(to, name));
  }
}
