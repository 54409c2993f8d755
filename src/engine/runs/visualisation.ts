/**
 * The paper's t-SNE figure: one model trained on ALL speakers of a run's corpus, only to draw its
 * activations. It has seen every utterance it embeds, so it measures nothing: it is run on
 * request, kept apart from the folds and labelled everywhere as VISUALISATION_MODEL_LABEL.
 *
 *   <run>/visualisation/model/            the trained model (last epoch: there is no validation)
 *   <run>/visualisation/activations.{f32,json}   its LSTM output per utterance
 *   <run>/visualisation/done.json         what it is (label, epochs, speakers, seconds)
 *   <run>/visualisation/checkpoint*       while it trains (a stopped job resumes from it)
 *   <run>/visualisation/tsne/*.json       embeddings, per method, perplexity and seed
 *
 * Nothing here is under folds/, so the summary, metrics and reports (which read the folds) never
 * see it. The run's config decides the network, the training settings, the YAMNet weights (the
 * run's own, checked by sha256) and the mode; the epochs can be fewer on request.
 */
import fs from 'node:fs';
import path from 'node:path';
import { VISUALISATION_MODEL_LABEL } from '@shared/figure-title';
import type { TsneResult } from '@shared/contract';
import { trainsYamnetBlocks } from '@shared/first-block';
import { parseConfig } from '../config/schema';
import { YamnetLstm } from '../model/ser-model';
import { computeSteps, toSamples } from '../model/steps';
import { scoreSamples, trainFold } from '../train/train-fold';
import { writeJsonAtomic } from '../util/atomic';
import { FileError, UserError } from '../util/errors';
import { deriveSeed } from '../util/rng';
import { embedPanel, type EmbeddingRequest } from './embedding';
import { planRun } from './plan';
import { runYamnetSetup } from './predict';
import {
  loadCheckpoint,
  readJson,
  readRun,
  removeCheckpoint,
  saveCheckpoint,
  saveModel,
  writeFloat32Atomic,
} from './store';

export const VISUALISATION_DIR = 'visualisation';

/** done.json of the visualisation model. */
export interface VisualisationModelInfo {
  label: typeof VISUALISATION_MODEL_LABEL;
  epochs: number;
  speakers: string[];
  utterances: number;
  finalTrainLoss: number | null;
  seconds: number;
  finished: string;
}

interface VisualisationActivationsMeta {
  shape: [number, number];
  ids: string[];
  paths: string[];
  labels: string[];
  predicted: string[];
  speakers: string[];
}

export interface VisualisationOptions {
  /** Epochs to train (default: the run's training.epochs). A different number trains anew. */
  epochs?: number;
  signal?: AbortSignal;
  /** Steps cached, batches trained, then the embedding's iterations. */
  progress?: (done: number, total: number, message: string) => void;
}

export function visualisationDir(runDir: string): string {
  return path.join(runDir, VISUALISATION_DIR);
}

/** The finished visualisation model's description, or null when none was trained. */
export function readVisualisationModel(runDir: string): VisualisationModelInfo | null {
  const file = path.join(visualisationDir(runDir), 'done.json');
  return fs.existsSync(file) ? readJson<VisualisationModelInfo>(file) : null;
}

/**
 * Trains the all-speakers model of `runDir` unless one with these epochs is there; resumes from
 * its checkpoint after a cancel or crash. Returns its description.
 */
export async function trainVisualisationModel(
  runDir: string,
  opts: VisualisationOptions = {},
): Promise<VisualisationModelInfo> {
  const run = readRun(runDir);
  if (!run.config) throw new FileError(runDir, 'not a run folder (config.json missing)');
  const config = parseConfig(run.config.config);
  if (config.model.kind !== 'yamnet-lstm') {
    throw new UserError(
      'the visualisation model is a YAMNet-LSTM: a baseline run has no LSTM activations to draw',
    );
  }
  const epochs = opts.epochs ?? config.training.epochs;
  const existing = readVisualisationModel(runDir);
  if (existing?.epochs === epochs) return existing;

  const dir = visualisationDir(runDir);
  // Another number of epochs: the old model and its embeddings no longer describe what is asked.
  if (existing) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const plan = await planRun(config, run.config.dataDir, { recordedIn: runDir });
  const utterances = plan.index.utterances;
  const classes = plan.index.classes;
  const setup = await runYamnetSetup(run, config);
  try {
    const steps = await computeSteps(utterances, setup, {
      trainFrom: config.model.yamnet.trainFrom,
      frontEnd: { ...config.frontEnd, repairNonFinite: (plan.index.repaired?.length ?? 0) > 0 },
      signal: opts.signal,
      onProgress: (done, total) => opts.progress?.(done, total, 'YAMNet steps (cached)'),
    });
    const samples = toSamples(utterances, steps.steps, classes);
    const k = plan.firstTrainedBlock;
    const net = new YamnetLstm(
      steps.stepShape,
      { lstmUnits: config.model.lstmUnits, numClasses: classes.length },
      // A seed stream no fold uses (folds are 0..n-1).
      deriveSeed(config.seed, plan.folds.length, 1),
      trainsYamnetBlocks(k) ? setup.model.build({ from: k, name: 'yamnet_visualisation' }) : null,
    );
    try {
      // A stopped job's checkpoint is resumed, unless it is already past the epochs asked for now
      // (nothing in training depends on the total, so an earlier one continues exactly).
      const saved = loadCheckpoint(dir);
      const checkpoint = saved && saved.epoch <= epochs ? saved : null;
      const batches = Math.ceil(samples.length / config.training.batchSize);
      const result = await trainFold(
        net,
        { train: samples, validation: [] },
        {
          epochs,
          batchSize: config.training.batchSize,
          learningRate: config.training.learningRate,
          classWeights: config.training.classWeights,
          seed: deriveSeed(config.seed, plan.folds.length, 2),
          numClasses: classes.length,
          signal: opts.signal,
          resume: checkpoint ?? undefined,
          onBatch: (epoch, batch) =>
            opts.progress?.(
              (epoch - 1) * batches + batch,
              epochs * batches,
              'training the visualisation model',
            ),
          onEpoch: async (_record, snapshot, due) => {
            if (due) saveCheckpoint(dir, await snapshot());
          },
        },
      );
      const scores = scoreSamples(net, samples, classes.length);
      writeFloat32Atomic(path.join(dir, 'activations.f32'), scores.activations);
      const meta: VisualisationActivationsMeta = {
        shape: [samples.length, scores.units],
        ids: utterances.map((u) => u.id),
        paths: utterances.map((u) => u.path),
        labels: utterances.map((u) => u.label),
        predicted: scores.predicted.map((c) => classes[c]),
        speakers: utterances.map((u) => u.speaker),
      };
      writeJsonAtomic(path.join(dir, 'activations.json'), meta);
      saveModel(
        path.join(dir, 'model'),
        {
          kind: 'yamnet-lstm',
          purpose: VISUALISATION_MODEL_LABEL,
          mode: plan.mode,
          trainFrom: config.model.yamnet.trainFrom,
          stepShape: steps.stepShape,
          lstmUnits: config.model.lstmUnits,
          classes,
          epochs,
          weightsSource: setup.provenance,
        },
        net.getWeights(),
      );
      const info: VisualisationModelInfo = {
        label: VISUALISATION_MODEL_LABEL,
        epochs,
        speakers: [...new Set(utterances.map((u) => u.speaker))].sort(),
        utterances: utterances.length,
        finalTrainLoss: result.history.at(-1)?.trainLoss ?? null,
        seconds: (performance.now() - started) / 1000,
        finished: new Date().toISOString(),
      };
      writeJsonAtomic(path.join(dir, 'done.json'), info);
      removeCheckpoint(dir);
      return info;
    } finally {
      net.dispose();
    }
  } finally {
    setup.model.dispose();
  }
}

/**
 * The t-SNE (or UMAP) of the visualisation model's activations of every utterance, training the
 * model first when needed. One panel (fold -1), labelled as not a test result.
 */
export async function visualisationTsne(
  runDir: string,
  req: EmbeddingRequest,
  opts: VisualisationOptions = {},
): Promise<TsneResult> {
  const info = await trainVisualisationModel(runDir, opts);
  const dir = visualisationDir(runDir);
  const seed = req.seed ?? 0;
  const method = req.method ?? 'tsne';
  const cacheFile = path.join(dir, 'tsne', `p${req.perplexity}-s${seed}-${method}.json`);
  if (fs.existsSync(cacheFile)) return readJson<TsneResult>(cacheFile);

  const metaFile = path.join(dir, 'activations.json');
  const meta = readJson<VisualisationActivationsMeta>(metaFile);
  const bytes = fs.readFileSync(path.join(dir, 'activations.f32'));
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const [rows, dims] = meta.shape;
  if (data.length !== rows * dims)
    throw new FileError(path.join(dir, 'activations.f32'), `does not match ${metaFile}`);
  const input = {
    data,
    dims,
    meta: meta.ids.map((id, i) => ({
      file: id,
      path: meta.paths[i],
      speaker: meta.speakers[i],
      label: meta.labels[i],
      predicted: meta.predicted[i],
      fold: -1,
    })),
  };
  const subject = `the ${VISUALISATION_MODEL_LABEL} (${info.epochs} epochs, ${info.speakers.length} speakers)`;
  const control = {
    signal: opts.signal,
    onProgress: (p: { iteration: number; iterations: number }) =>
      opts.progress?.(p.iteration, p.iterations, method === 'umap' ? 'UMAP' : 't-SNE'),
  };
  const points = `${rows} utterances, all of which it was trained on`;
  const panel = await embedPanel(input, -1, subject, { ...req, control }, points);
  const out: TsneResult = {
    method: panel.method,
    points: panel.points,
    panels: [panel],
    visualisationModel: {
      label: VISUALISATION_MODEL_LABEL,
      epochs: info.epochs,
      speakers: info.speakers.length,
      utterances: info.utterances,
    },
  };
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeJsonAtomic(cacheFile, out);
  return out;
}
