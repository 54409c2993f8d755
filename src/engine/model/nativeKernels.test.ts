/**
 * The faster native-backend gradients (nativeKernels.ts) give the stock tfjs gradients: the
 * gradients of a small YAMNet-like stack (3×3 stride-2 conv, depthwise, 1×1 pointwise, ReLUs) are
 * computed on the cpu backend (tfjs' own kernels) and on tensorflow with the replacements
 * installed, for both the data input and every filter.
 */
import { describe, expect, it } from 'vitest';
import { nativeForTests, relDiff } from '../backend/testing';
import { tf, useBackend } from '../backend/tf';
import { registerNativeTrainingKernels } from './nativeKernels';

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
    return tf.grads(loss)([x, w1, dw, pw]).map((g) => g.dataSync() as Float32Array);
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
});
