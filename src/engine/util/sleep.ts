/**
 * Blocks this thread for `ms` milliseconds (Atomics.wait on a private buffer): for the
 * synchronous waits of file locks, claims and the estimate workers' barrier, where the process
 * has nothing else to do and the callers are synchronous.
 */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
