/**
 * A real training batch for fine-tuning tests and benchmarks: RAVDESS utterances from shared/,
 * through the project's front end and step cache (computeSteps), as the runner would feed them.
 * Caches go to a folder the caller owns, so nothing lands in the user's data folder but the
 * corpus index cache (dataHome; tests point SER_WORKBENCH_HOME at a temporary folder).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TrainFrom } from '../../config/schema';
import { indexCorpus } from '../../corpora';
import type { Utterance } from '../../corpora/types';
import { FeatureCache } from '../../features/cache';
import { sharedDir } from '../../util/paths';
import { sharedWeightsDir } from '../../yamnet/source';
import type { Sample } from '../ser-model';
import { computeSteps, type YamnetSetup, setupYamnet, toSamples } from '../steps';

export function ravdessDir(): string {
  return path.join(sharedDir(), 'data', 'ravdess');
}

/** Pretrained weights for tests: YAMNET_WEIGHTS, else the reconstructed model in shared/. */
export function testWeightsPath(): string {
  return process.env.YAMNET_WEIGHTS ? path.resolve(process.env.YAMNET_WEIGHTS) : sharedWeightsDir();
}

/** Why real-batch tests cannot run here, or null when RAVDESS and the weights are present. */
export function missingRealData(): string | null {
  if (!fs.existsSync(ravdessDir())) return `${ravdessDir()} missing`;
  const w = testWeightsPath();
  const ok = fs.statSync(w, { throwIfNoEntry: false });
  if (
    !ok ||
    (ok.isDirectory() &&
      !fs.existsSync(path.join(w, 'model.json')) &&
      !fs.existsSync(path.join(w, 'yamnet.h5')))
  )
    return `no YAMNet weights at ${w}`;
  return null;
}

export function loadTestYamnet(seed = 1): Promise<YamnetSetup> {
  return setupYamnet('pretrained', seed, testWeightsPath());
}

/** `count` utterances taken round-robin over the classes (ids sorted), so every class is present. */
function pickBalanced(utterances: Utterance[], classes: string[], count: number): Utterance[] {
  const byClass = classes.map((c) =>
    utterances.filter((u) => u.label === c).sort((a, b) => a.id.localeCompare(b.id)),
  );
  const out: Utterance[] = [];
  for (let i = 0; out.length < count && byClass.some((l) => i < l.length); i++) {
    for (const list of byClass) if (i < list.length && out.length < count) out.push(list[i]);
  }
  return out;
}

export interface RealBatch {
  samples: Sample[];
  stepShape: number[];
  classes: string[];
  /** Log-mel patches in the batch (sum of the utterances' steps). */
  patches: number;
}

/**
 * `count` RAVDESS utterances (all four default classes) as the samples trainFrom `trainFrom`
 * trains on, with the frozen part of `setup` applied on the active backend.
 */
export async function realBatch(
  setup: YamnetSetup,
  trainFrom: TrainFrom,
  count: number,
  cacheDir: string,
): Promise<RealBatch> {
  const index = await indexCorpus(ravdessDir(), { corpus: 'ravdess' });
  const picked = pickBalanced(index.utterances, index.classes, count);
  const steps = await computeSteps(picked, setup, {
    trainFrom,
    cacheRoot: path.join(cacheDir, 'activations'),
    featureCache: new FeatureCache({ dir: path.join(cacheDir, 'features') }),
  });
  const samples = toSamples(picked, steps.steps, index.classes);
  return {
    samples,
    stepShape: steps.stepShape,
    classes: index.classes,
    patches: samples.reduce((n, s) => n + s.steps, 0),
  };
}
