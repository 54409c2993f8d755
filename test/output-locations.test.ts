/**
 * Issue 17, item 3: `--out /proc/x` used to hang forever (Node's recursive mkdir loops there), and
 * an unwritable --out or a SER_WORKBENCH_HOME that is a file ended in `internal error` after the
 * run folder was made. Each is now one user error (exit 1) naming the path and the reason, before
 * the worker starts and before any run folder exists. Real processes, each with a timeout.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedDir } from '../src/engine/util/paths';

let tmp: string;
let config: string;
const corpus = path.join(sharedDir(), 'data', 'emodb');

function ser(args: string[], home: string) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, SER_WORKBENCH_HOME: home },
    // A hang is the bug being tested: the process is killed well before the test's own timeout.
    timeout: 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-outloc-'));
  config = path.join(tmp, 'exp.json');
  expect(ser(['init-config', config], path.join(tmp, 'home')).code).toBe(0);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('output locations are checked before a run starts', () => {
  it('--out /proc/x: exit 1 at once, naming the path and the reason (no hang)', () => {
    const r = ser(['run', config, '--data', corpus, '--out', '/proc/x', '--json'], path.join(tmp, 'home'));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('error: /proc/x: runs folder (--out): cannot create /proc/x (ENOENT)');
  });

  it('--out below a file: exit 1 naming the file', () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, '');
    const r = ser(
      ['run', config, '--data', corpus, '--out', path.join(file, 'runs')],
      path.join(tmp, 'home'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file} is not a folder`);
    expect(r.stderr).not.toContain('internal error');
  });

  it('SER_WORKBENCH_HOME pointing at a file: exit 1 naming it, and no run folder is created', () => {
    const home = path.join(tmp, 'home-file');
    fs.writeFileSync(home, '');
    const out = path.join(tmp, 'runs');
    fs.mkdirSync(out);
    const r = ser(['run', config, '--data', corpus, '--out', out], home);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`error: ${home}: data folder (SER_WORKBENCH_HOME): ${home} is not a folder`);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('features --out /proc/x/y.f32 and --cache with a file as data home: exit 1, no hang', () => {
    const wav = path.join(sharedDir(), 'fixtures', 'yamnet-frontend', 'sine440-3s', 'input.wav');
    const a = ser(['features', wav, '--out', '/proc/x/y.f32'], path.join(tmp, 'home'));
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('/proc/x: folder of --out: cannot create /proc/x (ENOENT)');
    const b = ser(['features', wav, '--cache'], path.join(tmp, 'home-file'));
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('data folder (SER_WORKBENCH_HOME)');
  });
});
