import fs from 'node:fs';
import type { BenchRow } from './types';
import { backendNames, initBackend, tf, useBackend, type BackendName } from '../src/engine/backend/tf';
import { buildYamnet, YamnetModel, randomYamnetWeights } from '../src/engine/yamnet/model';
import { readGraphWeights } from '../src/engine/yamnet/graph-format';
import { sharedWeightsDir } from '../src/engine/yamnet/store';
import type { YamnetWeights } from '../src/engine/yamnet/weights';

/** Log-mel-like patches (values in [-7, 3]) from a fixed linear congruential sequence. */
function patches(n: number): Float32Array {
  const out = new Float32Array(n * 96 * 64);
  let s = 12345;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = -7 + (10 * s) / 4294967296;
  }
  return out;
}

async function timeEmbed(model: YamnetModel, n: number, batchSize: number): Promise<number> {
  const data = patches(n);
  // One warm-up pass: kernels compile / allocate on the first call.
  model
    .embed({ data: data.subarray(0, batchSize * 96 * 64), numPatches: batchSize }, { batchSize })
    .dispose();
  const t0 = performance.now();
  const e = model.embed({ data, numPatches: n }, { batchSize });
  await e.data();
  e.dispose();
  return (performance.now() - t0) / 1000;
}

/**
 * YAMNet throughput on every backend that initialises here: forward (patches → 1024-d embeddings)
 * for 168 patches (about 81 s of audio) at batch 32, the cpu backend, being slow, with 16 patches
 * at batch 8; blocks 13-14 alone (a model split at K = 13); one optimiser step through blocks
 * 13-14; and the one-off cost of reading the weights.
 */
export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const group = 'YAMNet';
  await initBackend();
  const before = tf.getBackend();

  let weights: YamnetWeights;
  let note = 'weights: reconstructed (shared)';
  if (fs.existsSync(`${sharedWeightsDir()}/model.json`)) {
    const t0 = performance.now();
    weights = readGraphWeights(sharedWeightsDir());
    rows.push({ group, name: 'read tfjs graph weights (16 MB)', value: performance.now() - t0, unit: 'ms' });
  } else {
    weights = randomYamnetWeights();
    note = 'weights: random';
  }

  for (const name of backendNames as readonly BackendName[]) {
    try {
      await useBackend(name);
    } catch (err) {
      rows.push({
        group,
        name: `${name}: not available`,
        value: 0,
        unit: '-',
        note: (err as Error).message.slice(0, 120),
      });
      continue;
    }
    const t0 = performance.now();
    const model = new YamnetModel(weights);
    rows.push({
      group,
      name: `${name}: build model + set weights`,
      value: performance.now() - t0,
      unit: 'ms',
    });
    const [n, batch] = name === 'cpu' ? [16, 8] : [168, 32];
    const s = await timeEmbed(model, n, batch);
    rows.push({
      group,
      name: `${name}: embed ${n} patches, batch ${batch}`,
      value: n / s,
      unit: 'patches/s',
      note,
    });
    rows.push({ group, name: `${name}: per patch`, value: (s * 1000) / n, unit: 'ms' });
    model.dispose();
    if (name !== 'cpu') {
      // Split model cost: blocks 1..12 once, then the trainable 13..14 (what training at K = 13 repeats).
      const front = buildYamnet({ to: 12, weights, trainable: false });
      const back = buildYamnet({ from: 13, weights });
      const x = tf.tensor3d(patches(batch), [batch, 96, 64]);
      const mid = front.predict(x) as tf.Tensor;
      (back.predict(mid) as tf.Tensor).dispose();
      const t1 = performance.now();
      for (let i = 0; i < 3; i++) {
        const y = back.predict(mid) as tf.Tensor;
        await y.data();
        y.dispose();
      }
      rows.push({
        group,
        name: `${name}: blocks 13-14 only, batch ${batch}`,
        value: (3 * batch) / ((performance.now() - t1) / 1000),
        unit: 'patches/s',
      });
      // One optimiser step through blocks 13-14 (+ a 4-way softmax): the fine-tuning unit cost.
      const out = tf.layers
        .dense({ units: 4, activation: 'softmax' })
        .apply(back.outputs[0]) as tf.SymbolicTensor;
      const trainee = tf.model({ inputs: back.inputs, outputs: out });
      trainee.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
      const labels = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: batch }, (_, i) => i % 4),
          'int32',
        ),
        4,
      );
      await trainee.trainOnBatch(mid, labels);
      const t2 = performance.now();
      for (let i = 0; i < 3; i++) await trainee.trainOnBatch(mid, labels);
      rows.push({
        group,
        name: `${name}: train step blocks 13-14, batch ${batch}`,
        value: (performance.now() - t2) / 3,
        unit: 'ms',
      });
      tf.dispose([x, mid, labels]);
      front.dispose();
      trainee.dispose();
    }
  }
  await tf.setBackend(before);
  return rows;
}
