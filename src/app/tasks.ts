/**
 * Heavy request handlers run in task workers (src/worker/task-entry.ts), never on the face's own
 * event loop: the HTTP server and Electron main stay free to answer while a calibration, a t-SNE
 * or an index runs. Tasks go to lanes, one worker process each, so that a long t-SNE does not
 * hold up an audio view; within a lane they run in order (the tfjs lane must: a calibration
 * switches backends and times steps). A worker stays up between tasks, keeping what it warmed.
 *
 * Cancel: a queued task is dropped; a running one is asked to stop (t-SNE and indexing stop at
 * their next iteration) and, if it has not within a grace period, its worker is killed and the
 * lane starts a fresh one for the next task. A task whose cancel was accepted fails as cancelled,
 * even if it finished in the meantime.
 *
 * Thread budgets: a task may ask for a worker with N TensorFlow threads (`threads`); it then runs
 * in a lane of its own for that budget. Cost estimates do: a step's time depends on the threads it
 * gets, differently per mode, so it is timed on the budget the run's fold workers will have.
 *
 * Supersede: a task submitted with a `supersede` key drops any task of the same key still queued
 * in its lane (it fails with SupersededError). The form's fold previews use it: while a preview
 * runs, typing queues more, and only the newest is worth computing. A running task of the key is
 * left to finish: stopping it would cost a killed and re-spawned worker, more than a preview.
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { threadBudgetEnv } from '../engine/exec/local';
import { describeWorkerExit } from '../engine/exec/worker-exit';
import { CancelledError } from '../engine/util/errors';
import { UserError } from '../engine/util/errors';
import { tsxEnv, tsxImport } from '../worker/launch';
import type { FromTaskWorker, TaskName, ToTaskWorker } from '@shared/worker-messages';
import type { TaskArgs } from '../worker/task-table';
import { AccessError } from './access';

/** One task worker process, whatever started it (child_process or Electron's utilityProcess). */
export interface TaskProcess {
  send(message: ToTaskWorker): void;
  onMessage(listener: (message: FromTaskWorker) => void): void;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  kill(): void;
}
/** Starts a task worker; `env` adds to the face's environment (a lane's thread budget). */
export type TaskSpawner = (env?: Record<string, string>) => TaskProcess;

type Lane = 'tfjs' | 'tsne' | 'io' | 'train' | 'preview';
const LANE_OF: Record<TaskName, Lane> = {
  'experiment.layers': 'tfjs',
  'experiment.estimate': 'tfjs',
  'experiment.baselineEstimate': 'tfjs',
  'results.tsne': 'tsne',
  // Minutes of training: its own lane, so estimates and t-SNEs do not wait behind it.
  'results.visualisation': 'train',
  'datasets.index': 'io',
  'datasets.starter': 'io',
  // Its own lane: a preview must not wait behind a corpus check or an index of another corpus.
  'folds.preview': 'preview',
  'runs.check': 'io',
  'audio.view': 'io',
};

/** How long a running task may take to stop after cancel before its worker is killed. */
const CANCEL_GRACE_MS = 1500;

export interface TaskOptions {
  /** The caller's id for the task (to cancel it and to match progress events); made up if absent. */
  taskId?: string;
  onProgress?: (p: { taskId: string; done: number; total: number; message: string | null }) => void;
  /** A newer task with the same key drops this one while it is still queued. */
  supersede?: string;
  /**
   * TensorFlow threads of the worker that runs it: a lane of its own per budget, so a cost
   * estimate times steps on the threads the run's fold workers will have.
   */
  threads?: number;
}

/** A queued task dropped because a newer one of the same `supersede` key arrived. */
export class SupersededError extends CancelledError {
  constructor() {
    super();
    this.message = 'superseded by a newer request';
    this.name = 'SupersededError';
  }
}

interface Pending {
  id: string;
  name: TaskName;
  args: unknown;
  options: TaskOptions;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  cancelled: boolean;
}

function failure(m: Extract<FromTaskWorker, { type: 'error' }>): Error {
  if (m.kind === 'cancelled') return new CancelledError();
  if (m.kind === 'user') return new UserError(m.message);
  if (m.kind === 'forbidden') return Object.assign(new AccessError(''), { message: m.message });
  return Object.assign(new Error(m.message), { stack: m.stack });
}

class TaskLane {
  private process: TaskProcess | null = null;
  private current: Pending | null = null;
  private readonly queue: Pending[] = [];

  constructor(private readonly spawn: () => TaskProcess) {}

  submit(task: Pending): void {
    const key = task.options.supersede;
    if (key !== undefined) {
      for (let i = this.queue.length - 1; i >= 0; i--) {
        if (this.queue[i].options.supersede === key) this.queue.splice(i, 1)[0].reject(new SupersededError());
      }
    }
    this.queue.push(task);
    this.next();
  }

  has(id: string): boolean {
    return this.current?.id === id || this.queue.some((t) => t.id === id);
  }

  cancel(id: string): boolean {
    const queued = this.queue.findIndex((t) => t.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1)[0].reject(new CancelledError());
      return true;
    }
    const task = this.current;
    if (task?.id !== id) return false;
    task.cancelled = true;
    const proc = this.process;
    proc?.send({ type: 'cancel', id });
    setTimeout(() => {
      if (this.current === task && this.process === proc) proc?.kill();
    }, CANCEL_GRACE_MS).unref();
    return true;
  }

  shutdown(): void {
    for (const t of this.queue.splice(0)) t.reject(new CancelledError());
    this.process?.kill();
  }

  private next(): void {
    if (this.current || this.queue.length === 0) return;
    const task = this.queue.shift()!;
    this.current = task;
    this.worker().send({ type: 'task', id: task.id, name: task.name, args: task.args });
  }

  private worker(): TaskProcess {
    if (this.process) return this.process;
    const proc = this.spawn();
    this.process = proc;
    proc.onMessage((m) => this.onMessage(m));
    proc.onExit((code, signal) => {
      if (this.process === proc) this.process = null;
      const task = this.current;
      if (task) {
        this.current = null;
        task.reject(
          task.cancelled
            ? new CancelledError()
            : new Error(describeWorkerExit('the task worker', code, signal)),
        );
      }
      this.next();
    });
    return proc;
  }

  private onMessage(m: FromTaskWorker): void {
    const task = this.current;
    if (m.type === 'ready' || !task || m.id !== task.id) return;
    if (m.type === 'progress') {
      task.options.onProgress?.({ taskId: task.id, done: m.done, total: m.total, message: m.message });
      return;
    }
    this.current = null;
    // A cancel the pool accepted holds even when the result was already on its way: the caller
    // was told `cancelled: true` and must not then get a result.
    if (task.cancelled) task.reject(new CancelledError());
    else if (m.type === 'result') task.resolve(m.value);
    else task.reject(failure(m));
    this.next();
  }
}

export class TaskPool {
  private readonly lanes = new Map<string, TaskLane>();

  constructor(private readonly spawn: TaskSpawner) {}

  run<N extends TaskName>(name: N, args: TaskArgs[N], options: TaskOptions = {}): Promise<unknown> {
    const lane = this.lane(LANE_OF[name], options.threads);
    const id = options.taskId ?? crypto.randomUUID();
    if (this.has(id)) return Promise.reject(new UserError(`task ${id} is already running`));
    return new Promise((resolve, reject) =>
      lane.submit({ id, name, args, options, resolve, reject, cancelled: false }),
    );
  }

  has(id: string): boolean {
    return [...this.lanes.values()].some((l) => l.has(id));
  }

  /** False when no task has that id (finished already, or never started). */
  cancel(id: string): boolean {
    return [...this.lanes.values()].some((l) => l.cancel(id));
  }

  shutdown(): void {
    for (const lane of this.lanes.values()) lane.shutdown();
    this.lanes.clear();
  }

  private lane(name: Lane, threads?: number): TaskLane {
    const key = threads === undefined ? name : `${name}@${threads}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      const env = threads === undefined ? undefined : threadBudgetEnv(threads);
      lane = new TaskLane(() => this.spawn(env));
      this.lanes.set(key, lane);
    }
    return lane;
  }
}

export const TASK_ENTRY = fileURLToPath(new URL('../worker/task-entry.ts', import.meta.url));

/** Served mode (and tests): task workers as Node child processes running the TypeScript sources. */
export const forkTaskSpawner: TaskSpawner = (env) => {
  const child = fork(TASK_ENTRY, [], {
    execArgv: ['--import', tsxImport()],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: tsxEnv(env),
  });
  return {
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as FromTaskWorker)),
    onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
    kill: () => child.kill('SIGKILL'),
  };
};
