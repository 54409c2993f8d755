/**
 * Messages between a face (served mode, Electron main) and a task worker: the heavy request
 * handlers (calibration, t-SNE, indexing, audio views) that must not run on the face's event
 * loop. Plain JSON, the same over child_process IPC and Electron's utilityProcess port.
 */

/** The handlers that run in a task worker, by their contract method name. */
export const TASK_NAMES = [
  'datasets.index',
  'audio.view',
  'experiment.layers',
  'experiment.estimate',
  'experiment.baselineEstimate',
  'results.tsne',
  'results.visualisation',
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** A failure, with enough of its kind for the face to answer as if it had run in process. */
export type TaskErrorKind = 'user' | 'forbidden' | 'cancelled' | 'internal';

export type ToTaskWorker =
  { type: 'task'; id: string; name: TaskName; args: unknown } | { type: 'cancel'; id: string };

export type FromTaskWorker =
  | { type: 'ready' }
  | { type: 'progress'; id: string; done: number; total: number; message: string | null }
  | { type: 'result'; id: string; value: unknown }
  | { type: 'error'; id: string; kind: TaskErrorKind; message: string; stack?: string };
