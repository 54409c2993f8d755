/**
 * `ser-workbench setup tensorflow`: installs tfjs-node (or tfjs-node-gpu) into the project's
 * node_modules without touching package.json, so that a plain `npm ci` never needs TensorFlow.
 *
 * Routes, in order: an install already in place; a build cached in `<dataHome>/native` for the
 * same TensorFlow source; tfjs-node's own download (only when the network reaches Google's
 * storage); a build from a TensorFlow wheel / installed Python package / libtensorflow archive
 * found on the machine or named by the user. Every route ends with a smoke test in a fresh process.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../../util/errors';
import { sha256File, sha256Json } from '../../util/hash';
import { writeJsonAtomic, readJson } from '../../util/atomic';
import { dataHome } from '../../util/paths';
import { nvidiaGpus, cudaRuntimeFound } from '../device';
import type { NativePackage } from '../native';
import { findTensorflowSources, layoutDeps, sourceFromFlag, type TfSource } from './sources';
import { checkSymbols, type SymbolCheck } from './symbols';
import { stagePackage } from './stage';
import { bindingTarget, buildBinding, diskBytes, stripFiles } from './build';
import { smokeTest, type SmokeResult } from './smoke';

const execFileP = promisify(execFile);
const requireCjs = createRequire(import.meta.url);

export interface SetupOptions {
  /** Build tfjs-node-gpu. Default: when nvidia-smi sees a GPU and the CUDA runtime is found. */
  gpu?: boolean;
  fromWheel?: string;
  fromLibtensorflow?: string;
  /** Rebuild even when an install or a cached build exists. */
  force?: boolean;
  /** Skip tfjs-node's own download even when the network seems to allow it. */
  noDownload?: boolean;
  onProgress?: (line: string) => void;
}

export type SetupRoute =
  'already-installed' | 'cache' | 'download' | 'wheel' | 'site-packages' | 'libtensorflow';

export interface SetupStep {
  step: string;
  ok: boolean;
  seconds: number;
  detail: string;
}

/** What was built and from what; kept in the cache and beside the installed package. */
export interface NativeBuildRecord {
  package: NativePackage;
  packageVersion: string;
  route: Exclude<SetupRoute, 'already-installed' | 'cache'>;
  source: { kind: string; path: string; sha256: string; version: string | null } | null;
  tfVersion: string;
  builtAt: string;
  buildSeconds: number | null;
  sizes: { libBytes: number; bindingBytes: number; packageBytes: number };
  symbols: SymbolCheck | null;
  stripped: boolean;
  node: string;
  platform: string;
}

export interface SetupReport {
  package: NativePackage;
  route: SetupRoute;
  installedAt: string;
  cacheDir: string | null;
  record: NativeBuildRecord;
  smoke: SmokeResult;
  totalSeconds: number;
  steps: SetupStep[];
}

const markerName = '.ser-workbench-native.json';

/** The project's node_modules: where its @tensorflow/tfjs lives, so tfjs-node resolves to it. */
export function projectNodeModules(): string {
  return path.resolve(path.dirname(requireCjs.resolve('@tensorflow/tfjs/package.json')), '..', '..');
}

function projectTfjsVersion(): string {
  return (requireCjs('@tensorflow/tfjs/package.json') as { version: string }).version;
}

export function nativeCacheRoot(): string {
  return path.join(dataHome(), 'native');
}

class StepLog {
  readonly steps: SetupStep[] = [];
  constructor(private readonly onProgress: (line: string) => void) {}

  async run<T>(step: string, fn: () => Promise<T> | T, detail: (v: T) => string = () => ''): Promise<T> {
    const t0 = performance.now();
    this.onProgress(`${step} ...`);
    try {
      const v = await fn();
      const d = detail(v);
      this.push(step, true, t0, d);
      return v;
    } catch (err) {
      this.push(step, false, t0, (err as Error).message);
      throw err;
    }
  }

  note(step: string, ok: boolean, detail: string): void {
    this.push(step, ok, performance.now(), detail);
  }

  private push(step: string, ok: boolean, t0: number, detail: string): void {
    const seconds = Math.round((performance.now() - t0) / 10) / 100;
    this.steps.push({ step, ok, seconds, detail });
    this.onProgress(`${ok ? 'ok  ' : 'FAIL'} ${step} (${seconds}s)${detail ? `: ${detail}` : ''}`);
  }
}

function cacheKey(pkg: NativePackage, pkgVersion: string, sourceId: string): string {
  const short = pkg.replace('@tensorflow/', '');
  return `${short}-${pkgVersion}-${process.platform}-${process.arch}-napi${process.versions.napi}-${sourceId}`;
}

/**
 * Wheels and archives are identified by their sha256; folders (an installed Python package, an
 * unpacked archive) by their libraries' names, sizes and times.
 */
async function sourceId(src: TfSource): Promise<string> {
  if (fs.statSync(src.path).isFile()) return sha256File(src.path);
  const libs = fs
    .readdirSync(src.kind === 'libtensorflow' ? path.join(src.path, 'lib') : src.path)
    .filter((n) => n.startsWith('libtensorflow'))
    .sort()
    .map((n) => {
      const st = fs.statSync(
        path.join(src.kind === 'libtensorflow' ? path.join(src.path, 'lib') : src.path, n),
      );
      return [n, st.size, st.mtimeMs];
    });
  return sha256Json({ path: src.path, libs });
}

/** Hard links when the cache and the project share a file system (instant, no extra disk). */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(a), b);
    else if (e.isDirectory()) linkTree(a, b);
    else {
      try {
        fs.linkSync(a, b);
      } catch {
        fs.copyFileSync(a, b);
      }
    }
  }
}

function installInto(cachedPkg: string, pkg: NativePackage): string {
  const dest = path.join(projectNodeModules(), ...pkg.split('/'));
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}-${process.pid}-${Date.now()}`);
  linkTree(cachedPkg, tmp);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  return dest;
}

function uninstall(pkg: NativePackage): void {
  fs.rmSync(path.join(projectNodeModules(), ...pkg.split('/')), { recursive: true, force: true });
}

function installedRecord(pkg: NativePackage): NativeBuildRecord | null {
  const dir = path.join(projectNodeModules(), ...pkg.split('/'));
  const marker = path.join(dir, markerName);
  if (!fs.existsSync(marker)) return null;
  try {
    const { moduleName, modulePath } = bindingTarget(dir);
    if (!fs.existsSync(path.join(modulePath, `${moduleName}.node`))) return null;
    return readJson<NativeBuildRecord>(marker);
  } catch {
    return null;
  }
}

/** Whether tfjs-node's own installer could download anything: a short HEAD request. */
async function downloadReachable(gpu: boolean): Promise<string | null> {
  const host = process.env.TFJS_NODE_CDN_STORAGE || 'https://storage.googleapis.com/';
  const url = `${host}tensorflow/libtensorflow/libtensorflow-${gpu ? 'gpu' : 'cpu'}-linux-x86_64-2.9.1.tar.gz`;
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(8000) });
    return res.ok ? null : `${url} answered HTTP ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `${new URL(url).host} unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`;
  }
}

function describeSource(src: TfSource): string {
  return `${src.kind} ${src.path}${src.version ? ` (TensorFlow ${src.version})` : ''}`;
}

function gpuWanted(opts: SetupOptions): { gpu: boolean; why: string } {
  if (opts.gpu !== undefined) return { gpu: opts.gpu, why: opts.gpu ? '--gpu' : 'CPU asked for' };
  const gpus = nvidiaGpus();
  if (!gpus.list.length) return { gpu: false, why: gpus.reason };
  if (!cudaRuntimeFound())
    return { gpu: false, why: `${gpus.list[0].name} found but no CUDA runtime (libcudart)` };
  return { gpu: true, why: `${gpus.list[0].name} with CUDA` };
}

/**
 * Installs the native backend, or throws a UserError that lists every route tried and why it
 * failed. Downloads nothing unless the machine's network allows it.
 */
export async function setupTensorflow(opts: SetupOptions = {}): Promise<SetupReport> {
  const t0 = performance.now();
  const log = new StepLog(opts.onProgress ?? (() => {}));
  const explicit = opts.fromWheel
    ? sourceFromFlag('wheel', opts.fromWheel)
    : opts.fromLibtensorflow
      ? sourceFromFlag('libtensorflow', opts.fromLibtensorflow)
      : null;
  const want = gpuWanted(opts);
  if (opts.gpu && explicit && !explicit.gpu) {
    throw new UserError(
      `${explicit.path} is a CPU-only TensorFlow build; --gpu needs the CUDA-enabled 'tensorflow' wheel`,
    );
  }
  // A CPU-only source cannot drive a GPU, whatever the machine has.
  const gpu = want.gpu && (!explicit || explicit.gpu);
  const pkg: NativePackage = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const pkgVersion = projectTfjsVersion();
  log.note('choose package', true, `${pkg}@${pkgVersion} (${want.why})`);
  const root = nativeCacheRoot();
  const projectRoot = path.dirname(projectNodeModules());

  const finish = (
    route: SetupRoute,
    record: NativeBuildRecord,
    smoke: SmokeResult,
    cacheDir: string | null,
  ) => ({
    package: pkg,
    route,
    installedAt: path.join(projectNodeModules(), ...pkg.split('/')),
    cacheDir,
    record,
    smoke,
    totalSeconds: Math.round(performance.now() - t0) / 1000,
    steps: log.steps,
  });

  // 1. Already installed and working.
  const current = opts.force ? null : installedRecord(pkg);
  if (current && (!explicit || current.source?.path === explicit.path)) {
    try {
      const smoke = await log.run(
        'smoke test of the installed backend',
        () => smokeTest(projectRoot, pkg),
        smokeDetail,
      );
      return finish('already-installed', current, smoke, null);
    } catch {
      // fall through to reinstalling
    }
  }

  // 2. Candidate sources, and a cached build for the best of them.
  let sources: TfSource[] = [];
  let cpuOnlyFound: string[] = [];
  if (explicit) sources = [explicit];
  else {
    const found = await log.run(
      'look for TensorFlow on this machine',
      () => findTensorflowSources({ gpu }),
      (f) =>
        f.sources.length
          ? `found ${f.sources.map(describeSource).join(', ')}`
          : `none in ${f.searched.join(', ')} or Python site-packages`,
    );
    sources = found.sources.filter((s) => s.gpu || !gpu);
    cpuOnlyFound = found.sources.filter((s) => !s.gpu).map((s) => s.path);
  }
  if (!sources.length && opts.noDownload) throw new UserError(noSourceMessage(gpu, cpuOnlyFound));
  const keyed: { src: TfSource; key: string; id: string }[] = [];
  const candidates = [...sources.slice(0, 1)];
  for (const src of candidates) {
    const id = await log.run(
      `fingerprint ${path.basename(src.path)}`,
      () => sourceId(src),
      (v) => v,
    );
    keyed.push({ src, id, key: cacheKey(pkg, pkgVersion, id.slice(0, 24)) });
  }
  if (!explicit) {
    keyed.push({
      src: null as unknown as TfSource,
      id: 'download',
      key: cacheKey(pkg, pkgVersion, 'download'),
    });
  }
  if (!opts.force) {
    for (const { key } of keyed) {
      const dir = path.join(root, key);
      if (!fs.existsSync(path.join(dir, 'build.json'))) continue;
      try {
        const record = readJson<NativeBuildRecord>(path.join(dir, 'build.json'));
        const dest = await log.run(
          'install the cached build',
          () => installInto(path.join(dir, 'package'), pkg),
          (d) => `${dir} -> ${d}`,
        );
        writeJsonAtomic(path.join(dest, markerName), record);
        const smoke = await log.run('smoke test', () => smokeTest(projectRoot, pkg), smokeDetail);
        return finish('cache', record, smoke, dir);
      } catch {
        log.note('cached build unusable', false, `rebuilding; removing ${dir}`);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }

  // 3. Build: stage the package, then tfjs-node's own download, else a local source.
  fs.mkdirSync(root, { recursive: true });
  const work = fs.mkdtempSync(path.join(root, 'tmp-'));
  try {
    const pkgDir = await log.run(`fetch ${pkg}@${pkgVersion} through npm (scripts not run)`, () =>
      stagePackage(pkg, pkgVersion, work),
    );

    if (!explicit && !opts.noDownload) {
      const built = await tryDownloadRoute(pkgDir, gpu, log);
      if (built) {
        const key = cacheKey(pkg, pkgVersion, 'download');
        return await storeInstallSmoke(pkgDir, key, {
          route: 'download',
          source: null,
          buildSeconds: built.seconds,
        });
      }
    } else {
      log.note(
        "tfjs-node's own download",
        false,
        explicit ? 'skipped: a TensorFlow source was given' : 'skipped: --no-download',
      );
    }

    const first = keyed.find((k) => k.src);
    if (!first) throw new UserError(noSourceMessage(gpu, cpuOnlyFound));
    const src = first.src;
    const scratch = path.join(work, 'unpacked');
    fs.mkdirSync(scratch, { recursive: true });
    const libs = await log.run(
      `unpack ${describeSource(src)} into deps/`,
      () => layoutDeps(src, pkgDir, scratch),
      (l) => l.map((f) => path.basename(f)).join(', '),
    );
    fs.rmSync(scratch, { recursive: true, force: true });
    const symbols = await log.run(
      'check exported TF_/TFE_ symbols',
      () => {
        const check = checkSymbols(path.join(pkgDir, 'binding'), libs);
        if (check.missing.length) {
          throw new UserError(
            `${src.path} lacks ${check.missing.length} of the ${check.required} C functions tfjs-node calls: ${check.missing.join(', ')}`,
          );
        }
        return check;
      },
      (c) => `all ${c.required} functions the binding calls are exported`,
    );
    const tBuild = performance.now();
    const binding = await log.run(
      'build the binding with node-gyp',
      () => buildBinding(pkgDir, opts.onProgress ?? (() => {})),
      (f) => f,
    );
    const buildSeconds = Math.round(performance.now() - tBuild) / 1000;
    const stripErr = await log.run(
      'strip --strip-unneeded',
      () => stripFiles([...libs, binding]),
      (e) => e ?? '',
    );
    return await storeInstallSmoke(pkgDir, first.key, {
      route: src.kind,
      source: {
        kind: src.kind,
        path: src.path,
        sha256: first.id,
        version: src.version,
      },
      buildSeconds,
      symbols,
      stripped: stripErr === null,
    });
  } catch (err) {
    const tried = log.steps
      .map((s) => `  ${s.ok ? 'ok  ' : 'FAIL'} ${s.step}${s.detail ? `: ${s.detail}` : ''}`)
      .join('\n');
    const msg = `could not set up the tensorflow backend: ${(err as Error).message}\nsteps:\n${tried}`;
    throw err instanceof UserError ? new UserError(msg) : new Error(msg);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  async function storeInstallSmoke(
    pkgDir: string,
    key: string,
    info: Pick<NativeBuildRecord, 'route' | 'source' | 'buildSeconds'> & Partial<NativeBuildRecord>,
  ): Promise<SetupReport> {
    const { moduleName, modulePath } = bindingTarget(pkgDir);
    const bindingFile = path.join(modulePath, `${moduleName}.node`);
    const record: NativeBuildRecord = {
      package: pkg,
      packageVersion: pkgVersion,
      route: info.route,
      source: info.source,
      tfVersion: info.source?.version ?? 'unknown',
      builtAt: new Date().toISOString(),
      buildSeconds: info.buildSeconds,
      sizes: {
        libBytes: diskBytes(path.join(pkgDir, 'deps', 'lib')),
        bindingBytes: fs.statSync(bindingFile).size,
        packageBytes: diskBytes(pkgDir),
      },
      symbols: info.symbols ?? null,
      stripped: info.stripped ?? false,
      node: process.version,
      platform: `${process.platform}-${process.arch} (${os.release()})`,
    };
    const cacheDir = path.join(root, key);
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.renameSync(pkgDir, path.join(cacheDir, 'package'));
    const cachedPkg = path.join(cacheDir, 'package');
    await log.run(
      'install into node_modules',
      () => installInto(cachedPkg, pkg),
      (d) => d,
    );
    let smoke: SmokeResult;
    try {
      smoke = await log.run('smoke test in a fresh process', () => smokeTest(projectRoot, pkg), smokeDetail);
    } catch (err) {
      uninstall(pkg);
      fs.rmSync(cacheDir, { recursive: true, force: true });
      throw err;
    }
    record.tfVersion = smoke.tfVersion;
    writeJsonAtomic(path.join(cachedPkg, markerName), record);
    writeJsonAtomic(path.join(cacheDir, 'build.json'), record);
    writeJsonAtomic(path.join(projectNodeModules(), ...pkg.split('/'), markerName), record);
    return finish(info.route, record, smoke, cacheDir);
  }
}

function noSourceMessage(gpu: boolean, cpuOnly: string[]): string {
  if (gpu) {
    const seen = cpuOnly.length
      ? ` (found only CPU-only builds: ${cpuOnly.join(', ')}; --cpu uses them)`
      : '';
    return (
      `no CUDA-enabled TensorFlow build to make tfjs-node-gpu from${seen}. Give one with --from-wheel FILE ` +
      '(the plain `tensorflow` manylinux wheel, e.g. `pip download tensorflow --no-deps`) or --from-libtensorflow ' +
      'DIR_OR_TARBALL (libtensorflow-gpu-linux-x86_64-*.tar.gz)'
    );
  }
  return (
    'no TensorFlow build to make the native backend from. Give one with --from-wheel FILE ' +
    '(a tensorflow or tensorflow_cpu manylinux wheel, e.g. `pip download tensorflow-cpu --no-deps`) ' +
    'or --from-libtensorflow DIR_OR_TARBALL (libtensorflow-cpu-linux-x86_64-*.tar.gz)'
  );
}

function smokeDetail(s: SmokeResult): string {
  return `backend ${s.backend}, TensorFlow ${s.tfVersion}, conv2d gradient max rel. diff vs cpu ${s.convGradMaxRelDiff.toExponential(2)}`;
}

/** tfjs-node's own install script (libtensorflow + prebuilt binding download), if reachable. */
async function tryDownloadRoute(
  pkgDir: string,
  gpu: boolean,
  log: StepLog,
): Promise<{ seconds: number } | null> {
  const unreachable = await downloadReachable(gpu);
  if (unreachable) {
    log.note("tfjs-node's own download", false, unreachable);
    return null;
  }
  try {
    const t = performance.now();
    await log.run("tfjs-node's own install script (download)", () =>
      execFileP(process.execPath, ['scripts/install.js', gpu ? 'gpu' : 'cpu', 'download'], {
        cwd: pkgDir,
        timeout: 15 * 60_000,
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    const { moduleName, modulePath } = bindingTarget(pkgDir);
    if (!fs.existsSync(path.join(modulePath, `${moduleName}.node`)))
      throw new Error('no binding after the install script');
    return { seconds: Math.round(performance.now() - t) / 1000 };
  } catch (err) {
    log.note("tfjs-node's own download", false, (err as Error).message.split('\n')[0]);
    return null;
  }
}
