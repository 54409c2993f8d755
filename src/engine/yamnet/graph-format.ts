/**
 * The TF Hub tfjs graph format of YAMNet (`google/tfjs-model/yamnet/tfjs/1`): `model.json` (graph
 * topology + one weights-manifest group) and shards `group1-shard{1..4}of4.bin`. The shards are one
 * byte stream cut into files; manifest entries lie back to back in it, in manifest order
 * (float32 and int32 entries, 4 bytes per value).
 *
 * Conv tensors are named `StatefulPartitionedCall/yamnet_frames/<name>`, with batch norm
 * already folded by the converter into `*_weights` (kernel × 1/√(var+ε)) and `*_bn_offset`
 * (β − mean/√(var+ε)); the logits layer is `unknown_134` (kernel) and `unknown_135` (bias),
 * without the prefix.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { tf } from '../backend/tf';
import { FileError, UserError } from '../util/errors';
import { checkWeights, formatShape, type YamnetWeights } from './weights';

export const GRAPH_PREFIX = 'StatefulPartitionedCall/yamnet_frames/';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  userDefinedMetadata?: Record<string, unknown>;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: ManifestEntry[] }[];
}

/** Canonical name (weights.ts) → graph tensor name in the manifest. */
export function graphTensorName(canonical: string): string {
  if (canonical === 'logits/kernel') return 'unknown_134';
  if (canonical === 'logits/bias') return 'unknown_135';
  const m = /^(layer\d+)\/(conv|depthwise_conv|pointwise_conv)\/(kernel|depthwise_kernel|bias)$/.exec(
    canonical,
  );
  if (!m) throw new Error(`no graph name for '${canonical}'`);
  const [, layer, conv, kind] = m;
  const op = conv === 'depthwise_conv' ? 'depthwise' : 'Conv2D';
  return `${GRAPH_PREFIX}${layer}/${conv}/${op}_${kind === 'bias' ? 'bn_offset' : 'weights'}`;
}

const CANONICAL_BY_GRAPH_NAME = (() => {
  const map = new Map<string, string>();
  const layers = Array.from({ length: 14 }, (_, i) => i + 1);
  const names = ['logits/kernel', 'logits/bias'];
  for (const k of layers) {
    if (k === 1) names.push('layer1/conv/kernel', 'layer1/conv/bias');
    else
      names.push(
        `layer${k}/depthwise_conv/depthwise_kernel`,
        `layer${k}/depthwise_conv/bias`,
        `layer${k}/pointwise_conv/kernel`,
        `layer${k}/pointwise_conv/bias`,
      );
  }
  for (const n of names) map.set(graphTensorName(n), n);
  return map;
})();

const BYTES_PER_VALUE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

function entryBytes(e: ManifestEntry): number {
  const bytes = BYTES_PER_VALUE[e.quantization?.dtype ?? e.dtype];
  if (!bytes) throw new UserError(`weights manifest entry '${e.name}' has unsupported dtype ${e.dtype}`);
  return e.shape.reduce((a, b) => a * b, 1) * bytes;
}

export function readModelJson(file: string): ModelJson {
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileError(file, code ? `cannot read: ${code}` : `not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(json.weightsManifest) || json.weightsManifest.length === 0)
    throw new FileError(file, 'no weightsManifest: not a tfjs model.json');
  return json;
}

/** model.json plus the concatenated shard bytes, size-checked against the manifest. */
export interface GraphArtifacts {
  modelJson: ModelJson;
  specs: ManifestEntry[];
  weightData: ArrayBuffer;
  /** Files read, relative to the folder: model.json first, then shards in manifest order. */
  files: string[];
}

export function readGraphArtifacts(dir: string): GraphArtifacts {
  const modelFile = path.join(dir, 'model.json');
  const modelJson = readModelJson(modelFile);
  const paths = modelJson.weightsManifest!.flatMap((g) => g.paths);
  const specs = modelJson.weightsManifest!.flatMap((g) => g.weights);
  const buffers = paths.map((p) => {
    const file = path.join(dir, p);
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new FileError(
        file,
        `cannot read weight shard listed in model.json (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  });
  const total = buffers.reduce((a, b) => a + b.length, 0);
  let offset = 0;
  for (const e of specs) {
    const end = offset + entryBytes(e);
    if (end > total)
      throw new UserError(
        `${dir}: the shards hold ${total} bytes, but tensor '${e.name}' ${formatShape(e.shape)} needs bytes ${offset}..${end}: a shard is truncated`,
      );
    offset = end;
  }
  if (offset !== total)
    throw new UserError(`${dir}: the shards hold ${total} bytes, the manifest describes ${offset}`);
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return { modelJson, specs, weightData, files: ['model.json', ...paths] };
}

/**
 * An IOHandler for `tf.loadGraphModel`, reading a graph folder from disk without tfjs-node (the
 * reference graph the tests and the front-end checks compare against).
 */
export function graphModelHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const { modelJson, specs, weightData } = readGraphArtifacts(dir);
      return {
        modelTopology: modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy ?? undefined,
        userDefinedMetadata: modelJson.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
        weightSpecs: specs as tf.io.WeightsManifestEntry[],
        weightData,
      };
    },
  };
}

/**
 * One manifest entry's values as float32 (plain or affine-quantized uint8/uint16, as the tfjs
 * converter writes them). Done by hand so reading weights needs no tfjs backend.
 */
function decodeFloat(e: ManifestEntry, bytes: Uint8Array, where: string): Float32Array {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const q = e.quantization as { dtype: string; scale?: number; min?: number } | undefined;
  if (!q) {
    if (e.dtype !== 'float32')
      throw new UserError(`${where}: tensor '${e.name}' has dtype ${e.dtype}, expected float32`);
    return new Float32Array(bytes.slice().buffer, 0, n);
  }
  if ((q.dtype === 'uint8' || q.dtype === 'uint16') && q.scale !== undefined && q.min !== undefined) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++)
      out[i] = (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true)) * q.scale + q.min;
    return out;
  }
  throw new UserError(
    `${where}: tensor '${e.name}' uses ${q.dtype} quantization, which this loader does not read`,
  );
}

/** YAMNet weights from a TF Hub tfjs graph folder, every tensor mapped by name and shape-checked. */
export function readGraphWeights(dir: string): YamnetWeights {
  const { specs, weightData } = readGraphArtifacts(dir);
  const where = path.join(dir, 'model.json');
  const weights: YamnetWeights = new Map();
  let offset = 0;
  for (const e of specs) {
    const bytes = entryBytes(e);
    const canonical = CANONICAL_BY_GRAPH_NAME.get(e.name);
    if (canonical)
      weights.set(canonical, {
        shape: e.shape.slice(),
        data: decodeFloat(e, new Uint8Array(weightData, offset, bytes), where),
      });
    offset += bytes;
  }
  checkWeights(weights, where, graphTensorName);
  return weights;
}

const HANN_TENSOR = `${GRAPH_PREFIX}tf_op_layer_Mul_9/Mul_9/y`;

/**
 * Whether the graph's front-end window constant (`Mul_9/y`, 1×400, in shard 1) is the periodic
 * Hann window TF computes. Shards 1–3 of the official model have no published checksum; this
 * content check tells official-looking folders with made-up or damaged shards apart.
 */
export function hasPeriodicHannWindow(dir: string): boolean {
  const { specs, weightData } = readGraphArtifacts(dir);
  let offset = 0;
  for (const e of specs) {
    if (e.name === HANN_TENSOR) {
      if (e.dtype !== 'float32' || e.shape.reduce((a, b) => a * b, 1) !== 400) return false;
      const w = new Float32Array(weightData.slice(offset, offset + 1600));
      return w.every((v, n) => Math.abs(v - (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 400))) < 1e-5);
    }
    offset += entryBytes(e);
  }
  return false;
}
