import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  PaperComparison,
  ResultsTable,
  RunDetail,
  TsneResult,
  UtterancePrediction,
} from '@shared/contract';
import { getApi } from '../transport';
import { messageOf } from '../lib/errors';

export interface RunResults {
  id: string;
  detail: RunDetail | null;
  table: ResultsTable | null;
  paper: PaperComparison | null;
  tsne: TsneResult | null;
  /** A fold, 'all' (one panel per fold) or 'visualisation' (the all-speakers model, not a test result). */
  tsneFold: TsneFold;
  error: string;
  tsneError: string;
  tsneLoading: boolean;
  /** The embedding's task while it runs: its id (to cancel it) and its last progress event. */
  tsneTask: { id: string; done: number; total: number; message: string } | null;
  /** Utterance ids (file) selected in a linked view (confusion cell, t-SNE lasso), highlighted everywhere. */
  highlight: string[];
  /** What the highlighted utterances are ('angry predicted as sad, pooled'). */
  selectionTitle: string;
  /** Every test utterance's prediction (for the linked views); empty until loaded. */
  predictions: UtterancePrediction[];
}

export type TsneFold = number | 'all' | 'visualisation';

export type ColourBy = 'label' | 'speaker' | 'correct';

export const useResultsStore = defineStore('results', () => {
  /** Up to two runs side by side. */
  const panes = ref<RunResults[]>([]);
  const colourBy = ref<ColourBy>('label');
  const normalise = ref(false);
  /** t-SNE settings, shared by every pane (one embedding per fold model, cached per setting). */
  const tsnePerplexity = ref(30);
  const tsneSeed = ref(0);
  const tsneMethod = ref<'tsne' | 'umap'>('tsne');
  /** Add each fold model's training and validation utterances as faded points (off: test only). */
  const tsneTrainVal = ref(false);
  let tasksStarted = 0;

  async function open(id: string, slot = 0): Promise<void> {
    const pane: RunResults = {
      id,
      detail: null,
      table: null,
      paper: null,
      tsne: null,
      tsneFold: 'all',
      error: '',
      tsneError: '',
      tsneLoading: false,
      tsneTask: null,
      highlight: [],
      selectionTitle: '',
      predictions: [],
    };
    const next = [...panes.value];
    next[slot] = pane;
    panes.value = next.filter(Boolean);
    const p = panes.value[Math.min(slot, panes.value.length - 1)];
    try {
      p.detail = await getApi().call('runs.get', { id });
      p.table = await getApi().call('results.table', { id });
      p.paper = await getApi().call('results.paper', { id });
    } catch (err) {
      p.error = messageOf(err);
    }
    if (p.table) {
      p.predictions = await getApi()
        .call('results.predictions', { id })
        .catch(() => []);
      await loadTsne(p, 'all');
    }
  }

  async function loadTsne(p: RunResults, fold: TsneFold): Promise<void> {
    p.tsneFold = fold;
    p.tsneLoading = true;
    p.tsneError = '';
    const taskId = `tsne-${Date.now()}-${++tasksStarted}`;
    const settings = {
      id: p.id,
      perplexity: tsnePerplexity.value,
      seed: tsneSeed.value,
      method: tsneMethod.value,
      taskId,
    };
    p.tsneTask = { id: taskId, done: 0, total: 0, message: '' };
    const stop = getApi().onEvent((e) => {
      if (e.type === 'task.progress' && e.taskId === taskId && p.tsneTask?.id === taskId)
        p.tsneTask = { id: taskId, done: e.done, total: e.total, message: e.message ?? '' };
    });
    try {
      // The visualisation model trains on first use (a task with progress): its own method.
      p.tsne =
        fold === 'visualisation'
          ? await getApi().call('results.visualisation', settings)
          : await getApi().call('results.tsne', { ...settings, fold, trainVal: tsneTrainVal.value });
    } catch (err) {
      p.tsne = null;
      p.tsneError = messageOf(err);
    } finally {
      stop();
      if (p.tsneTask?.id === taskId) {
        p.tsneTask = null;
        p.tsneLoading = false;
      }
    }
  }

  /** Stops the pane's running embedding (or visualisation-model training); it fails as cancelled. */
  async function cancelTsne(p: RunResults): Promise<void> {
    if (p.tsneTask) await getApi().call('tasks.cancel', { taskId: p.tsneTask.id });
  }

  /** Highlights these utterances in every linked view of the pane (table, t-SNE). */
  function select(p: RunResults, ids: string[], title: string): void {
    p.highlight = ids;
    p.selectionTitle = title;
  }

  function close(slot: number): void {
    panes.value = panes.value.filter((_, i) => i !== slot);
  }

  return {
    panes,
    colourBy,
    normalise,
    tsnePerplexity,
    tsneSeed,
    tsneMethod,
    tsneTrainVal,
    open,
    loadTsne,
    cancelTsne,
    select,
    close,
  };
});
