/**
 * 1×1 convolutions run as MatMuls on the native backend (pointwise-conv.ts): they give tfjs' own
 * cpu-backend results, plain and fused with bias and ReLU, while other convolutions keep the stock
 * kernel. And every YAMNet convolution, forward and backward, runs through the engine's native
 * backend in a fresh process without the process dying: on AMD EPYC (Zen 5) guests that report no
 * cache topology, the stock oneDNN kernel for block 13's pointwise convolution killed the process
 * with SIGFPE at every batch size.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../util/paths';
import { nativeForTests, relDiff } from './testing';
import { tf, useBackend } from './tf';

const native = nativeForTests('pointwise convolution');

async function on(backend: 'cpu' | 'tensorflow', f: () => tf.Tensor): Promise<Float32Array> {
  await useBackend(backend);
  const t = f();
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

describe.runIf(native.run)('1×1 convolutions on the native backend', () => {
  const seeded = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 0.5, 'float32', seed);
  const cases: [string, () => tf.Tensor][] = [
    [
      '1×1 conv',
      () =>
        tf.conv2d(
          seeded([3, 3, 2, 40], 1) as tf.Tensor4D,
          seeded([1, 1, 40, 24], 2) as tf.Tensor4D,
          1,
          'same',
        ),
    ],
    [
      '1×1 conv + bias + ReLU (fused)',
      () =>
        tf.fused.conv2d({
          x: seeded([3, 3, 2, 40], 1) as tf.Tensor4D,
          filter: seeded([1, 1, 40, 24], 2) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: seeded([24], 3),
          activation: 'relu',
        }),
    ],
    [
      '3×3 stride-2 conv (stock kernel)',
      () =>
        tf.conv2d(seeded([2, 9, 8, 3], 4) as tf.Tensor4D, seeded([3, 3, 3, 8], 5) as tf.Tensor4D, 2, 'same'),
    ],
  ];
  for (const [name, f] of cases) {
    it(`${name} equals the cpu backend`, async () => {
      const want = await on('cpu', f);
      const got = await on('tensorflow', f);
      expect(got.length).toBe(want.length);
      expect(relDiff(got, want)).toBeLessThan(1e-5);
    });
  }

  it('runs every YAMNet convolution forward and backward in a fresh process', () => {
    const backend = path.join(repoRoot, 'src/engine/backend/tf.ts');
    const layers = path.join(repoRoot, 'src/engine/yamnet/layers.ts');
    const script = `
      const { tf, useBackend } = await import(${JSON.stringify(backend)});
      const { YAMNET_LAYERS } = await import(${JSON.stringify(layers)});
      await useBackend('tensorflow');
      for (const l of YAMNET_LAYERS) {
        const [h, w, c] = l.inputShape;
        const convs = l.type === 'conv'
          ? [[[2, h, w, c], [3, 3, c, l.filters], l.stride, 'conv']]
          : [[[2, l.outputShape[0], l.outputShape[1], c], [1, 1, c, l.filters], 1, 'pointwise']];
        for (const [xs, fs, stride, kind] of convs) {
          tf.tidy(() => {
            const loss = (x, f) => tf.sum(tf.relu(tf.conv2d(x, f, stride, 'same')));
            const [gx, gf] = tf.grads(loss)([tf.ones(xs), tf.ones(fs)]);
            gx.dataSync(); gf.dataSync();
          });
          console.log('ran block ' + l.block + ' ' + kind);
        }
      }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' },
    });
    expect({ signal: r.signal, status: r.status, stderr: r.status ? r.stderr.slice(-2000) : '' }).toEqual({
      signal: null,
      status: 0,
      stderr: '',
    });
    expect(
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('ran block')),
    ).toHaveLength(14);
  });
});
