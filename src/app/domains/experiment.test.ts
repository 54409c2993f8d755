/**
 * The cost handlers through the real dispatch, on the RAVDESS subset: the "train from" layer table
 * and run estimates calibrated by real training steps on the backend a run would use.
 */
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLocal } from '../../engine/exec/local';
import { sharedDir } from '../../engine/util/paths';
import { YAMNET_LAYERS } from '../../engine/yamnet/layers';
import { appContextTest } from '../../../test/helpers/app-context';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const { call, failure } = appContextTest('cost');

const config = (trainFrom: string | number, epochs = 50) => ({
  name: 'cost',
  data: { dir: ravdess },
  model: { kind: 'yamnet-lstm', yamnet: { trainFrom } },
  training: { epochs },
});

const positive = (x: number | null) => x !== null && Number.isFinite(x) && x > 0;

describe('experiment.layers', () => {
  it('lists blocks 1..14 with shapes, parameters and cache sizes, and no costs before measuring', async () => {
    const table = await call('experiment.layers', { config: config('frozen') });
    expect(table.folds).toBe(4);
    expect(table.patches).toBeGreaterThanOrEqual(64 * 3);
    expect(table.rows.map((r) => r.block)).toEqual([...Array(14).keys()].map((i) => i + 1));
    expect(table.rows.map((r) => r.name)).toEqual(YAMNET_LAYERS.map((l) => l.name));
    expect(table.rows[13].outputShape).toEqual([3, 2, 1024]);
    expect(table.rows[0].trainableParams).toBe(YAMNET_LAYERS.reduce((n, l) => n + l.params, 0));
    expect(table.rows[13].trainableParams).toBe(YAMNET_LAYERS[13].params);
    // Training from block 1 caches the log-mel patches themselves; from 14, block 13's output.
    expect(table.rows[0].cachedStepShape).toEqual([96, 64]);
    expect(table.rows[13].cachedStepShape).toEqual(YAMNET_LAYERS[12].outputShape);
    expect(table.rows[12].cachedStepShape).toEqual([6, 4, 512]);
    for (const r of table.rows) {
      expect(r.cacheDiskBytes).toBeGreaterThan(0);
      expect(r.perEpochSec).toBeNull();
    }
  });

  it('refuses baselines and a config without a corpus as the user’s to fix', async () => {
    const baseline = await failure('experiment.layers', {
      config: { data: { dir: ravdess }, model: { kind: 'baseline', features: 'mfcc', classifier: 'svm' } },
    });
    expect(baseline).toMatchObject({ kind: 'user' });
    expect(await failure('experiment.estimate', { config: {} })).toMatchObject({
      kind: 'user',
      message: expect.stringContaining('data.dir'),
    });
    expect(await failure('experiment.layers', { config: config('frozen', 0) })).toMatchObject({
      kind: 'user',
    });
  });

  it('will not read a corpus outside the permitted folders', async () => {
    const res = await failure('experiment.layers', {
      config: { ...config('frozen'), data: { dir: os.tmpdir() } },
    });
    expect(res).toMatchObject({ kind: 'forbidden' });
  });
});

describe('experiment.estimate', () => {
  it('calibrates frozen mode: positive figures that add up, reused when only the epochs change', async () => {
    const first = await call('experiment.estimate', { config: config('frozen', 50) });
    const e = first.estimate;
    expect(e.firstTrainedBlock).toBe(15);
    expect(e.mode).toBe('frozen');
    expect(e.folds).toBe(4);
    expect(e.reused).toBe(false);
    for (const x of [
      e.perStepSec,
      e.perEpochSec,
      e.perFoldSec,
      e.totalSec,
      e.cacheDiskBytes,
      e.calibrationSec,
    ])
      expect(positive(x)).toBe(true);
    expect(e.perFoldSec).toBeGreaterThanOrEqual(50 * e.perEpochSec);
    // Timed where the folds will train: the local executor's processes, each on its thread budget
    // (a worker with those TensorFlow threads answered, whatever the first task worker had).
    const local = planLocal({ mode: 'frozen', pendingFolds: 4 });
    expect(e.parallel).toBe(local.processes);
    if (e.backend === 'tensorflow') expect(e.timedOnThreads).toBe(local.threadsPerProcess);
    expect(e.totalSec).toBeCloseTo(e.cacheBuildSec + Math.ceil(4 / e.parallel) * e.perFoldSec, 6);
    expect(e.text).toContain('estimated cost');
    expect(first.table.rows).toHaveLength(14);

    const again = await call('experiment.estimate', { config: config('frozen', 10) });
    expect(again.estimate.reused).toBe(true);
    expect(again.estimate.perStepSec).toBe(e.perStepSec);
    expect(again.estimate.epochs).toBe(10);
    expect(again.estimate.perFoldSec).toBeLessThan(e.perFoldSec);
  });

  it('measures block 14 with real steps and fills its row of the layer table', async () => {
    const { estimate, table } = await call('experiment.estimate', { config: config(14, 5) });
    expect(estimate.firstTrainedBlock).toBe(14);
    expect(positive(estimate.perStepSec)).toBe(true);
    const row = table.rows[13];
    expect(row.perEpochSec).toBeCloseTo(estimate.perEpochSec, 9);
    expect(row.cacheDiskBytes).toBe(estimate.cacheDiskBytes);
    expect(table.rows.slice(0, 13).every((r) => r.perEpochSec === null)).toBe(true);
    // The table remembers the measurement for the same corpus and shapes.
    const listed = await call('experiment.layers', { config: config('frozen', 50) });
    expect(listed.rows[13].perEpochSec).toBeCloseTo(row.perEpochSec!, 9);
    // A different batch size is a different calibration.
    const other = await call('experiment.layers', {
      config: { ...config('frozen'), training: { epochs: 50, batchSize: 8 } },
    });
    expect(other.rows[13].perEpochSec).toBeNull();
  });
});
