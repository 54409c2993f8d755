/**
 * YAMNet-LSTM as the training loop sees it: utterances are sequences of steps (one per 0.96 s
 * patch). A step is whatever the cache holds for the mode: the 1024-d embedding (frozen), or the
 * output of block K-1 that the trainable blocks K..14 continue from (trainFrom K / full).
 */
import { tf } from '../backend/tf';
import { getYamnetWeights, setYamnetWeights } from '../yamnet/model';
import type { YamnetWeights } from '../yamnet/weights';
import { LstmHead, type HeadOutput, type HeadSpec, type NamedWeights } from './lstm-head';
import { registerNativeTrainingKernels } from './native-kernels';
import type { ResidentSteps } from './resident-steps';
import { copyStepValues, type Sample } from './sample';

/** One utterance: `steps` consecutive step vectors of `stepSize` values each. */
export type { Sample } from './sample';

export interface SerModel {
  /** Shape of one step (e.g. [1024] or [6, 4, 512]). */
  readonly stepShape: number[];
  readonly variables: tf.Variable[];
  /**
   * Most steps (patches) one forward/backward pass may hold; a training batch with more is split
   * into passes whose gradients are summed (trainStep). Infinity when memory is no concern.
   */
  readonly maxStepsPerPass?: number;
  /**
   * Logits and last-LSTM activations of a batch; call inside tf.tidy (or tf.variableGrads).
   * `resident`: the batch's steps already on the backend (gathered instead of uploaded).
   */
  forward(batch: Sample[], training: boolean, resident?: ResidentSteps | null): HeadOutput;
  getWeights(): NamedWeights;
  setWeights(weights: NamedWeights): void;
  dispose(): void;
}

const BACKBONE_PREFIX = 'yamnet/';

/**
 * Activation values (summed layer outputs) one training pass through YAMNet blocks may hold. A
 * full fine-tuning step peaked at ~66 bytes per activation value on WASM (42 MB per patch), whose
 * heap ends at 4 GB: 24 RAVDESS utterances (165 patches) overflowed it and killed the process.
 * Native TensorFlow peaked at ~27 bytes (17 MB per patch). These bounds keep a pass near 2.6 GB
 * and 3.3 GB: 64 and 192 patches when all of YAMNet trains, hundreds from block 10 on.
 */
const PASS_ACTIVATION_VALUES: Record<string, number> = { wasm: 40e6 };
const DEFAULT_PASS_ACTIVATION_VALUES = 120e6;

/** Sum of every layer's output size for one input (what a training pass keeps per step). */
export function activationValuesPerStep(model: tf.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) {
    const shape = layer.outputShape as number[];
    total += shape.slice(1).reduce((a, b) => a * b, 1);
  }
  return total;
}

/** Steps per training pass through `backbone` on `backend` (see PASS_ACTIVATION_VALUES). */
export function stepsPerPass(backbone: tf.LayersModel, backend: string): number {
  const budget = PASS_ACTIVATION_VALUES[backend] ?? DEFAULT_PASS_ACTIVATION_VALUES;
  return Math.max(1, Math.floor(budget / activationValuesPerStep(backbone)));
}

/** [B, Tmax] mask: 1 for each utterance's steps, 0 for padding at the end. */
function maskOf(batch: Sample[], tMax: number): Float32Array {
  const mask = new Float32Array(batch.length * tMax);
  batch.forEach((s, b) => mask.fill(1, b * tMax, b * tMax + s.steps));
  return mask;
}

/** [B, Tmax, ...stepShape] zero-padded data and its [B, Tmax] mask. */
export function padBatch(
  batch: Sample[],
  stepSize: number,
): { x: Float32Array; mask: Float32Array; tMax: number } {
  const tMax = Math.max(1, ...batch.map((s) => s.steps));
  const x = new Float32Array(batch.length * tMax * stepSize);
  const mask = new Float32Array(batch.length * tMax);
  batch.forEach((s, b) => {
    copyStepValues(s.data, s.steps * stepSize, x, b * tMax * stepSize);
    mask.fill(1, b * tMax, b * tMax + s.steps);
  });
  return { x, mask, tMax };
}

export class YamnetLstm implements SerModel {
  readonly head: LstmHead;
  readonly variables: tf.Variable[];
  /** Set from the backend active at construction; tests may lower it to force split passes. */
  maxStepsPerPass: number;
  private readonly stepSize: number;

  /**
   * `backbone`: the trainable YAMNet blocks K..14 with pooling (steps are block K-1 outputs), or
   * null when steps are already embeddings (frozen mode).
   */
  constructor(
    readonly stepShape: number[],
    headSpec: Omit<HeadSpec, 'inputDim'>,
    seed: number,
    readonly backbone: tf.LayersModel | null = null,
  ) {
    registerNativeTrainingKernels();
    this.stepSize = stepShape.reduce((a, b) => a * b, 1);
    const inputDim = backbone ? (backbone.outputs[0].shape[1] as number) : this.stepSize;
    this.head = new LstmHead({ ...headSpec, inputDim }, seed);
    const backboneVars = backbone ? backbone.trainableWeights.map((w) => w.read() as tf.Variable) : [];
    this.variables = [...backboneVars, ...this.head.variables];
    this.maxStepsPerPass = backbone ? stepsPerPass(backbone, tf.getBackend()) : Infinity;
  }

  forward(batch: Sample[], training: boolean, resident?: ResidentSteps | null): HeadOutput {
    if (resident?.holds(batch)) return this.forwardResident(batch, training, resident);
    const b = batch.length;
    if (!this.backbone) {
      const { x, mask, tMax } = padBatch(batch, this.stepSize);
      return this.head.apply(tf.tensor3d(x, [b, tMax, this.stepSize]), tf.tensor2d(mask, [b, tMax]));
    }
    // Only real steps go through the CNN; a constant 0/1 selection matrix then places each
    // embedding at its (utterance, step) slot and leaves padded slots zero. A matrix product
    // rather than a gather: its gradient runs on every backend (WASM has no UnsortedSegmentSum).
    const total = batch.reduce((n, s) => n + s.steps, 0);
    const all = new Float32Array(total * this.stepSize);
    const tMax = Math.max(1, ...batch.map((s) => s.steps));
    const select = new Float32Array(b * tMax * total);
    const mask = maskOf(batch, tMax);
    let offset = 0;
    batch.forEach((s, i) => {
      copyStepValues(s.data, s.steps * this.stepSize, all, offset * this.stepSize);
      for (let t = 0; t < s.steps; t++) select[(i * tMax + t) * total + offset + t] = 1;
      offset += s.steps;
    });
    const emb = this.backbone.apply(tf.tensor(all, [total, ...this.stepShape]), { training }) as tf.Tensor2D;
    const dim = emb.shape[1];
    const seq = tf.matMul(tf.tensor2d(select, [b * tMax, total]), emb).reshape([b, tMax, dim]) as tf.Tensor3D;
    // The head must pass its gradient back to the backbone (on WASM it otherwise skips it).
    return this.head.apply(seq, tf.tensor2d(mask, [b, tMax]), { inputGrad: true });
  }

  /** The same computation from steps held on the backend: gathers, no upload (native backend). */
  private forwardResident(batch: Sample[], training: boolean, resident: ResidentSteps): HeadOutput {
    const b = batch.length;
    const tMax = Math.max(1, ...batch.map((s) => s.steps));
    const mask = tf.tensor2d(maskOf(batch, tMax), [b, tMax]);
    if (!this.backbone) {
      const rows = tf.tensor1d(resident.paddedRows(batch, tMax), 'int32');
      const x = tf.gather(resident.table, rows).reshape([b, tMax, this.stepSize]) as tf.Tensor3D;
      return this.head.apply(x, mask);
    }
    const real = tf.tensor1d(resident.realRows(batch), 'int32');
    const input = tf.gather(resident.table, real).reshape([real.shape[0], ...this.stepShape]);
    const emb = this.backbone.apply(input, { training }) as tf.Tensor2D;
    // Embeddings to their (utterance, step) slots: one more gather, from emb plus a zero row.
    const slots = new Int32Array(b * tMax).fill(real.shape[0]);
    let at = 0;
    batch.forEach((s, i) => {
      for (let t = 0; t < s.steps; t++) slots[i * tMax + t] = at++;
    });
    const padded = tf.concat([emb, tf.zeros([1, emb.shape[1]])]);
    const seq = tf.gather(padded, tf.tensor1d(slots, 'int32')).reshape([b, tMax, emb.shape[1]]);
    return this.head.apply(seq as tf.Tensor3D, mask, { inputGrad: true });
  }

  getWeights(): NamedWeights {
    const out = this.head.getWeights();
    if (this.backbone) {
      for (const [name, w] of getYamnetWeights(this.backbone))
        out[BACKBONE_PREFIX + name] = { shape: [...w.shape], data: w.data };
    }
    return out;
  }

  setWeights(weights: NamedWeights): void {
    this.head.setWeights(weights);
    if (this.backbone) {
      const map: YamnetWeights = new Map();
      for (const [name, w] of Object.entries(weights)) {
        if (name.startsWith(BACKBONE_PREFIX))
          map.set(name.slice(BACKBONE_PREFIX.length), { shape: w.shape, data: w.data });
      }
      setYamnetWeights(this.backbone, map);
    }
  }

  dispose(): void {
    this.head.dispose();
    this.backbone?.dispose();
  }
}
