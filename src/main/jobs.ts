/** Electron's job launcher: the engine's training worker as a utility process, off the main thread. */
import { utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from '@shared/worker-messages';
import type { JobLauncher } from '../app/jobs';
import { eventMessages, workerJob } from '../app/job-messages';

/** src/worker/entry.ts, built beside this file by electron-vite. */
const entry = fileURLToPath(new URL('./worker.js', import.meta.url));

export const utilityLauncher: JobLauncher = (spec, onMessage, onExit) => {
  const child = utilityProcess.fork(entry, [], { serviceName: 'ser-workbench training', stdio: 'inherit' });
  let finished = false;
  child.on('message', (raw: unknown) => {
    const m = raw as FromWorker;
    if (m.type === 'event') eventMessages(m.event).forEach(onMessage);
    else if (m.type === 'done') {
      finished = true;
      onMessage({ type: 'done', state: 'done', error: null });
    } else if (m.type === 'error') {
      finished = true;
      onMessage({
        type: 'done',
        state: m.cancelled ? 'cancelled' : 'failed',
        error: m.cancelled ? null : m.message,
      });
    }
  });
  child.on('exit', (code) => {
    if (!finished) onExit(code);
  });
  child.postMessage({ type: 'start', job: workerJob(spec) } satisfies ToWorker);
  return {
    cancel: () => child.postMessage({ type: 'cancel' } satisfies ToWorker),
    kill: () => {
      child.kill();
    },
  };
};
