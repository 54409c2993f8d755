/** The training worker as a real child process: progress events, result, and cancel. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../engine/config/schema';
import { synthesizeCorpus } from '../engine/corpora';
import { readStatus } from '../engine/runs/store';
import type { TrainEvent } from '@shared/progress';
import { CancelledError } from '../engine/util/errors';
import { launchWorker } from './launch';

let tmp: string;
let corpus: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-worker-'));
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 2 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const env = () => ({ SER_WORKBENCH_HOME: path.join(tmp, 'home') });

describe('training worker', () => {
  it('streams fold and epoch events and returns the result', async () => {
    const events: TrainEvent[] = [];
    const config = defaultConfig({
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 2 },
    });
    const result = await launchWorker(
      { config, dataDir: corpus, outDir: path.join(tmp, 'runs'), parallel: 1 },
      { onEvent: (e) => events.push(e), env: env() },
    );
    expect(result.folds).toBe(3);
    expect(events.filter((e) => e.type === 'epoch').map((e) => `${e.fold}:${e.epoch}`)).toEqual([
      '0:1',
      '0:2',
      '1:1',
      '1:2',
      '2:1',
      '2:2',
    ]);
    expect(events.some((e) => e.type === 'batch' && e.batches > 0)).toBe(true);
    expect(events.at(-1)?.type).toBe('done');
  });

  it("times a parallel run's steps in as many fold workers at once, on the thread budget each fold worker gets", async () => {
    const events: TrainEvent[] = [];
    const controller = new AbortController();
    let runDir = '';
    const config = defaultConfig({
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 1 },
    });
    const oneThread = { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: '1' };
    const job = launchWorker(
      {
        config,
        dataDir: corpus,
        outDir: path.join(tmp, 'runs'),
        parallel: 2,
        workerEnv: [oneThread, oneThread],
      },
      // The parent has two threads, its fold workers one each. Once the estimate is said, the
      // run is cancelled: the folds themselves are another test's.
      {
        env: { ...env(), TF_NUM_INTRAOP_THREADS: '2' },
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (e.runDir) runDir = e.runDir;
          if (e.type === 'log' && e.estimate) controller.abort();
        },
      },
    );
    await expect(job).rejects.toBeInstanceOf(CancelledError);
    const said = events.filter((e) => e.type === 'log' && e.estimate);
    expect(said).toHaveLength(1);
    const estimate = said[0].estimate!;
    // Timed in two estimate workers at once, as the two fold workers will train.
    expect(estimate).toMatchObject({ parallel: 2, timedOnThreads: 1, timedConcurrently: 2, folds: 3 });
    expect(said[0].message).toContain('in 2 processes at once');
    // What the parent said is what it stored; the cache build (the parent's) is in the total.
    const stored = JSON.parse(fs.readFileSync(path.join(runDir, 'estimate.json'), 'utf8'));
    expect(stored).toMatchObject({ perStepSec: estimate.perStepSec, timedOnThreads: 1, parallel: 2 });
    expect(stored.cacheBuildSec).toBeGreaterThan(0);
    // The workers' rendezvous before timing is gone with them.
    expect(fs.existsSync(path.join(runDir, '.estimate-barrier'))).toBe(false);
    expect(stored.totalSec).toBeCloseTo(stored.cacheBuildSec + 2 * stored.perFoldSec, 6);
    const environment = JSON.parse(fs.readFileSync(path.join(runDir, 'environment.json'), 'utf8'));
    if (environment.threads) expect(environment.threads.intraOp).toBe(2);
  });

  it('cancels between batches and leaves a resumable, cancelled run', async () => {
    const controller = new AbortController();
    let runDir = '';
    const config = defaultConfig({
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 50 },
    });
    const job = launchWorker(
      { config, dataDir: corpus, outDir: path.join(tmp, 'runs'), parallel: 1 },
      {
        env: env(),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.runDir) runDir = e.runDir;
          if (e.type === 'epoch' && e.epoch === 2) controller.abort();
        },
      },
    );
    await expect(job).rejects.toBeInstanceOf(CancelledError);
    expect(readStatus(runDir)?.state).toBe('cancelled');
  });

  it('cancels a fine-tuning run (trainFrom 13) within one training step', async () => {
    const controller = new AbortController();
    let runDir = '';
    let abortedAt = -1;
    const batchesAfter: string[] = [];
    const config = defaultConfig({
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 13 } },
      // Small batches: many steps per epoch, so a cancel lands mid-epoch.
      training: { epochs: 5, batchSize: 2 },
    });
    const job = launchWorker(
      { config, dataDir: corpus, outDir: path.join(tmp, 'runs'), parallel: 1 },
      {
        env: env(),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.runDir) runDir = e.runDir;
          if (e.type !== 'batch' && e.type !== 'epoch') return;
          if (abortedAt >= 0) batchesAfter.push(`${e.type} ${e.epoch}:${e.batch ?? ''}`);
          else if (e.type === 'batch' && e.epoch === 1 && e.batch >= 2) {
            abortedAt = e.batch;
            controller.abort();
          }
        },
      },
    );
    await expect(job).rejects.toBeInstanceOf(CancelledError);
    expect(abortedAt).toBeGreaterThan(0);
    // At most the step that was running when the cancel arrived, and the one whose loss was still
    // being read, report after it; no epoch ends.
    expect(batchesAfter.filter((b) => b.startsWith('epoch'))).toEqual([]);
    expect(batchesAfter.length).toBeLessThanOrEqual(2);
    expect(readStatus(runDir)?.state).toBe('cancelled');
  });
});
