/**
 * The job process: runs one experiment with the engine and reports over the parent channel
 * (Node's child_process IPC, or Electron's utilityProcess parentPort). Start: {type:'start', spec};
 * cancel: {type:'cancel'}. Replies are `JobMessage`s; the process exits when the run ends.
 */
import type { JobMessage, RunJobSpec } from './jobs';

type Incoming = { type: 'start'; spec: RunJobSpec } | { type: 'cancel' };

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function post(m: JobMessage): void {
  if (parentPort) parentPort.postMessage(m);
  else process.send?.(m);
}

function onMessage(listener: (m: Incoming) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as Incoming));
  else process.on('message', (m) => listener(m as Incoming));
}

const controller = new AbortController();
let started = false;

async function run(spec: RunJobSpec): Promise<void> {
  try {
    const { runJob } = await import('./run-job');
    await runJob(spec, {
      signal: controller.signal,
      onEvent: (event) => post({ type: 'event', event: JSON.parse(JSON.stringify(event)) }),
      onLog: (line) => post({ type: 'log', line }),
    });
    post({ type: 'done', state: controller.signal.aborted ? 'cancelled' : 'done', error: null });
  } catch (err) {
    if (controller.signal.aborted) post({ type: 'done', state: 'cancelled', error: null });
    else post({ type: 'done', state: 'failed', error: (err as Error)?.message ?? String(err) });
  }
  // Let the last message flush before leaving.
  setTimeout(() => process.exit(0), 50);
}

onMessage((m) => {
  if (m.type === 'start' && !started) {
    started = true;
    void run(m.spec);
  } else if (m.type === 'cancel') controller.abort();
});
