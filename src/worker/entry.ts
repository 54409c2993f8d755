/**
 * The training worker: a separate process that runs one job through the engine and reports
 * progress. Started by `launchWorker` (child_process.fork with tsx) or by Electron's
 * utilityProcess (which provides process.parentPort); both speak the messages of src/shared/worker-messages.ts.
 */
import { runExperiment } from '../engine/runs/runner';
import { parseConfig } from '../engine/config/schema';
import { CancelledError } from '../engine/util/errors';
import { UserError } from '../engine/util/errors';
import { launchWorker } from './launch';
import type { FromWorker, RunJob, ToWorker } from '@shared/worker-messages';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromWorker): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function onMessage(listener: (m: ToWorker) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as ToWorker));
  else process.on('message', (m) => listener(m as ToWorker));
}

const controller = new AbortController();
let started = false;
let nextSlot = 0;

async function start(job: RunJob): Promise<void> {
  // A worker slot's environment: its thread budget and GPU, set before tfjs loads in that process.
  const slotEnv = (slot: number) => job.workerEnv?.[slot % job.workerEnv.length];
  try {
    const config = job.config !== undefined && !job.resumeDir ? parseConfig(job.config) : null;
    const result = await runExperiment(config, {
      dataDir: job.dataDir,
      outDir: job.outDir,
      runDir: job.runDir,
      resumeDir: job.resumeDir,
      weightsSource: job.weightsSource,
      onlyFolds: job.onlyFolds,
      testSpeakers: job.testSpeakers,
      worker: job.worker,
      prepareOnly: job.prepareOnly,
      estimateOnly: job.estimateOnly,
      executor: job.executor,
      executionPlan: job.executionPlan,
      parallel: job.parallel,
      repairNonFinite: job.repairNonFinite,
      signal: controller.signal,
      onEvent: (event) => send({ type: 'event', event }),
      spawnFolds: (runDir, folds, onEvent, signal) => {
        return launchWorker(
          { resumeDir: runDir, onlyFolds: folds, worker: true, executor: job.executor },
          { onEvent, signal, env: slotEnv(nextSlot++) },
        ).then(() => undefined);
      },
      // Timed in each slot's environment: the thread budget (and GPU) of that fold worker.
      spawnEstimate: (runDir, slot, onEvent, signal) =>
        launchWorker(
          {
            resumeDir: runDir,
            worker: true,
            estimateOnly: true,
            parallel: job.parallel,
            executor: job.executor,
          },
          { onEvent, signal, env: slotEnv(slot) },
        ),
    });
    send({ type: 'done', result: { ...result, summary: null } });
  } catch (err) {
    const cancelled = err instanceof CancelledError || controller.signal.aborted;
    send({
      type: 'error',
      message: (err as Error).message,
      user: err instanceof UserError,
      cancelled,
      stack: (err as Error).stack,
    });
  } finally {
    // Let the last message flush, then leave (tfjs timers would keep the process alive).
    setTimeout(() => process.exit(0), 50);
  }
}

onMessage((m) => {
  if (m.type === 'cancel') controller.abort();
  else if (m.type === 'start' && !started) {
    started = true;
    void start(m.job);
  }
});
// Ctrl-C reaches the whole process group: cancel cleanly rather than die mid-write.
process.on('SIGINT', () => controller.abort());
process.on('disconnect', () => controller.abort());
