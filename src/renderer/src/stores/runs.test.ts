/**
 * The runs store's live events (issue: a 5,000-epoch frozen run left the Runs page unresponsive):
 * events wait in a plain buffer and reach the reactive state in bounded flushes, with the same
 * result as applying them one by one.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { computed, isProxy, watch } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import type { RunInfo, RunProgress, WorkbenchEvent } from '@shared/contract';
import { foldBand } from '../lib/curves';
import { smoothEta, type EtaState } from '../lib/eta';
import { FLUSH_INTERVAL_MS, useRunsStore } from './runs';

const transport = vi.hoisted(() => ({
  listener: null as ((e: unknown) => void) | null,
  calls: [] as string[],
  listed: [] as unknown[],
}));
vi.mock('../transport', () => ({
  getApi: () => ({
    onEvent: (l: (e: unknown) => void) => {
      transport.listener = l;
      return () => undefined;
    },
    call: async (method: string) => {
      transport.calls.push(method);
      return method === 'runs.list' ? transport.listed : {};
    },
  }),
}));

const send = (e: WorkbenchEvent) => transport.listener!(e);
const progress = (event: RunProgress, runId = 'r'): WorkbenchEvent => ({
  type: 'run.progress',
  runId,
  event,
});
const epochEvent = (fold: number, epoch: number, etaSec: number | null = null): RunProgress => ({
  type: 'epoch',
  fold,
  folds: 4,
  epoch,
  epochs: 5000,
  etaSec,
  metrics: { trainLoss: 1 / epoch, trainAccuracy: fold / 10, valLoss: 2 / epoch, valAccuracy: epoch / 5000 },
});

function row(id: string, extra: Partial<RunInfo> = {}): RunInfo {
  return {
    id,
    dir: `/runs/${id}`,
    name: id,
    state: 'running',
    createdAt: null,
    corpus: 'ravdess',
    mode: 'frozen',
    fold: null,
    folds: 4,
    epoch: null,
    epochs: 5000,
    error: null,
    live: true,
    etaSec: null,
    updatedAt: null,
    uar: null,
    columns: {
      trainFrom: 'frozen',
      learningRate: 0.001,
      weights: null,
      backend: 'tensorflow',
      executor: 'local',
      hosts: ['localhost'],
    },
    ...extra,
  };
}

function setup() {
  setActivePinia(createPinia());
  const runs = useRunsStore();
  runs.subscribe();
  runs.runs = [row('r')];
  transport.listed = [row('r')];
  return runs;
}

beforeEach(() => {
  vi.useFakeTimers();
  transport.calls = [];
});
afterEach(() => vi.useRealTimers());

describe('runs store: live events', () => {
  it('10,000 epoch events: every point arrives, in a bounded number of reactive flushes', () => {
    const runs = setup();
    // What RunCurves does with the points: one curve computation per change it sees.
    let changes = 0;
    let curveComputations = 0;
    watch(
      () => runs.progress.r?.epochs,
      () => changes++,
      { flush: 'sync' },
    );
    const curve = computed(() => {
      curveComputations++;
      const points = runs.progress.r?.epochs ?? [];
      return foldBand(points.map((p) => ({ fold: p.fold, epoch: p.epoch, value: p.valLoss })));
    });
    watch(curve, () => undefined, { flush: 'sync' });

    // Two fold workers, an epoch each every 50 ms: an event every 25 ms.
    const sent: { fold: number; epoch: number }[] = [];
    for (let epoch = 1; epoch <= 5000; epoch++) {
      for (const fold of [0, 1]) {
        send(progress(epochEvent(fold, epoch, 5000 - epoch)));
        send({ type: 'run.log', runId: 'r', line: `fold ${fold + 1} epoch ${epoch}`, level: 'info' });
        sent.push({ fold, epoch });
        vi.advanceTimersByTime(25);
      }
    }
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS);

    const points = runs.progress.r.epochs;
    expect(points.map((p) => ({ fold: p.fold, epoch: p.epoch }))).toEqual(sent);
    expect(points[9999]).toEqual({
      fold: 1,
      epoch: 5000,
      trainLoss: 1 / 5000,
      trainAccuracy: 0.1,
      valLoss: 2 / 5000,
      valAccuracy: 1,
    });
    // 250 s of events: at most one flush per interval, not one per event.
    const maxFlushes = Math.ceil(250_000 / FLUSH_INTERVAL_MS) + 1;
    expect(changes).toBeGreaterThan(0);
    expect(changes).toBeLessThanOrEqual(maxFlushes);
    expect(curveComputations).toBeLessThanOrEqual(maxFlushes + 1);
    expect(curve.value.epochs).toHaveLength(5000);
    // Vue tracks the array's replacement, not each of its 10,000 points.
    expect(isProxy(points)).toBe(false);
    expect(isProxy(points[0])).toBe(false);
    // The row and the log follow as before: the last event's fold and epoch, the last 200 lines.
    expect(runs.runs[0]).toMatchObject({ fold: 1, epoch: 5000, folds: 4, epochs: 5000 });
    expect(runs.progress.r.log).toHaveLength(200);
    expect(runs.progress.r.log.at(-1)).toEqual({ line: 'fold 2 epoch 5000', debug: false });
  });

  it('applies nothing until the flush, then the same as event by event', () => {
    const runs = setup();
    const t0 = Date.now();
    const events: RunProgress[] = [
      { type: 'log', fold: -1, epoch: 0, message: 'building the embedding cache' },
      epochEvent(0, 1, 120),
      { type: 'batch', fold: 0, folds: 4, epoch: 2, epochs: 5000, batch: 1, batches: 2, loss: 0.5 },
      epochEvent(0, 2, 90),
      { type: 'log', fold: -1, epoch: 0, message: 'between folds' },
      epochEvent(1, 1, Number.NaN),
      epochEvent(1, 2, 80),
    ];
    let expectedEta: EtaState | null = null;
    for (const [i, event] of events.entries()) {
      send(progress(event));
      const sec = event.etaSec;
      if (typeof sec === 'number' && Number.isFinite(sec))
        expectedEta = smoothEta(expectedEta, sec, Date.now());
      if (i < events.length - 1) vi.advanceTimersByTime(FLUSH_INTERVAL_MS / 10);
    }
    send({ type: 'run.log', runId: 'r', line: 'tensors: 12', level: 'debug' });
    expect(runs.progress.r?.epochs ?? []).toHaveLength(0);
    expect(runs.eta.r).toBeUndefined();
    expect(runs.runs[0]).toMatchObject({ fold: null, epoch: null });

    vi.advanceTimersByTime(FLUSH_INTERVAL_MS);
    expect(Date.now()).toBeGreaterThan(t0);
    const p = runs.progress.r;
    expect(p.epochs.map((e) => [e.fold, e.epoch])).toEqual([
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
    ]);
    expect(p.last).toEqual(events.at(-1));
    expect(p.log).toEqual([{ line: 'tensors: 12', debug: true }]);
    // Each reading smoothed at the time it arrived (not at the flush); NaN is no reading.
    expect(runs.eta.r).toEqual(expectedEta);
    expect(runs.runs[0]).toMatchObject({ fold: 1, epoch: 2, folds: 4, epochs: 5000 });
  });

  it('keeps the shown fold and epoch through events outside a fold', () => {
    const runs = setup();
    send(progress(epochEvent(2, 7)));
    send(progress({ type: 'log', fold: -1, epoch: 0, message: 'caching fold 4' }));
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS);
    expect(runs.runs[0]).toMatchObject({ fold: 2, epoch: 7 });
  });

  it('a state change applies what came before it first, and no later reading revives the ETA', () => {
    const runs = setup();
    send(progress(epochEvent(0, 3, 60)));
    send({ type: 'run.state', runId: 'r', state: 'cancelled', error: null });
    expect(runs.runs[0]).toMatchObject({ state: 'cancelled', fold: 0, epoch: 3, live: false });
    expect(runs.progress.r.epochs).toHaveLength(1);
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS * 2);
    expect(runs.eta.r).toBeUndefined();
  });

  it("a resumed run's first event ends 'resuming…' at once", async () => {
    const runs = setup();
    runs.pending.r = 'resuming';
    send(progress(epochEvent(0, 4)));
    expect(runs.pending.r).toBeUndefined();
  });

  it('events of a run not listed yet list the runs again once per flush, not once per event', async () => {
    setup();
    for (let i = 1; i <= 50; i++) send(progress(epochEvent(0, i), 'elsewhere'));
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS);
    await vi.runAllTimersAsync();
    expect(transport.calls.filter((c) => c === 'runs.list')).toHaveLength(1);
  });
});
