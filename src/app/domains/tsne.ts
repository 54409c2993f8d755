/**
 * t-SNE of a run's LSTM activations (folds/fold-NN/activations.f32 + .json), joined with the
 * fold's predictions for each point's file, speaker, true and predicted class.
 *
 * Each fold's embedding holds that fold model's activations only: the folds are different
 * networks, so distances between their activations mean nothing, and one embedding of all folds
 * shows the fold models (on RAVDESS four islands, one per test speaker), not emotions. 'all'
 * therefore gives small multiples, one panel per fold. Each panel states its trustworthiness.
 * Results are cached in the run folder (deterministic for a perplexity and seed).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TsnePanel, TsnePoint, TsneResult } from '../../shared/contract';
import { UserError } from '../../engine/util/errors';
import { writeJsonAtomic } from '../../engine/util/atomic';
import type { TsneOptions } from '../../engine/eval/tsne/types';
import { foldDirs, readFoldActivations } from '../../engine/runs/store';

/** The embedding a panel shows: t-SNE (the fast engine) or UMAP. */
export type EmbeddingMethod = 'tsne' | 'umap';

/** Neighbours counted by the stated trustworthiness (scikit-learn's default k = 5). */
const TRUST_K = 5;

/** One fold model's t-SNE of its test utterances; null when the fold saved no activations. */
async function foldPanel(
  fold: number,
  dir: string,
  perplexity: number,
  seed: number,
  control: Pick<TsneOptions, 'signal' | 'onProgress'> = {},
  method: EmbeddingMethod = 'tsne',
): Promise<TsnePanel | null> {
  const read = readFoldActivations(dir);
  if (!read) return null;
  if (read.ids.length < 4) {
    throw new UserError(
      `fold ${fold + 1}: ${read.ids.length} test utterances are too few for a t-SNE (it needs 4 or more)`,
    );
  }
  const meta: Omit<TsnePoint, 'x' | 'y'>[] = read.ids.map((id) => {
    const p = read.predictions.get(id);
    return {
      file: id,
      path: p?.path ?? '',
      speaker: p?.speaker ?? '',
      label: p?.true ?? '',
      predicted: p?.predicted ?? '',
      fold,
    };
  });
  const { tsne } = await import('../../engine/eval/tsne');
  const { trustworthiness } = await import('../../engine/eval/tsne/quality');
  const engine = method === 'umap' ? 'umap' : 'fast';
  const result = await tsne(read.data, { inputDims: read.dims, perplexity, seed, engine, ...control });
  const k = Math.min(TRUST_K, Math.ceil(read.ids.length / 2) - 1);
  const trust = k >= 1 ? { k, value: trustworthiness(read.data, result.embedding, k, read.dims, 2) } : null;
  return {
    fold,
    method:
      method === 'umap'
        ? `UMAP of fold ${fold + 1}'s model on its ${read.ids.length} test utterances (umap-js, ${Math.round(result.perplexity)} neighbours, ${result.iterations} epochs, seed ${seed})`
        : `t-SNE of fold ${fold + 1}'s model on its ${read.ids.length} test utterances (${result.engine}, perplexity ${result.perplexity.toFixed(1)}, ${result.iterations} iterations, seed ${seed})`,
    points: meta.map((m, i) => ({ ...m, x: result.embedding[i * 2], y: result.embedding[i * 2 + 1] })),
    perplexity: result.perplexity,
    seed,
    trustworthiness: trust,
  };
}

export async function runTsne(
  runDir: string,
  fold: number | 'all',
  perplexity: number,
  seed = 0,
  control: Pick<TsneOptions, 'signal' | 'onProgress'> = {},
  method: EmbeddingMethod = 'tsne',
): Promise<TsneResult> {
  // t-SNE keeps its cache names of before UMAP existed; UMAP's carry the method.
  const name = `v2-fold-${fold}-p${perplexity}-s${seed}${method === 'umap' ? '-umap' : ''}.json`;
  const cacheFile = path.join(runDir, 'tsne', name);
  if (fs.existsSync(cacheFile)) return JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as TsneResult;

  const dirs = foldDirs(runDir).filter((f) => fold === 'all' || f.fold === fold);
  const panels: TsnePanel[] = [];
  for (const [i, { fold: f, dir }] of dirs.entries()) {
    // Progress over all panels: panel i's iterations follow those of the panels before it.
    const onProgress = control.onProgress
      ? (p: { iteration: number; iterations: number }) =>
          control.onProgress!({
            iteration: i * p.iterations + p.iteration,
            iterations: dirs.length * p.iterations,
          })
      : undefined;
    const panel = await foldPanel(f, dir, perplexity, seed, { signal: control.signal, onProgress }, method);
    if (panel) panels.push(panel);
  }
  if (panels.length === 0) {
    throw new UserError(
      fold === 'all'
        ? 'this run saved no LSTM activations for a t-SNE plot'
        : `fold ${fold + 1} saved no LSTM activations for a t-SNE plot`,
    );
  }
  const out: TsneResult = {
    method:
      fold === 'all'
        ? `one ${method === 'umap' ? 'UMAP' : 't-SNE'} per fold (${panels.length} panels): each fold's model embeds only its own test utterances; fold models are never mixed in one embedding`
        : panels[0].method,
    points: panels.flatMap((p) => p.points),
    panels,
  };
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeJsonAtomic(cacheFile, out);
  return out;
}
