/**
 * Classifying new audio with a finished run. A cross-validated run has one model per fold (each
 * trained without its test speakers) and no single "final" model; the prediction is the mean of
 * the fold models' class probabilities (an ensemble), or one fold's model when asked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../backend/tf';
import { parseConfig, type ExperimentConfig } from '../config/schema';
import { YamnetLstm } from '../model/ser-model';
import type { CachedSteps } from '../model/activation-cache';
import { computeSteps, setupYamnet, toSamples, type YamnetSetup } from '../model/steps';
import { firstTrainedBlock, trainsYamnetBlocks } from '@shared/first-block';
import { scoreSamples } from '../train/train-fold';
import { FileError, UserError } from '../util/errors';
import type { WeightsProvenance } from '../yamnet/provenance';
import { resolveWeightsSource } from '../yamnet/store';
import { describeWeights, locateWeights } from '../yamnet/load';
import { foldDir, loadModel, readRun, type RunRecord } from './store';

export interface FilePrediction {
  file: string;
  label: string;
  probabilities: Record<string, number>;
  /** Each fold model's label, in fold order. */
  perFold: { fold: number; label: string }[];
}

/** A file that could not be classified, and why (it could not be read, the model gave NaN...). */
export interface FileFailure {
  file: string;
  error: string;
}

export interface PredictResult {
  runDir: string;
  /** 'ensemble of N fold models' or 'fold K model'. */
  using: string;
  classes: string[];
  /** The files that could be classified, in the order given. */
  predictions: FilePrediction[];
  /** The others, each with its reason; one bad file never costs the rest their labels. */
  failed: FileFailure[];
}

function sameWeights(a: WeightsProvenance, b: WeightsProvenance): boolean {
  const key = (p: WeightsProvenance) =>
    p.files
      .map((f) => `${f.name}:${f.sha256}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/**
 * YAMNet as a finished run used it: random weights from its seed, or the weights it recorded in
 * environment.json (their path if it still exists, else the current ones), refused when their
 * sha256 differ from what the run trained with.
 */
export async function runYamnetSetup(run: RunRecord, config: ExperimentConfig): Promise<YamnetSetup> {
  if (config.model.kind !== 'yamnet-lstm') throw new UserError('only yamnet-lstm runs use YAMNet this way');
  const recorded = (run.environment as { weights?: WeightsProvenance & { path?: string } } | null)?.weights;
  if (config.model.yamnet.weights === 'random') return setupYamnet('random', config.seed);
  const candidate =
    recorded?.path && fs.existsSync(recorded.path) ? recorded.path : resolveWeightsSource().path;
  if (recorded) {
    const now = await describeWeights(locateWeights(candidate));
    if (!sameWeights(now, recorded)) {
      throw new UserError(
        `the run was trained with other YAMNet weights than ${candidate} (sha256 differ); set YAMNET_WEIGHTS to the run's weights`,
      );
    }
  }
  return setupYamnet('pretrained', config.seed, candidate);
}

export async function predictFiles(
  runDir: string,
  files: string[],
  opts: { fold?: number } = {},
): Promise<PredictResult> {
  const run = readRun(runDir);
  if (!run.config) throw new FileError(runDir, 'not a run folder (config.json missing)');
  const config = parseConfig(run.config.config);
  if (config.model.kind !== 'yamnet-lstm') throw new UserError('predict supports yamnet-lstm runs');
  const folds = run.foldsDone.filter((f) => opts.fold === undefined || f === opts.fold);
  if (!folds.length) {
    throw new UserError(
      opts.fold !== undefined
        ? `fold ${opts.fold + 1} of ${runDir} has no trained model`
        : `${runDir} has no finished fold`,
    );
  }
  await initBackend(config.backend === 'wasm' || config.backend === 'cpu' ? config.backend : 'auto');

  const setup = await runYamnetSetup(run, config);
  try {
    // File by file, so that a file that cannot be read is listed and the others still classified.
    const failed: FileFailure[] = [];
    const items: { id: string; path: string }[] = [];
    const steps = { steps: new Map<string, CachedSteps>(), stepShape: [] as number[] };
    for (const f of files) {
      const item = { id: path.resolve(f), path: path.resolve(f) };
      try {
        if (!fs.existsSync(item.path)) throw new FileError(f, 'no such file');
        const one = await computeSteps([item], setup, {
          trainFrom: config.model.yamnet.trainFrom,
          frontEnd: config.frontEnd,
        });
        steps.steps.set(item.id, one.steps.get(item.id)!);
        steps.stepShape = one.stepShape;
        items.push(item);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        failed.push({ file: f, error: err instanceof FileError ? err.problem : err.message });
      }
    }
    const k = firstTrainedBlock(config.model.yamnet.trainFrom);
    let classes: string[] = [];
    const sums: Float64Array[] = items.map(() => new Float64Array(0));
    const perFold: { fold: number; label: string }[][] = items.map(() => []);
    // No readable file: nothing to score (the failures are the whole answer).
    for (const fold of items.length ? folds : []) {
      const saved = loadModel<{ classes: string[]; lstmUnits: number[]; stepShape: number[] }>(
        path.join(foldDir(runDir, fold), 'model'),
      );
      classes = saved.description.classes;
      const backbone = trainsYamnetBlocks(k)
        ? setup.model.build({ from: k, name: `predict_fold${fold}` })
        : null;
      const net = new YamnetLstm(
        saved.description.stepShape,
        { lstmUnits: saved.description.lstmUnits, numClasses: classes.length },
        0,
        backbone,
      );
      try {
        net.setWeights(saved.weights);
        const samples = toSamples(
          items.map((i) => ({ id: i.id, label: classes[0] })),
          steps.steps,
          classes,
        );
        const scores = scoreSamples(net, samples, classes.length);
        items.forEach((_, i) => {
          if (!sums[i].length) sums[i] = new Float64Array(classes.length);
          for (let c = 0; c < classes.length; c++) sums[i][c] += scores.probabilities[i * classes.length + c];
          perFold[i].push({ fold, label: classes[scores.predicted[i]] });
        });
      } finally {
        net.dispose();
      }
    }
    const predictions: FilePrediction[] = [];
    items.forEach((item, i) => {
      const probs = Array.from(sums[i], (v) => v / folds.length);
      // A non-finite score has no label: say so rather than print `undefined` with NaN.
      if (!probs.length || !probs.every(Number.isFinite)) {
        failed.push({
          file: item.path,
          error: 'the model gave non-finite class scores (NaN or Inf) for this file',
        });
        return;
      }
      const best = probs.indexOf(Math.max(...probs));
      predictions.push({
        file: item.path,
        label: classes[best],
        probabilities: Object.fromEntries(classes.map((c, j) => [c, probs[j]])),
        perFold: perFold[i],
      });
    });
    return {
      runDir,
      using: folds.length === 1 ? `fold ${folds[0] + 1} model` : `mean of ${folds.length} fold models`,
      classes,
      predictions,
      failed,
    };
  } finally {
    setup.model.dispose();
  }
}
