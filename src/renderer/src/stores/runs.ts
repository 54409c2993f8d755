import { defineStore } from 'pinia';
import { markRaw, ref } from 'vue';
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
  /**
   * Every epoch point so far. Not deep-reactive (markRaw) and never mutated: each flush replaces
   * the array, so a consumer recomputes once per flush and Vue tracks one property, not thousands
   * of points.
   */
  epochs: EpochPoint[];
  log: LogLine[];
}

/** One line of a run's log; debug lines (the engine's tensor counts) are hidden unless asked. */
export interface LogLine {
  line: string;
  debug: boolean;
}

/**
 * How often live events reach the reactive state (ms). A frozen run on the 64-file subset sends
 * about 40 epoch events a second (two fold workers, epochs of ~0.05 s). Applied one by one, each
 * event pushed a point into a deep-reactive array and recomputed and redrew every curve over the
 * whole history: the work per event grew with the run (measured: 1.6 ms per event at 1,000 points,
 * 54 ms at 10,000, before Plotly's redraw of both figures, 200 ms at 2,000 epochs), so after about
 * a minute the page fell behind its events for good (CI: the run's row unreadable for 30 s). Events
 * now wait in a plain buffer, O(1) each, and are applied together at most twice a second: a flush
 * costs its new events plus one copy of the point array, and the curves are recomputed and redrawn
 * once per flush instead of once per epoch.
 */
export const FLUSH_INTERVAL_MS = 500;
/** Log lines kept per run. */
const LOG_LINES = 200;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const emptyLive = (): LiveProgress => ({ last: null, epochs: markRaw([]), log: [] });

function epochPoint(ev: RunProgress): EpochPoint {
  const m = ev.metrics ?? {};
  return {
    fold: ev.fold ?? 0,
    epoch: ev.epoch ?? 0,
    trainLoss: num(m.trainLoss) ?? num(ev.loss),
    trainAccuracy: num(m.trainAccuracy),
    valLoss: num(m.valLoss),
    valAccuracy: num(m.valAverageAccuracy) ?? num(m.valAccuracy),
  };
}

/** Where a run's row says it is: its fold and epoch, of how many. */
type RowPosition = Pick<RunInfo, 'fold' | 'folds' | 'epoch' | 'epochs'>;

/**
 * The row's position after one event. Events outside a fold (cache build, setup: fold -1, epoch 0)
 * leave the shown fold and epoch as they were, so the progress text stays put.
 */
function follow(row: RowPosition, ev: RunProgress): void {
  if (ev.fold !== undefined && ev.fold >= 0) {
    if (ev.fold !== row.fold) row.epoch = ev.epoch ?? 0;
    row.fold = ev.fold;
  }
  if (ev.folds) row.folds = ev.folds;
  if (ev.epoch) row.epoch = ev.epoch;
  if (ev.epochs) row.epochs = ev.epochs;
}

/** The ETA after a reading of `sec` seconds left at `at`; no reading (absent, not finite) keeps it. */
function nextEta(prev: EtaState | null, sec: number | undefined | null, at: number): EtaState | null {
  return sec === undefined || sec === null || !Number.isFinite(sec) ? prev : smoothEta(prev, sec, at);
}

/** A run's events since the last flush, in the order they came; `at` is when (for the ETA). */
interface Buffered {
  progress: { event: RunProgress; at: number }[];
  log: LogLine[];
}

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
    const next = nextEta(eta.value[id] ?? null, sec, at);
    if (next) eta.value[id] = next;
  }
  let subscribed = false;

  function live(id: string): LiveProgress {
    progress.value[id] ??= emptyLive();
    return progress.value[id];
  }

  /** Live events not yet applied (see FLUSH_INTERVAL_MS): plain data, nothing watches it. */
  const buffer = new Map<string, Buffered>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  function buffered(id: string): Buffered {
    let b = buffer.get(id);
    if (!b) buffer.set(id, (b = { progress: [], log: [] }));
    return b;
  }

  function onEvent(e: WorkbenchEvent): void {
    if (e.type === 'run.progress') {
      // The resumed job speaks: it is running again. At once, not buffered: one key, and only
      // while a resume is pending.
      if (pending.value[e.runId] === 'resuming') delete pending.value[e.runId];
      buffered(e.runId).progress.push({ event: e.event, at: Date.now() });
      flushSoon();
    } else if (e.type === 'run.log') {
      buffered(e.runId).log.push({ line: e.line, debug: e.level === 'debug' });
      flushSoon();
    } else if (e.type === 'run.state') {
      // What the run said before this comes first: its last ETA readings must not revive the ETA
      // of a run that stopped.
      flush();
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

  function flushSoon(): void {
    flushTimer ??= setTimeout(flush, FLUSH_INTERVAL_MS);
  }

  /** Applies the buffered events: per run, one update of its row, ETA, curve and log. */
  function flush(): void {
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    let unknownRun = false;
    for (const [id, b] of buffer) if (!apply(id, b)) unknownRun = true;
    buffer.clear();
    // A run this page does not list yet (started elsewhere): list the runs again, once.
    if (unknownRun) void refresh();
  }

  /** One run's buffered events, as if applied one by one. False when its row is not listed. */
  function apply(id: string, b: Buffered): boolean {
    const p = live(id);
    if (b.log.length) p.log = [...p.log, ...b.log].slice(-LOG_LINES);
    if (!b.progress.length) return true;
    p.last = b.progress[b.progress.length - 1].event;
    const points = b.progress.filter((a) => a.event.type === 'epoch').map((a) => epochPoint(a.event));
    if (points.length) p.epochs = markRaw(p.epochs.concat(points));
    const etaBefore = eta.value[id] ?? null;
    let etaNow: EtaState | null = etaBefore;
    for (const { event, at } of b.progress) etaNow = nextEta(etaNow, event.etaSec, at);
    if (etaNow && etaNow !== etaBefore) eta.value[id] = etaNow;
    const run = runs.value.find((r) => r.id === id);
    if (!run) return false;
    const row: RowPosition = { fold: run.fold, folds: run.folds, epoch: run.epoch, epochs: run.epochs };
    for (const { event } of b.progress) follow(row, event);
    Object.assign(run, row);
    return true;
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
      progress.value[info.id] = emptyLive();
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
      for (const r of made.runs) progress.value[r.id] = emptyLive();
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
      if (!live(id).epochs.length) live(id).epochs = markRaw(points);
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
