/**
 * The Keras weights file `yamnet.h5` published with tensorflow/models research/audioset/yamnet,
 * read with h5wasm and folded into the canonical (TF Hub-like) form.
 *
 * Assumed layout (Keras 2 `save_weights`, derived from yamnet.py; the official file could not be
 * inspected): one HDF5 group per layer, named by the layer, holding datasets named by the full
 * weight name with a `:0` suffix. Layer names contain '/', so they nest, e.g.
 *   /layer1/conv/layer1/conv/kernel:0                      [3,3,1,32]
 *   /layer1/conv/bn/layer1/conv/bn/beta:0                  [32]  (also moving_mean, moving_variance)
 *   /layer2/depthwise_conv/layer2/depthwise_conv/depthwise_kernel:0   [3,3,32,1]
 *   /layer2/pointwise_conv/layer2/pointwise_conv/kernel:0  [1,1,32,64]
 *   /dense/dense/kernel:0 [1024,521], /dense/dense/bias:0 [521]   (the logits layer has no name)
 * To be robust to other nestings (a whole-model save under /model_weights, no `:0`), each weight
 * is found as the one dataset whose path, without `:0`, ends in `<layer name>/<weight>` at a
 * segment boundary; the logits layer is the `kernel`/`bias` under a segment named `dense*` or `logits`.
 *
 * Batch norm folding. The Keras block computes, per output channel c, with s_c = 1/√(var_c + ε)
 * (ε = 1e-4, no gamma since scale=False; a gamma, if present, multiplies s_c):
 *   y = ReLU((conv(x, W)_c − mean_c)·s_c + β_c) = ReLU(conv(x, W·s)_c + (β_c − mean_c·s_c))
 * so the folded kernel scales W's output-channel axis by s (the last axis of conv and pointwise
 * kernels; axis 2, the channel, of depthwise kernels [3,3,C,1]) and the bias is β − mean·s. This is
 * the same function in inference mode, and it stays fine-tunable (kernel and bias are trained;
 * the BN statistics stay frozen inside them, as fine-tuning with BN in inference mode does).
 */
import h5wasm from 'h5wasm/node';
import fs from 'node:fs';
import { FileError, UserError } from '../util/errors';
import { BN_EPSILON, YAMNET_LAYERS } from './layers';
import { checkWeights, formatShape, sameShape, type WeightTensor, type YamnetWeights } from './weights';

interface H5Tensor {
  path: string;
  shape: number[];
  data: Float32Array;
}

function toFloat32(value: unknown, where: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (
    value instanceof Float64Array ||
    value instanceof Int32Array ||
    value instanceof Uint8Array ||
    value instanceof Int16Array
  )
    return Float32Array.from(value);
  throw new UserError(`${where}: dataset is not numeric`);
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The HDF5 signature sits at byte 0, or after a user block of 512 · 2^k bytes. */
function isHdf5(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new FileError(file, `cannot read: ${(err as NodeJS.ErrnoException).code}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      fs.readSync(fd, buf, 0, 8, at);
      if (buf.equals(HDF5_SIGNATURE)) return true;
      if (at >= 1 << 20) break;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** Every dataset of an HDF5 file, with its path normalised (no leading '/', no ':0'). */
async function readDatasets(file: string): Promise<Map<string, H5Tensor>> {
  if (!isHdf5(file)) throw new FileError(file, 'not an HDF5 file (no HDF5 signature)');
  await h5wasm.ready;
  let h5: InstanceType<typeof h5wasm.File>;
  try {
    h5 = new h5wasm.File(file, 'r');
  } catch (err) {
    throw new FileError(file, `cannot open as HDF5 (${(err as Error).message})`);
  }
  const out = new Map<string, H5Tensor>();
  try {
    const walk = (group: InstanceType<typeof h5wasm.Group>, prefix: string) => {
      for (const key of group.keys()) {
        const entity = group.get(key);
        const p = prefix ? `${prefix}/${key}` : key;
        if (entity instanceof h5wasm.Group) walk(entity, p);
        else if (entity instanceof h5wasm.Dataset) {
          const norm = p.replace(/:\d+$/, '');
          out.set(norm, {
            path: '/' + p,
            shape: entity.shape ?? [],
            data: toFloat32(entity.value, `${file}:/${p}`),
          });
        }
      }
    };
    walk(h5, '');
  } finally {
    h5.close();
  }
  if (out.size === 0) throw new FileError(file, 'holds no datasets');
  return out;
}

function findBySuffix(datasets: Map<string, H5Tensor>, key: string): H5Tensor | undefined {
  const hits = [...datasets.entries()].filter(([p]) => p === key || p.endsWith('/' + key)).map(([, t]) => t);
  if (hits.length > 1)
    throw new UserError(`weight '${key}' is ambiguous: ${hits.map((h) => h.path).join(', ')}`);
  return hits[0];
}

function findLogits(datasets: Map<string, H5Tensor>, kind: 'kernel' | 'bias'): H5Tensor | undefined {
  const hits = [...datasets.entries()]
    .filter(([p]) => {
      const seg = p.split('/');
      return seg[seg.length - 1] === kind && /^(dense(_\d+)?|logits)$/.test(seg[seg.length - 2] ?? '');
    })
    .map(([, t]) => t);
  if (hits.length > 1)
    throw new UserError(`the logits ${kind} is ambiguous: ${hits.map((h) => h.path).join(', ')}`);
  return hits[0];
}

/** Folds BN statistics into a kernel whose output channel is axis `channelAxis`. */
export function foldBatchNorm(
  kernel: WeightTensor,
  channelAxis: number,
  bn: { beta: Float32Array; mean: Float32Array; variance: Float32Array; gamma?: Float32Array },
  epsilon = BN_EPSILON,
): { kernel: WeightTensor; bias: WeightTensor } {
  const channels = kernel.shape[channelAxis];
  const scale = new Float64Array(channels);
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (bn.gamma ? bn.gamma[c] : 1) / Math.sqrt(bn.variance[c] + epsilon);
    bias[c] = bn.beta[c] - bn.mean[c] * scale[c];
  }
  // Elements along the channel axis repeat every `inner` values (row-major).
  const inner = kernel.shape.slice(channelAxis + 1).reduce((a, b) => a * b, 1);
  const data = new Float32Array(kernel.data.length);
  for (let i = 0; i < data.length; i++) data[i] = kernel.data[i] * scale[Math.floor(i / inner) % channels];
  return { kernel: { shape: kernel.shape.slice(), data }, bias: { shape: [channels], data: bias } };
}

/** YAMNet weights from a Keras `yamnet.h5`, every tensor found by name, shape-checked and BN-folded. */
export async function readKerasH5Weights(file: string): Promise<YamnetWeights> {
  const datasets = await readDatasets(file);
  const missing: string[] = [];
  const get = (key: string, shape: number[]): H5Tensor | undefined => {
    const t = findBySuffix(datasets, key);
    if (!t) missing.push(`tensor '${key}' is missing (expected shape ${formatShape(shape)})`);
    else if (!sameShape(t.shape, shape))
      missing.push(
        `tensor '${key}' (${t.path}) has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}`,
      );
    else return t;
    return undefined;
  };
  const weights: YamnetWeights = new Map();
  const conv = (layer: string, kernelKey: string, shape: number[], channelAxis: number, out: string) => {
    const channels = shape[channelAxis];
    const kernel = get(`${layer}/${kernelKey}`, shape);
    const beta = get(`${layer}/bn/beta`, [channels]);
    const mean = get(`${layer}/bn/moving_mean`, [channels]);
    const variance = get(`${layer}/bn/moving_variance`, [channels]);
    const gamma = findBySuffix(datasets, `${layer}/bn/gamma`);
    if (!kernel || !beta || !mean || !variance) return;
    const folded = foldBatchNorm(kernel, channelAxis, {
      beta: beta.data,
      mean: mean.data,
      variance: variance.data,
      gamma: gamma?.data,
    });
    weights.set(`${layer}/${out}`, folded.kernel);
    weights.set(`${layer}/bias`, folded.bias);
  };
  for (const l of YAMNET_LAYERS) {
    const c = l.inputShape[2];
    if (l.type === 'conv') conv(`${l.name}/conv`, 'kernel', [3, 3, c, l.filters], 3, 'kernel');
    else {
      conv(`${l.name}/depthwise_conv`, 'depthwise_kernel', [3, 3, c, 1], 2, 'depthwise_kernel');
      conv(`${l.name}/pointwise_conv`, 'kernel', [1, 1, c, l.filters], 3, 'kernel');
    }
  }
  const kernel = findLogits(datasets, 'kernel');
  const bias = findLogits(datasets, 'bias');
  if (!kernel)
    missing.push(`tensor 'dense/kernel' (the logits layer) is missing (expected shape [1024,521])`);
  else weights.set('logits/kernel', { shape: kernel.shape, data: kernel.data });
  if (!bias) missing.push(`tensor 'dense/bias' (the logits layer) is missing (expected shape [521])`);
  else weights.set('logits/bias', { shape: bias.shape, data: bias.data });
  if (missing.length) {
    const more = missing.length > 5 ? ` (and ${missing.length - 5} more)` : '';
    throw new UserError(`${file}: not usable YAMNet weights: ${missing.slice(0, 5).join('; ')}${more}`);
  }
  checkWeights(weights, file, (n) => (n.startsWith('logits/') ? n.replace('logits/', 'dense/') : n));
  return weights;
}
