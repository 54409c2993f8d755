/** Electron's job launcher: the job process runs as a utility process, off the main thread. */
import { utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import type { JobLauncher, JobMessage } from '../server/jobs';

const entry = fileURLToPath(new URL('./job-child.js', import.meta.url));

export const utilityLauncher: JobLauncher = (spec, onMessage, onExit) => {
  const child = utilityProcess.fork(entry, [], { serviceName: 'ser-workbench job', stdio: 'inherit' });
  child.on('message', (m: unknown) => onMessage(m as JobMessage));
  child.on('exit', (code) => onExit(code));
  child.postMessage({ type: 'start', spec });
  return {
    cancel: () => child.postMessage({ type: 'cancel' }),
    kill: () => {
      child.kill();
    },
  };
};
