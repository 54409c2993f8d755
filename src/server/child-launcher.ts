/** Served mode's job launcher: a Node child process running job-child.ts through tsx. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JobLauncher, JobMessage } from './jobs';

const entry = fileURLToPath(new URL('./job-child.ts', import.meta.url));

export const childProcessLauncher: JobLauncher = (spec, onMessage, onExit) => {
  const child = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: process.env,
  });
  child.on('message', (m) => onMessage(m as JobMessage));
  child.on('exit', (code) => onExit(code));
  child.send({ type: 'start', spec });
  return {
    cancel: () => {
      if (child.connected) child.send({ type: 'cancel' });
    },
    kill: () => {
      child.kill('SIGTERM');
    },
  };
};
