/**
 * t-SNE of a run's LSTM activations (folds/fold-NN/activations.f32 + .json), joined with the
 * fold's predictions for each point's file, speaker, true and predicted class. Results are
 * cached in the run folder: the embedding is deterministic for a seed, and re-opening is instant.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TsnePoint, TsneResult } from '../../shared/contract';
import { UserError } from '../../engine/util/errors';
import { writeJsonAtomic } from '../../engine/util/atomic';
import type { TsneOptions } from '../../engine/eval/tsne/types';
import { foldDirs } from './runs';

interface ActivationsMeta {
  shape: [number, number];
  ids: string[];
  labels?: string[];
}
interface Prediction {
  id: string;
  path: string;
  speaker: string;
  true: string;
  predicted: string;
}

function readFold(
  dir: string,
): { data: Float32Array; dims: number; ids: string[]; predictions: Map<string, Prediction> } | null {
  const metaFile = path.join(dir, 'activations.json');
  const dataFile = path.join(dir, 'activations.f32');
  if (!fs.existsSync(metaFile) || !fs.existsSync(dataFile)) return null;
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as ActivationsMeta;
  const bytes = fs.readFileSync(dataFile);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const [rows, dims] = meta.shape;
  if (data.length !== rows * dims || meta.ids.length !== rows)
    throw new UserError(`${dataFile}: does not match ${metaFile}`);
  const predFile = path.join(dir, 'predictions.json');
  const preds = fs.existsSync(predFile)
    ? (JSON.parse(fs.readFileSync(predFile, 'utf8')) as Prediction[])
    : [];
  return { data, dims, ids: meta.ids, predictions: new Map(preds.map((p) => [p.id, p])) };
}

export async function runTsne(
  runDir: string,
  fold: number | 'all',
  perplexity: number,
  seed = 0,
  control: Pick<TsneOptions, 'signal' | 'onProgress'> = {},
): Promise<TsneResult> {
  const cacheFile = path.join(runDir, 'tsne', `fold-${fold}-p${perplexity}-s${seed}.json`);
  if (fs.existsSync(cacheFile)) return JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as TsneResult;

  const dirs = foldDirs(runDir).filter((f) => fold === 'all' || f.fold === fold);
  const chunks: Float32Array[] = [];
  const meta: Omit<TsnePoint, 'x' | 'y'>[] = [];
  let dims = 0;
  for (const { fold: f, dir } of dirs) {
    const read = readFold(dir);
    if (!read) continue;
    if (dims && read.dims !== dims)
      throw new UserError(`fold ${f + 1}: activations have ${read.dims} dimensions, not ${dims}`);
    dims = read.dims;
    chunks.push(read.data);
    for (const id of read.ids) {
      const p = read.predictions.get(id);
      meta.push({
        file: id,
        path: p?.path ?? '',
        speaker: p?.speaker ?? '',
        label: p?.true ?? '',
        predicted: p?.predicted ?? '',
        fold: f,
      });
    }
  }
  if (meta.length < 4)
    throw new UserError('this run has too few saved activations for a t-SNE plot (it needs 4 or more)');
  const all = new Float32Array(meta.length * dims);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  const { tsne } = await import('../../engine/eval/tsne');
  const result = await tsne(all, { inputDims: dims, perplexity, seed, ...control });
  const out: TsneResult = {
    method: `t-SNE (${result.engine}, perplexity ${result.perplexity.toFixed(1)}, ${result.iterations} iterations, seed ${seed})`,
    points: meta.map((m, i) => ({ ...m, x: result.embedding[i * 2], y: result.embedding[i * 2 + 1] })),
  };
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeJsonAtomic(cacheFile, out);
  return out;
}
