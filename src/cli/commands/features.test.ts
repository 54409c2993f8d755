import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedDir } from '../../engine/util/paths';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-features-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), 'features', ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, SER_WORKBENCH_HOME: tmp },
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = path.join(sharedDir(), 'fixtures', 'yamnet-frontend', 'sine440-3s');

describe('ser-workbench features', () => {
  it('--json prints one document with the source rate, shape and parameters; --out writes float32 LE', () => {
    const out = path.join(tmp, 'sine.f32');
    const r = cli(path.join(fixture, 'input.wav'), '--json', '--out', out);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ sampleRate: 16000, patches: [6, 96, 64], durationSec: 3, out });
    expect(doc.params).toMatchObject({ form: 'yamnet', melBands: 64, hop: 160 });
    const got = fs.readFileSync(out);
    const ref = fs.readFileSync(path.join(fixture, 'patches.f32'));
    expect(got.length).toBe(ref.length);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i += 4)
      maxDiff = Math.max(maxDiff, Math.abs(got.readFloatLE(i) - ref.readFloatLE(i)));
    expect(maxDiff).toBeLessThanOrEqual(1e-3);
  });

  it('reports the source rate of resampled audio, and reads the cache on a second --cache run', () => {
    const file = path.join(sharedDir(), 'data', 'ravdess', 'Actor_03', '03-01-05-01-01-01-03.wav');
    const first = JSON.parse(cli(file, '--json', '--cache', '--form', 'paper-power').stdout);
    expect(first).toMatchObject({ sampleRate: 48000, fromCache: false });
    expect(first.params.form).toBe('paper-power');
    const second = cli(file, '--json', '--cache', '--form', 'paper-power');
    expect(JSON.parse(second.stdout).fromCache).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'cache', 'features'))).toBe(true);
  });

  it('--resampler picks libsamplerate (loaded on demand in the real CLI process)', () => {
    const file = path.join(sharedDir(), 'data', 'ravdess', 'Actor_04', '03-01-04-01-01-01-04.wav');
    const r = cli(file, '--json', '--resampler', 'sinc-fastest');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sampleRate: 48000, params: { resampler: 'sinc-fastest' } });
  });

  it('exit 1 with the file named for bad audio and bad usage', () => {
    const text = path.join(tmp, 'notes.wav');
    fs.writeFileSync(text, 'hello');
    const bad = cli(text, '--json');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain(text);
    expect(cli(path.join(tmp, 'missing.wav')).code).toBe(1);
    expect(cli().code).toBe(1);
    expect(cli(text, '--form', 'bogus').code).toBe(1);
    expect(cli(text, '--nope').code).toBe(1);
  });
});
