/**
 * Measured step costs: a real calibration records what its step took on the active backend, and
 * the one fine-tuning answer (fineTuneSupport) — hence `backends`, Settings and environment.json —
 * reports it for this host.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate } from '../train/estimate';
import { YamnetModel } from '../yamnet/model';
import { seededRandomWeights } from '../model/steps';
import { fineTuneSupport, listBackends } from './describe';
import { describeStepCosts, measuredStepCosts, readStepCosts, recordStepCost } from './step-costs';
import { loadNativeBackend } from './native';
import { tf, useBackend } from './tf';

let home: string;
const before = process.env.SER_WORKBENCH_HOME;

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-step-costs-'));
  process.env.SER_WORKBENCH_HOME = home;
});
afterAll(() => {
  if (before === undefined) delete process.env.SER_WORKBENCH_HOME;
  else process.env.SER_WORKBENCH_HOME = before;
  fs.rmSync(home, { recursive: true, force: true });
});

describe('measured step costs', () => {
  it('are empty before any measurement, and an unreadable file is no measurement', () => {
    expect(measuredStepCosts('cpu')).toEqual([]);
    expect(fineTuneSupport('cpu').measured).toBe('');
    fs.writeFileSync(path.join(home, 'step-costs.json'), '{ not json');
    expect(readStepCosts()).toEqual([]);
  });

  it('keep the newest measurement per backend, mode and batch size', () => {
    recordStepCost({
      backend: 'wasm',
      firstTrainedBlock: 1,
      batchSize: 24,
      patchesPerUtterance: 7,
      perStepSec: 9,
    });
    recordStepCost({
      backend: 'wasm',
      firstTrainedBlock: 1,
      batchSize: 24,
      patchesPerUtterance: 7,
      perStepSec: 6.4,
    });
    recordStepCost({
      backend: 'wasm',
      firstTrainedBlock: 15,
      batchSize: 24,
      patchesPerUtterance: 7,
      perStepSec: 0.049,
    });
    recordStepCost({
      backend: 'wasm',
      firstTrainedBlock: 15,
      batchSize: 24,
      patchesPerUtterance: 7,
      perStepSec: NaN,
    });
    const costs = measuredStepCosts('wasm');
    expect(costs.map((c) => [c.firstTrainedBlock, c.perStepSec])).toEqual([
      [1, 6.4],
      [15, 0.049],
    ]);
    expect(describeStepCosts(costs)).toBe('full 6.4 s/step of 24, frozen 0.05 s/step of 24');
    expect(fineTuneSupport('wasm').measured).toBe('full 6.4 s/step of 24, frozen 0.05 s/step of 24');
  });

  it('are recorded by a real calibration and listed by backends', async () => {
    // The fastest backend here: the calibration also times YAMNet's forward pass for the cache.
    const backend = loadNativeBackend().ok ? 'tensorflow' : 'wasm';
    await useBackend(backend);
    const yamnet = new YamnetModel(seededRandomWeights(3));
    try {
      const cal = calibrate(15, {
        patchCounts: [3, 4],
        batchSize: 6,
        lstmUnits: [8],
        numClasses: 4,
        learningRate: 3e-4,
        yamnet,
        steps: 2,
      });
      const [frozen] = measuredStepCosts(backend).filter((c) => c.batchSize === 6);
      expect(frozen).toMatchObject({ backend: tf.getBackend(), firstTrainedBlock: 15, host: os.hostname() });
      expect(frozen.perStepSec).toBe(cal.perStepSec);
      expect(frozen.patchesPerUtterance).toBeGreaterThanOrEqual(3);
      expect(frozen.patchesPerUtterance).toBeLessThanOrEqual(4);
    } finally {
      yamnet.dispose();
    }
    const listed = (await listBackends()).backends.find((b) => b.name === backend)!;
    expect(listed.measuredCost).toMatch(/^frozen \d+(\.\d+)? s\/step of 6$/);
  });
});
