import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/tf';
import { parseConfig, type ExperimentConfigInput } from '../config/schema';
import { indexCorpus, synthesizeCorpus } from '../corpora';
import type { CorpusIndex } from '../corpora/types';
import { makeFolds, type Fold } from '../folds';
import { runExperiment } from '../runs/runner';
import { sharedDir } from '../util/paths';
import { registerWasmTrainingKernels } from '../yamnet/wasm-gradients';
import type { TrainEvent } from './events';
import {
  cacheBytesPerPatch,
  calibrate,
  estimateFromCalibration,
  parallelSlowdown,
  estimateRunCost,
  layerCostTable,
  patchesOf,
  timeUntilSteady,
  type Calibration,
} from './estimate';
import { seededRandomWeights } from '../model/steps';
import { YamnetModel } from '../yamnet/model';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
let index: CorpusIndex;
let folds: Fold[];
let backend: string;
let tmp: string;

const config = (over: ExperimentConfigInput = {}) =>
  parseConfig({ model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } }, ...over });

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-estimate-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  // WASM with the yamnet module's gradient kernels trains convolutions on every machine, fast.
  backend = (await initBackend('wasm')).name;
  registerWasmTrainingKernels();
  index = await indexCorpus(ravdess, {});
  folds = makeFolds(index.utterances, { scheme: 'loso', valFraction: 0.2, seed: 42 });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('estimateRunCost', () => {
  it('gives positive finite figures for frozen mode on real RAVDESS folds', () => {
    const e = estimateRunCost(config(), { index, folds, backend, calibrationSteps: 2 });
    for (const key of [
      'perStepSec',
      'perScoreBatchSec',
      'perEpochSec',
      'perFoldSec',
      'totalSec',
      'cacheBuildSec',
      'cacheDiskBytes',
      'stepsPerEpoch',
      'calibrationSec',
    ] as const) {
      expect(Number.isFinite(e[key]), key).toBe(true);
      expect(e[key], key).toBeGreaterThan(0);
    }
    expect(e.folds).toBe(4);
    expect(e.epochs).toBe(50);
    expect(e.firstTrainedBlock).toBe(15);
    expect(e.mode).toBe('frozen');
    // 64 files of ~3.6 s, patches every 0.48 s: about 7 each, cached as float32 embeddings.
    expect(e.patches).toBeGreaterThanOrEqual(64 * 5);
    expect(e.patches).toBeLessThanOrEqual(64 * 9);
    expect(e.cacheDiskBytes).toBeGreaterThanOrEqual(e.patches * 1024 * 4);
  });

  it('scales with epochs × steps per epoch × folds, and divides folds over parallel processes', () => {
    const cal: Calibration = {
      perStepSec: 0.5,
      perScoreBatchSec: 0.1,
      cachePerPatchSec: 0.01,
      steps: 3,
      seconds: 2,
    };
    const at = (epochs: number, batchSize: number, parallel = 1) =>
      estimateFromCalibration(
        config({ training: { epochs, batchSize } }),
        // One calibration thread: the workers are not slowed by sharing cores (see the next test).
        { index, folds, backend, parallel, calibrationThreads: 1, cores: 2 },
        cal,
      );
    const a = at(10, 8);
    const b = at(20, 8);
    const c = at(10, 4);
    const trainOf = (f: Fold) => index.utterances.filter((u) => f.train.includes(u.speaker)).length;
    expect(a.stepsPerEpoch).toBeCloseTo(folds.reduce((n, f) => n + Math.ceil(trainOf(f) / 8), 0) / 4, 10);
    expect(c.stepsPerEpoch).toBeGreaterThan(a.stepsPerEpoch);
    const fullBatches = folds.reduce((n, f) => n + trainOf(f) / 8, 0) / 4;
    expect(a.perEpochSec).toBeGreaterThan(fullBatches * cal.perStepSec);
    // The timed scoring batch is a mean fold's validation pass: an epoch scores one such batch.
    expect(a.perEpochSec).toBeLessThanOrEqual(a.stepsPerEpoch * cal.perStepSec + cal.perScoreBatchSec + 1e-9);
    const training = (e: typeof a) => e.totalSec - e.cacheBuildSec;
    expect(b.perEpochSec).toBeCloseTo(a.perEpochSec, 10);
    expect(training(b) - training(a)).toBeCloseTo(10 * a.perEpochSec * 4, 6);
    expect(a.cacheBuildSec).toBeCloseTo(a.patches * 0.01, 10);
    const two = at(10, 8, 2);
    expect(two.parallel).toBe(2);
    expect(training(two)).toBeCloseTo(training(a) / 2, 6);
    // Every mode trains folds in parallel worker processes.
    const k11 = estimateFromCalibration(
      config({ model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 11 } } }),
      { index, folds, backend, parallel: 2 },
      cal,
    );
    expect(k11.parallel).toBe(2);
    expect(k11.cacheDiskBytes).toBeGreaterThanOrEqual(k11.patches * 6 * 4 * 512 * 2);
  });

  it("slows each worker's steps by the cores it shares with the others: 2 threads alone → 2 workers of 1 thread", () => {
    expect(parallelSlowdown(2, 2, 1)).toBe(1);
    expect(parallelSlowdown(2, 2, 2)).toBe(2);
    expect(parallelSlowdown(1, 2, 2)).toBe(1);
    expect(parallelSlowdown(8, 2, 4)).toBe(4);
    expect(parallelSlowdown(4, 8, 2)).toBe(1);
    const cal: Calibration = {
      perStepSec: 0.5,
      perScoreBatchSec: 0.1,
      cachePerPatchSec: 0,
      steps: 3,
      seconds: 2,
    };
    const at = (parallel: number) =>
      estimateFromCalibration(
        config({}),
        { index, folds, backend, parallel, calibrationThreads: 2, cores: 2 },
        cal,
      );
    const one = at(1);
    const two = at(2);
    expect(one.perStepSec).toBe(0.5);
    expect(two.perStepSec).toBe(1);
    expect(two.perScoreBatchSec).toBeCloseTo(0.2, 12);
    expect(two.perEpochSec).toBeCloseTo(2 * one.perEpochSec, 10);
    // Twice as slow per epoch in half as many rounds: about the same run total.
    expect(two.totalSec - two.cacheBuildSec).toBeCloseTo(one.totalSec - one.cacheBuildSec, 6);
  });

  it('calibrates with real training steps: the backward kernels of the trained blocks run', async () => {
    const yamnet = new YamnetModel(seededRandomWeights(1));
    try {
      const patchCounts = [...patchesOf(index).values()];
      let cal: Calibration | null = null;
      const before = tf.memory().numTensors;
      const profile = await tf.profile(() => {
        cal = calibrate(14, {
          patchCounts,
          batchSize: 4,
          lstmUnits: [8],
          numClasses: 4,
          learningRate: 1e-3,
          yamnet,
          steps: 1,
        });
      });
      const kernels = new Set(profile.kernelNames);
      // Gradients of block 14's depthwise and pointwise convolutions, and Adam's update.
      expect(kernels.has('DepthwiseConv2dNativeBackpropFilter')).toBe(true);
      expect(kernels.has('Conv2DBackpropFilter')).toBe(true);
      expect(profile.kernels.length).toBeGreaterThan(100);
      expect(cal!.perStepSec).toBeGreaterThan(0);
      expect(cal!.cachePerPatchSec).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      yamnet.dispose();
    }
  });
});

describe('timeUntilSteady', () => {
  /** Steps whose seconds are `series` in turn, recording how many ran. */
  const replay = (series: number[]) => {
    const ran: number[] = [];
    return { ran, step: (i: number) => (ran.push(i), series[i]) };
  };

  it('skips the warm-up tail of full fine-tuning and keeps the first two rounds that agree', () => {
    // Full fine-tuning, one step per round, as a fresh 2-thread process on this machine stepped it.
    const { ran, step } = replay([2.986, 0.565, 0.417, 0.388, 0.419, 0.372, 0.387, 0.39, 0.391]);
    expect(timeUntilSteady(step, 1)).toEqual([0.372, 0.387]);
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('compares round means, never counting the first round', () => {
    // Rounds of 3: [1, 1, 1] is warm-up even though the next round agrees with it.
    const { step } = replay([1, 1, 1, 1, 1.02, 0.98, 1.01, 1, 1]);
    expect(timeUntilSteady(step, 3)).toEqual([1, 1.02, 0.98, 1.01, 1, 1]);
  });

  it('stops at the budget once a round after the warm-up is timed (steps of minutes on cpu)', () => {
    const { ran, step } = replay([90, 60, 55, 50]);
    expect(timeUntilSteady(step, 1)).toEqual([60]);
    expect(ran).toHaveLength(2);
  });

  it('stops after 8 rounds when the mean keeps wandering, keeping the last', () => {
    const series = Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.02 : 0.03));
    const { ran, step } = replay(series);
    expect(timeUntilSteady(step, 1)).toEqual([0.02]);
    expect(ran).toHaveLength(8);
  });
});

describe('layerCostTable', () => {
  it('lists blocks 1..14 from YAMNET_LAYERS and calibrates a block only when asked', () => {
    const table = layerCostTable(config({ training: { batchSize: 4 } }), {
      index,
      folds,
      backend,
      calibrationSteps: 1,
    });
    try {
      const rows = table.rows();
      expect(rows.map((r) => r.block)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      expect(rows[13]).toMatchObject({ name: 'layer14', outputShape: [3, 2, 1024], params: 1059840 });
      expect(rows[0].cachedStepShape).toEqual([96, 64]);
      expect(rows[10].cachedStepShape).toEqual([6, 4, 512]);
      expect(rows[0].trainableParams).toBe(3195456);
      expect(rows.every((r) => r.perEpochSec === null)).toBe(true);
      // Smaller K caches larger activations (block 1's output is the largest).
      expect(rows[1].cacheDiskBytes).toBeGreaterThan(rows[13].cacheDiskBytes);
      expect(cacheBytesPerPatch(2)).toBe(48 * 32 * 32 * 2);
      const measured = table.measure(14);
      expect(measured.perEpochSec).toBeGreaterThan(0);
      expect(table.rows()[13].perEpochSec).toBe(measured.perEpochSec);
      expect(table.rows()[12].perEpochSec).toBeNull();
      expect(() => table.measure(15)).toThrow(RangeError);
    } finally {
      table.dispose();
    }
  });
});

describe('runExperiment with an estimate', () => {
  it('emits the estimate before the first fold and stores estimate.json in the run folder', async () => {
    const events: TrainEvent[] = [];
    const corpus = path.join(tmp, 'synth');
    await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 3 });
    const result = await runExperiment(config({ training: { epochs: 1, batchSize: 8 }, backend: 'wasm' }), {
      dataDir: corpus,
      outDir: path.join(tmp, 'runs'),
      onEvent: (e) => events.push(e),
    });
    const at = events.findIndex((e) => e.estimate);
    const firstFold = events.findIndex((e) => e.type === 'fold');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(firstFold);
    const stored = JSON.parse(fs.readFileSync(path.join(result.runDir, 'estimate.json'), 'utf8'));
    expect(stored.perStepSec).toBe(events[at].estimate!.perStepSec);
    expect(stored.epochs).toBe(1);
    expect(stored.folds).toBe(3);
    expect(events[at].message).toMatch(/estimated cost on wasm/);
  });
});
