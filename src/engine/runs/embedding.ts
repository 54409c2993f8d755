/**
 * t-SNE (or UMAP) of a run's LSTM activations (folds/fold-NN/activations.f32 + .json), joined with
 * the fold's predictions for each point's file, speaker, true and predicted class.
 *
 * Each fold's embedding holds that fold model's activations only: the folds are different
 * networks, so distances between their activations mean nothing, and one embedding of all folds
 * shows the fold models (on RAVDESS four islands, one per test speaker), not emotions. 'all'
 * therefore gives small multiples, one panel per fold. A panel shows the fold's test utterances;
 * with `trainVal` the same model's activations of its training and validation utterances
 * (activations-trainval.*, written at test time) join the same embedding, each point carrying its
 * role so the figure can draw them faded. Each panel states its trustworthiness. Results are
 * cached in the run folder (deterministic for a perplexity, seed, method and point set).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TsnePanel, TsnePoint, TsneResult } from '@shared/contract';
import type { TsneOptions, TsneResult as Embedding } from '../eval/tsne/types';
import { writeJsonAtomic } from '../util/atomic';
import { UserError } from '../util/errors';
import { foldDirs, readFoldActivations, readFoldTrainValActivations } from './store';

/** The embedding a panel shows: t-SNE (the fast engine) or UMAP. */
export type EmbeddingMethod = 'tsne' | 'umap';

export interface EmbeddingRequest {
  perplexity: number;
  seed?: number;
  method?: EmbeddingMethod;
  /** Add the fold model's training and validation utterances (role 'train' / 'val'). */
  trainVal?: boolean;
  control?: Pick<TsneOptions, 'signal' | 'onProgress'>;
}

/** Neighbours counted by the stated trustworthiness (scikit-learn's default k = 5). */
const TRUST_K = 5;
/**
 * Trustworthiness holds two n × n distance matrices; above this many points it is computed over
 * the test points only (their input rows and their places in the shared embedding).
 */
const TRUST_MAX_POINTS = 3000;

/** Points to embed: row-major activations and, per row, what the figure says about it. */
export interface EmbeddingInput {
  data: Float32Array;
  dims: number;
  meta: Omit<TsnePoint, 'x' | 'y'>[];
}

/** A fold's test activations, plus its training/validation ones when asked; null: none saved. */
function foldInput(fold: number, dir: string, trainVal: boolean): EmbeddingInput | null {
  const read = readFoldActivations(dir);
  if (!read) return null;
  const meta: Omit<TsnePoint, 'x' | 'y'>[] = read.ids.map((id) => {
    const p = read.predictions.get(id);
    return {
      file: id,
      path: p?.path ?? '',
      speaker: p?.speaker ?? '',
      label: p?.true ?? '',
      predicted: p?.predicted ?? '',
      fold,
      role: 'test' as const,
    };
  });
  if (!trainVal) return { data: read.data, dims: read.dims, meta };
  const context = readFoldTrainValActivations(dir);
  if (!context) {
    throw new UserError(
      `fold ${fold + 1} saved no activations of its training and validation utterances ` +
        `(folds trained before they were saved); show the test utterances only, or train the fold again`,
    );
  }
  if (context.dims !== read.dims) {
    throw new UserError(
      `fold ${fold + 1}: train/validation activations have ${context.dims} values per utterance, the test ones ${read.dims}`,
    );
  }
  const data = new Float32Array(read.data.length + context.data.length);
  data.set(read.data, 0);
  data.set(context.data, read.data.length);
  const m = context.meta;
  for (let i = 0; i < m.ids.length; i++) {
    meta.push({
      file: m.ids[i],
      path: m.paths[i],
      speaker: m.speakers[i],
      label: m.labels[i],
      predicted: m.predicted[i],
      fold,
      role: m.roles[i],
    });
  }
  return { data, dims: read.dims, meta };
}

/** '16 test utterances' or '16 test + 40 train + 8 validation utterances'. */
function describePoints(meta: EmbeddingInput['meta']): string {
  const count = (role: TsnePoint['role']) => meta.filter((m) => (m.role ?? 'test') === role).length;
  const train = count('train');
  const val = count('val');
  if (train + val === 0) return `${count('test')} test utterances`;
  return `${count('test')} test + ${train} train + ${val} validation utterances`;
}

/**
 * Embeds `input` and states the embedding's quality. `subject` names the model ("fold 1's model")
 * and `points` what its points are ("16 test utterances") in the method line.
 */
export async function embedPanel(
  input: EmbeddingInput,
  fold: number,
  subject: string,
  req: EmbeddingRequest,
  points = describePoints(input.meta),
): Promise<TsnePanel> {
  const n = input.meta.length;
  if (n < 4) throw new UserError(`${subject}: ${points} are too few for a t-SNE (it needs 4 or more)`);
  const seed = req.seed ?? 0;
  const method = req.method ?? 'tsne';
  const { tsne } = await import('../eval/tsne');
  const result = await tsne(input.data, {
    inputDims: input.dims,
    perplexity: req.perplexity,
    seed,
    engine: method === 'umap' ? 'umap' : 'fast',
    ...req.control,
  });
  return {
    fold,
    method:
      method === 'umap'
        ? `UMAP of ${subject} on its ${points} (umap-js, ${Math.round(result.perplexity)} neighbours, ${result.iterations} epochs, seed ${seed})`
        : `t-SNE of ${subject} on its ${points} (${result.engine}, perplexity ${result.perplexity.toFixed(1)}, ${result.iterations} iterations, seed ${seed})`,
    points: input.meta.map((m, i) => ({ ...m, x: result.embedding[i * 2], y: result.embedding[i * 2 + 1] })),
    perplexity: result.perplexity,
    seed,
    trustworthiness: await trustOf(input, result),
  };
}

/** T(k) over every point, or over the test points alone when there are too many for n × n. */
async function trustOf(input: EmbeddingInput, result: Embedding): Promise<TsnePanel['trustworthiness']> {
  const { trustworthiness } = await import('../eval/tsne/quality');
  let rows = input.meta.map((_, i) => i);
  if (rows.length > TRUST_MAX_POINTS) rows = rows.filter((i) => (input.meta[i].role ?? 'test') === 'test');
  const k = Math.min(TRUST_K, Math.ceil(rows.length / 2) - 1);
  if (k < 1) return null;
  const x = new Float32Array(rows.length * input.dims);
  const y = new Float32Array(rows.length * 2);
  rows.forEach((r, j) => {
    x.set(input.data.subarray(r * input.dims, (r + 1) * input.dims), j * input.dims);
    y.set(result.embedding.subarray(r * 2, r * 2 + 2), j * 2);
  });
  const value = trustworthiness(x, y, k, input.dims, 2);
  return rows.length === input.meta.length ? { k, value } : { k, value, over: 'test' };
}

export async function runTsne(
  runDir: string,
  fold: number | 'all',
  req: EmbeddingRequest,
): Promise<TsneResult> {
  const seed = req.seed ?? 0;
  const method = req.method ?? 'tsne';
  const trainVal = req.trainVal ?? false;
  // v4: the t-SNE engine's tree refitted between iterations (an embedding cached by an older
  // engine, v3 and before, is not what this code computes for the same seed, so it is not served). UMAP's names carry the method, and an
  // embedding with the training/validation points is cached apart from the test-only one.
  const name = `v4-fold-${fold}-p${req.perplexity}-s${seed}${method === 'umap' ? '-umap' : ''}${trainVal ? '-trainval' : ''}.json`;
  const cacheFile = path.join(runDir, 'tsne', name);
  if (fs.existsSync(cacheFile)) return JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as TsneResult;

  const dirs = foldDirs(runDir).filter((f) => fold === 'all' || f.fold === fold);
  const panels: TsnePanel[] = [];
  const onProgress = req.control?.onProgress;
  for (const [i, { fold: f, dir }] of dirs.entries()) {
    const input = foldInput(f, dir, trainVal);
    if (!input) continue;
    // Progress over all panels: panel i's iterations follow those of the panels before it.
    const control = {
      signal: req.control?.signal,
      onProgress: onProgress
        ? (p: { iteration: number; iterations: number }) =>
            onProgress({ iteration: i * p.iterations + p.iteration, iterations: dirs.length * p.iterations })
        : undefined,
    };
    panels.push(await embedPanel(input, f, `fold ${f + 1}'s model`, { ...req, control }));
  }
  if (panels.length === 0) {
    throw new UserError(
      fold === 'all'
        ? 'this run saved no LSTM activations for a t-SNE plot'
        : `fold ${fold + 1} saved no LSTM activations for a t-SNE plot`,
    );
  }
  const what = `${trainVal ? 'test utterances, with its training and validation utterances faded' : 'test utterances'}`;
  const out: TsneResult = {
    method:
      fold === 'all'
        ? `one ${method === 'umap' ? 'UMAP' : 't-SNE'} per fold (${panels.length} panels): each fold's model embeds only its own ${what}; fold models are never mixed in one embedding`
        : panels[0].method,
    points: panels.flatMap((p) => p.points),
    panels,
  };
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeJsonAtomic(cacheFile, out);
  return out;
}
