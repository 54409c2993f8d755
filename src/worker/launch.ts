/**
 * Starts the training worker as a Node child process (the built bundle, or the TypeScript sources
 * through tsx: see workerEntry) and turns its messages into a promise plus progress callbacks.
 * Abort the signal to cancel: the worker stops between batches, marks the run cancelled and exits.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeWorkerExit } from '../engine/exec/worker-exit';
import { WORKER_BUNDLE, builtFromCurrentSources } from './bundle';
import type { TrainEventSink } from '../engine/train/events';
import { CancelledError } from '../engine/util/errors';
import { UserError } from '../engine/util/errors';
import type { FromWorker, RunJob, RunResult, ToWorker } from '@shared/worker-messages';

/**
 * The training worker's entry and how Node starts it: the built bundle (out/main/worker.js) when
 * this code is bundled (Electron) or the bundle was built from the sources as they are (see
 * bundle.ts: it holds ~370 MB less per worker); otherwise entry.ts through tsx.
 */
export function workerEntry(): { file: string; execArgv: string[] } {
  const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  if (!fromSources || builtFromCurrentSources(WORKER_BUNDLE)) return { file: WORKER_BUNDLE, execArgv: [] };
  return {
    file: fileURLToPath(new URL('./entry.ts', import.meta.url)),
    execArgv: ['--import', tsxImport()],
  };
}

/** `--import <tsx>` by absolute URL, so the worker starts whatever the current folder is. */
export function tsxImport(): string {
  const requireCjs = createRequire(import.meta.url);
  const pkg = requireCjs.resolve('tsx/package.json');
  return pathToFileURL(pkg.replace(/package\.json$/, 'dist/loader.mjs')).href;
}

/**
 * The environment of a worker started through tsx: tsx reads the path aliases (`@shared/*`) from
 * the repository's tsconfig.json, named here so that it is found whatever the current folder is.
 */
export function tsxEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const tsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  return { ...process.env, TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH ?? tsconfig, ...extra };
}

export interface LaunchOptions {
  onEvent?: TrainEventSink;
  signal?: AbortSignal;
  /** Extra environment for the worker. */
  env?: NodeJS.ProcessEnv;
  /** Called with the child's pid once started. */
  onSpawn?: (pid: number) => void;
}

/**
 * A run planned for one process trains every fold in the worker it is launched in: that worker
 * gets the plan's one slot environment (threads, GPU), as a fold worker of a parallel run would.
 */
function soleTrainerEnv(job: RunJob): NodeJS.ProcessEnv | undefined {
  return job.parallel === 1 ? job.workerEnv?.[0] : undefined;
}

export function launchWorker(job: RunJob, opts: LaunchOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const entry = workerEntry();
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: tsxEnv(opts.env ?? soleTrainerEnv(job)),
    });
    if (child.pid) opts.onSpawn?.(child.pid);
    let settled = false;
    const cancel = () => {
      if (child.connected) child.send({ type: 'cancel' } satisfies ToWorker);
    };
    opts.signal?.addEventListener('abort', cancel, { once: true });
    child.on('message', (raw) => {
      const m = raw as FromWorker;
      if (m.type === 'event') opts.onEvent?.(m.event);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result);
      } else if (m.type === 'error') {
        settled = true;
        if (m.cancelled) reject(new CancelledError());
        else if (m.user) reject(new UserError(m.message));
        else reject(Object.assign(new Error(m.message), { stack: m.stack }));
      }
    });
    child.on('exit', (code, signal) => {
      opts.signal?.removeEventListener('abort', cancel);
      if (!settled) {
        settled = true;
        reject(
          opts.signal?.aborted
            ? new CancelledError()
            : new Error(describeWorkerExit('training worker', code, signal)),
        );
      }
    });
    child.send({ type: 'start', job } satisfies ToWorker);
  });
}
