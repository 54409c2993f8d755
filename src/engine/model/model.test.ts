import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/tf';
import { Rng } from '../util/rng';
import { trainFold, type EpochRecord, type FoldCheckpoint } from '../train/train-fold';
import {
  ActivationCache,
  activationCacheUsage,
  fromFloat16,
  pruneActivationCache,
  toFloat16,
} from './activation-cache';
import { LstmHead } from './lstm-head';
import { YamnetLstm, type Sample } from './ser-model';

beforeAll(async () => {
  await initBackend('wasm');
});

function randomSamples(n: number, dim: number, seed: number): Sample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const steps = 1 + (i % 4);
    const label = i % 3;
    const data = new Float32Array(steps * dim).map(() => rng.normal() + label);
    return { id: `u${i}`, label, steps, data };
  });
}

describe('LstmHead', () => {
  it('gives the same output whatever an utterance is padded to (masking)', () => {
    const head = new LstmHead({ inputDim: 8, lstmUnits: [6, 5], numClasses: 3 }, 1);
    const rng = new Rng(2);
    const x = Array.from({ length: 3 * 8 }, () => rng.normal());
    const [a, b] = tf.tidy(() => {
      const short = head.apply(tf.tensor3d(x, [1, 3, 8]), tf.ones([1, 3]) as tf.Tensor2D);
      const padded = head.apply(
        tf.tensor3d([...x, ...new Array(16).fill(7)], [1, 5, 8]),
        tf.tensor2d([[1, 1, 1, 0, 0]]),
      );
      return [short.logits.dataSync(), padded.logits.dataSync()];
    });
    expect(Array.from(b)).toEqual(Array.from(a));
    head.dispose();
  });

  it('initialises identically for the same seed', () => {
    const h1 = new LstmHead({ inputDim: 4, lstmUnits: [3], numClasses: 2 }, 5);
    const h2 = new LstmHead({ inputDim: 4, lstmUnits: [3], numClasses: 2 }, 5);
    expect(h1.getWeights()).toEqual(h2.getWeights());
    const rk = h1.getWeights()['lstm1/recurrent_kernel'];
    // Orthogonal rows: W Wᵀ = I for the [3, 12] recurrent kernel.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 12; k++) dot += rk.data[i * 12 + k] * rk.data[j * 12 + k];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    }
    h1.dispose();
    h2.dispose();
  });
});

describe('trainFold', () => {
  it('learns a separable problem, keeps the best-validation epoch, and resumes bit-identically', async () => {
    const train = randomSamples(48, 6, 1);
    const validation = randomSamples(12, 6, 2);
    const opts = { epochs: 6, batchSize: 8, learningRate: 0.01, classWeights: true, seed: 3, numClasses: 3 };
    const spec = { lstmUnits: [8], numClasses: 3 };

    const full = new YamnetLstm([6], spec, 7);
    const checkpoints: FoldCheckpoint[] = [];
    const result = await trainFold(
      full,
      { train, validation },
      {
        ...opts,
        onEpoch: async (_r, snap) => {
          checkpoints.push(await snap());
        },
      },
    );
    expect(result.history).toHaveLength(6);
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0].trainLoss);
    const best = Math.max(...result.history.map((h) => h.valAverageAccuracy!));
    expect(result.history[result.bestEpoch - 1].valAverageAccuracy).toBe(best);
    expect(full.getWeights()).toEqual(checkpoints.at(-1)!.best!.weights);
    const finalWeights = checkpoints.at(-1)!.weights;
    full.dispose();

    const before = tf.memory().numTensors;
    const resumed = new YamnetLstm([6], spec, 99);
    const r2 = await trainFold(
      resumed,
      { train, validation },
      {
        ...opts,
        resume: checkpoints[2],
        onEpoch: async (_r, snap) => {
          checkpoints.push(await snap());
        },
      },
    );
    // An epoch's wall time is its steps plus its validation pass.
    for (const h of result.history) {
      expect(h.trainSeconds).toBeGreaterThan(0);
      expect(h.validationSeconds).toBeGreaterThan(0);
      expect(h.trainSeconds! + h.validationSeconds!).toBeCloseTo(h.seconds, 6);
    }
    // Everything but the wall times: those of the resumed epochs are the second run's own.
    const timing = (h: EpochRecord) => ({
      seconds: h.seconds,
      trainSeconds: h.trainSeconds,
      validationSeconds: h.validationSeconds,
    });
    expect(r2.history).toEqual(
      result.history.map((h, i) => ({ ...h, ...timing(i < 3 ? h : r2.history[i]) })),
    );
    expect(checkpoints.at(-1)!.weights).toEqual(finalWeights);
    resumed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it('stops early when validation UAR has not improved for `patience` epochs', async () => {
    const model = new YamnetLstm([6], { lstmUnits: [4], numClasses: 3 }, 1);
    const data = { train: randomSamples(12, 6, 4), validation: randomSamples(6, 6, 5) };
    // A step too small to change any prediction: validation UAR stays at its epoch-1 value.
    const r = await trainFold(model, data, {
      epochs: 30,
      batchSize: 4,
      learningRate: 1e-12,
      classWeights: false,
      patience: 2,
      seed: 1,
      numClasses: 3,
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestEpoch).toBe(1);
    expect(r.history).toHaveLength(3);
    model.dispose();
  });
});

describe('activation cache', () => {
  it('round-trips float16 within half precision and prunes least-recently-used sets', () => {
    const x = new Float32Array([0, 1, -2.5, 1e-6, 65504, 0.333333, 3.14159, -0.0001]);
    const y = fromFloat16(toFloat16(x));
    x.forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-3 + 6e-8));

    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-act-'));
    const a = new ActivationCache(
      { weights: ['a'], frontEnd: {}, output: 'embedding', dtype: 'float32' },
      [4],
      root,
    );
    a.put('f1', { steps: 2, stepShape: [4], data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(Array.from(a.get('f1')!.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a.get('missing')).toBeNull();
    const b = new ActivationCache(
      { weights: ['a'], frontEnd: {}, output: 'block10', dtype: 'float16' },
      [4],
      root,
    );
    b.put('f1', { steps: 1, stepShape: [4], data: new Float32Array([0.5, 1, 2, 4]) });
    // A float16 set's entries stay float16 in memory (decoded per batch).
    const half = b.get('f1')!.data;
    expect(half).toBeInstanceOf(Uint16Array);
    expect(Array.from(fromFloat16(half as Uint16Array))).toEqual([0.5, 1, 2, 4]);
    expect(activationCacheUsage(root)).toHaveLength(2);
    expect(pruneActivationCache(b.key, 1, root)).toEqual([a.key]);
    expect(activationCacheUsage(root).map((s) => s.key)).toEqual([b.key]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
