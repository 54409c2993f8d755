import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RunInfo, RunProgress, TrashedRun, WorkbenchEvent } from '@shared/contract';
import type { ExperimentConfigInput } from '@shared/config-schema';
import { smoothEta, type EtaState } from '../lib/eta';
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
  log: LogLine[];
}

/** One line of a run's log; debug lines (the engine's tensor counts) are hidden unless asked. */
export interface LogLine {
  line: string;
  debug: boolean;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<RunInfo[]>([]);
  const progress = ref<Record<string, LiveProgress>>({});
  const error = ref('');
  /** Smoothed ETA per run (see lib/eta). */
  const eta = ref<Record<string, EtaState>>({});
  /** A click the run has not answered yet: shown instead of its state until it does. */
  const pending = ref<Record<string, 'cancelling' | 'resuming'>>({});
  const trash = ref<TrashedRun[]>([]);

  function readEta(id: string, sec: number | undefined | null, at = Date.now()): void {
    if (sec === undefined || sec === null || !Number.isFinite(sec)) return;
    eta.value[id] = smoothEta(eta.value[id] ?? null, sec, at);
  }
  let subscribed = false;

  function live(id: string): LiveProgress {
    progress.value[id] ??= { last: null, epochs: [], log: [] };
    return progress.value[id];
  }

  function onEvent(e: WorkbenchEvent): void {
    if (e.type === 'run.progress') {
      const p = live(e.runId);
      p.last = e.event;
      readEta(e.runId, e.event.etaSec);
      // The resumed job speaks: it is running again.
      if (pending.value[e.runId] === 'resuming') delete pending.value[e.runId];
      if (e.event.type === 'epoch') {
        const m = e.event.metrics ?? {};
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
        // Events outside a fold (cache build, setup: fold -1, epoch 0) leave the shown fold and
        // epoch as they were, so the progress text stays put.
        const ev = e.event;
        if (ev.fold !== undefined && ev.fold >= 0) {
          if (ev.fold !== run.fold) run.epoch = ev.epoch ?? 0;
          run.fold = ev.fold;
        }
        if (ev.folds) run.folds = ev.folds;
        if (ev.epoch) run.epoch = ev.epoch;
        if (ev.epochs) run.epochs = ev.epochs;
      } else void refresh();
    } else if (e.type === 'run.log') {
      const p = live(e.runId);
      p.log = [...p.log.slice(-199), { line: e.line, debug: e.level === 'debug' }];
    } else if (e.type === 'run.state') {
      const run = runs.value.find((r) => r.id === e.runId);
      if (run) {
        run.state = e.state;
        run.error = e.error;
        run.live = e.state === 'running';
      }
      if (e.state !== 'running') {
        delete pending.value[e.runId];
        delete eta.value[e.runId];
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
      // A run not watched live (reloaded page, started by the CLI) has its ETA from status.json.
      for (const r of runs.value) {
        if (r.state === 'running' && !eta.value[r.id] && r.etaSec !== null)
          readEta(r.id, r.etaSec, r.updatedAt ? Date.parse(r.updatedAt) : Date.now());
      }
      error.value = '';
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function start(config: ExperimentConfigInput): Promise<RunInfo | null> {
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

  /**
   * A config through its executor (a sweep, or the slurm executor): the runs it made list at once,
   * queued while they are prepared and submitted. Returns the sweep's folder name (or null).
   */
  async function submit(config: unknown): Promise<{ sweep: string | null; runs: RunInfo[] } | null> {
    error.value = '';
    try {
      const made = await getApi().call('runs.submit', { config });
      const ids = new Set(made.runs.map((r) => r.id));
      for (const r of made.runs) progress.value[r.id] = { last: null, epochs: [], log: [] };
      runs.value = [...made.runs, ...runs.value.filter((r) => !ids.has(r.id))];
      return made;
    } catch (err) {
      error.value = messageOf(err);
      return null;
    }
  }

  /** Tags and notes, kept in the run's folder. */
  async function annotate(id: string, change: { tags?: string[]; notes?: string }): Promise<void> {
    try {
      const info = await getApi().call('runs.annotate', { id, ...change });
      runs.value = runs.value.map((r) => (r.id === id ? info : r));
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function cancel(id: string): Promise<void> {
    pending.value[id] = 'cancelling';
    try {
      await getApi().call('runs.cancel', { id });
    } catch (err) {
      delete pending.value[id];
      error.value = messageOf(err);
    }
  }

  async function resume(id: string): Promise<void> {
    pending.value[id] = 'resuming';
    try {
      const info = await getApi().call('runs.resume', { id });
      runs.value = runs.value.map((r) => (r.id === id ? info : r));
    } catch (err) {
      delete pending.value[id];
      error.value = messageOf(err);
    }
  }

  async function rename(id: string, name: string): Promise<void> {
    try {
      const info = await getApi().call('runs.rename', { id, name });
      runs.value = runs.value.map((r) => (r.id === id ? info : r));
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function loadTrash(): Promise<void> {
    try {
      trash.value = await getApi().call('runs.trash', {});
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  /** Moves the run to the trash in the data folder (restorable). */
  async function remove(id: string): Promise<void> {
    try {
      const trashed = await getApi().call('runs.delete', { id });
      runs.value = runs.value.filter((r) => r.id !== id);
      trash.value = [trashed, ...trash.value.filter((t) => t.id !== id)];
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  /** Moves a whole sweep (every cell) to the trash as one entry (restorable). */
  async function removeSweep(sweepId: string): Promise<void> {
    try {
      const trashed = await getApi().call('sweeps.delete', { id: sweepId });
      runs.value = runs.value.filter((r) => r.sweep?.id !== sweepId);
      trash.value = [trashed, ...trash.value.filter((t) => t.id !== sweepId)];
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  /** Brings a trashed run, or a whole trashed sweep with its cells, back into the run table. */
  async function restore(id: string): Promise<void> {
    try {
      const kind = trash.value.find((t) => t.id === id)?.kind ?? 'run';
      const back =
        kind === 'sweep'
          ? await getApi().call('sweeps.restore', { id })
          : [await getApi().call('runs.restore', { id })];
      const ids = new Set(back.map((r) => r.id));
      trash.value = trash.value.filter((t) => t.id !== id);
      runs.value = [...back, ...runs.value.filter((r) => !ids.has(r.id))].sort((a, b) =>
        b.id.localeCompare(a.id),
      );
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
        for (const e of f.history?.epochs ?? []) {
          points.push({
            fold: f.fold,
            epoch: e.epoch,
            trainLoss: e.trainLoss,
            trainAccuracy: e.trainAccuracy,
            valLoss: e.valLoss,
            valAccuracy: e.valAverageAccuracy ?? e.valAccuracy,
          });
        }
      }
      if (!live(id).epochs.length) live(id).epochs = points;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  return {
    runs,
    progress,
    error,
    eta,
    pending,
    trash,
    subscribe,
    refresh,
    start,
    submit,
    annotate,
    cancel,
    resume,
    rename,
    remove,
    removeSweep,
    restore,
    loadTrash,
    loadHistory,
  };
});
