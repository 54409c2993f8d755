import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RunInfo, RunProgress, WorkbenchEvent } from '../../../shared/contract';
import { getApi } from '../transport';
import { messageOf } from '../lib/errors';

export interface EpochPoint {
  fold: number;
  epoch: number;
  trainLoss: number | null;
  trainAccuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
}

/** What the Runs view shows of a live run: the latest event and the epoch curve so far. */
export interface LiveProgress {
  last: RunProgress | null;
  epochs: EpochPoint[];
  log: string[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<RunInfo[]>([]);
  const progress = ref<Record<string, LiveProgress>>({});
  const error = ref('');
  let subscribed = false;

  function live(id: string): LiveProgress {
    progress.value[id] ??= { last: null, epochs: [], log: [] };
    return progress.value[id];
  }

  function onEvent(e: WorkbenchEvent): void {
    if (e.type === 'run.progress') {
      const p = live(e.runId);
      p.last = e.event;
      if (e.event.type === 'epoch') {
        const m = (e.event.metrics ?? {}) as Record<string, unknown>;
        p.epochs.push({
          fold: e.event.fold ?? 0,
          epoch: e.event.epoch ?? 0,
          trainLoss: num(m.trainLoss) ?? num(e.event.loss),
          trainAccuracy: num(m.trainAccuracy),
          valLoss: num(m.valLoss),
          valAccuracy: num(m.valAverageAccuracy) ?? num(m.valAccuracy),
        });
      }
      const run = runs.value.find((r) => r.id === e.runId);
      if (run) {
        run.fold = e.event.fold ?? run.fold;
        run.folds = e.event.folds ?? run.folds;
        run.epoch = e.event.epoch ?? run.epoch;
        run.epochs = e.event.epochs ?? run.epochs;
      } else void refresh();
    } else if (e.type === 'run.log') {
      const p = live(e.runId);
      p.log = [...p.log.slice(-199), e.line];
    } else if (e.type === 'run.state') {
      const run = runs.value.find((r) => r.id === e.runId);
      if (run) {
        run.state = e.state;
        run.error = e.error;
        run.live = e.state === 'running';
      }
      void refresh();
    }
  }

  function subscribe(): void {
    if (subscribed) return;
    subscribed = true;
    getApi().onEvent(onEvent);
  }

  async function refresh(): Promise<void> {
    try {
      runs.value = await getApi().call('runs.list', {});
      error.value = '';
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function start(config: unknown): Promise<RunInfo | null> {
    error.value = '';
    try {
      const info = await getApi().call('runs.start', { config });
      progress.value[info.id] = { last: null, epochs: [], log: [] };
      runs.value = [info, ...runs.value.filter((r) => r.id !== info.id)];
      return info;
    } catch (err) {
      error.value = messageOf(err);
      return null;
    }
  }

  async function cancel(id: string): Promise<void> {
    try {
      await getApi().call('runs.cancel', { id });
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function resume(id: string): Promise<void> {
    try {
      const info = await getApi().call('runs.resume', { id });
      runs.value = runs.value.map((r) => (r.id === id ? info : r));
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  /** Epoch curves of a run from its folds' history.json (for runs not watched live). */
  async function loadHistory(id: string): Promise<void> {
    try {
      const detail = await getApi().call('runs.get', { id });
      const points: EpochPoint[] = [];
      for (const f of detail.folds) {
        const epochs = (f.history as { epochs?: Record<string, unknown>[] } | null)?.epochs ?? [];
        for (const e of epochs) {
          points.push({
            fold: f.fold,
            epoch: num(e.epoch) ?? 0,
            trainLoss: num(e.trainLoss),
            trainAccuracy: num(e.trainAccuracy),
            valLoss: num(e.valLoss),
            valAccuracy: num(e.valAverageAccuracy) ?? num(e.valAccuracy),
          });
        }
      }
      if (!live(id).epochs.length) live(id).epochs = points;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  return { runs, progress, error, subscribe, refresh, start, cancel, resume, loadHistory };
});
