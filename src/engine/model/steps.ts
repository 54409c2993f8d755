/**
 * What the training loop trains on, per utterance: the frozen part of YAMNet applied once to every
 * patch and cached on disk (see activation-cache.ts).
 * - frozen:      steps are embeddings [T, 1024] (blocks 1..14 + pooling frozen);
 * - trainFrom K: steps are block K-1 outputs [T, H, W, C] (blocks K..14 train; K = 1: patches);
 * - full:        trainFrom 1.
 */
import { tf } from '../backend/tf';
import type { TrainFrom } from '../config/schema';
import { FeatureCache } from '../features/cache';
import { featureParams, type ExtractOptions } from '../features/frontend';
import { sha256File } from '../util/hash';
import { EMBEDDING_SIZE, PATCH_SHAPE, YAMNET_LAYERS } from '../yamnet/layers';
import { readYamnetWeights } from '../yamnet/load';
import { YamnetModel } from '../yamnet/model';
import type { WeightsProvenance } from '../yamnet/provenance';
import { expectedWeights, type YamnetWeights } from '../yamnet/weights';
import { CancelledError } from '../util/errors';
import { Rng } from '../util/rng';
import { FROZEN_BLOCK, firstTrainedBlock } from '@shared/first-block';
import { ActivationCache, pruneActivationCache, type CachedSteps } from './activation-cache';
import type { Sample } from './ser-model';

export interface YamnetSetup {
  model: YamnetModel;
  provenance: WeightsProvenance;
  /** What identifies the weights in cache keys: file hashes, or the seed of random weights. */
  fingerprint: string[];
  /** Where pretrained weights were read from (absent for random). */
  path?: string;
}

// The trainFrom <-> first trained block mapping is src/shared/first-block.ts (the renderer uses it too).
export { firstTrainedBlock };

/** Shape of one cached step for a mode. */
export function stepShapeFor(trainFrom: TrainFrom): number[] {
  const k = firstTrainedBlock(trainFrom);
  if (k === FROZEN_BLOCK) return [EMBEDDING_SIZE];
  if (k === 1) return [PATCH_SHAPE[0], PATCH_SHAPE[1]];
  return [...YAMNET_LAYERS[k - 2].outputShape];
}

/**
 * Reproducible "random" YAMNet: He-uniform kernels (limit sqrt(6 / fan_in)) for the 27 ReLU
 * convolutions, Glorot-uniform for the logits, zero biases, from a seeded PRNG.
 *
 * Why He and not Glorot: the trainable YAMNet has batch norm folded into its convolutions, so a
 * fresh network has no normalisation left. Glorot scaling halves the activation variance at every
 * ReLU layer and after 27 of them the embeddings are ~1e-5 (measured): the head then sees a
 * constant and predicts one class. He scaling keeps the variance, as batch norm would in a Keras
 * model trained from scratch, so "random initial weights" is a fair baseline.
 */
export function seededRandomWeights(seed: number): YamnetWeights {
  const rng = new Rng(seed);
  const out: YamnetWeights = new Map();
  for (const { name, shape } of expectedWeights()) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (shape.length > 1) {
      const receptive = shape.length === 4 ? shape[0] * shape[1] : 1;
      const depthwise = name.includes('depthwise');
      const fanIn = shape.length === 4 ? receptive * (depthwise ? 1 : shape[2]) : shape[0];
      const fanOut = shape.length === 4 ? receptive * shape[3] : shape[1];
      const limit = shape.length === 4 ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) data[i] = (rng.next() * 2 - 1) * limit;
    }
    out.set(name, { shape, data });
  }
  return out;
}

/** Pretrained weights from `source` (a weights path), or seeded random weights. */
export async function setupYamnet(
  weights: 'pretrained' | 'random',
  seed: number,
  source?: string,
): Promise<YamnetSetup> {
  if (weights === 'random') {
    return {
      model: new YamnetModel(seededRandomWeights(seed)),
      provenance: { source: 'random', files: [] },
      // 'he': the initialiser is part of what determines cached activations.
      fingerprint: [`random-he:${seed}`],
    };
  }
  if (!source) throw new Error('setupYamnet: pretrained weights need a source path');
  const read = await readYamnetWeights(source);
  return {
    model: new YamnetModel(read.weights),
    provenance: read.provenance,
    fingerprint: read.provenance.files.map((f) => f.sha256),
    path: source,
  };
}

export interface StepsOptions {
  trainFrom: TrainFrom;
  frontEnd?: ExtractOptions;
  featureCache?: FeatureCache;
  cacheRoot?: string;
  signal?: AbortSignal;
  onProgress?(done: number, total: number, fromCache: number): void;
  /** A cache entry for `file` was corrupt: it is recomputed and rewritten (the run says so). */
  onCorrupt?(file: string, entry: string): void;
}

export interface StepsResult {
  steps: Map<string, CachedSteps>;
  stepShape: number[];
  cacheKey: string;
  cacheDir: string;
  fromCache: number;
  computed: number;
  /** Corrupt cache entries found and recomputed. */
  corrupt: number;
  seconds: number;
}

/**
 * Step data for every file, from the cache or computed with the frozen part of `setup` (on the
 * active backend) and cached. Keys of the result are the given ids.
 */
export async function computeSteps(
  files: { id: string; path: string }[],
  setup: YamnetSetup,
  opts: StepsOptions,
): Promise<StepsResult> {
  const started = performance.now();
  const k = firstTrainedBlock(opts.trainFrom);
  const stepShape = stepShapeFor(opts.trainFrom);
  const output = k === FROZEN_BLOCK ? 'embedding' : `block${k - 1}`;
  const params = featureParams(opts.frontEnd);
  // Patches (block 0) do not depend on the weights; embeddings are kept exact in float32.
  const cache = new ActivationCache(
    {
      weights: k === 1 ? [] : setup.fingerprint,
      frontEnd: params,
      output,
      dtype: k === FROZEN_BLOCK ? 'float32' : 'float16',
    },
    stepShape,
    opts.cacheRoot,
  );
  let current = '';
  cache.onCorrupt = (entry) => opts.onCorrupt?.(current, entry);
  const features =
    opts.featureCache ?? new FeatureCache({ onCorrupt: (entry, file) => opts.onCorrupt?.(file, entry) });
  const frozenPart =
    k === FROZEN_BLOCK || k === 1
      ? null
      : setup.model.build({ from: 1, to: k - 1, pool: false, trainable: false });
  const steps = new Map<string, CachedSteps>();
  let fromCache = 0;
  try {
    for (let i = 0; i < files.length; i++) {
      if (opts.signal?.aborted) throw new CancelledError();
      const f = files[i];
      const hash = await sha256File(f.path);
      current = f.path;
      let value = cache.get(hash);
      if (value) {
        fromCache++;
      } else {
        const { patches } = await features.get(f.path, opts.frontEnd);
        if (k === 1) {
          value = { steps: patches.numPatches, stepShape, data: patches.data };
        } else if (k === FROZEN_BLOCK) {
          const emb = setup.model.embed(patches);
          value = { steps: patches.numPatches, stepShape, data: emb.dataSync() as Float32Array };
          emb.dispose();
        } else {
          const data = tf.tidy(() => {
            const x = tf.tensor3d(patches.data, [patches.numPatches, PATCH_SHAPE[0], PATCH_SHAPE[1]]);
            return (frozenPart!.predict(x, { batchSize: 16 }) as tf.Tensor).dataSync() as Float32Array;
          });
          value = { steps: patches.numPatches, stepShape, data };
        }
        cache.put(hash, value, f.path);
        // Read back what later runs will read, so a run computes on exactly the cached values.
        if (cache.setKey.dtype === 'float16') value = cache.get(hash)!;
      }
      steps.set(f.id, value);
      opts.onProgress?.(i + 1, files.length, fromCache);
      if (i % 8 === 7) await new Promise((r) => setImmediate(r));
    }
  } finally {
    frozenPart?.dispose();
  }
  pruneActivationCache(cache.key, undefined, opts.cacheRoot);
  return {
    steps,
    stepShape,
    cacheKey: cache.key,
    cacheDir: cache.dir,
    fromCache,
    computed: files.length - fromCache,
    corrupt: cache.corrupt,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Samples for a list of utterances (labels as class indices). */
export function toSamples(
  utterances: { id: string; label: string }[],
  steps: Map<string, CachedSteps>,
  classes: string[],
): Sample[] {
  return utterances.map((u) => {
    const s = steps.get(u.id);
    if (!s) throw new Error(`no step data for ${u.id}`);
    return { id: u.id, label: classes.indexOf(u.label), steps: s.steps, data: s.data };
  });
}
