/**
 * Per-utterance feature vectors of the baselines.
 *
 * - 'mfcc' / 'gtcc': mean and standard deviation over frames of 13 cepstra + Δ + ΔΔ
 *   (78 values; definition and parameters in ../features/cepstral/cepstra.ts).
 * - 'dl': YAMNet embedding statistics. The utterance is cut into YAMNet's 0.975 s log-mel patches
 *   (hop 0.48 s, ../features/logmel.ts), each patch gives a 1024-d embedding (the global average
 *   pool after block 14 of the pretrained network), and the vector is the mean then the
 *   population standard deviation of each embedding dimension over the patches (2048 values).
 * - 'mfcc+dl' / 'gtcc+dl': the cepstral vector followed by the DL vector (2126 values).
 *
 * Audio is decoded and resampled to 16 kHz mono by the shared loader (../audio). Each part is
 * cached separately (./feature-cache.ts); the DL part's key includes the sha256 of every weight
 * file, so other weights never reuse embeddings.
 */
import fs from 'node:fs/promises';
import { bytesToMono16k } from '../audio';
import { assertFinite } from '../util/finite';
import {
  cepstralDefaults,
  cepstralStatistics,
  cepstralStatisticsDim,
  type CepstralParams,
} from '../features/cepstral';
import { frontEndParams, waveformToPatches } from '../features/logmel';
import { EMBEDDING_SIZE } from '../yamnet/layers';
import { loadYamnet } from '../yamnet/load';
import type { YamnetModel } from '../yamnet/model';
import type { WeightsProvenance } from '../yamnet/provenance';
import { FileError, UserError } from '../util/errors';
import { sha256Buffer } from '../util/hash';
import { tf } from '../backend/tf';
import { meanSdOverTime } from '../features/cepstral/transforms';
import { BaselineFeatureCache } from './feature-cache';
import type { BaselineFeatureSet } from './types';
import { BASELINE_FEATURE_SETS } from './types';

/** Independently computed (and cached) pieces a feature set is made of. */
export type FeaturePart = 'mfcc' | 'gtcc' | 'dl';

/** Bumped when a computation changes in a way the parameters below do not describe. */
const FEATURE_VERSION = 1;

export function featureParts(set: BaselineFeatureSet): FeaturePart[] {
  if (!BASELINE_FEATURE_SETS.includes(set)) {
    throw new UserError(`unknown baseline feature set '${set}' (one of ${BASELINE_FEATURE_SETS.join(', ')})`);
  }
  return set.split('+') as FeaturePart[];
}

export function partDim(part: FeaturePart): number {
  return part === 'dl' ? 2 * EMBEDDING_SIZE : cepstralStatisticsDim(cepstralDefaults(part));
}

export function featureSetDim(set: BaselineFeatureSet): number {
  return featureParts(set).reduce((n, p) => n + partDim(p), 0);
}

/** Everything that defines a part's values (its cache key, with the audio content hash). */
export function partParams(part: FeaturePart, weights?: WeightsProvenance): Record<string, unknown> {
  const base = { version: FEATURE_VERSION, part, audio: 'mono 16 kHz, shared loader defaults' };
  if (part !== 'dl') return { ...base, cepstral: cepstralDefaults(part) satisfies CepstralParams };
  if (!weights) throw new Error('partParams: the DL part needs the weights provenance');
  return { ...base, frontEnd: frontEndParams(), weights: weights.files, statistics: 'mean,sd-population' };
}

export interface YamnetForFeatures {
  model: YamnetModel;
  provenance: WeightsProvenance;
}

export interface ExtractOptions {
  /** true (default): the on-disk cache under dataHome()/cache/baseline; false: none; or a cache. */
  cache?: boolean | BaselineFeatureCache;
  /** A loaded YAMNet for the DL part (else loaded from `weights` when first needed). */
  yamnet?: YamnetForFeatures;
  /** YAMNet weights path for `loadYamnet` (default: the resolved weights source). */
  weights?: string;
  onProgress?: (done: number, total: number, file: string) => void;
  signal?: AbortSignal;
  /** Zero NaN/Inf samples instead of failing (see DecodeOptions.repairNonFinite). */
  repairNonFinite?: boolean;
}

/** DL statistics of one utterance: mean and sd over patches of the 1024-d embeddings. */
export function embeddingStatistics(model: YamnetModel, samples16k: Float32Array): Float32Array {
  const patches = waveformToPatches(samples16k);
  const emb = model.embed(patches);
  try {
    return meanSdOverTime(emb.dataSync(), patches.numPatches, EMBEDDING_SIZE);
  } finally {
    emb.dispose();
  }
}

/**
 * Feature vectors of several feature sets for many files, computing each part once per file.
 * Returns set → (file → vector). Files are processed one after another (bounded memory).
 */
export async function extractFeatureSets(
  files: string[],
  sets: BaselineFeatureSet[],
  opts: ExtractOptions = {},
): Promise<Map<BaselineFeatureSet, Map<string, Float32Array>>> {
  const parts = [...new Set(sets.flatMap(featureParts))];
  const cache =
    opts.cache === false
      ? null
      : opts.cache instanceof BaselineFeatureCache
        ? opts.cache
        : new BaselineFeatureCache();
  let yamnet = opts.yamnet ?? null;
  let ownsYamnet = false;
  if (parts.includes('dl') && !yamnet) {
    await tf.ready();
    yamnet = await loadYamnet(opts.weights);
    ownsYamnet = true;
  }
  const out = new Map(sets.map((s) => [s, new Map<string, Float32Array>()]));
  try {
    for (const [i, file] of files.entries()) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('cancelled');
      const values = await fileParts(file, parts, cache, yamnet, opts.repairNonFinite);
      for (const s of sets) out.get(s)!.set(file, concat(featureParts(s).map((p) => values.get(p)!)));
      opts.onProgress?.(i + 1, files.length, file);
    }
  } finally {
    if (ownsYamnet) yamnet?.model.dispose();
  }
  return out;
}

/** Feature vectors of one feature set, file → vector. */
export async function extractBaselineFeatures(
  files: string[],
  featureSet: BaselineFeatureSet,
  opts: ExtractOptions = {},
): Promise<Map<string, Float32Array>> {
  return (await extractFeatureSets(files, [featureSet], opts)).get(featureSet)!;
}

async function fileParts(
  file: string,
  parts: FeaturePart[],
  cache: BaselineFeatureCache | null,
  yamnet: YamnetForFeatures | null,
  repairNonFinite = false,
): Promise<Map<FeaturePart, Float32Array>> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new FileError(
      file,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const content = sha256Buffer(bytes);
  const values = new Map<FeaturePart, Float32Array>();
  let samples: Float32Array | null = null;
  for (const part of parts) {
    const key = BaselineFeatureCache.key(content, partParams(part, yamnet?.provenance));
    let v = cache?.get(key, partDim(part)) ?? null;
    if (!v) {
      samples ??= (await bytesToMono16k(file, bytes, { repairNonFinite })).samples16k;
      v =
        part === 'dl'
          ? embeddingStatistics(yamnet!.model, samples)
          : cepstralStatistics(samples, cepstralDefaults(part));
      assertFinite(v, file, `${part} features`);
      cache?.set(key, v, file);
    }
    values.set(part, v);
  }
  return values;
}

function concat(vectors: Float32Array[]): Float32Array {
  if (vectors.length === 1) return vectors[0];
  const out = new Float32Array(vectors.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of vectors) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}
