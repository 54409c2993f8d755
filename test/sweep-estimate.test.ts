/**
 * The Experiment view's estimate follows the sweep: experiment.estimate, through the real dispatch
 * and task worker on the RAVDESS subset, estimates each cell from its own config (calibrated by
 * real training steps), so a swept `training.epochs` or `trainFrom` changes the cost per job and
 * in total, instead of the base config's estimate times the number of cells.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../src/engine/util/paths';
import { sweepCost } from '../src/engine/runs/sweep-estimate';
import { appContextTest } from './helpers/app-context';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const { call } = appContextTest('sweep-cost');

const config = (sweep: unknown) => ({
  name: 'sweep-cost',
  data: { dir: ravdess },
  model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
  training: { epochs: 2 },
  sweep,
});
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-9 * Math.max(1, Math.abs(b)));

describe('experiment.estimate of a sweep', () => {
  it('estimates each epochs cell from its own epochs, on one calibration', async () => {
    const res = await call('experiment.estimate', {
      config: config({ grid: { 'training.epochs': [2, 6] } }),
    });
    const s = res.sweep!;
    expect(s.cells.map((c) => c.values)).toEqual([{ 'training.epochs': 2 }, { 'training.epochs': 6 }]);
    const [two, six] = s.cells;
    expect([two.estimate.epochs, six.estimate.epochs]).toEqual([2, 6]);
    // Same shapes: the cells reuse the base config's calibration, measured once.
    expect(six.estimate.perStepSec).toBe(res.estimate.perStepSec);
    expect(two.estimate.calibrationSec).toBe(res.estimate.calibrationSec);
    // Four more epochs per job, each costing the measured epoch time.
    close(six.perJobSec - two.perJobSec, 4 * res.estimate.perEpochSec);
    expect(two.perJobSec).toBeGreaterThan(0);
    expect(s.jobs).toBe(2 * res.estimate.folds);
    expect(s.perJobSec).toEqual({ min: two.perJobSec, max: six.perJobSec });
    // One cache serves both cells (same first block and patches): counted once.
    expect(s.cacheBuildSec).toBe(res.estimate.cacheBuildSec);
    close(s.totalComputeSec, two.jobs * two.perJobSec + six.jobs * six.perJobSec + s.cacheBuildSec);
    // The base config times the cells (what the view showed before) undercounts the 6-epoch cell.
    const baseTimesCells = 2 * res.estimate.folds * (res.estimate.perFoldSec + res.estimate.calibrationSec);
    expect(s.totalComputeSec - s.cacheBuildSec).toBeGreaterThan(baseTimesCells);
    // The jobs share the processes the local executor starts (the estimate's own parallel).
    expect(s.parallel).toBe(res.estimate.parallel);
    if (s.parallel === 1) close(s.wallSec, s.totalComputeSec);
    else expect(s.wallSec).toBeLessThan(s.totalComputeSec);
  });

  it('calibrates a swept first trained block for its own cells, with its own cache', async () => {
    const res = await call('experiment.estimate', {
      config: config({ grid: { 'model.yamnet.trainFrom': ['frozen', 14] } }),
    });
    const [frozen, b14] = res.sweep!.cells;
    expect(frozen.estimate.firstTrainedBlock).toBe(res.estimate.firstTrainedBlock);
    expect(b14.estimate.firstTrainedBlock).toBe(14);
    // Training block 14 costs more per step than the head alone (a real measurement).
    expect(b14.estimate.perStepSec).toBeGreaterThan(frozen.estimate.perStepSec);
    expect(res.sweep!.cacheBuildSec).toBe(frozen.estimate.cacheBuildSec + b14.estimate.cacheBuildSec);
    expect(res.sweep!.perJobSec.max).toBe(Math.max(frozen.perJobSec, b14.perJobSec));
  });

  it('has no sweep figures without a sweep', async () => {
    const { sweep: _none, ...plain } = config(undefined);
    expect((await call('experiment.estimate', { config: plain })).sweep).toBeUndefined();
  });
});

describe('sweepCost', () => {
  it('puts jobs on the free slot first: two slots halve equal jobs, a long job sets the wall', () => {
    const estimate = (perFoldSec: number, folds: number, parallel: number, block = 15) => ({
      backend: 'tensorflow',
      mode: 'frozen',
      firstTrainedBlock: block,
      batchSize: 24,
      perStepSec: 0.1,
      perScoreBatchSec: 0.1,
      calibrationSteps: 5,
      calibrationSec: 0,
      timedOnThreads: 1,
      stepsPerEpoch: 2,
      perEpochSec: 1,
      epochs: 1,
      perFoldSec,
      folds,
      parallel,
      patches: 100,
      cacheBuildSec: 3,
      cacheDiskBytes: 0,
      totalSec: 0,
    });
    const equal = sweepCost([
      { id: 'a', values: {}, estimate: estimate(10, 2, 2) },
      { id: 'b', values: {}, estimate: estimate(10, 2, 2) },
    ]);
    expect(equal).toMatchObject({ jobs: 4, totalComputeSec: 43, wallSec: 23, cacheBuildSec: 3 });
    const long = sweepCost([
      { id: 'a', values: {}, estimate: estimate(30, 1, 2, 14) },
      { id: 'b', values: {}, estimate: estimate(10, 2, 2) },
    ]);
    // Caches of two first blocks, both built; the 30 s job runs beside the two 10 s ones.
    expect(long).toMatchObject({ jobs: 3, cacheBuildSec: 6, totalComputeSec: 56, wallSec: 36 });
  });
});
