/**
 * A task worker: a long-lived process that runs heavy request handlers one at a time (see
 * task-table.ts), so the face that started it (HTTP server, Electron main) only routes. It
 * stays up between tasks so that what a task warms (tfjs, a calibration cache) serves the next.
 */
import { AccessError } from '../app/access';
import { CancelledError } from '../engine/util/errors';
import { UserError } from '../engine/util/errors';
import { pathErrorMessage } from '../engine/util/fs-errors';
import type { FromTaskWorker, TaskErrorKind, ToTaskWorker } from '@shared/worker-messages';
import { taskTable } from './task-table';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromTaskWorker): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function errorKind(err: unknown, signal: AbortSignal): TaskErrorKind {
  if (err instanceof CancelledError || signal.aborted) return 'cancelled';
  if (err instanceof AccessError) return 'forbidden';
  if (err instanceof UserError) return 'user';
  // A file system error on a path the request named is the request's problem (as in dispatch).
  if (pathErrorMessage(err)) return 'user';
  return 'internal';
}

const running = new Map<string, AbortController>();

async function run(m: Extract<ToTaskWorker, { type: 'task' }>): Promise<void> {
  const controller = new AbortController();
  running.set(m.id, controller);
  // Progress at most every 100 ms: a t-SNE iteration takes far less.
  let last = 0;
  const progress = (done: number, total: number, message?: string) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    send({ type: 'progress', id: m.id, done, total, message: message ?? null });
  };
  try {
    const handler = taskTable[m.name] as (args: unknown, c: typeof control) => Promise<unknown>;
    const control = { signal: controller.signal, progress };
    const value = await handler(m.args, control);
    send({ type: 'result', id: m.id, value });
  } catch (err) {
    const e = err as Error;
    send({
      type: 'error',
      id: m.id,
      kind: errorKind(err, controller.signal),
      message: e.message,
      stack: e.stack,
    });
  } finally {
    running.delete(m.id);
  }
}

function onMessage(m: ToTaskWorker): void {
  if (m.type === 'task') void run(m);
  else if (m.type === 'cancel') running.get(m.id)?.abort();
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data as ToTaskWorker));
else process.on('message', (m) => onMessage(m as ToTaskWorker));
// Without a parent there is nobody to answer: leave rather than linger.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
