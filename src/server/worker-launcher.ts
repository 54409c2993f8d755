/** Served mode's job launcher: the engine's training worker (src/worker) as a Node child process. */
import { launchWorker } from '../worker/launch';
import { CancelledError } from '../engine/train/trainFold';
import type { RunJob } from '../worker/messages';
import type { JobLauncher, JobMessage, RunJobSpec } from './jobs';

/** The worker's job for a spec: a new run in an exact folder, or the resumption of one. */
export function workerJob(spec: RunJobSpec): RunJob {
  return spec.resume ? { resumeDir: spec.runDir } : { config: spec.config, runDir: spec.runDir };
}

/** Engine progress events as job messages (log lines also as their own message). */
export function eventMessages(event: { type: string; message?: string }): JobMessage[] {
  const out: JobMessage[] = [{ type: 'event', event }];
  if (event.type === 'log' && event.message) out.push({ type: 'log', line: event.message });
  return out;
}

export const workerLauncher: JobLauncher = (spec, onMessage, onExit) => {
  const controller = new AbortController();
  launchWorker(workerJob(spec), {
    signal: controller.signal,
    onEvent: (event) => eventMessages(event).forEach(onMessage),
  }).then(
    () => {
      onMessage({ type: 'done', state: 'done', error: null });
      onExit(0);
    },
    (err: unknown) => {
      const cancelled = err instanceof CancelledError || controller.signal.aborted;
      onMessage({
        type: 'done',
        state: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? null : (err as Error).message,
      });
      onExit(cancelled ? 0 : 1);
    },
  );
  return {
    cancel: () => controller.abort(),
    // The worker cancels cleanly on abort (and on losing its parent), finishing its writes.
    kill: () => controller.abort(),
  };
};
