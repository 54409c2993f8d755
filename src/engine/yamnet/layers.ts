/**
 * YAMNet's network as data: the MobileNet-v1 layer table of tensorflow/models
 * research/audioset/yamnet (yamnet.py `_YAMNET_LAYER_DEFS`), with the shapes each block produces
 * for one 96×64 log-mel patch. Blocks are numbered 1..14 as upstream names them (`layer1`..`layer14`).
 *
 * | block   | type      | stride | out ch | output (H×W×C) | params (folded: kernels + biases) |
 * |---------|-----------|--------|--------|----------------|-----------------------------------|
 * | layer1  | conv 3×3  | 2      | 32     | 48×32×32       | 320                               |
 * | layer2  | separable | 1      | 64     | 48×32×64       | 2,432                             |
 * | layer3  | separable | 2      | 128    | 24×16×128      | 8,960                             |
 * | layer4  | separable | 1      | 128    | 24×16×128      | 17,920                            |
 * | layer5  | separable | 2      | 256    | 12×8×256       | 34,432                            |
 * | layer6  | separable | 1      | 256    | 12×8×256       | 68,352                            |
 * | layer7  | separable | 2      | 512    | 6×4×512        | 134,400                           |
 * | layer8..12 | separable | 1   | 512    | 6×4×512        | 267,776 each                      |
 * | layer13 | separable | 2      | 1024   | 3×2×1024       | 529,920                           |
 * | layer14 | separable | 1      | 1024   | 3×2×1024       | 1,059,840                         |
 * | pool    | global average |   |        | 1024 (embedding) | 0                               |
 * | logits  | dense + sigmoid |  |        | 521 (scores)   | 534,025                           |
 *
 * Total 3,729,481 parameters, the count of the TF Hub graph's folded weights.
 */
import { PAPER_DEFAULTS } from '@shared/paper-defaults';

/** Input of the network: one log-mel patch, 96 frames × 64 mel bands × 1 channel. */
export const PATCH_SHAPE = [
  PAPER_DEFAULTS.frontEnd.patchFrames,
  PAPER_DEFAULTS.frontEnd.melBands,
  1,
] as const;
export const EMBEDDING_SIZE = 1024;
export const NUM_CLASSES = 521;
/** Batch norm epsilon of the Keras model (yamnet.py params: batchnorm_epsilon). */
export const BN_EPSILON = 1e-4;

export type BlockType = 'conv' | 'separable';

export interface YamnetLayer {
  /** 1..14. */
  block: number;
  /** Upstream name, `layer1`..`layer14`. */
  name: string;
  type: BlockType;
  stride: 1 | 2;
  /** Output channels. */
  filters: number;
  /** Input shape [H, W, C] for one patch. */
  inputShape: [number, number, number];
  /** Output shape [H, W, C] for one patch. */
  outputShape: [number, number, number];
  /** Trainable values in the folded form (kernels + per-channel biases). */
  params: number;
}

const DEFS: [BlockType, 1 | 2, number][] = [
  ['conv', 2, 32],
  ['separable', 1, 64],
  ['separable', 2, 128],
  ['separable', 1, 128],
  ['separable', 2, 256],
  ['separable', 1, 256],
  ['separable', 2, 512],
  ['separable', 1, 512],
  ['separable', 1, 512],
  ['separable', 1, 512],
  ['separable', 1, 512],
  ['separable', 1, 512],
  ['separable', 2, 1024],
  ['separable', 1, 1024],
];

function buildTable(): YamnetLayer[] {
  const table: YamnetLayer[] = [];
  let shape: [number, number, number] = [PATCH_SHAPE[0], PATCH_SHAPE[1], PATCH_SHAPE[2]];
  DEFS.forEach(([type, stride, filters], i) => {
    const inC = shape[2];
    // TF "same" padding: output = ceil(input / stride).
    const out: [number, number, number] = [
      Math.ceil(shape[0] / stride),
      Math.ceil(shape[1] / stride),
      filters,
    ];
    const params = type === 'conv' ? 9 * inC * filters + filters : 9 * inC + inC + inC * filters + filters;
    table.push({
      block: i + 1,
      name: `layer${i + 1}`,
      type,
      stride,
      filters,
      inputShape: shape,
      outputShape: out,
      params,
    });
    shape = out;
  });
  return table;
}

/** The 14 blocks in order; `YAMNET_LAYERS[k - 1]` is block k. */
export const YAMNET_LAYERS: readonly YamnetLayer[] = Object.freeze(buildTable());

export const NUM_BLOCKS = YAMNET_LAYERS.length;

/** Parameters of the 521-class logits layer (dense with bias). */
export const LOGITS_PARAMS = EMBEDDING_SIZE * NUM_CLASSES + NUM_CLASSES;

/** Shape [H, W, C] that block `k` takes as input (block 1: the patch). */
export function blockInputShape(k: number): [number, number, number] {
  return [...YAMNET_LAYERS[k - 1].inputShape];
}
