import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../util/paths';
import { FileError } from '../../util/errors';
import { nativeForTests } from '../testing';
import { resolveNativePackage } from '../native';
import { findTensorflowSources, layoutDeps, parseWheelName, sourceFromFlag } from './sources';
import { checkSymbols, requiredSymbols } from './symbols';

const execFileP = promisify(execFile);
const native = nativeForTests('setup tensorflow');
const itNative = native.run ? it : it.skip;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-setup-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(
      process.execPath,
      [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, SER_WORKBENCH_HOME: path.join(tmp, 'home') },
        maxBuffer: 32 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A real shared library exporting only some TF_ functions, packed like libtensorflow's C archive. */
function fakeLibtensorflow(dir: string): string {
  const root = path.join(dir, 'libtf');
  fs.mkdirSync(path.join(root, 'lib'), { recursive: true });
  fs.mkdirSync(path.join(root, 'include', 'tensorflow', 'c'), { recursive: true });
  fs.writeFileSync(path.join(root, 'include', 'tensorflow', 'c', 'c_api.h'), '/* stub */\n');
  const src = path.join(dir, 'tf.c');
  fs.writeFileSync(
    src,
    'const char* TF_Version(void) { return "0.0.1"; }\nvoid* TF_NewStatus(void) { return 0; }\n',
  );
  const so = path.join(root, 'lib', 'libtensorflow.so.2.5.0');
  execFileSync('gcc', ['-shared', '-fPIC', '-Wl,-soname,libtensorflow.so.2', '-o', so, src]);
  fs.symlinkSync('libtensorflow.so.2.5.0', path.join(root, 'lib', 'libtensorflow.so.2'));
  const tarball = path.join(dir, 'libtensorflow-cpu-linux-x86_64-2.5.0.tar.gz');
  execFileSync('tar', ['-czf', tarball, '-C', root, 'lib', 'include']);
  return tarball;
}

describe('TensorFlow sources', () => {
  it('recognises TensorFlow wheels for this machine by name', () => {
    const arch = os.arch() === 'arm64' ? 'aarch64' : 'x86_64';
    expect(parseWheelName(`/w/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_${arch}.whl`)).toMatchObject({
      kind: 'wheel',
      version: '2.21.0',
      gpu: false,
    });
    expect(
      parseWheelName(`/w/tensorflow-2.17.1-cp312-cp312-manylinux_2_17_${arch}.manylinux2014_${arch}.whl`),
    ).toMatchObject({
      version: '2.17.1',
      gpu: true,
    });
    expect(parseWheelName('/w/tensorflow_cpu-2.21.0-cp311-cp311-win_amd64.whl')).toBeNull();
    expect(parseWheelName(`/w/tensorflow_hub-0.16.1-py2.py3-none-any.whl`)).toBeNull();
  });

  it('finds wheels in the given folders, CPU builds first unless a GPU build is wanted', () => {
    const arch = os.arch() === 'arm64' ? 'aarch64' : 'x86_64';
    const dir = path.join(tmp, 'wheels');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    const names = [
      `tensorflow-2.20.0-cp311-cp311-manylinux_2_17_${arch}.whl`,
      `tensorflow_cpu-2.19.0-cp311-cp311-manylinux_2_17_${arch}.whl`,
      `sub/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_${arch}.whl`,
      'numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl',
    ];
    for (const n of names) fs.writeFileSync(path.join(dir, n), '');
    const cpu = findTensorflowSources({ gpu: false, dirs: [dir] }).sources.filter((s) => s.kind === 'wheel');
    expect(cpu.map((s) => path.basename(s.path))).toEqual([
      path.basename(names[2]),
      path.basename(names[1]),
      path.basename(names[0]),
    ]);
    const gpu = findTensorflowSources({ gpu: true, dirs: [dir] }).sources.filter((s) => s.kind === 'wheel');
    expect(path.basename(gpu[0].path)).toBe(names[0]);
  });

  it('names the file when a given source does not exist', () => {
    expect(() => sourceFromFlag('wheel', path.join(tmp, 'nope.whl'))).toThrow(FileError);
    expect(() => sourceFromFlag('wheel', path.join(tmp, 'nope.whl'))).toThrow(/nope\.whl: not found/);
  });

  it('lays out a libtensorflow archive as deps/ and reports the C functions it lacks', () => {
    const tarball = fakeLibtensorflow(tmp);
    const pkg = path.join(tmp, 'pkg');
    const scratch = path.join(tmp, 'scratch');
    fs.mkdirSync(scratch, { recursive: true });
    const libs = layoutDeps(sourceFromFlag('libtensorflow', tarball), pkg, scratch);
    expect(libs.map((f) => path.basename(f))).toEqual(['libtensorflow.so.2.5.0']);
    const lib = path.join(pkg, 'deps', 'lib');
    // What binding.gyp links (-ltensorflow) and what tfjs-node's installer checks for.
    expect(fs.readlinkSync(path.join(lib, 'libtensorflow.so'))).toBe('libtensorflow.so.2.5.0');
    expect(fs.readlinkSync(path.join(lib, 'libtensorflow.so.2.9.1'))).toBe('libtensorflow.so.2.5.0');
    expect(fs.existsSync(path.join(pkg, 'deps', 'include', 'tensorflow', 'c', 'c_api.h'))).toBe(true);

    const binding = path.join(tmp, 'binding');
    fs.mkdirSync(binding, { recursive: true });
    fs.writeFileSync(
      path.join(binding, 'b.cc'),
      'void f() { TF_AutoStatus s(TF_NewStatus()); TF_Version(); TFE_NewOp(ctx, "Add", s); }\n',
    );
    expect(requiredSymbols(binding)).toEqual(['TFE_NewOp', 'TF_NewStatus', 'TF_Version']);
    expect(checkSymbols(binding, libs)).toEqual({ required: 3, missing: ['TFE_NewOp'] });
  });
});

describe('setup tensorflow (CLI)', () => {
  it('refuses a source that does not exist, naming it (exit 1)', async () => {
    const r = await cli(['setup', 'tensorflow', '--from-wheel', path.join(tmp, 'missing.whl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing.whl: not found');
  });

  it('refuses to build against a library lacking the functions tfjs-node calls (exit 1)', async () => {
    const tarball = fakeLibtensorflow(fs.mkdtempSync(path.join(tmp, 'fake-')));
    const r = await cli(['setup', 'tensorflow', '--from-libtensorflow', tarball, '--cpu']);
    expect(r.code).toBe(1);
    // The package fetch needs npm's registry or its cache; say so rather than fail obscurely.
    if (/npm could not fetch/.test(r.stderr)) {
      process.stderr.write(
        `[setup tensorflow] npm fetch unavailable, symbol check not reached:\n${r.stderr}\n`,
      );
      return;
    }
    expect(r.stderr).toMatch(/lacks \d+ of the 55 C functions tfjs-node calls: .*TFE_NewOp/);
    expect(r.stderr).toContain('FAIL check exported TF_/TFE_ symbols');
  }, 300_000);

  itNative('the built libraries export every function the binding calls', () => {
    const dir = resolveNativePackage('@tensorflow/tfjs-node')!;
    const lib = path.join(dir, 'deps', 'lib');
    const real = fs.readdirSync(lib).filter((n) => !fs.lstatSync(path.join(lib, n)).isSymbolicLink());
    const check = checkSymbols(
      path.join(dir, 'binding'),
      real.map((n) => path.join(lib, n)),
    );
    expect(check).toEqual({ required: 55, missing: [] });
  });

  itNative(
    'a second setup finds the working install and smoke-tests it',
    async () => {
      const r = await cli(['setup', 'tensorflow', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.route).toBe('already-installed');
      expect(report.smoke.backend).toBe('tensorflow');
      expect(report.smoke.convGradMaxRelDiff).toBeLessThan(1e-4);
      expect(report.record.package).toBe('@tensorflow/tfjs-node');
    },
    120_000,
  );

  it('backends --json prints one document listing all four backends', async () => {
    const r = await cli(['backends', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const listing = JSON.parse(r.stdout);
    expect(listing.backends.map((b: { name: string }) => b.name)).toEqual([
      'tensorflow-gpu',
      'tensorflow',
      'wasm',
      'cpu',
    ]);
    expect(listing.selected).toBe(native.run ? 'tensorflow' : 'wasm');
    // wasm fine-tunes (the engine's gradient kernels), slowly: the same answer runs act on.
    expect(listing.backends[2]).toMatchObject({ name: 'wasm', fineTune: true, fineTuneSlow: true });
    const table = await cli(['backends']);
    expect(table.stdout).toMatch(/^[ *] +wasm +yes +\S+ +yes \(slow\)/m);
  }, 120_000);
});
