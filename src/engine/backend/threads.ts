/**
 * TensorFlow's thread pools for the native backend. TensorFlow reads TF_NUM_INTRAOP_THREADS and
 * TF_NUM_INTEROP_THREADS once, when tfjs-node first creates its eager context, so this must run
 * before the backend loads. One place decides them (runner, worker, bench, calibration).
 */
export interface ThreadSettings {
  intraOp: number;
  interOp: number;
  /** Where the values came from. */
  source: 'environment' | 'default';
}

/**
 * Sets (if not already set by the user) and returns the thread counts. Eager tfjs runs one op at
 * a time, so inter-op parallelism has nothing to overlap: one inter-op thread avoids a second
 * pool competing for the same cores.
 */
export function configureThreads(): ThreadSettings {
  const user = process.env.TF_NUM_INTRAOP_THREADS !== undefined;
  process.env.TF_NUM_INTEROP_THREADS ??= '1';
  return {
    intraOp: Number(process.env.TF_NUM_INTRAOP_THREADS ?? 0),
    interOp: Number(process.env.TF_NUM_INTEROP_THREADS),
    source: user ? 'environment' : 'default',
  };
}
