/**
 * The run folder: everything a run wrote, each file written atomically (temp + rename), so a
 * reader or a crash never sees half a file.
 *
 *   config.json  environment.json  index.json  folds.json  status.json  summary.json
 *   folds/fold-NN/{metrics,predictions,history}.json  activations.{f32,json}  model/  done.json
 *     activations-trainval.{f32,json} (the same model on its training and validation utterances)
 *   folds/fold-NN/checkpoint.json + checkpoint-eEEE.bin   (while the fold trains; resume)
 *   visualisation/   the all-speakers model for the figure only (runs/visualisation.ts)
 *
 * A baseline run is a grid of cells (feature set × classifier) over the same folds. Each cell has
 * the artefacts of a one-model run under its own folder, and the run folder adds the grid:
 *
 *   cells/<features>__<classifier>/summary.json              (a RunSummary of that cell)
 *   cells/<features>__<classifier>/folds/fold-NN/{metrics,predictions}.json
 *   table.json    (RunCellsTable: every cell's pooled and mean ± sd metrics, in table order)
 *
 * The top-level summary.json and folds/fold-NN/{metrics,predictions}.json are those of the
 * *primary* cell, by rule the first in table order (first feature set × first classifier), so
 * readers that know one model per run keep working; folds/fold-NN/done.json marks the fold done
 * for every cell (resume is per fold).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { FileError } from '../util/errors';
import { runLiveness } from './liveness';
import { upgradeRunSummary } from '../eval/schema';
import { dataHome } from '../util/paths';
import type { RunCellEntry, RunCellsTable } from '@shared/run-results';
import type { NamedWeights } from '../model/lstm-head';
import type { FoldCheckpoint, SerializedTensor } from '../train/train-fold';

export type { RunState, RunStatus } from './status';
import type { RunStatus } from './status';

export function defaultRunsDir(): string {
  return path.join(dataHome(), 'runs');
}

export function foldDir(runDir: string, fold: number): string {
  return path.join(runDir, 'folds', `fold-${String(fold + 1).padStart(2, '0')}`);
}

/** The folder name of a baseline cell: `mfcc+dl__svm`. */
export function cellId(featureSet: string, classifier: string): string {
  return `${featureSet}__${classifier}`;
}

export function cellDir(runDir: string, id: string): string {
  return path.join(runDir, 'cells', id);
}

export type { RunCellEntry, RunCellsTable };

/** table.json of a grid run, or null for a one-model run (or one that is not finished). */
export function readCellsTable(runDir: string): RunCellsTable | null {
  const file = path.join(runDir, 'table.json');
  if (!fs.existsSync(file)) return null;
  const t = readJson<RunCellsTable>(file);
  if (t?.version !== 1 || !Array.isArray(t.cells)) throw new FileError(file, 'not a run cells table');
  return t;
}

/** `20261126-101500-<name>` (plus -2, -3 ... when taken). */
export function newRunDir(parent: string, name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug =
    name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'run';
  let dir = path.join(parent, `${stamp}-${slug}`);
  for (let i = 2; fs.existsSync(dir); i++) dir = path.join(parent, `${stamp}-${slug}-${i}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export { writeJsonAtomic, readJson };

export function writeStatus(runDir: string, status: Omit<RunStatus, 'updated'>): void {
  writeJsonAtomic(path.join(runDir, 'status.json'), { ...status, updated: new Date().toISOString() });
}

export function readStatus(runDir: string): RunStatus | null {
  try {
    return readJson<RunStatus>(path.join(runDir, 'status.json'));
  } catch {
    return null;
  }
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Tensors as one little-endian float32 blob plus a manifest of names, shapes and offsets. */
function packTensors(tensors: SerializedTensor[]): { manifest: TensorEntry[]; bytes: Uint8Array } {
  const total = tensors.reduce((n, t) => n + t.data.length, 0);
  const all = new Float32Array(total);
  const manifest: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    all.set(t.data, offset);
    manifest.push({ name: t.name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  return { manifest, bytes: new Uint8Array(all.buffer) };
}

function unpackTensors(manifest: TensorEntry[], file: string): SerializedTensor[] {
  const buf = fs.readFileSync(file);
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  const all = new Float32Array(copy.buffer);
  return manifest.map((e) => {
    if (e.offset + e.length > all.length) throw new FileError(file, `shorter than its manifest (${e.name})`);
    return { name: e.name, shape: e.shape, data: all.slice(e.offset, e.offset + e.length) };
  });
}

function weightsToTensors(prefix: string, w: NamedWeights): SerializedTensor[] {
  return Object.entries(w).map(([name, v]) => ({ name: prefix + name, shape: v.shape, data: v.data }));
}

function tensorsToWeights(prefix: string, tensors: SerializedTensor[]): NamedWeights {
  const out: NamedWeights = {};
  for (const t of tensors)
    if (t.name.startsWith(prefix)) out[t.name.slice(prefix.length)] = { shape: t.shape, data: t.data };
  return out;
}

/** A trained model: `<dir>/model.json` (what it is + manifest) and `<dir>/weights.bin`. */
export function saveModel(dir: string, description: Record<string, unknown>, weights: NamedWeights): void {
  const { manifest, bytes } = packTensors(weightsToTensors('', weights));
  writeFileAtomic(path.join(dir, 'weights.bin'), bytes);
  writeJsonAtomic(path.join(dir, 'model.json'), {
    ...description,
    format: 'ser-workbench-weights-v1',
    weights: manifest,
  });
}

export function loadModel<D extends Record<string, unknown>>(
  dir: string,
): { description: D; weights: NamedWeights } {
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw new FileError(file, 'not found (no saved model in this fold)');
  const json = readJson<D & { weights: TensorEntry[] }>(file);
  const tensors = unpackTensors(json.weights, path.join(dir, 'weights.bin'));
  return { description: json, weights: tensorsToWeights('', tensors) };
}

interface CheckpointJson {
  epoch: number;
  bin: string;
  manifest: TensorEntry[];
  best: { epoch: number; score: number } | null;
  history: FoldCheckpoint['history'];
  rng: FoldCheckpoint['rng'];
  stale: number;
  stoppedEarly: boolean;
}

/**
 * Writes the epoch's state: first a new binary (named by epoch), then the JSON that points at it
 * (atomic rename), then removes older binaries. A crash at any point leaves a consistent pair.
 */
export function saveCheckpoint(dir: string, cp: FoldCheckpoint): void {
  const bin = `checkpoint-e${String(cp.epoch).padStart(4, '0')}.bin`;
  const tensors = [
    ...weightsToTensors('weights/', cp.weights),
    ...cp.optimizer.map((t) => ({ ...t, name: `optimizer/${t.name}` })),
    ...(cp.best ? weightsToTensors('best/', cp.best.weights) : []),
  ];
  const { manifest, bytes } = packTensors(tensors);
  writeFileAtomic(path.join(dir, bin), bytes);
  const json: CheckpointJson = {
    epoch: cp.epoch,
    bin,
    manifest,
    best: cp.best ? { epoch: cp.best.epoch, score: cp.best.score } : null,
    history: cp.history,
    rng: cp.rng,
    stale: cp.stale,
    stoppedEarly: cp.stoppedEarly,
  };
  writeJsonAtomic(path.join(dir, 'checkpoint.json'), json);
  for (const f of fs.readdirSync(dir)) {
    if (/^checkpoint-e\d+\.bin$/.test(f) && f !== bin) fs.rmSync(path.join(dir, f), { force: true });
  }
}

export function loadCheckpoint(dir: string): FoldCheckpoint | null {
  const file = path.join(dir, 'checkpoint.json');
  if (!fs.existsSync(file)) return null;
  const json = readJson<CheckpointJson>(file);
  const tensors = unpackTensors(json.manifest, path.join(dir, json.bin));
  const optimizer = tensors
    .filter((t) => t.name.startsWith('optimizer/'))
    .map((t) => ({ ...t, name: t.name.slice('optimizer/'.length) }));
  return {
    epoch: json.epoch,
    weights: tensorsToWeights('weights/', tensors),
    optimizer,
    best: json.best ? { ...json.best, weights: tensorsToWeights('best/', tensors) } : null,
    history: json.history,
    rng: json.rng,
    stale: json.stale,
    stoppedEarly: json.stoppedEarly,
  };
}

export function removeCheckpoint(dir: string): void {
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (f === 'checkpoint.json' || /^checkpoint-e\d+\.bin$/.test(f))
      fs.rmSync(path.join(dir, f), { force: true });
  }
}

export function writeFloat32Atomic(file: string, data: Float32Array): void {
  writeFileAtomic(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

export interface RunListing {
  runDir: string;
  id: string;
  state: import('./liveness').RunLivenessState;
  name?: string;
  mode?: string;
  created?: string;
  averageAccuracy?: number | null;
}

/** Run folders under `dir` (newest first): any folder with config.json. */
export function listRuns(dir = defaultRunsDir()): RunListing[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'config.json')))
    .map((d) => {
      const runDir = path.join(dir, d.name);
      const run = readRun(runDir);
      return {
        runDir,
        id: d.name,
        state: runLiveness(runDir, run.status, run.foldsDone).state,
        name: run.config?.config?.name,
        mode: run.config?.mode,
        created: run.config?.created,
        averageAccuracy: run.summary?.pooled?.averageAccuracy,
      };
    })
    .sort((a, b) => b.id.localeCompare(a.id));
}

export interface RunConfigFile {
  config: import('../config/schema').ExperimentConfig;
  mode: string;
  created: string;
  dataDir: string;
  indexHash: string;
  foldAssignment: { index: number; test: string[]; validation: string[]; train: string[] }[];
}

export interface RunRecord {
  runDir: string;
  config: RunConfigFile | null;
  status: RunStatus | null;
  summary: import('../eval/types').RunSummary | null;
  environment: Record<string, unknown> | null;
  foldsDone: number[];
}

/** A JSON file of a run folder, or `fallback` when it is missing or unreadable (a run being written). */
export function readJsonOr<T>(file: string, fallback: T): T {
  try {
    return readJson<T>(file);
  } catch {
    return fallback;
  }
}

function readOr<T>(file: string): T | null {
  return readJsonOr<T | null>(file, null);
}

/** The fold folders present in a run folder, by fold index (fold-01 holds fold 0). */
export function foldDirs(runDir: string): { fold: number; dir: string }[] {
  const foldsDir = path.join(runDir, 'folds');
  if (!fs.existsSync(foldsDir)) return [];
  return fs
    .readdirSync(foldsDir)
    .map((name) => ({ name, m: /^fold-(\d+)$/.exec(name) }))
    .filter((e) => e.m)
    .map((e) => ({ fold: Number(e.m![1]) - 1, dir: path.join(foldsDir, e.name) }))
    .sort((a, b) => a.fold - b.fold);
}

/** activations.json of a fold: the LSTM output per test utterance (activations.f32 holds the values). */
export interface FoldActivationsMeta {
  shape: [number, number];
  ids: string[];
  labels?: string[];
}

/** One test prediction of a fold (predictions.json). */
export interface FoldPrediction {
  id: string;
  path: string;
  speaker: string;
  true: string;
  predicted: string;
  probabilities?: Record<string, number>;
}

/**
 * A fold's saved LSTM activations with its predictions by utterance id; null when the fold saved
 * none. Values that do not match their description are a FileError naming the file.
 */
export function readFoldActivations(
  foldDirPath: string,
): { data: Float32Array; dims: number; ids: string[]; predictions: Map<string, FoldPrediction> } | null {
  const metaFile = path.join(foldDirPath, 'activations.json');
  const dataFile = path.join(foldDirPath, 'activations.f32');
  if (!fs.existsSync(metaFile) || !fs.existsSync(dataFile)) return null;
  const meta = readJson<FoldActivationsMeta>(metaFile);
  const bytes = fs.readFileSync(dataFile);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const [rows, dims] = meta.shape;
  if (data.length !== rows * dims || meta.ids.length !== rows)
    throw new FileError(dataFile, `does not match ${metaFile}`);
  const predFile = path.join(foldDirPath, 'predictions.json');
  const preds = fs.existsSync(predFile) ? readJson<FoldPrediction[]>(predFile) : [];
  return { data, dims, ids: meta.ids, predictions: new Map(preds.map((p) => [p.id, p])) };
}

/** Base name of a fold's train/validation activations (`.f32` values, `.json` description). */
export const TRAINVAL_ACTIVATIONS = 'activations-trainval';

/** activations-trainval.json: the fold model's LSTM output per training and validation utterance. */
export interface TrainValActivationsMeta {
  shape: [number, number];
  ids: string[];
  roles: ('train' | 'val')[];
  paths: string[];
  labels: string[];
  predicted: string[];
  speakers: string[];
}

/**
 * The fold model's activations of its training and validation utterances (written at test time
 * beside the test activations); null when the fold saved none (runs from before they were saved).
 */
export function readFoldTrainValActivations(
  foldDirPath: string,
): { data: Float32Array; dims: number; meta: TrainValActivationsMeta } | null {
  const metaFile = path.join(foldDirPath, `${TRAINVAL_ACTIVATIONS}.json`);
  const dataFile = path.join(foldDirPath, `${TRAINVAL_ACTIVATIONS}.f32`);
  if (!fs.existsSync(metaFile) || !fs.existsSync(dataFile)) return null;
  const meta = readJson<TrainValActivationsMeta>(metaFile);
  const bytes = fs.readFileSync(dataFile);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const [rows, dims] = meta.shape;
  const lists = [meta.ids, meta.roles, meta.paths, meta.labels, meta.predicted, meta.speakers];
  if (data.length !== rows * dims || lists.some((l) => !Array.isArray(l) || l.length !== rows))
    throw new FileError(dataFile, `does not match ${metaFile}`);
  return { data, dims, meta };
}

/** Everything small in a run folder (not predictions or activations). */
export function readRun(runDir: string): RunRecord {
  if (!fs.existsSync(runDir)) throw new FileError(runDir, 'no such run folder');
  const foldsRoot = path.join(runDir, 'folds');
  const foldsDone = fs.existsSync(foldsRoot)
    ? fs
        .readdirSync(foldsRoot)
        .filter((n) => /^fold-\d+$/.test(n) && fs.existsSync(path.join(foldsRoot, n, 'done.json')))
        .map((n) => Number(n.slice(5)) - 1)
        .sort((a, b) => a - b)
    : [];
  return {
    runDir,
    config: readOr<RunConfigFile>(path.join(runDir, 'config.json')),
    status: readStatus(runDir),
    summary: upgradeRunSummary(readOr(path.join(runDir, 'summary.json'))),
    environment: readOr(path.join(runDir, 'environment.json')),
    foldsDone,
  };
}
