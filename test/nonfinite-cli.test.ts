/**
 * Issue 17, item 1, from the shell: a float WAV holding NaN used to give `features` exit 0 with
 * NaN patches and crash `run` in the progress printer. Now `features` is a user error naming the
 * file and sample (exit 1) unless --repair-nonfinite, and `run` lists the file as skipped (or, with
 * --repair-nonfinite, zeroes and lists it) and finishes with one JSON document on stdout.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import wavefile from 'wavefile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeCorpus } from '../src/engine/corpora';
import { repoRoot, sharedDir } from '../src/engine/util/paths';

const exec = promisify(execFile);
let tmp: string;
let env: NodeJS.ProcessEnv;

async function ser(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), ...args],
      {
        env,
        maxBuffer: 1 << 26,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A real 32-bit float WAV (wavefile) of a 1.2 s tone with NaN at sample 1000 and +Inf at 2000. */
function nanWav(file: string): void {
  const x = Array.from({ length: 19200 }, (_, i) => 0.2 * Math.sin(i / 9));
  x[1000] = NaN;
  x[2000] = Infinity;
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 16000, '32f', x);
  fs.writeFileSync(file, wav.toBuffer());
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-nonfinite-cli-'));
  env = {
    ...process.env,
    SER_WORKBENCH_HOME: path.join(tmp, 'home'),
    YAMNET_WEIGHTS:
      process.env.YAMNET_WEIGHTS ?? path.join(sharedDir(), 'models/yamnet/tfjs-graph-reconstructed'),
  };
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('NaN in a float WAV, from the CLI', () => {
  it('features: exit 1 naming the file and first bad sample; --repair-nonfinite: exit 0 and lists them', async () => {
    const file = path.join(tmp, 'nan.wav');
    nanWav(file);
    const plain = await ser(['features', file, '--json']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toContain(
      `error: ${file}: 2 non-finite sample(s) (NaN or Inf); the first, NaN, at sample 1000`,
    );
    const fixed = await ser(['features', file, '--json', '--repair-nonfinite', '--cache']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout).repairedNonFinite).toEqual({ count: 2, first: [1000, 2000] });
    expect(fixed.stderr).toContain('2 non-finite sample(s) set to zero (first at 1000, 2000)');
  });

  it('run: the NaN file is skipped and listed (or zeroed with --repair-nonfinite); the run finishes, --json prints its document', async () => {
    const corpus = path.join(tmp, 'corpus');
    await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 5 });
    const bad = path.join(corpus, 'S02', 'sad', 'S02_sad_01.wav');
    expect(fs.existsSync(bad)).toBe(true);
    nanWav(bad);
    const config = path.join(tmp, 'exp.json');
    expect((await ser(['init-config', config])).code).toBe(0);
    const doc = JSON.parse(fs.readFileSync(config, 'utf8'));
    doc.model.yamnet.trainFrom = 'frozen';
    doc.training.epochs = 1;
    fs.writeFileSync(config, JSON.stringify(doc));

    const run = await ser([
      'run',
      config,
      '--data',
      corpus,
      '--out',
      path.join(tmp, 'runs'),
      '--json',
      '--parallel',
      '1',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/TypeError|EPIPE|internal error/);
    expect(run.stderr).toContain(`${bad}: 2 non-finite sample(s) (NaN or Inf), the first at sample 1000`);
    const result = JSON.parse(run.stdout);
    expect(result.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(23);
    const index = JSON.parse(fs.readFileSync(path.join(result.runDir, 'index.json'), 'utf8'));
    expect(index.skipped.map((s: { path: string }) => s.path)).toContain(bad);

    // predict on the NaN file and a good one: the good one is labelled, the NaN one is listed with
    // its first bad sample (it used to print the label 'undefined' with NaN probabilities, exit 0).
    const good = path.join(corpus, 'S01', 'sad', 'S01_sad_01.wav');
    const pred = await ser(['predict', result.runDir, bad, good, '--json']);
    expect(pred.code).toBe(1);
    const p = JSON.parse(pred.stdout);
    expect(p.predictions.map((x: { file: string }) => x.file)).toEqual([good]);
    expect(Object.values(p.predictions[0].probabilities).every((v) => Number.isFinite(v))).toBe(true);
    expect(p.failed).toEqual([
      {
        file: bad,
        error: expect.stringMatching(
          /^2 non-finite sample\(s\) \(NaN or Inf\); the first, NaN, at sample 1000/,
        ),
      },
    ]);
    expect(pred.stdout).not.toContain('undefined');

    const repaired = await ser([
      'run',
      config,
      '--data',
      corpus,
      '--out',
      path.join(tmp, 'runs'),
      '--json',
      '--parallel',
      '1',
      '--repair-nonfinite',
    ]);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stderr).toContain(`${bad}: 2 non-finite sample(s) set to zero (first at 1000, 2000)`);
    const r2 = JSON.parse(repaired.stdout);
    expect(r2.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(24);
    const idx2 = JSON.parse(fs.readFileSync(path.join(r2.runDir, 'index.json'), 'utf8'));
    expect(idx2.repaired).toEqual([{ path: bad, count: 2, first: [1000, 2000] }]);
  });
});
