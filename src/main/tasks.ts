/** Electron's task workers: src/worker/task-entry.ts as utility processes, off the main thread. */
import { utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import type { TaskSpawner } from '../app/tasks';
import type { FromTaskWorker } from '@shared/worker-messages';

/** src/worker/task-entry.ts, built beside this file by electron-vite. */
const entry = fileURLToPath(new URL('./task.js', import.meta.url));

export const utilityTaskSpawner: TaskSpawner = (env) => {
  const child = utilityProcess.fork(entry, [], {
    serviceName: 'ser-workbench task',
    stdio: 'inherit',
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (listener) => child.on('message', (m: unknown) => listener(m as FromTaskWorker)),
    // Electron's utility process reports an exit code only, no signal.
    onExit: (listener) => child.on('exit', (code) => listener(code, null)),
    kill: () => {
      child.kill();
    },
  };
};
