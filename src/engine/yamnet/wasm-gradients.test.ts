import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend } from '../backend/tf';
import { mulberry32 } from '../util/random';
import { buildYamnet, randomYamnetWeights } from './model';
import { missingTrainingKernels, registerWasmTrainingKernels } from './wasm-gradients';

function values(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => rand() - 0.5);
}

interface Case {
  name: string;
  depthwise: boolean;
  x: [number, number, number, number];
  k: [number, number, number, number];
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

const cases: Case[] = [
  {
    name: 'conv 3x3 stride 2 same (layer1)',
    depthwise: false,
    x: [2, 12, 8, 1],
    k: [3, 3, 1, 4],
    stride: 2,
    pad: 'same',
  },
  {
    name: 'conv 1x1 (pointwise)',
    depthwise: false,
    x: [2, 6, 4, 8],
    k: [1, 1, 8, 16],
    stride: 1,
    pad: 'same',
  },
  {
    name: 'conv 1x1 stride 2 (the native input gradient)',
    depthwise: false,
    x: [1, 6, 4, 8],
    k: [1, 1, 8, 4],
    stride: 2,
    pad: 'same',
  },
  {
    name: 'conv 3x3 stride 2 valid, rows left over',
    depthwise: false,
    x: [1, 8, 6, 2],
    k: [3, 3, 2, 3],
    stride: 2,
    pad: 'valid',
  },
  {
    name: 'depthwise 3x3 stride 2 valid, rows left over',
    depthwise: true,
    x: [1, 8, 6, 2],
    k: [3, 3, 2, 1],
    stride: 2,
    pad: 'valid',
  },
  {
    name: 'conv 3x3 stride 1 valid',
    depthwise: false,
    x: [1, 7, 5, 3],
    k: [3, 3, 3, 2],
    stride: 1,
    pad: 'valid',
  },
  {
    name: 'depthwise 3x3 stride 1 same',
    depthwise: true,
    x: [2, 6, 4, 8],
    k: [3, 3, 8, 1],
    stride: 1,
    pad: 'same',
  },
  {
    name: 'depthwise 3x3 stride 2 same',
    depthwise: true,
    x: [2, 12, 8, 8],
    k: [3, 3, 8, 1],
    stride: 2,
    pad: 'same',
  },
  {
    name: 'depthwise 3x3 stride 2 same, odd size',
    depthwise: true,
    x: [1, 7, 5, 4],
    k: [3, 3, 4, 1],
    stride: 2,
    pad: 'same',
  },
  {
    name: 'depthwise 3x3 multiplier 2 valid',
    depthwise: true,
    x: [1, 6, 6, 3],
    k: [3, 3, 3, 2],
    stride: 1,
    pad: 'valid',
  },
];

/** Gradients of Σ conv(x, k)·r with respect to x and k, on the active backend. */
function gradients(c: Case): { dx: Float32Array; dk: Float32Array } {
  const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const x = tf.tensor4d(values(n(c.x), 1), c.x);
    const k = tf.tensor4d(values(n(c.k), 2), c.k);
    const f = (xx: tf.Tensor4D, kk: tf.Tensor4D) => {
      const y = c.depthwise
        ? tf.depthwiseConv2d(xx, kk, c.stride, c.pad)
        : tf.conv2d(xx, kk, c.stride, c.pad);
      return y.mul(tf.tensor(values(y.size, 3), y.shape)).sum();
    };
    const [dx, dk] = tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([x, k]);
    return { dx: dx.dataSync() as Float32Array, dk: dk.dataSync() as Float32Array };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('WASM gradient kernels', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await useBackend('wasm');
  });

  it('leaves no kernel YAMNet training needs missing on wasm', () => {
    expect(missingTrainingKernels('wasm')).toEqual([]);
  });

  for (const c of cases) {
    it(`equals the cpu backend: ${c.name}`, async () => {
      await useBackend('cpu');
      const want = gradients(c);
      await useBackend('wasm');
      const got = gradients(c);
      expect(got.dk.length).toBe(want.dk.length);
      expect(maxAbsDiff(got.dk, want.dk)).toBeLessThan(1e-5);
      expect(maxAbsDiff(got.dx, want.dx)).toBeLessThan(1e-5);
    });
  }
});

describe('fine-tuning YAMNet on WASM', () => {
  // Blocks 12..14 + head: stride 1 and 2 blocks; earlier ones only add (slow) cpu time.
  it('gives the cpu backend’s gradients for every weight of blocks 12-14 and the head', async () => {
    await useBackend('cpu');
    const weights = randomYamnetWeights();
    const input = values(2 * 6 * 4 * 512, 9);
    const grads = () => {
      const model = buildYamnet({ from: 12, head: true, weights });
      const out = tf.tidy(() => {
        const x = tf.tensor4d(input, [2, 6, 4, 512]);
        const r = tf.tensor2d(values(2 * 521, 10), [2, 521]);
        const { grads: g } = tf.variableGrads(() => (model.apply(x) as tf.Tensor).mul(r).sum() as tf.Scalar);
        return Object.fromEntries(
          Object.entries(g).map(([k, v]) => [k.replace(/_\d+$/, ''), v.dataSync() as Float32Array]),
        );
      });
      model.dispose();
      return out;
    };
    const want = grads();
    await useBackend('wasm');
    const got = grads();
    const names = Object.keys(want);
    expect(names.length).toBe(2 * (2 * 3 + 1));
    for (const name of names) {
      const w = want[name];
      const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(scale, name).toBeGreaterThan(0);
      expect(maxAbsDiff(got[name], w) / scale, name).toBeLessThan(1e-3);
    }
  });
});
