/**
 * Non-finite samples (issue 17, item 1): a float WAV holding NaN or Inf is a decode error naming
 * the file and the first bad sample, or, with repairNonFinite, zeroed and listed; no NaN reaches
 * a cache; a NaN loss stops the fold naming the batch's files; the progress printer survives null.
 * Every WAV here is a real file written with wavefile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexCorpus } from '../corpora';
import { writeTree } from '../corpora/testing/wav';
import { FeatureCache } from '../features/cache';
import { initBackend } from '../backend/tf';
import { ActivationCache } from '../model/activation-cache';
import { YamnetLstm, type Sample } from '../model/ser-model';
import { formatEvent, type TrainEvent } from '../train/events';
import { NonFiniteLossError, trainFold } from '../train/train-fold';
import { Rng } from '../util/rng';
import { NonFiniteError } from '../util/finite';
import { AudioDecodeError, decodeAudio } from '.';
import { tempDir, writeWav } from './test-helpers';

const dir = tempDir('ser-nonfinite-');
const home = path.join(dir, 'home');
let savedHome: string | undefined;
beforeAll(() => {
  savedHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = home;
});
afterAll(() => {
  if (savedHome === undefined) delete process.env.SER_WORKBENCH_HOME;
  else process.env.SER_WORKBENCH_HOME = savedHome;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A 1 s 16 kHz tone as 32-bit float with `bad` values placed at the given sample indices. */
function floatWav(file: string, bad: Record<number, number>, depth = '32f', channels = 1): string {
  const n = 16000;
  const chans = Array.from({ length: channels }, () => {
    const x = Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000));
    return x;
  });
  for (const [i, v] of Object.entries(bad)) chans[channels - 1][Number(i)] = v;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeWav(file, 16000, depth, chans);
  return file;
}

describe('decode: non-finite samples', () => {
  it('is an AudioDecodeError naming the file and the first bad sample (NaN, 32-bit float)', async () => {
    const file = floatWav(path.join(dir, 'nan.wav'), { 1234: NaN, 5000: Infinity });
    const err = await decodeAudio(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioDecodeError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/2 non-finite sample\(s\).*NaN, at sample 1234/);
    expect((err as Error).message).toContain('--repair-nonfinite');
  });

  it('finds -Inf in a 64-bit float stereo file (the channel mean keeps it)', async () => {
    const file = floatWav(path.join(dir, 'inf64.wav'), { 77: -Infinity }, '64', 2);
    await expect(decodeAudio(file)).rejects.toThrow(/1 non-finite sample\(s\).*infinite, at sample 77/);
  });

  it('with repairNonFinite, zeroes exactly the bad samples and lists them', async () => {
    const file = floatWav(path.join(dir, 'nan2.wav'), { 10: NaN, 11: Infinity, 900: -Infinity });
    const clean = floatWav(path.join(dir, 'clean.wav'), {});
    const fixed = await decodeAudio(file, { repairNonFinite: true });
    const ref = await decodeAudio(clean);
    expect(fixed.repairedNonFinite).toEqual({ count: 3, first: [10, 11, 900] });
    for (let i = 0; i < ref.samples.length; i++) {
      expect(fixed.samples[i]).toBe([10, 11, 900].includes(i) ? 0 : ref.samples[i]);
    }
    expect(ref.repairedNonFinite).toBeUndefined();
  });
});

describe('index: non-finite float WAVs', () => {
  it('lists a NaN file as skipped with the reason, or keeps it (zeroed) with repairNonFinite', async () => {
    const root = path.join(dir, 'corpus');
    writeTree(root, ['angry/s1_a.wav', 'sad/s1_b.wav', 'angry/s2_a.wav', 'sad/s2_b.wav']);
    const bad = floatWav(path.join(root, 'sad', 's2_c.wav'), { 4321: NaN });
    const opts = { corpus: 'folders' as const, classes: ['angry', 'sad'] as ['angry', 'sad'] };
    const plain = await indexCorpus(root, opts);
    expect(plain.utterances.map((u) => u.id)).not.toContain('sad/s2_c.wav');
    expect(plain.skipped).toContainEqual({
      path: bad,
      reason: expect.stringMatching(/1 non-finite sample\(s\).*at sample 4321/),
    });
    // The cached header read remembers the finding: the second index says the same.
    expect((await indexCorpus(root, opts)).skipped.map((s) => s.path)).toContain(bad);
    const repaired = await indexCorpus(root, { ...opts, repairNonFinite: true });
    expect(repaired.utterances.map((u) => u.id)).toContain('sad/s2_c.wav');
    expect(repaired.repaired).toEqual([{ path: bad, count: 1, first: [4321] }]);
  });
});

describe('caches never store a NaN', () => {
  it('feature cache: a NaN file fails; repaired patches are cached but served only to repairing callers', async () => {
    const file = floatWav(path.join(dir, 'fc.wav'), { 3000: NaN });
    const cache = new FeatureCache({ dir: path.join(dir, 'fcache') });
    await expect(cache.get(file)).rejects.toThrow(/non-finite sample.*at sample 3000/);
    expect((await cache.usage()).entries).toBe(0);
    const got = await cache.get(file, { repairNonFinite: true });
    expect(got.repairedNonFinite).toEqual({ count: 1, first: [3000] });
    expect(got.patches.data.every(Number.isFinite)).toBe(true);
    const again = await cache.get(file, { repairNonFinite: true });
    expect(again.fromCache).toBe(true);
    expect(again.repairedNonFinite).toEqual({ count: 1, first: [3000] });
    await expect(cache.get(file)).rejects.toThrow(/non-finite sample/);
  });

  it('activation cache: put refuses NaN and Inf (float32) and float16 overflow, naming the file; nothing written', () => {
    const root = path.join(dir, 'acache');
    const key = { weights: ['w'], frontEnd: {}, output: 'embedding', dtype: 'float32' as const };
    const emb = new ActivationCache(key, [4], root);
    const data = new Float32Array([0.1, 0.2, NaN, 0.4]);
    expect(() => emb.put('abc', { steps: 1, stepShape: [4], data }, '/corpus/x.wav')).toThrow(NonFiniteError);
    expect(() => emb.put('abc', { steps: 1, stepShape: [4], data }, '/corpus/x.wav')).toThrow(
      /\/corpus\/x\.wav: YAMNet embeddings hold a non-finite value \(NaN\) at index 2/,
    );
    expect(fs.existsSync(emb.entry('abc'))).toBe(false);
    const half = new ActivationCache({ ...key, output: 'block3', dtype: 'float16' }, [4], root);
    expect(() =>
      half.put('def', { steps: 1, stepShape: [4], data: new Float32Array([1, 2, 70000, 3]) }, '/c/y.wav'),
    ).toThrow(/\/c\/y\.wav: .*float16 range/);
    expect(fs.existsSync(half.entry('def'))).toBe(false);
  });
});

describe('training: a NaN loss stops the fold', () => {
  it('throws NonFiniteLossError naming the files of the batch', async () => {
    await initBackend('wasm');
    const rng = new Rng(3);
    const sample = (i: number, poison: boolean): Sample => {
      const data = new Float32Array(2 * 6).map(() => rng.normal());
      if (poison) data[3] = NaN;
      return { id: `spk/file${i}.wav`, label: i % 2, steps: 2, data };
    };
    const train = [0, 1, 2, 3].map((i) => sample(i, i === 2));
    const model = new YamnetLstm([6], { lstmUnits: [4], numClasses: 2 }, 1);
    const err = await trainFold(
      model,
      { train, validation: [] },
      { epochs: 2, batchSize: 4, learningRate: 0.01, classWeights: false, seed: 1, numClasses: 2 },
    ).catch((e: unknown) => e);
    model.dispose();
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as Error).message).toMatch(/epoch 1 batch 1: the training loss is NaN/);
    for (const i of [0, 1, 2, 3]) expect((err as Error).message).toContain(`spk/file${i}.wav`);
  });
});

describe('formatEvent', () => {
  it('prints n/a for null or NaN metrics instead of crashing (JSON turns NaN into null)', () => {
    const base: TrainEvent = { type: 'epoch', fold: 0, folds: 3, epoch: 1, epochs: 2, batch: 0, batches: 0 };
    const viaJson = JSON.parse(
      JSON.stringify({ ...base, loss: NaN, metrics: { valAverageAccuracy: NaN }, etaSec: NaN }),
    ) as TrainEvent;
    expect(viaJson.loss).toBeNull();
    expect(formatEvent(viaJson)).toBe('fold 1/3 epoch 1/2 loss n/a val UAR n/a');
    expect(formatEvent({ ...viaJson, type: 'batch', batch: 2, batches: 5 })).toBe(
      'fold 1/3 epoch 1/2 batch 2/5 loss n/a',
    );
    expect(formatEvent({ ...base, loss: 0.5, metrics: { valAverageAccuracy: 0.25 } })).toBe(
      'fold 1/3 epoch 1/2 loss 0.5000 val UAR 0.250',
    );
  });
});
