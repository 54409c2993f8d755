/**
 * TensorFlow's thread pools for the native backend. TensorFlow reads TF_NUM_INTRAOP_THREADS and
 * TF_NUM_INTEROP_THREADS once, when tfjs-node creates its eager context, so the decision is made
 * here, right before the backend loads (loadNativeBackend), and recorded in environment.json.
 *
 * - inter-op: as many as intra-op. Eager tfjs runs one op at a time and leaves this pool idle, but
 *   a compiled training step (model/graph) is a graph whose independent branches (the gradients
 *   of separate layers, each variable's Adam update) TensorFlow's executor runs concurrently on
 *   it. Measured per step, bench/profile/steptime.ts, 2-vCPU Xeon guest, (intra, inter):
 *   trainFrom 11 0.204 s (1, 1), 0.138 s (1, 2), 0.128 s (2, 1), 0.113 s (2, 2); frozen 13.0,
 *   11.4, 15.1, 12.4 ms. One pool of 1 with the other at 2 would use two cores on a 1-core
 *   budget, so both follow the budget.
 * - intra-op: the cores divided among the processes training at once (SER_TRAINING_PROCESSES,
 *   set by whoever starts parallel workers; default 1). TensorFlow's default is every core in
 *   every process: two workers on two cores then run four busy threads, and the profile of such a
 *   run showed ~40 % of its CPU time in the kernel (scheduling, spinning) rather than in the ops.
 * An explicit TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS always wins.
 */
import os from 'node:os';

export interface ThreadSettings {
  intraOp: number;
  interOp: number;
  /** 'environment': given by the user; 'derived': cores / training processes. */
  source: 'environment' | 'derived';
  processes: number;
}

let decided: ThreadSettings | null = null;

function positive(v: string | undefined): number | null {
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) && n > 0 ? n : null;
}

/** Decides (once per process) and exports the thread counts for TensorFlow to read. */
export function configureThreads(): ThreadSettings {
  if (decided) return decided;
  const processes = positive(process.env.SER_TRAINING_PROCESSES) ?? 1;
  const userIntra = positive(process.env.TF_NUM_INTRAOP_THREADS);
  const userInter = positive(process.env.TF_NUM_INTEROP_THREADS);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const intraOp = userIntra ?? Math.max(1, Math.floor(cores / processes));
  const interOp = userInter ?? intraOp;
  process.env.TF_NUM_INTRAOP_THREADS = String(intraOp);
  process.env.TF_NUM_INTEROP_THREADS = String(interOp);
  decided = { intraOp, interOp, source: userIntra || userInter ? 'environment' : 'derived', processes };
  return decided;
}

/** The settings decided in this process, or null before the native backend loaded. */
export function threadSettings(): ThreadSettings | null {
  return decided;
}
