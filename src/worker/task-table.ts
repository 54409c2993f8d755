/**
 * What each task does: the application layer's heavy handlers, called with arguments the face
 * has already checked (paths resolved inside the permitted folders). Runs inside a task worker.
 */
import { permittedPath } from '../app/access';
import { audioView } from '../app/domains/audio';
import { indexDataset, type IndexRequest } from '../app/domains/datasets';
import {
  checkRunCorpus,
  estimateBaseline,
  estimateCost,
  layerCosts,
  previewFolds,
} from '../app/domains/experiment';
import { ensureStarterCorpus } from '../app/domains/starter';
import { runTsne, visualisationTsne } from '../app/domains/tsne';
import type { TaskName } from '@shared/worker-messages';

export interface TaskArgs {
  'datasets.index': IndexRequest;
  'datasets.starter': Record<string, never>;
  'audio.view': { file: string; columns?: number };
  /** `roots`: the folders the config's corpus must lie in (checked again here, in the worker). */
  'experiment.layers': { config: unknown; roots: string[] };
  'folds.preview': { config: unknown; roots: string[] };
  'runs.check': { config: unknown; roots: string[] };
  'experiment.estimate': { config: unknown; roots: string[] };
  'experiment.baselineEstimate': { config: unknown; roots: string[] };
  'results.tsne': {
    runDir: string;
    fold: number | 'all';
    perplexity: number;
    seed?: number;
    method?: 'tsne' | 'umap';
    trainVal?: boolean;
  };
  'results.visualisation': {
    runDir: string;
    perplexity: number;
    seed?: number;
    method?: 'tsne' | 'umap';
    epochs?: number;
  };
}

export interface TaskControl {
  signal: AbortSignal;
  progress: (done: number, total: number, message?: string) => void;
}

type TaskTable = { [N in TaskName]: (args: TaskArgs[N], control: TaskControl) => Promise<unknown> };

export const taskTable: TaskTable = {
  'datasets.index': (args, c) => indexDataset(args, (done, total) => c.progress(done, total, 'indexing')),
  'datasets.starter': () => ensureStarterCorpus(),
  'audio.view': (args) => audioView(args.file, args.columns),
  'folds.preview': (args) => previewFolds(args.config, (dir) => permittedPath(args.roots, dir)),
  'runs.check': (args) => checkRunCorpus(args.config, (dir) => permittedPath(args.roots, dir)),
  'experiment.layers': (args) => layerCosts(args.config, (dir) => permittedPath(args.roots, dir)),
  'experiment.estimate': (args) => estimateCost(args.config, (dir) => permittedPath(args.roots, dir)),
  'experiment.baselineEstimate': (args) =>
    estimateBaseline(args.config, (dir) => permittedPath(args.roots, dir)),
  'results.tsne': (args, c) =>
    runTsne(args.runDir, args.fold, {
      perplexity: args.perplexity,
      seed: args.seed ?? 0,
      method: args.method,
      trainVal: args.trainVal,
      control: {
        signal: c.signal,
        onProgress: (p) => c.progress(p.iteration, p.iterations, args.method === 'umap' ? 'UMAP' : 't-SNE'),
      },
    }),
  'results.visualisation': (args, c) =>
    visualisationTsne(
      args.runDir,
      { perplexity: args.perplexity, seed: args.seed ?? 0, method: args.method },
      { epochs: args.epochs, signal: c.signal, progress: c.progress },
    ),
};
