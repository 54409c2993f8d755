/**
 * Where the TensorFlow shared libraries come from when tfjs-node cannot download them: a
 * TensorFlow Python wheel (CPU or GPU), an installed `tensorflow` Python package, or the official
 * libtensorflow C archive. Each is unpacked into tfjs-node's `deps/` layout.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileError } from '../../util/errors';

export type TfSourceKind = 'wheel' | 'site-packages' | 'libtensorflow';

export interface TfSource {
  kind: TfSourceKind;
  /** The wheel file, the installed package folder, or the archive / its unpacked folder. */
  path: string;
  /** TensorFlow version from the name, when it tells. */
  version: string | null;
  /** True for wheels and packages built with CUDA support (the plain `tensorflow` wheel). */
  gpu: boolean;
}

const machineArch = os.arch() === 'arm64' ? 'aarch64' : 'x86_64';
const wheelName =
  /^(tensorflow|tensorflow_cpu|tensorflow_gpu|tf_nightly|tf_nightly_cpu)-(\d+\.\d+\.\d+)[^-]*-.*\.whl$/;

export function parseWheelName(file: string): TfSource | null {
  const base = path.basename(file);
  const m = wheelName.exec(base);
  if (!m || !base.includes('linux') || !base.includes(machineArch)) return null;
  return { kind: 'wheel', path: file, version: m[2], gpu: !m[1].endsWith('_cpu') };
}

/** Folders a pip user or an offline mirror keeps wheels in. */
export function wheelSearchDirs(): string[] {
  const home = os.homedir();
  const extra = [process.env.SER_TENSORFLOW_WHEEL_DIRS, process.env.PIP_FIND_LINKS]
    .filter((v): v is string => !!v)
    .flatMap((v) => v.split(/[:\s]+/))
    .filter((v) => v && !/^[a-z]+:\/\//.test(v));
  return [
    ...extra,
    '/opt/pypi/files',
    '/opt/wheels',
    '/opt/pip',
    path.join(home, '.cache', 'pip', 'wheels'),
    path.join(home, 'wheels'),
    path.join(home, 'Downloads'),
    process.cwd(),
  ];
}

function walkWheels(dir: string, depth: number, found: TfSource[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isFile() && e.name.endsWith('.whl')) {
      const src = parseWheelName(full);
      if (src) found.push(src);
    } else if (e.isDirectory() && depth > 0 && e.name !== 'node_modules' && !e.name.startsWith('.')) {
      walkWheels(full, depth - 1, found);
    }
  }
}

/** The folder of an installed `tensorflow` Python package, without importing it. */
function sitePackagesTensorflow(): TfSource | null {
  const script =
    "import importlib.util as u\ns=u.find_spec('tensorflow')\nprint(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')";
  for (const python of ['python3', 'python']) {
    try {
      const dir = execFileSync(python, ['-c', script], {
        encoding: 'utf8',
        timeout: 20_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (dir && fs.existsSync(path.join(dir, 'libtensorflow_cc.so.2'))) {
        return { kind: 'site-packages', path: dir, version: null, gpu: false };
      }
    } catch {
      // no such interpreter or no tensorflow in it
    }
  }
  return null;
}

function compareVersions(a: string | null, b: string | null): number {
  const pa = (a ?? '0').split('.').map(Number);
  const pb = (b ?? '0').split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * TensorFlow sources on this machine, best first: for a GPU build the CUDA-enabled wheels first,
 * otherwise the CPU wheels first; then newest version.
 */
export function findTensorflowSources(opts: { gpu: boolean; dirs?: string[] }): {
  sources: TfSource[];
  searched: string[];
} {
  const searched = opts.dirs ?? wheelSearchDirs();
  const found: TfSource[] = [];
  for (const dir of searched) walkWheels(dir, dir.includes(`${path.sep}wheels`) ? 6 : 1, found);
  const unique = [...new Map(found.map((s) => [fs.realpathSync(s.path), s])).values()];
  unique.sort(
    (a, b) =>
      Number(b.gpu === opts.gpu) - Number(a.gpu === opts.gpu) || compareVersions(b.version, a.version),
  );
  const site = sitePackagesTensorflow();
  return { sources: site ? [...unique, site] : unique, searched };
}

/** Classifies what the user pointed at with --from-wheel / --from-libtensorflow. */
export function sourceFromFlag(kind: 'wheel' | 'libtensorflow', file: string): TfSource {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new FileError(abs, 'not found');
  if (kind === 'wheel') {
    if (!fs.statSync(abs).isFile() || !abs.endsWith('.whl')) throw new FileError(abs, 'not a .whl file');
    const parsed = parseWheelName(abs);
    const base = path.basename(abs);
    return parsed ?? { kind: 'wheel', path: abs, version: null, gpu: !/_cpu-/.test(base) };
  }
  const version = /(\d+\.\d+\.\d+)/.exec(path.basename(abs))?.[1] ?? null;
  return { kind: 'libtensorflow', path: abs, version, gpu: /gpu/.test(path.basename(abs)) };
}

const wheelIncludes = [
  'tensorflow/include/tensorflow/c/*',
  'tensorflow/include/tensorflow/core/platform/ctstring*',
  'tensorflow/include/tsl/platform/ctstring*',
  'tensorflow/include/xla/tsl/c/*',
];
const wheelLibs = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'];

function unzip(archive: string, members: string[], dest: string): void {
  try {
    execFileSync('unzip', ['-q', '-o', archive, ...members, '-d', dest], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new FileError(
        archive,
        `unzip failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`,
      );
    }
  }
  // No unzip: Python's zipfile with the same shell-style member patterns.
  const script = [
    'import sys, zipfile, fnmatch',
    'z = zipfile.ZipFile(sys.argv[1]); pats = sys.argv[3:]',
    'names = [n for n in z.namelist() if any(fnmatch.fnmatch(n, p) for p in pats)]',
    'z.extractall(sys.argv[2], names)',
  ].join('\n');
  execFileSync('python3', ['-c', script, archive, dest, ...members], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, force: true });
}

function linkLib(libDir: string, target: string, name: string): void {
  const p = path.join(libDir, name);
  if (fs.existsSync(p) || isSymlink(p)) return;
  fs.symlinkSync(target, p);
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Fills `<pkgDir>/deps/{lib,include}` so that tfjs-node's binding.gyp (`-ltensorflow
 * -ltensorflow_framework`, rpath `$ORIGIN/../../deps/lib`) builds and loads against `src`, and
 * its install script sees `libtensorflow.so.2.9.1` and downloads nothing. Returns the real
 * library files (to check and strip).
 */
export function layoutDeps(src: TfSource, pkgDir: string, scratch: string): string[] {
  const deps = path.join(pkgDir, 'deps');
  const lib = path.join(deps, 'lib');
  const include = path.join(deps, 'include');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(lib, { recursive: true });
  fs.mkdirSync(include, { recursive: true });

  if (src.kind === 'wheel' || src.kind === 'site-packages') {
    let tfDir = src.path;
    if (src.kind === 'wheel') {
      unzip(src.path, [...wheelLibs, ...wheelIncludes], scratch);
      tfDir = path.join(scratch, 'tensorflow');
    }
    for (const name of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
      const from = path.join(tfDir, name);
      if (!fs.existsSync(from)) throw new FileError(src.path, `has no tensorflow/${name}`);
      if (src.kind === 'wheel') fs.renameSync(from, path.join(lib, name));
      else fs.copyFileSync(from, path.join(lib, name));
    }
    const headers = path.join(tfDir, 'include');
    if (!fs.existsSync(path.join(headers, 'tensorflow', 'c', 'c_api.h'))) {
      throw new FileError(src.path, 'has no C headers (tensorflow/include/tensorflow/c/c_api.h)');
    }
    for (const part of ['tensorflow/c', 'tensorflow/core/platform', 'tsl/platform', 'xla/tsl/c']) {
      const from = path.join(headers, part);
      if (!fs.existsSync(from)) continue;
      const to = path.join(include, part);
      fs.mkdirSync(to, { recursive: true });
      for (const f of fs.readdirSync(from, { withFileTypes: true })) {
        // Only the C API and the ctstring headers it includes; core/platform holds far more.
        if (part.endsWith('platform') && !f.name.startsWith('ctstring')) continue;
        copyTree(path.join(from, f.name), path.join(to, f.name));
      }
    }
    // The C++ library carries the whole C API; -ltensorflow resolves to it.
    linkLib(lib, 'libtensorflow_cc.so.2', 'libtensorflow.so');
    linkLib(lib, 'libtensorflow_cc.so.2', 'libtensorflow.so.2');
    linkLib(lib, 'libtensorflow_cc.so.2', 'libtensorflow.so.2.9.1');
    linkLib(lib, 'libtensorflow_framework.so.2', 'libtensorflow_framework.so');
    return ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'].map((n) => path.join(lib, n));
  }

  let root = src.path;
  if (fs.statSync(src.path).isFile()) {
    try {
      execFileSync('tar', ['-xzf', src.path, '-C', scratch], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new FileError(
        src.path,
        `not a readable .tar.gz: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`,
      );
    }
    root = scratch;
  }
  if (
    !fs.existsSync(path.join(root, 'lib')) ||
    !fs.existsSync(path.join(root, 'include', 'tensorflow', 'c', 'c_api.h'))
  ) {
    throw new FileError(
      src.path,
      'is not a libtensorflow C archive (expected lib/ and include/tensorflow/c/c_api.h)',
    );
  }
  copyTree(path.join(root, 'lib'), lib);
  copyTree(path.join(root, 'include'), include);
  const real = fs
    .readdirSync(lib)
    .filter((n) => /^libtensorflow(_framework)?\.so/.test(n) && !isSymlink(path.join(lib, n)));
  const main = real.find((n) => n.startsWith('libtensorflow.so'));
  if (!main) throw new FileError(src.path, 'has no lib/libtensorflow.so*');
  linkLib(lib, main, 'libtensorflow.so.2.9.1');
  linkLib(lib, main, 'libtensorflow.so');
  const fw = real.find((n) => n.startsWith('libtensorflow_framework.so'));
  if (fw) linkLib(lib, fw, 'libtensorflow_framework.so');
  return real.map((n) => path.join(lib, n));
}
