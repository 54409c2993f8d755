/**
 * The native backend computes what the reference (cpu) backend computes: gradients of the
 * convolutions YAMNet is made of, and a few optimiser steps of a small conv net.
 */
import { describe, expect, it } from 'vitest';
import { tf, useBackend, type BackendName } from './tf';
import { nativeForTests, relDiff } from './testing';
import { lcg32 } from '../util/random';

const native = nativeForTests('tensorflow vs cpu agreement');
const itNative = native.run ? it : it.skip;

/** Deterministic values in [-0.5, 0.5), the same on every backend. */
function seeded(n: number, seed: number): Float32Array {
  const rand = lcg32(seed);
  return Float32Array.from({ length: n }, () => rand() - 0.5);
}

type Case = {
  name: string;
  x: number[];
  w: number[];
  stride: number;
  pad: 'same' | 'valid';
  depthwise: boolean;
};

const cases: Case[] = [
  // YAMNet's first layer: 96x64 patch, 3x3 stride 2, 32 filters.
  {
    name: 'conv2d 3x3/2 same (YAMNet stem)',
    x: [2, 96, 64, 1],
    w: [3, 3, 1, 32],
    stride: 2,
    pad: 'same',
    depthwise: false,
  },
  {
    name: 'conv2d 1x1 pointwise',
    x: [2, 12, 8, 64],
    w: [1, 1, 64, 128],
    stride: 1,
    pad: 'same',
    depthwise: false,
  },
  {
    name: 'conv2d 3x3/1 valid',
    x: [3, 17, 13, 4],
    w: [3, 3, 4, 6],
    stride: 1,
    pad: 'valid',
    depthwise: false,
  },
  {
    name: 'depthwise 3x3/1 same',
    x: [2, 24, 16, 32],
    w: [3, 3, 32, 1],
    stride: 1,
    pad: 'same',
    depthwise: true,
  },
  {
    name: 'depthwise 3x3/2 same',
    x: [2, 24, 16, 64],
    w: [3, 3, 64, 1],
    stride: 2,
    pad: 'same',
    depthwise: true,
  },
];

function gradients(backend: BackendName, c: Case): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
    const x = tf.tensor4d(seeded(size(c.x), 1), c.x as [number, number, number, number]);
    const w = tf.tensor4d(seeded(size(c.w), 2), c.w as [number, number, number, number]);
    const f = (xx: tf.Tensor, ww: tf.Tensor) => {
      const y = c.depthwise
        ? tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad)
        : tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad);
      // A non-uniform upstream gradient, so every weight position matters.
      return y.mul(tf.tensor(seeded(y.size, 3), y.shape)).sum();
    };
    return tf
      .grads(f)([x, w])
      .map((g) => g.dataSync() as Float32Array);
  });
}

describe('gradients: tensorflow equals cpu', () => {
  for (const c of cases) {
    itNative(`${c.name}: dx and dw within 1e-4 relative`, async () => {
      await useBackend('tensorflow');
      await useBackend('cpu');
      const [dxTf, dwTf] = gradients('tensorflow', c);
      const [dxCpu, dwCpu] = gradients('cpu', c);
      expect(relDiff(dxTf, dxCpu)).toBeLessThan(1e-4);
      expect(relDiff(dwTf, dwCpu)).toBeLessThan(1e-4);
    });
  }
});

/** A conv + depthwise + dense net with fixed starting weights; Adam steps on fixed data. */
async function lossCurve(backend: BackendName, steps: number): Promise<number[]> {
  await useBackend(backend);
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [16, 16, 1],
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  model.setWeights(
    model.getWeights().map((w, i) =>
      tf.tensor(
        seeded(w.size, 100 + i).map((v) => v * 0.8),
        w.shape,
      ),
    ),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const n = 32;
  const x = tf.tensor4d(seeded(n * 16 * 16, 7), [n, 16, 16, 1]);
  const labels = Array.from({ length: n }, (_, i) => i % 4);
  // Learnable: each class shifts the input's mean.
  const xs = tf.tidy(() =>
    x.add(
      tf
        .tensor1d(
          labels.map((l) => l * 0.3),
          'float32',
        )
        .reshape([n, 1, 1, 1]),
    ),
  );
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await model.trainOnBatch(xs, ys)) as number);
  tf.dispose([x, xs, ys]);
  model.dispose();
  return losses;
}

describe('training: tensorflow follows cpu', () => {
  itNative('20 Adam steps of a small conv net: losses within 1e-3 relative at every step', async () => {
    const tfLosses = await lossCurve('tensorflow', 20);
    const cpuLosses = await lossCurve('cpu', 20);
    const rel = cpuLosses.map((l, i) => Math.abs(tfLosses[i] - l) / Math.abs(l));
    process.stderr.write(
      `[agreement] loss ${cpuLosses[0].toFixed(4)} -> ${cpuLosses[19].toFixed(4)}; ` +
        `max relative tensorflow-cpu difference ${Math.max(...rel).toExponential(2)}\n`,
    );
    for (const r of rel) expect(r).toBeLessThan(1e-3);
    // It actually learned, so the comparison covers real weight updates.
    expect(cpuLosses[cpuLosses.length - 1]).toBeLessThan(cpuLosses[0] * 0.9);
  });
});
