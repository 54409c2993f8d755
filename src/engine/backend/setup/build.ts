/**
 * Building tfjs-node's binding with node-gyp against local Node headers (no header download),
 * and stripping what was built.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** npm's own node-gyp, which every npm install carries. */
export function findNodeGyp(): string | null {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  try {
    const root = execFileSync('npm', ['root', '-g'], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    candidates.push(path.join(root, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch {
    // npm not on PATH: the candidates above may still hold
  }
  return candidates.find((c): c is string => !!c && fs.existsSync(c)) ?? null;
}

/** A folder with this Node's headers (include/node/node_api.h), so node-gyp downloads nothing. */
export function findNodeDir(): string | null {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')];
  try {
    const configured = execFileSync('npm', ['config', 'get', 'nodedir'], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (configured && configured !== 'undefined' && configured !== 'null') candidates.unshift(configured);
  } catch {
    // fall back to the folder node runs from
  }
  return (
    candidates.find(
      (c): c is string => !!c && fs.existsSync(path.join(c, 'include', 'node', 'node_api.h')),
    ) ?? null
  );
}

interface BinaryConfig {
  module_name: string;
  module_path: string;
  napi_versions: number[];
}

/** node-pre-gyp's choice of N-API build version and output folder, which `find()` repeats at load. */
export function bindingTarget(pkgDir: string): { moduleName: string; modulePath: string; napi: number } {
  const binary = (
    JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { binary: BinaryConfig }
  ).binary;
  const have = Number(process.versions.napi);
  const napi = Math.max(...binary.napi_versions.filter((v) => v <= have));
  const modulePath = path.resolve(pkgDir, binary.module_path.replace('{napi_build_version}', String(napi)));
  return { moduleName: binary.module_name, modulePath, napi };
}

export async function buildBinding(pkgDir: string, log: (line: string) => void): Promise<string> {
  const gyp = findNodeGyp();
  if (!gyp)
    throw new Error('node-gyp not found (it ships with npm; set npm_config_node_gyp to its bin/node-gyp.js)');
  const nodedir = findNodeDir();
  if (!nodedir) log('no local Node headers found: node-gyp will try to download them');
  const { moduleName, modulePath, napi } = bindingTarget(pkgDir);
  const args = [
    gyp,
    'rebuild',
    `--jobs=2`,
    ...(nodedir ? [`--nodedir=${nodedir}`] : []),
    `--module_name=${moduleName}`,
    `--module_path=${modulePath}`,
    `--napi_build_version=${napi}`,
  ];
  log(`node-gyp rebuild (N-API ${napi}${nodedir ? `, headers from ${nodedir}` : ''})`);
  try {
    await execFileP(process.execPath, args, {
      cwd: pkgDir,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 30 * 60_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`node-gyp failed to build the binding:\n${tail || e.message}`);
  }
  const file = path.join(modulePath, `${moduleName}.node`);
  if (!fs.existsSync(file)) throw new Error(`node-gyp finished but ${file} is missing`);
  // The intermediate objects are only needed for rebuilding.
  fs.rmSync(path.join(pkgDir, 'build'), { recursive: true, force: true });
  return file;
}

/** `strip --strip-unneeded`; a missing strip only costs disk, so it is reported, not fatal. */
export function stripFiles(files: string[]): string | null {
  for (const f of files) {
    try {
      execFileSync('strip', ['--strip-unneeded', f], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      return `strip ${path.basename(f)} failed: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return null;
}

/** Bytes of regular files under `dir` (symlinks not followed). */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += diskBytes(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}
