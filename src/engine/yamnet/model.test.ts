import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/tf';
import { UserError } from '../util/errors';
import { sharedDir } from '../util/paths';
import { mulberry32 } from '../util/random';
import { readGraphWeights } from './graph-format';
import { LOGITS_PARAMS, NUM_BLOCKS, YAMNET_LAYERS } from './layers';
import { buildYamnet, getYamnetWeights, randomYamnetWeights, YamnetModel } from './model';
import { randomPatches } from './testing/fixtures';
import { countValues, expectedWeights, type YamnetWeights } from './weights';

const realDir = path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed');
let weights: YamnetWeights;

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().div(b.abs().max()).dataSync()[0]);
}

beforeAll(async () => {
  await initBackend();
  // Pretrained weights make the split test meaningful (random ones give tiny activations deep down).
  weights = fs.existsSync(path.join(realDir, 'model.json'))
    ? readGraphWeights(realDir)
    : randomYamnetWeights();
});

describe('YAMNET_LAYERS', () => {
  it('is the upstream layer table', () => {
    expect(YAMNET_LAYERS).toHaveLength(14);
    expect(YAMNET_LAYERS.map((l) => l.stride)).toEqual([2, 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]);
    expect(YAMNET_LAYERS.map((l) => l.filters)).toEqual([
      32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024,
    ]);
    expect(YAMNET_LAYERS[0].outputShape).toEqual([48, 32, 32]);
    expect(YAMNET_LAYERS[13].outputShape).toEqual([3, 2, 1024]);
    for (let k = 2; k <= 14; k++)
      expect(YAMNET_LAYERS[k - 1].inputShape).toEqual(YAMNET_LAYERS[k - 2].outputShape);
    const total = YAMNET_LAYERS.reduce((a, l) => a + l.params, 0) + LOGITS_PARAMS;
    expect(total).toBe(3_729_481);
    expect(expectedWeights().reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0)).toBe(3_729_481);
  });

  it('matches the parameter counts and shapes of the built model', () => {
    const model = buildYamnet({ head: true });
    expect(model.countParams()).toBe(3_729_481);
    expect(model.inputs[0].shape).toEqual([null, 96, 64]);
    expect(model.outputs[0].shape).toEqual([null, 521]);
    for (const l of YAMNET_LAYERS) {
      const block = buildYamnet({ from: l.block, to: l.block, pool: false });
      expect(block.outputs[0].shape.slice(1)).toEqual(l.outputShape);
      expect(block.countParams()).toBe(l.params);
      block.dispose();
    }
    model.dispose();
  });
});

describe('TensorFlow "same" padding', () => {
  it('pads 0 before and 1 after for a stride-2 3x3 conv on even sizes, like TF', () => {
    const rand = mulberry32(3);
    const x = tf.tensor4d(
      Float32Array.from({ length: 96 * 64 }, () => rand() - 0.5),
      [1, 96, 64, 1],
    );
    const k = tf.tensor4d(
      Float32Array.from({ length: 9 * 4 }, () => rand() - 0.5),
      [3, 3, 1, 4],
    );
    const same = tf.conv2d(x, k, 2, 'same');
    const tfStyle = tf.conv2d(
      tf.pad(x, [
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
      ]),
      k,
      2,
      'valid',
    );
    const other = tf.conv2d(
      tf.pad(x, [
        [0, 0],
        [1, 0],
        [1, 0],
        [0, 0],
      ]),
      k,
      2,
      'valid',
    );
    expect(same.shape).toEqual([1, 48, 32, 4]);
    expect(maxRelDiff(same, tfStyle)).toBeLessThan(1e-6);
    expect(maxRelDiff(same, other)).toBeGreaterThan(0.01);
    // The layers model's block 1 uses the same padding.
    const block1 = buildYamnet({ to: 1, pool: false });
    const [kernel, bias] = block1.getLayer('layer1/conv').getWeights();
    const viaLayer = block1.predict(x.reshape([1, 96, 64])) as tf.Tensor;
    const explicit = tf.relu(
      tf
        .conv2d(
          tf.pad(x, [
            [0, 0],
            [0, 1],
            [0, 1],
            [0, 0],
          ]),
          kernel as tf.Tensor4D,
          2,
          'valid',
        )
        .add(bias),
    );
    expect(maxRelDiff(viaLayer, explicit)).toBeLessThan(1e-6);
    tf.dispose([x, k, same, tfStyle, other, viaLayer, explicit]);
    block1.dispose();
  });
});

describe('buildYamnet', () => {
  it('split at every block K composes to the whole model', () => {
    const whole = new YamnetModel(weights);
    const x = randomPatches(2, 1);
    const want = whole.embed(x);
    for (let k = 2; k <= NUM_BLOCKS; k++) {
      const front = buildYamnet({ to: k - 1, weights });
      const back = buildYamnet({ from: k, weights });
      expect(front.outputs[0].shape).toEqual(back.inputs[0].shape);
      const mid = front.predict(x) as tf.Tensor;
      const got = back.predict(mid) as tf.Tensor;
      expect(got.shape).toEqual([2, 1024]);
      expect(maxRelDiff(got, want), `split at block ${k}`).toBeLessThan(1e-5);
      tf.dispose([mid, got]);
      front.dispose();
      back.dispose();
    }
    tf.dispose([x, want]);
    whole.dispose();
  });

  it('keeps the head optional and the weights round-trip', () => {
    const trunk = buildYamnet({ weights });
    expect(trunk.outputs[0].shape).toEqual([null, 1024]);
    expect(trunk.layers.some((l) => l.name === 'logits')).toBe(false);
    const back = getYamnetWeights(buildYamnet({ head: true, weights }));
    expect(countValues(back)).toBe(3_729_481);
    const differing = [...weights].filter(
      ([name, w]) => !back.get(name)!.data.every((v, i) => v === w.data[i]),
    );
    expect(differing.map(([name]) => name)).toEqual([]);
    trunk.dispose();
  });

  it('builds trainable split models that train', async () => {
    const back = buildYamnet({ from: 13, weights });
    expect(back.trainableWeights.length).toBe(8);
    const frozen = buildYamnet({ to: 12, weights, trainable: false });
    expect(frozen.trainableWeights.length).toBe(0);
    const head = tf.layers
      .dense({ units: 4, activation: 'softmax' })
      .apply(back.outputs[0]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: back.inputs, outputs: head });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const feats = frozen.predict(randomPatches(4, 2)) as tf.Tensor;
    const before = back.getLayer('layer14/pointwise_conv').getWeights()[0].dataSync().slice();
    await model.fit(feats, tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4), { epochs: 1, verbose: 0 });
    const after = back.getLayer('layer14/pointwise_conv').getWeights()[0].dataSync();
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    tf.dispose(feats);
    model.dispose();
    frozen.dispose();
  });

  it('refuses impossible ranges', () => {
    expect(() => buildYamnet({ from: 0 })).toThrow(UserError);
    expect(() => buildYamnet({ from: 5, to: 4 })).toThrow(UserError);
    expect(() => buildYamnet({ to: 13, head: true })).toThrow(/head/);
  });
});
