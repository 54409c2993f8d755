import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/tf';
import { UserError } from '../util/errors';
import { sharedDir } from '../util/paths';
import { GRAPH_PREFIX, readGraphWeights } from './graph-format';
import { foldBatchNorm, readKerasH5Weights } from './keras-h5';
import { describeWeights, loadYamnet, locateWeights, readYamnetWeights } from './load';
import { YamnetModel } from './model';
import {
  kerasYamnetValues,
  manifestOffsets,
  randomPatches,
  referenceForward,
  writeGraphFixture,
  writeKerasH5,
  type ReferenceConv,
} from './testing/fixtures';

const partialDir = path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-partial');
let tmp: string;

function relL2(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).norm().div(b.norm()).dataSync()[0]);
}

async function expectUserError(p: Promise<unknown> | (() => unknown), ...parts: string[]): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UserError);
  for (const part of parts) expect((err as Error).message).toContain(part);
}

beforeAll(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yamnet-loaders-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('batch norm folding', () => {
  it('folds mean, variance and beta along the output channel axis', () => {
    // Depthwise kernel [1,1,2,1]: the channel is axis 2.
    const folded = foldBatchNorm(
      { shape: [1, 1, 2, 1], data: Float32Array.from([2, 3]) },
      2,
      {
        beta: Float32Array.from([0.5, -1]),
        mean: Float32Array.from([1, 2]),
        variance: Float32Array.from([4, 9]),
      },
      0,
    );
    expect(Array.from(folded.kernel.data)).toEqual([1, 1]);
    expect(Array.from(folded.bias.data)).toEqual([0, -1 - 2 / 3].map((v) => Math.fround(v)));
  });
});

describe('Keras yamnet.h5 loader', () => {
  const values = kerasYamnetValues(3);
  let file: string;
  beforeAll(async () => {
    file = path.join(tmp, 'yamnet.h5');
    await writeKerasH5(file, values);
  });

  it('loads every tensor and computes what the unfolded Keras model computes', async () => {
    const { model, provenance } = await loadYamnet(file);
    expect(provenance.source).toBe('user');
    expect(provenance.files.map((f) => f.name)).toEqual(['yamnet.h5']);
    const patches = randomPatches(3, 11);
    const got = model.predict(patches, { batchSize: 2 });
    const convs: ReferenceConv[] = values.convs.map((c) => ({
      kind: c.kind,
      stride: c.stride,
      kernel: c.kernel,
      bn: c.bn,
    }));
    const want = referenceForward(patches, convs, values.logits);
    expect(got.embeddings.shape).toEqual([3, 1024]);
    expect(got.scores.shape).toEqual([3, 521]);
    expect(relL2(got.embeddings, want.embeddings)).toBeLessThan(1e-5);
    expect(relL2(got.scores, want.scores)).toBeLessThan(1e-5);
    // The check is not vacuous: the activations are neither dead nor saturated.
    expect(want.embeddings.norm().dataSync()[0]).toBeGreaterThan(1);
    tf.dispose([patches, got.embeddings, got.scores, want.embeddings, want.scores]);
    model.dispose();
  });

  it('names a missing tensor', async () => {
    const broken = path.join(tmp, 'missing.h5');
    await writeKerasH5(broken, values, { omit: ['layer7/depthwise_conv/bn/moving_variance'] });
    await expectUserError(readKerasH5Weights(broken), 'layer7/depthwise_conv/bn/moving_variance', 'missing');
  });

  it('names a tensor with the wrong shape', async () => {
    const broken = path.join(tmp, 'shape.h5');
    await writeKerasH5(broken, values, { reshape: { 'layer2/pointwise_conv/kernel': [1, 1, 64, 32] } });
    await expectUserError(
      readKerasH5Weights(broken),
      'layer2/pointwise_conv/kernel',
      '[1,1,64,32]',
      'expected [1,1,32,64]',
    );
  });

  it('refuses a file that is not HDF5', async () => {
    const bad = path.join(tmp, 'bad.h5');
    fs.writeFileSync(bad, 'not hdf5');
    await expectUserError(readKerasH5Weights(bad), bad);
  });
});

describe('TF Hub graph-format loader (genuine manifest and shard 4, generated shards 1-3)', () => {
  let dir: string;
  beforeAll(() => {
    dir = writeGraphFixture(partialDir, path.join(tmp, 'graph'));
  });

  it('maps every tensor by name onto the layers model', async () => {
    const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const entries = manifestOffsets(modelJson);
    expect(entries.reduce((a, e) => a + e.bytes, 0)).toBe(16_038_316);
    // Independent reading: manifest offsets into the raw shard bytes.
    const all = Buffer.concat(
      modelJson.weightsManifest[0].paths.map((p: string) => fs.readFileSync(path.join(dir, p))),
    );
    const raw = (name: string) => {
      const e = entries.find((x) => x.name === name)!;
      const out = new Float32Array(e.bytes / 4);
      for (let i = 0; i < out.length; i++) out[i] = all.readFloatLE(e.offset + 4 * i);
      return { shape: e.shape, data: out };
    };
    // A tensor wholly in the genuine shard 4 lands where the README says.
    const l11 = raw(`${GRAPH_PREFIX}layer11/depthwise_conv/depthwise_weights`);
    const shard4 = fs.readFileSync(path.join(partialDir, 'group1-shard4of4.bin'));
    expect(l11.data[0]).toBe(shard4.readFloatLE(13_894_024 - 3 * 4_194_304));

    const { model, provenance } = await loadYamnet(dir);
    expect(provenance.source).toBe('user');
    expect(provenance.files).toHaveLength(5);
    const convs: ReferenceConv[] = [];
    for (let k = 1; k <= 14; k++) {
      const stride = [1, 3, 5, 7, 13].includes(k) ? 2 : 1;
      if (k === 1)
        convs.push({
          kind: 'conv',
          stride,
          kernel: raw(`${GRAPH_PREFIX}layer1/conv/Conv2D_weights`),
          bias: raw(`${GRAPH_PREFIX}layer1/conv/Conv2D_bn_offset`).data,
        });
      else {
        convs.push({
          kind: 'depthwise',
          stride,
          kernel: raw(`${GRAPH_PREFIX}layer${k}/depthwise_conv/depthwise_weights`),
          bias: raw(`${GRAPH_PREFIX}layer${k}/depthwise_conv/depthwise_bn_offset`).data,
        });
        convs.push({
          kind: 'pointwise',
          stride: 1,
          kernel: raw(`${GRAPH_PREFIX}layer${k}/pointwise_conv/Conv2D_weights`),
          bias: raw(`${GRAPH_PREFIX}layer${k}/pointwise_conv/Conv2D_bn_offset`).data,
        });
      }
    }
    const patches = randomPatches(2, 5);
    const got = model.predict(patches);
    const want = referenceForward(patches, convs, { kernel: raw('unknown_134'), bias: raw('unknown_135') });
    expect(relL2(got.embeddings, want.embeddings)).toBeLessThan(1e-5);
    expect(relL2(got.scores, want.scores)).toBeLessThan(1e-5);
    expect(want.embeddings.norm().dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose([patches, got.embeddings, got.scores, want.embeddings, want.scores]);
    model.dispose();
  });

  function variant(
    name: string,
    edit: (json: { weightsManifest: { weights: { name: string; shape: number[] }[] }[] }) => void,
  ) {
    const out = path.join(tmp, name);
    fs.cpSync(dir, out, { recursive: true });
    const json = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
    edit(json);
    fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(json));
    return out;
  }

  it('names a missing tensor', async () => {
    const target = `${GRAPH_PREFIX}layer5/pointwise_conv/Conv2D_weights`;
    const out = variant('renamed', (j) => {
      j.weightsManifest[0].weights.find((w) => w.name === target)!.name = 'something_else';
    });
    await expectUserError(() => readGraphWeights(out), target, 'missing', '[1,1,128,256]');
  });

  it('names a tensor with the wrong shape', async () => {
    const target = `${GRAPH_PREFIX}layer2/pointwise_conv/Conv2D_weights`;
    const out = variant('reshaped', (j) => {
      j.weightsManifest[0].weights.find((w) => w.name === target)!.shape = [1, 1, 64, 32];
    });
    await expectUserError(() => readGraphWeights(out), target, '[1,1,64,32]', 'expected [1,1,32,64]');
  });

  it('names a truncated shard and a missing one', async () => {
    const cut = path.join(tmp, 'truncated');
    fs.cpSync(dir, cut, { recursive: true });
    fs.truncateSync(path.join(cut, 'group1-shard4of4.bin'), 1000);
    await expectUserError(() => readGraphWeights(cut), 'truncated', 'needs bytes');
    fs.rmSync(path.join(cut, 'group1-shard2of4.bin'));
    await expectUserError(() => readGraphWeights(cut), 'group1-shard2of4.bin');
  });

  it('says what a path is not', async () => {
    await expectUserError(readYamnetWeights(path.join(tmp, 'nowhere')), 'no such file');
    fs.mkdirSync(path.join(tmp, 'empty'), { recursive: true });
    await expectUserError(readYamnetWeights(path.join(tmp, 'empty')), 'neither model.json');
  });
});

describe('YamnetModel inference', () => {
  it('gives the same result whatever the batch size, for tensors and Patches', async () => {
    const { model } = await loadYamnet(writeGraphFixture(partialDir, path.join(tmp, 'graph-batch'), 9));
    const patches = randomPatches(5, 2);
    const a = model.embed(patches, { batchSize: 5 });
    const b = model.embed({ data: patches.dataSync() as Float32Array, numPatches: 5 }, { batchSize: 2 });
    expect(relL2(b, a)).toBeLessThan(1e-6);
    const s = model.scores(patches, { batchSize: 3 });
    expect(s.shape).toEqual([5, 521]);
    const none = model.predict({ data: new Float32Array(0), numPatches: 0 });
    expect(none.embeddings.shape).toEqual([0, 1024]);
    tf.dispose([patches, a, b, s, none.embeddings, none.scores]);
    model.dispose();
    expect(model).toBeInstanceOf(YamnetModel);
  });
});

describe('provenance', () => {
  const reconstructed = path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed');

  it.skipIf(!fs.existsSync(path.join(reconstructed, 'model.json')))(
    'tells reconstructed, official-looking and made-up graph folders apart',
    async () => {
      expect((await describeWeights(locateWeights(reconstructed))).source).toBe('reconstructed');
      // Shards 1-3 changed outside the front-end constants: genuine model.json and shard 4, unknown
      // shards 1-3 with TF's Hann window in place, i.e. what an official download looks like.
      const officialLike = path.join(tmp, 'official-like');
      fs.cpSync(reconstructed, officialLike, { recursive: true });
      for (const shard of ['group1-shard1of4.bin', 'group1-shard2of4.bin', 'group1-shard3of4.bin']) {
        const file = path.join(officialLike, shard);
        const bytes = fs.readFileSync(file);
        bytes[0] ^= 1; // the first bytes of each shard hold network weights
        fs.writeFileSync(file, bytes);
      }
      expect((await describeWeights(locateWeights(officialLike))).source).toBe('official-tfhub');
      // The generated fixture has the genuine hashes too, but no Hann window.
      const madeUp = writeGraphFixture(partialDir, path.join(tmp, 'made-up'));
      expect((await describeWeights(locateWeights(madeUp))).source).toBe('user');
    },
  );
});
