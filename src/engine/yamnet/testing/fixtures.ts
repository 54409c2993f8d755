/**
 * Test fixtures for the weight loaders: seeded YAMNet-shaped values in the unfolded Keras form
 * (kernels + BN beta/mean/variance), writers for a Keras-layout yamnet.h5 and for a TF Hub graph
 * folder, and an independent forward pass with tf ops (BN applied explicitly, not folded) that the
 * loaded layers model must agree with.
 */
import h5wasm from 'h5wasm/node';
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../../backend/tf';
import { mulberry32 } from '../../util/random';
import { BN_EPSILON, EMBEDDING_SIZE, NUM_CLASSES, PATCH_SHAPE, YAMNET_LAYERS } from '../layers';

/** n seeded 96×64 patches with values where log-mels of real speech lie, roughly [-7, 3]. */
export function randomPatches(n: number, seed: number): tf.Tensor3D {
  const rand = mulberry32(seed);
  return tf.tensor3d(
    Float32Array.from({ length: n * PATCH_SHAPE[0] * PATCH_SHAPE[1] }, () => -7 + 10 * rand()),
    [n, PATCH_SHAPE[0], PATCH_SHAPE[1]],
  );
}

function uniform(rand: () => number, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export interface BatchNormValues {
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
}

/** One conv of the Keras model: its kernel and the BN after it. */
export interface KerasConv {
  layer: string;
  kind: 'conv' | 'depthwise' | 'pointwise';
  stride: number;
  kernel: Tensor;
  bn: BatchNormValues;
}

export interface KerasYamnet {
  convs: KerasConv[];
  logits: { kernel: Tensor; bias: Tensor };
}

/** Seeded values with YAMNet's shapes; scales keep activations O(1) through 14 blocks. */
export function kerasYamnetValues(seed = 1): KerasYamnet {
  const rand = mulberry32(seed);
  const bn = (c: number): BatchNormValues => ({
    beta: uniform(rand, c, -0.1, 0.3),
    mean: uniform(rand, c, -0.2, 0.2),
    variance: uniform(rand, c, 0.5, 1.5),
  });
  const kernel = (shape: number[], fanIn: number): Tensor => {
    const a = Math.sqrt(6 / fanIn);
    return {
      shape,
      data: uniform(
        rand,
        shape.reduce((x, y) => x * y, 1),
        -a,
        a,
      ),
    };
  };
  const convs: KerasConv[] = [];
  for (const l of YAMNET_LAYERS) {
    const c = l.inputShape[2];
    if (l.type === 'conv')
      convs.push({
        layer: `${l.name}/conv`,
        kind: 'conv',
        stride: l.stride,
        kernel: kernel([3, 3, c, l.filters], 9 * c),
        bn: bn(l.filters),
      });
    else {
      convs.push({
        layer: `${l.name}/depthwise_conv`,
        kind: 'depthwise',
        stride: l.stride,
        kernel: kernel([3, 3, c, 1], 9),
        bn: bn(c),
      });
      convs.push({
        layer: `${l.name}/pointwise_conv`,
        kind: 'pointwise',
        stride: 1,
        kernel: kernel([1, 1, c, l.filters], c),
        bn: bn(l.filters),
      });
    }
  }
  return {
    convs,
    logits: {
      kernel: kernel([EMBEDDING_SIZE, NUM_CLASSES], EMBEDDING_SIZE),
      bias: { shape: [NUM_CLASSES], data: uniform(rand, NUM_CLASSES, -1, 0) },
    },
  };
}

export interface H5WriteOptions {
  /** Datasets to leave out (Keras weight names such as `layer7/depthwise_conv/bn/moving_variance`). */
  omit?: string[];
  /** Shape overrides by Keras weight name (the values are written with that shape). */
  reshape?: Record<string, number[]>;
}

/**
 * Writes `values` as Keras 2 `save_weights` does for yamnet.py's layer names: a group per layer
 * (names containing '/' nest), datasets named `<layer>/<weight>:0`, and the `layer_names` /
 * `weight_names` attributes. The unnamed logits layer is Keras' default `dense`.
 */
export async function writeKerasH5(
  file: string,
  values: KerasYamnet,
  opts: H5WriteOptions = {},
): Promise<void> {
  await h5wasm.ready;
  const h5 = new h5wasm.File(file, 'w');
  try {
    const layerNames: string[] = [];
    // HDF5 does not create intermediate groups, and Keras layer names nest ('layer1/conv/bn').
    const ensureGroup = (p: string): InstanceType<typeof h5wasm.Group> => {
      let group: InstanceType<typeof h5wasm.Group> = h5;
      for (const seg of p.split('/')) {
        const next = group.get(seg);
        group = next instanceof h5wasm.Group ? next : group.create_group(seg);
      }
      return group;
    };
    const put = (layer: string, weights: [string, Tensor][]) => {
      const group = ensureGroup(layer);
      layerNames.push(layer);
      const names: string[] = [];
      for (const [w, t] of weights) {
        const key = `${layer}/${w}`;
        if (opts.omit?.includes(key)) continue;
        // The dataset name holds '/' too: its leading segments are groups inside the layer's group.
        ensureGroup(`${layer}/${layer}`).create_dataset({
          name: `${w}:0`,
          data: t.data,
          shape: opts.reshape?.[key] ?? t.shape,
          dtype: '<f',
        });
        names.push(`${key}:0`);
      }
      group.create_attribute('weight_names', names);
    };
    for (const c of values.convs) {
      const kernelName = c.kind === 'depthwise' ? 'depthwise_kernel' : 'kernel';
      put(c.layer, [[kernelName, c.kernel]]);
      const n = c.bn.beta.length;
      put(`${c.layer}/bn`, [
        ['beta', { shape: [n], data: c.bn.beta }],
        ['moving_mean', { shape: [n], data: c.bn.mean }],
        ['moving_variance', { shape: [n], data: c.bn.variance }],
      ]);
    }
    put('dense', [
      ['kernel', values.logits.kernel],
      ['bias', values.logits.bias],
    ]);
    h5.create_attribute('layer_names', layerNames);
    h5.create_attribute('backend', 'tensorflow');
    h5.create_attribute('keras_version', '2.4.0');
  } finally {
    h5.close();
  }
}

export interface ReferenceConv {
  kind: 'conv' | 'depthwise' | 'pointwise';
  stride: number;
  kernel: Tensor;
  /** Folded form: y = conv + bias. */
  bias?: Float32Array;
  /** Keras form: y = (conv − mean)/√(var + ε) + β. */
  bn?: BatchNormValues;
}

/**
 * YAMNet computed op by op with tf.conv2d / tf.depthwiseConv2d ('same'), BN applied as written
 * (not folded) when given, ReLU, mean over H and W, dense + sigmoid. No tfjs-layers involved.
 */
export function referenceForward(
  patches: tf.Tensor3D,
  convs: ReferenceConv[],
  logits: { kernel: Tensor; bias: Tensor },
): { embeddings: tf.Tensor2D; scores: tf.Tensor2D } {
  return tf.tidy(() => {
    let x: tf.Tensor4D = patches.expandDims(3) as tf.Tensor4D;
    for (const c of convs) {
      const k = tf.tensor4d(c.kernel.data, c.kernel.shape as [number, number, number, number]);
      let y: tf.Tensor4D =
        c.kind === 'depthwise'
          ? tf.depthwiseConv2d(x, k, c.stride as 1 | 2, 'same')
          : tf.conv2d(x, k, c.stride as 1 | 2, 'same');
      if (c.bn) {
        const mean = tf.tensor1d(c.bn.mean);
        const scale = tf.tensor1d(c.bn.variance).add(BN_EPSILON).sqrt();
        y = y.sub(mean).div(scale).add(tf.tensor1d(c.bn.beta));
      } else if (c.bias) y = y.add(tf.tensor1d(c.bias));
      x = tf.relu(y);
    }
    const embeddings = x.mean([1, 2]) as tf.Tensor2D;
    const scores = tf.sigmoid(
      embeddings
        .matMul(tf.tensor2d(logits.kernel.data, logits.kernel.shape as [number, number]))
        .add(tf.tensor1d(logits.bias.data)),
    ) as tf.Tensor2D;
    return { embeddings, scores };
  });
}

/** Manifest entries of a tfjs graph model.json with their byte offsets in the shard stream. */
export function manifestOffsets(modelJson: {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}): { name: string; shape: number[]; dtype: string; offset: number; bytes: number }[] {
  let offset = 0;
  return modelJson.weightsManifest[0].weights.map((w) => {
    const bytes = 4 * w.shape.reduce((a, b) => a * b, 1);
    const entry = { ...w, offset, bytes };
    offset += bytes;
    return entry;
  });
}

/**
 * A TF Hub layout folder from the genuine model.json and shard 4 (`partialDir`), with shards 1–3
 * generated: every entry wholly or partly before shard 4 gets seeded values (float32: uniform in
 * ±√(3/fan-in) for kernels, small offsets for 1-d tensors; int32: zeros). Returns the folder.
 */
export function writeGraphFixture(partialDir: string, outDir: string, seed = 7): string {
  const modelJson = JSON.parse(fs.readFileSync(path.join(partialDir, 'model.json'), 'utf8'));
  const paths: string[] = modelJson.weightsManifest[0].paths;
  const shard4 = fs.readFileSync(path.join(partialDir, paths[3]));
  const entries = manifestOffsets(modelJson);
  const total = entries.reduce((a, e) => a + e.bytes, 0);
  const generatedBytes = total - shard4.length;
  const all = Buffer.alloc(total);
  const rand = mulberry32(seed);
  for (const e of entries) {
    if (e.offset >= generatedBytes) continue;
    const n = e.bytes / 4;
    const fanIn =
      e.shape.length === 4
        ? e.shape[0] * e.shape[1] * (e.shape[3] === 1 ? 1 : e.shape[2])
        : (e.shape[0] ?? 1);
    const a = e.shape.length > 1 ? Math.sqrt(3 / fanIn) : 0.1;
    for (let i = 0; i < n; i++) {
      const at = e.offset + 4 * i;
      if (at >= generatedBytes) break;
      if (e.dtype === 'float32') all.writeFloatLE(-a + 2 * a * rand(), at);
      else all.writeInt32LE(0, at);
    }
  }
  shard4.copy(all, generatedBytes);
  fs.mkdirSync(outDir, { recursive: true });
  fs.copyFileSync(path.join(partialDir, 'model.json'), path.join(outDir, 'model.json'));
  let at = 0;
  for (const p of paths) {
    const size = p === paths[3] ? shard4.length : 4 * 1024 * 1024;
    fs.writeFileSync(path.join(outDir, p), all.subarray(at, at + size));
    at += size;
  }
  return outDir;
}
