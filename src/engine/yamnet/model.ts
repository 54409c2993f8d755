/**
 * YAMNet as a trainable tfjs-layers model, built block by block so that it can be split: blocks
 * 1..K-1 run once (frozen, their output cached) and blocks K..14 (+ pooling, + an LSTM head
 * elsewhere) are fine-tuned. `buildYamnet({ to: K - 1 })` composed with `buildYamnet({ from: K })`
 * computes the whole network.
 *
 * Each block is conv (with bias = folded batch-norm offset) → ReLU; separable blocks are a 3×3
 * depthwise conv → ReLU → 1×1 pointwise conv → ReLU. Padding is TensorFlow's "same", which for
 * stride 2 on even sizes pads 0 before and 1 after (tfjs 'same' computes it the same way; the
 * tests check this against an explicit pad).
 */
import { tf } from '../backend/tf';
import { UserError } from '../util/errors';
import {
  blockInputShape,
  EMBEDDING_SIZE,
  NUM_BLOCKS,
  NUM_CLASSES,
  PATCH_SHAPE,
  YAMNET_LAYERS,
} from './layers';
import { registerWasmTrainingKernels } from './wasm-gradients';
import { blockLayerNames, LOGITS_LAYER, type WeightTensor, type YamnetWeights } from './weights';

export const EMBEDDING_LAYER = 'embedding';

export interface BuildOptions {
  /** First block, 1..14 (default 1). Block 1 takes patches [N, 96, 64]; others [N, H, W, C]. */
  from?: number;
  /** Last block, from..14 (default 14). */
  to?: number;
  /** Global average pooling to the 1024-d embedding (default: when `to` is 14). */
  pool?: boolean;
  /** The 521-class dense + sigmoid head (default false; needs `to` 14 and pooling). */
  head?: boolean;
  /** Values for every layer built (canonical names); layers keep their random init without. */
  weights?: YamnetWeights;
  /** Whether the built layers are trainable (default true). */
  trainable?: boolean;
  /** Model name (default `yamnet_<from>_<to>`). */
  name?: string;
}

function resolveRange(opts: BuildOptions): { from: number; to: number; pool: boolean; head: boolean } {
  const from = opts.from ?? 1;
  const to = opts.to ?? NUM_BLOCKS;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to > NUM_BLOCKS || from > to)
    throw new UserError(
      `YAMNet blocks must satisfy 1 <= from <= to <= ${NUM_BLOCKS}; got from=${from}, to=${to}`,
    );
  const pool = opts.pool ?? to === NUM_BLOCKS;
  const head = opts.head ?? false;
  if (head && (to !== NUM_BLOCKS || !pool))
    throw new UserError('the YAMNet classifier head needs blocks up to 14 and pooling');
  return { from, to, pool, head };
}

/** Input shape of a model starting at block `from` (per example, no batch dimension). */
export function modelInputShape(from: number): number[] {
  return from === 1 ? [PATCH_SHAPE[0], PATCH_SHAPE[1]] : blockInputShape(from);
}

/** Builds blocks `from..to` (and optionally pooling and the classifier head) as a tf.LayersModel. */
export function buildYamnet(opts: BuildOptions = {}): tf.LayersModel {
  const { from, to, pool, head } = resolveRange(opts);
  const trainable = opts.trainable ?? true;
  // tfjs-backend-wasm lacks some conv gradient kernels; without them training fails there.
  if (trainable) registerWasmTrainingKernels();
  const input = tf.input({
    shape: modelInputShape(from),
    name: from === 1 ? 'patches' : `layer${from}_input`,
  });
  let x: tf.SymbolicTensor = input;
  if (from === 1)
    x = tf.layers
      .reshape({ targetShape: [...PATCH_SHAPE], name: 'patch_channel' })
      .apply(x) as tf.SymbolicTensor;
  for (let k = from; k <= to; k++) {
    const l = YAMNET_LAYERS[k - 1];
    const [first, second] = blockLayerNames(k);
    if (l.type === 'conv') {
      x = tf.layers
        .conv2d({
          name: first,
          filters: l.filters,
          kernelSize: 3,
          strides: l.stride,
          padding: 'same',
          activation: 'relu',
          trainable,
        })
        .apply(x) as tf.SymbolicTensor;
    } else {
      x = tf.layers
        .depthwiseConv2d({
          name: first,
          kernelSize: 3,
          strides: l.stride,
          depthMultiplier: 1,
          padding: 'same',
          activation: 'relu',
          trainable,
        })
        .apply(x) as tf.SymbolicTensor;
      x = tf.layers
        .conv2d({
          name: second,
          filters: l.filters,
          kernelSize: 1,
          strides: 1,
          padding: 'same',
          activation: 'relu',
          trainable,
        })
        .apply(x) as tf.SymbolicTensor;
    }
  }
  if (pool) x = tf.layers.globalAveragePooling2d({ name: EMBEDDING_LAYER }).apply(x) as tf.SymbolicTensor;
  if (head)
    x = tf.layers
      .dense({ name: LOGITS_LAYER, units: NUM_CLASSES, activation: 'sigmoid', trainable })
      .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x, name: opts.name ?? `yamnet_${from}_${to}` });
  if (opts.weights) setYamnetWeights(model, opts.weights);
  return model;
}

/** Layers of a built model that hold YAMNet weights (a kernel and a bias each). */
function weightedLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter(
    (l) => /^layer\d+\/(conv|depthwise_conv|pointwise_conv)$/.test(l.name) || l.name === LOGITS_LAYER,
  );
}

function kernelName(layer: string): string {
  return layer.endsWith('/depthwise_conv') ? `${layer}/depthwise_kernel` : `${layer}/kernel`;
}

/** Fills every YAMNet layer of `model` from canonical weights (shapes checked by tfjs). */
export function setYamnetWeights(model: tf.LayersModel, weights: YamnetWeights): void {
  for (const layer of weightedLayers(model)) {
    const names = [kernelName(layer.name), `${layer.name}/bias`];
    const values = names.map((n) => {
      const w = weights.get(n);
      if (!w) throw new UserError(`YAMNet weights have no tensor '${n}'`);
      return tf.tensor(w.data, w.shape, 'float32');
    });
    try {
      layer.setWeights(values);
    } finally {
      tf.dispose(values);
    }
  }
}

/** Reads the current values of every YAMNet layer in `model` (e.g. after fine-tuning). */
export function getYamnetWeights(model: tf.LayersModel): YamnetWeights {
  const out: YamnetWeights = new Map();
  for (const layer of weightedLayers(model)) {
    const [kernel, bias] = layer.getWeights();
    out.set(kernelName(layer.name), { shape: kernel.shape, data: kernel.dataSync() as Float32Array });
    out.set(`${layer.name}/bias`, { shape: bias.shape, data: bias.dataSync() as Float32Array });
  }
  return out;
}

/** Log-mel patches: a tensor [N, 96, 64] or the front end's `Patches` ({ data, numPatches }). */
export type PatchesInput = tf.Tensor | { data: Float32Array; numPatches: number };

export interface InferenceOptions {
  /** Patches per forward pass; bounds the activation memory (default 32). */
  batchSize?: number;
}

const PATCH_VALUES = PATCH_SHAPE[0] * PATCH_SHAPE[1];

function numPatches(patches: PatchesInput): number {
  return patches instanceof tf.Tensor ? patches.shape[0] : patches.numPatches;
}

function patchBatch(patches: PatchesInput, start: number, end: number): tf.Tensor {
  if (patches instanceof tf.Tensor) {
    const rest = patches.shape.slice(1);
    return patches
      .slice([start, ...rest.map(() => 0)], [end - start, ...rest])
      .reshape([end - start, ...PATCH_SHAPE.slice(0, 2)]);
  }
  return tf.tensor3d(patches.data.subarray(start * PATCH_VALUES, end * PATCH_VALUES), [
    end - start,
    PATCH_SHAPE[0],
    PATCH_SHAPE[1],
  ]);
}

/**
 * Pretrained (or random) YAMNet ready for inference, and the source of split models for
 * training. Holds one model with both outputs: the embedding and the 521 scores.
 */
export class YamnetModel {
  /** Patches [N, 96, 64] → [embeddings [N, 1024], scores [N, 521]]. */
  readonly network: tf.LayersModel;

  constructor(readonly weights: YamnetWeights) {
    const full = buildYamnet({ head: true, weights, trainable: false, name: 'yamnet' });
    this.network = tf.model({
      inputs: full.inputs,
      outputs: [full.getLayer(EMBEDDING_LAYER).output as tf.SymbolicTensor, full.outputs[0]],
      name: 'yamnet_outputs',
    });
  }

  /** A fresh model for blocks `from..to` with these weights (independent variables; trainable). */
  build(opts: Omit<BuildOptions, 'weights'> = {}): tf.LayersModel {
    return buildYamnet({ ...opts, weights: this.weights });
  }

  /** Embeddings [N, 1024] and scores [N, 521] in one pass, batched. */
  predict(
    patches: PatchesInput,
    opts: InferenceOptions = {},
  ): { embeddings: tf.Tensor2D; scores: tf.Tensor2D } {
    const n = numPatches(patches);
    const batch = Math.max(1, opts.batchSize ?? 32);
    if (n === 0) return { embeddings: tf.zeros([0, EMBEDDING_SIZE]), scores: tf.zeros([0, NUM_CLASSES]) };
    const embeddings: tf.Tensor[] = [];
    const scores: tf.Tensor[] = [];
    for (let start = 0; start < n; start += batch) {
      const [e, s] = tf.tidy(
        () => this.network.predict(patchBatch(patches, start, Math.min(n, start + batch))) as tf.Tensor[],
      );
      embeddings.push(e);
      scores.push(s);
    }
    const out = {
      embeddings: (embeddings.length === 1 ? embeddings[0] : tf.concat(embeddings)) as tf.Tensor2D,
      scores: (scores.length === 1 ? scores[0] : tf.concat(scores)) as tf.Tensor2D,
    };
    if (embeddings.length > 1) tf.dispose([...embeddings, ...scores]);
    return out;
  }

  /** 1024-d embeddings [N, 1024] (global average of block 14), batched. */
  embed(patches: PatchesInput, opts: InferenceOptions = {}): tf.Tensor2D {
    const { embeddings, scores } = this.predict(patches, opts);
    scores.dispose();
    return embeddings;
  }

  /** Independent per-class sigmoid scores [N, 521], batched. */
  scores(patches: PatchesInput, opts: InferenceOptions = {}): tf.Tensor2D {
    const { embeddings, scores } = this.predict(patches, opts);
    embeddings.dispose();
    return scores;
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** A YAMNet with freshly initialised (Glorot uniform kernels, zero biases) weights. */
export function randomYamnetWeights(): YamnetWeights {
  const model = buildYamnet({ head: true });
  try {
    return getYamnetWeights(model);
  } finally {
    model.dispose();
  }
}

export type { WeightTensor };
