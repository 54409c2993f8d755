/** Served mode's job launcher: the engine's training worker (src/worker) as a Node child process. */
import { launchWorker } from '../worker/launch';
import { CancelledError } from '../engine/util/errors';
import type { JobLauncher } from './jobs';
import { eventMessages, workerJob } from './job-messages';

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
