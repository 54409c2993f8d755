/**
 * Backend speed on YAMNet itself (random weights: speed does not depend on values): forward
 * throughput on patches and one fine-tuning SGD step, per available backend, with ratios against
 * WASM (forward) and cpu (training: WASM has no Conv2DBackpropFilter).
 */
import type { BenchRow } from './types';
import { tf, useBackend, type BackendName } from '../src/engine/backend/tf';
import { canFineTune } from '../src/engine/backend/describe';
import { loadNativeBackend } from '../src/engine/backend/native';
import { buildYamnet, PATCH_SHAPE } from '../src/engine/yamnet';

const group = 'backends';

async function available(): Promise<BackendName[]> {
  const out: BackendName[] = [];
  if (loadNativeBackend().ok) out.push('tensorflow');
  try {
    await useBackend('wasm');
    out.push('wasm');
  } catch {
    // listed by `ser-workbench backends` with the reason
  }
  out.push('cpu');
  return out;
}

function patches(n: number): tf.Tensor {
  return tf.tidy(() => tf.randomUniform([n, PATCH_SHAPE[0], PATCH_SHAPE[1]], -8, 2, 'float32', 7));
}

async function forwardRate(backend: BackendName, batch: number, reps: number): Promise<number> {
  await useBackend(backend);
  const model = buildYamnet({ trainable: false });
  const x = patches(batch);
  try {
    const warm = model.predict(x) as tf.Tensor;
    await warm.data();
    warm.dispose();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) {
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    }
    return (batch * reps) / ((performance.now() - t0) / 1000);
  } finally {
    x.dispose();
    model.dispose();
  }
}

/** Milliseconds of one SGD step over the whole network (batch `batch`). */
async function trainStepMs(backend: BackendName, batch: number, reps: number): Promise<number> {
  await useBackend(backend);
  const model = buildYamnet();
  const x = patches(batch);
  const target = tf.randomNormal([batch, 1024], 0, 1, 'float32', 3);
  const opt = tf.train.sgd(1e-3);
  const step = async () => {
    const loss = opt.minimize(
      () => (model.apply(x) as tf.Tensor).sub(target).square().mean() as tf.Scalar,
      true,
    );
    await loss!.data();
    loss!.dispose();
  };
  try {
    await step();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await step();
    return (performance.now() - t0) / reps;
  } finally {
    tf.dispose([x, target]);
    opt.dispose();
    model.dispose();
  }
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const backends = await available();
  const native = loadNativeBackend();
  const fwd: Partial<Record<BackendName, number>> = {};
  const train: Partial<Record<BackendName, number>> = {};
  for (const b of backends) {
    // The cpu backend is two to three orders of magnitude slower: small batches, one repetition.
    const slow = b === 'cpu';
    const batch = slow ? 4 : 16;
    const trainBatch = slow ? 1 : 4;
    const reps = slow ? 1 : 5;
    fwd[b] = await forwardRate(b, batch, reps);
    const note = b === 'tensorflow' && native.ok ? `TensorFlow ${native.tfVersion}` : undefined;
    rows.push({
      group,
      name: `YAMNet forward, ${b} (batch ${batch})`,
      value: fwd[b]!,
      unit: 'patches/s',
      note,
    });
    if (canFineTune(b)) {
      train[b] = (await trainStepMs(b, trainBatch, reps)) / trainBatch;
      rows.push({
        group,
        name: `YAMNet fine-tune SGD step, ${b} (batch ${trainBatch})`,
        value: train[b]!,
        unit: 'ms/patch',
        note: 'all 14 blocks trainable',
      });
    } else {
      rows.push({
        group,
        name: `YAMNet fine-tune SGD step, ${b}`,
        value: NaN,
        unit: 'ms/patch',
        note: 'cannot: no Conv2DBackpropFilter',
      });
    }
  }
  for (const b of backends) {
    if (b !== 'wasm' && fwd.wasm && fwd[b]) {
      rows.push({ group, name: `forward speed-up ${b} vs wasm`, value: fwd[b]! / fwd.wasm, unit: 'x' });
    }
    if (b !== 'cpu' && train.cpu && train[b]) {
      rows.push({
        group,
        name: `fine-tune speed-up ${b} vs cpu`,
        value: train.cpu / train[b]!,
        unit: 'x',
        note: 'wasm cannot train convs',
      });
    }
  }
  await useBackend(backends[0]);
  return rows;
}
