/**
 * The faster native-backend gradients (native-kernels.ts) give the stock tfjs gradients: the
 * gradients of a small YAMNet-like stack (3×3 stride-2 conv, depthwise, 1×1 pointwise, ReLUs) are
 * computed on the cpu backend (tfjs' own kernels) and on tensorflow with the replacements
 * installed, for both the data input and every filter. The LSTM head's fused layers (BlockLSTMV2)
 * give the op-by-op layers' outputs and gradients, padded sequences included.
 */
import { describe, expect, it } from 'vitest';
import { nativeForTests, relDiff } from '../backend/testing';
import { tf, useBackend } from '../backend/tf';
import { LstmHead } from './lstm-head';
import { registerNativeTrainingKernels } from './native-kernels';

const native = nativeForTests('native training kernels');

function stackGrads(): Float32Array[] {
  return tf.tidy(() => {
    const seeded = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 0.5, 'float32', seed);
    const x = seeded([5, 12, 8, 3], 1);
    const w1 = seeded([3, 3, 3, 16], 2);
    const dw = seeded([3, 3, 16, 1], 3);
    const pw = seeded([1, 1, 16, 24], 4);
    const loss = (xx: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      let h = tf.relu(tf.conv2d(xx as tf.Tensor4D, a as tf.Tensor4D, 2, 'same'));
      h = tf.relu(tf.depthwiseConv2d(h, b as tf.Tensor4D, 1, 'same'));
      h = tf.relu(tf.conv2d(h, c as tf.Tensor4D, 1, 'same'));
      return tf.sum(tf.mul(h, tf.sin(h)));
    };
    return tf
      .grads(loss)([x, w1, dw, pw])
      .map((g) => g.dataSync() as Float32Array);
  });
}

describe.runIf(native.run)('native training kernels', () => {
  it('give the stock gradients of conv, depthwise, pointwise and ReLU', async () => {
    await useBackend('cpu');
    const expected = stackGrads();
    await useBackend('tensorflow');
    registerNativeTrainingKernels();
    const got = stackGrads();
    expected.forEach((e, i) => expect(relDiff(got[i], e)).toBeLessThan(1e-5));
    // The replacements are in place (not a silent fallback to the stock kernels).
    expect(tf.getKernel('SerNativeReluGrad', 'tensorflow')).toBeDefined();
  });

  it('runs the LSTM head fused with the op-by-op outputs and gradients', async () => {
    const run = () =>
      tf.tidy(() => {
        const head = new LstmHead({ inputDim: 12, lstmUnits: [8, 6], numClasses: 3 }, 7);
        const x = tf.randomNormal([4, 5, 12], 0, 1, 'float32', 11) as tf.Tensor3D;
        // Utterances of 5, 3, 1 and 4 steps (padding at the end).
        const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0], [4, 5]);
        const { value, grads } = tf.variableGrads(() => {
          const out = head.apply(x, mask);
          return tf.sum(tf.mul(out.logits, tf.sin(out.logits))).add(tf.sum(tf.square(out.activation)));
        }, head.variables);
        const all = [value, ...head.variables.map((v) => grads[v.name])];
        const out = all.map((t) => t.dataSync() as Float32Array);
        head.dispose();
        return out;
      });
    await useBackend('cpu');
    const expected = run();
    await useBackend('tensorflow');
    const got = run();
    expect(got.length).toBe(expected.length);
    expected.forEach((e, i) => expect(relDiff(got[i], e)).toBeLessThan(1e-5));
  });
});
