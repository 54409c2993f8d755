/** The runner's CLI faces as real processes: init-config, run --json, predict, cache, demo. */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeCorpus } from '../../engine/corpora';
import { repoRoot } from '../../engine/util/paths';
import { readStatus } from '../../engine/runs/store';

const exec = promisify(execFile);
const cli = path.join(repoRoot, 'bin', 'ser-workbench.mjs');
let tmp: string;
let env: NodeJS.ProcessEnv;

async function ser(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], { env, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cli-run-'));
  env = { ...process.env, SER_WORKBENCH_HOME: path.join(tmp, 'home') };
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ser-workbench init-config / run / predict / cache', () => {
  it('writes the defaults, runs a config with --json, predicts and reports the cache', async () => {
    const corpus = path.join(tmp, 'corpus');
    await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 4 });
    const file = path.join(tmp, 'experiment.json');
    const init = await ser(['init-config', file]);
    expect(init.code, init.stderr).toBe(0);
    const defaults = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(defaults.training).toMatchObject({ learningRate: 3e-4, batchSize: 24, epochs: 50 });
    expect((await ser(['init-config', file])).code).toBe(1);

    defaults.model.yamnet.trainFrom = 'frozen';
    defaults.training.epochs = 2;
    fs.writeFileSync(file, JSON.stringify(defaults));
    const run = await ser(['run', file, '--data', corpus, '--out', path.join(tmp, 'runs'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining([
        'runDir',
        'backend',
        'mode',
        'weights',
        'folds',
        'averageAccuracy',
        'classAccuracy',
        'confusion',
      ]),
    );
    expect(doc.mode).toBe('frozen');
    expect(doc.folds).toBe(3);
    expect(doc.weights.source).toBe('reconstructed');
    expect(Object.keys(doc.classAccuracy)).toEqual(['angry', 'happy', 'sad', 'neutral']);
    expect(doc.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(24);
    expect(run.stderr).toMatch(/fold 1\/3 epoch 2\/2 loss \d/);
    // The cost estimate is printed before the first fold and returned in the document.
    expect(run.stderr.indexOf('estimated cost on')).toBeGreaterThanOrEqual(0);
    expect(run.stderr.indexOf('estimated cost on')).toBeLessThan(run.stderr.indexOf('fold 1/3'));
    expect(doc.estimate).toMatchObject({ mode: 'frozen', folds: 3, epochs: 2 });
    expect(doc.estimate.perStepSec).toBeGreaterThan(0);

    const audio = path.join(corpus, 'S01', 'sad', 'S01_sad_01.wav');
    const pred = await ser(['predict', doc.runDir, audio, '--json']);
    expect(pred.code, pred.stderr).toBe(0);
    const p = JSON.parse(pred.stdout);
    expect(p.using).toBe('mean of 3 fold models');
    expect(p.predictions[0].file).toBe(audio);
    expect(['angry', 'happy', 'sad', 'neutral']).toContain(p.predictions[0].label);
    expect(p.predictions[0].perFold).toHaveLength(3);
    expect(p.failed).toEqual([]);

    // One good file and two bad ones: the good one is labelled, the bad ones listed, exit 1.
    const notAudio = path.join(tmp, 'notes.wav');
    fs.writeFileSync(notAudio, 'this is not audio');
    const missing = path.join(tmp, 'missing.wav');
    const mixed = await ser(['predict', doc.runDir, notAudio, audio, missing]);
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toMatch(
      new RegExp(`^${audio.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\t(angry|happy|sad|neutral)\t`, 'm'),
    );
    expect(mixed.stdout).not.toContain('undefined');
    expect(mixed.stdout).not.toContain(notAudio);
    expect(mixed.stderr).toContain(`error: ${notAudio}: not a WAV or FLAC file`);
    expect(mixed.stderr).toContain(`error: ${missing}: no such file`);
    expect(mixed.stderr).toContain('2 of 3 file(s) could not be classified');
    const mixedJson = await ser(['predict', doc.runDir, audio, notAudio, '--json']);
    expect(mixedJson.code).toBe(1);
    const mj = JSON.parse(mixedJson.stdout);
    expect(mj.predictions.map((x: { file: string }) => x.file)).toEqual([audio]);
    expect(mj.failed).toEqual([{ file: notAudio, error: 'not a WAV or FLAC file' }]);

    const cache = await ser(['cache', 'status', '--json']);
    expect(cache.code, cache.stderr).toBe(0);
    const c = JSON.parse(cache.stdout);
    expect(c.activations.sets).toHaveLength(1);
    expect(c.activations.sets[0]).toMatchObject({ output: 'embedding', entries: 24 });

    const bad = await ser(['run', file, '--json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no corpus folder/);
    fs.writeFileSync(file, JSON.stringify({ training: { batchSize: 0 } }));
    const invalid = await ser(['run', file, '--data', corpus]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/training\.batchSize: must be a positive integer/);
  });

  it('Ctrl-C (SIGINT) cancels the run cleanly and leaves it resumable', async () => {
    const corpus = path.join(tmp, 'corpus-sigint');
    await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 6 });
    const file = path.join(tmp, 'long.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
        training: { epochs: 500 },
      }),
    );
    const out = path.join(tmp, 'runs-sigint');
    const child = spawn(
      process.execPath,
      [cli, 'run', file, '--data', corpus, '--out', out, '--parallel', '1'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let sent = false;
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (!sent && /epoch 2\/500/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    const runDir = path.join(out, fs.readdirSync(out)[0]);
    // The message names the run folder itself, not the --out parent.
    expect(stderr).toContain(`cancelled; resume with \`ser-workbench run --resume ${runDir}\``);
    expect(readStatus(runDir)?.state).toBe('cancelled');
    expect(fs.existsSync(path.join(runDir, 'folds', 'fold-01', 'checkpoint.json'))).toBe(true);
  });

  it('names skipped files, prints the run folder first and last, and resumes from the --out parent', async () => {
    const corpus = path.join(tmp, 'corpus-skipped');
    await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 8 });
    const broken = path.join(corpus, 'S01', 'angry', 'S01_angry_01.wav');
    fs.writeFileSync(broken, 'not a WAV file');
    const file = path.join(tmp, 'skipped.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
        training: { epochs: 1 },
      }),
    );
    const out = path.join(tmp, 'runs-skipped');
    const run = await ser(['run', file, '--data', corpus, '--out', out, '--parallel', '1']);
    expect(run.code, run.stderr).toBe(0);
    const runDir = path.join(out, fs.readdirSync(out)[0]);
    // TensorFlow 2.21 writes two absl lines to fd 2 when its library loads, whatever
    // TF_CPP_MIN_LOG_LEVEL says ("WARNING: All log messages before absl::InitializeLog()…" and
    // an "I0000 … port.cc" notice); they are TensorFlow's, not the workbench's, so they are skipped.
    const ours = run.stderr
      .split('\n')
      .filter((l) => !/^(WARNING: All log messages before absl|[IWE]\d{4} )/.test(l));
    expect(ours[0]).toBe(`run folder ${runDir}`);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`run folder: ${runDir}`);
    expect(run.stdout).toMatch(
      new RegExp(`skipped 1 file:\\n  ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S`),
    );

    // --resume with the --out parent finds the one run inside it.
    const resumed = await ser(['run', '--resume', out, '--parallel', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming the one run in ${out}: ${runDir}`);
    expect(resumed.stdout.trimEnd().split('\n').at(-1)).toBe(`run folder: ${runDir}`);
    // With two runs inside, it names both instead of guessing.
    fs.mkdirSync(path.join(out, 'other'));
    fs.writeFileSync(path.join(out, 'other', 'config.json'), '{}');
    const ambiguous = await ser(['run', '--resume', out]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(`holds 2 runs; name one of them:`);
    expect(ambiguous.stderr).toContain(runDir);
  });

  it('demo --quick synthesises a corpus and prints the results table naming the weights', async () => {
    const demo = await ser(['demo', '--quick', '--no-download']);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/YAMNet weights: reconstructed \(sha256 [0-9a-f]{12}/);
    expect(demo.stdout).toMatch(/\| \*\*pooled\*\* \|/);
    expect(demo.stdout).toMatch(/run folder: .*demo-quick/);
    expect(fs.existsSync(path.join(tmp, 'home', 'corpora', 'synthetic-demo-quick', 'synthetic.json'))).toBe(
      true,
    );
  });
});
