/**
 * Folds as units of work, on a small synthetic corpus (4 speakers → 4 LOSO folds): a run started
 * with `--folds 1` and then filled by two `--resume` processes at once gives exactly the
 * predictions and summary of a serial run, in frozen and in trainFrom mode; the two processes
 * never train the same fold (each fold's start line appears in exactly one process), and the
 * last one to finish writes summary.json. Real CLI processes, real claims. The corpus is small
 * (8 short utterances a speaker): the properties are about splitting, and in trainFrom mode the
 * wasm backward pass through block 14 costs in proportion to the audio.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/engine/config/schema';
import { foldDir, readStatus } from '../src/engine/runs/store';
import { synthesizeCorpus } from '../src/engine/corpora';
import { runCli } from './helpers/cli';

const FOLDS = 4;
let tmp: string;
let corpus: string;

const predictions = (runDir: string) =>
  Array.from({ length: FOLDS }, (_, i) =>
    JSON.parse(fs.readFileSync(path.join(foldDir(runDir, i), 'predictions.json'), 'utf8')),
  );
const pooled = (runDir: string) =>
  JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')).pooled;
/** Folds (1-based) whose training started in a process, from its progress lines. */
const trainedIn = (stderr: string) =>
  [...stderr.matchAll(/^fold (\d+)\/4: test /gm)].map((m) => Number(m[1]));

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-fold-split-'));
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: FOLDS, perClass: 2, seed: 5 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function serialVersusSplit(name: string, model: object, epochs: number): Promise<void> {
  const home = path.join(tmp, 'home'); // shared: the step cache is built once
  const configFile = path.join(tmp, `${name}.json`);
  fs.writeFileSync(
    configFile,
    JSON.stringify(
      defaultConfig({ name, model, training: { epochs, batchSize: 16 }, backend: 'wasm', seed: 7 } as never),
    ),
  );
  const common = ['run', configFile, '--data', corpus, '--parallel', '1'];
  const ref = await runCli([...common, '--out', path.join(tmp, `${name}-serial`), '--json'], home);
  expect(ref.code, ref.stderr).toBe(0);
  const refDir = JSON.parse(ref.stdout).runDir as string;

  const first = await runCli(
    [...common, '--out', path.join(tmp, `${name}-split`), '--folds', '1', '--json'],
    home,
  );
  expect(first.code, first.stderr).toBe(0);
  const partial = JSON.parse(first.stdout);
  expect([partial.foldsDone, partial.pending, partial.averageAccuracy]).toEqual([[1], [2, 3, 4], null]);
  const runDir = partial.runDir as string;
  expect(fs.existsSync(path.join(runDir, 'summary.json'))).toBe(false);
  expect(readStatus(runDir)?.state).toBe('incomplete');

  // Two processes fill the rest of the folder at once.
  const [a, b] = await Promise.all([
    runCli(['run', '--resume', runDir, '--parallel', '1', '--json'], home),
    runCli(['run', '--resume', runDir, '--parallel', '1', '--json'], home),
  ]);
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
  const trained = [...trainedIn(first.stderr), ...trainedIn(a.stderr), ...trainedIn(b.stderr)].sort();
  expect(trained).toEqual([1, 2, 3, 4]);
  // One of them finished last and wrote the summary (the other stopped with folds still training).
  expect([JSON.parse(a.stdout).averageAccuracy, JSON.parse(b.stdout).averageAccuracy]).toContain(
    JSON.parse(ref.stdout).averageAccuracy,
  );
  expect(readStatus(runDir)?.state).toBe('done');
  expect(predictions(runDir)).toEqual(predictions(refDir));
  expect(pooled(runDir)).toEqual(pooled(refDir));
  for (let i = 0; i < FOLDS; i++) {
    const env = JSON.parse(fs.readFileSync(path.join(foldDir(runDir, i), 'environment.json'), 'utf8'));
    expect(env).toMatchObject({
      fold: i,
      host: os.hostname(),
      executor: 'local',
      backend: { name: 'wasm' },
    });
    expect(fs.existsSync(path.join(foldDir(runDir, i), 'claim.lock'))).toBe(false);
  }
}

describe('a run split over processes equals the serial run (synthetic corpus, LOSO)', () => {
  it('frozen mode', async () => {
    await serialVersusSplit('frozen', { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } }, 2);
  });

  it('trainFrom mode (YAMNet block 14 trains)', async () => {
    await serialVersusSplit('k14', { kind: 'yamnet-lstm', yamnet: { trainFrom: 14 } }, 1);
  });

  it('--gather rewrites the summary by hand; bad fold numbers and speakers are named', async () => {
    const home = path.join(tmp, 'home');
    const runs = path.join(tmp, 'frozen-split');
    const runDir = path.join(runs, fs.readdirSync(runs)[0]);
    const before = pooled(runDir);
    fs.rmSync(path.join(runDir, 'summary.json'));
    const g = await runCli(['run', '--gather', runDir, '--json'], home);
    expect(g.code, g.stderr).toBe(0);
    expect(pooled(runDir)).toEqual(before);
    const bad = await runCli(['run', '--resume', runDir, '--folds', '9'], home);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--folds: there is no fold 9 \(this run has folds 1\.\.4\)/);
    const badSpeaker = await runCli(['run', '--resume', runDir, '--test-speakers', '77'], home);
    expect(badSpeaker.code).toBe(1);
    expect(badSpeaker.stderr).toMatch(
      /--test-speakers: '77' is not a test speaker of any fold \(speakers: S01, S02, S03, S04\)/,
    );
  });
});
