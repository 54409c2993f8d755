/**
 * What to tell the user when a worker process (a fold's training worker, the task pool's worker)
 * ends without sending its result. Shared by every face that starts workers, so a native crash
 * reads the same from the CLI, the served UI and Electron.
 */

/** Signals that mean the process died in native code, in practice TensorFlow's kernels. */
const NATIVE_CRASH_SIGNALS = new Set(['SIGFPE', 'SIGILL', 'SIGSEGV', 'SIGBUS']);

/**
 * "<what> exited without a result (code C, signal S)", and for a native crash what to try.
 * oneDNN's convolution set-up divides by a cache size that some virtual CPUs report as 0 (see
 * engine/backend/pointwise-conv.ts for the case this product works around); other such faults
 * would look the same, so the hint names the two ways to train without oneDNN's kernels.
 */
export function describeWorkerExit(
  what: string,
  code: number | null,
  signal: NodeJS.Signals | null = null,
): string {
  const base = `${what} exited without a result (code ${code}, signal ${signal})`;
  if (!signal || !NATIVE_CRASH_SIGNALS.has(signal)) return base;
  return (
    `${base}: the native TensorFlow library crashed in the worker. Try TF_ENABLE_ONEDNN_OPTS=0 ` +
    `(TensorFlow's own kernels instead of oneDNN's) or SER_BACKEND=wasm, and report the CPU ` +
    `that \`ser-workbench backends\` names`
  );
}
