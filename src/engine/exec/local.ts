/**
 * The `local` executor's plan: how many worker processes train folds at once on this machine,
 * and each one's environment. Every worker gets a thread budget (TensorFlow's intra- and inter-op
 * pools, set through the environment, which TensorFlow reads once when it starts in that
 * process) so N workers do not each start a pool as large as the machine; where GPUs are present
 * each worker sees one (CUDA_VISIBLE_DEVICES). N defaults from the cores, the GPUs and the
 * memory one worker was measured to need (the peak RSS recorded in the folds of earlier runs).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJson, writeJsonAtomic } from '../util/atomic';
import { dataHome } from '../util/paths';
import { chooseThreads, stepKindOf, type ThreadChoice, type ThreadMeasurement } from './thread-choice';

export interface LocalPlan {
  processes: number;
  threadsPerProcess: number;
  /** 'measured': the fastest count within the budget (exec/thread-choice.ts); 'budget': cores / processes. */
  threadsSource: ThreadChoice['source'];
  gpus: string[];
  memoryPerProcessMB: number;
  memorySource: 'measured' | 'assumed';
  reason: string;
  /** One environment per worker slot. */
  env: Record<string, string>[];
}

export interface LocalPlanInput {
  /** Asked for explicitly (config execution.processes or --parallel). */
  requested?: number;
  /** Mode word of the run ('frozen', 'trainFrom11', 'full'): memory differs a lot between them. */
  mode: string;
  /** Folds to train, when known (more processes than folds would idle). */
  pendingFolds?: number;
  cores?: number;
  gpus?: string[];
  freeMemoryMB?: number;
  memoryPerProcessMB?: number;
  /** Step timings by thread count (default: this host's, recorded by `backends --measure-threads`). */
  threadMeasurement?: ThreadMeasurement | null;
}

/** Peak memory of one worker when nothing was measured yet (generous: a worker that dies of OOM costs more). */
const ASSUMED_MB: Record<string, number> = { frozen: 900, block: 2500, full: 4500 };

/** GPUs a worker could be given: CUDA_VISIBLE_DEVICES if set, else those nvidia-smi lists. */
export function detectGpus(): string[] {
  const visible = process.env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) return visible.split(',').filter((d) => d.trim() !== '' && d !== '-1');
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || !r.stdout) return [];
  return r.stdout
    .split('\n')
    .filter((l) => /^GPU \d+/.test(l))
    .map((_, i) => String(i));
}

function memoryFile(): string {
  return path.join(dataHome(), 'exec', 'memory.json');
}

/** The measured peak memory of one worker of this kind of mode, or null. */
export function measuredMemoryMB(mode: string): number | null {
  try {
    const m = readJson<Record<string, { mb: number }>>(memoryFile())[stepKindOf(mode)];
    return m && Number.isFinite(m.mb) && m.mb > 0 ? m.mb : null;
  } catch {
    return null;
  }
}

/** Records the largest peak RSS of the folds of a finished run (their environment.json) for later plans. */
export function recordMemory(runDir: string, mode: string): number | null {
  const foldsRoot = path.join(runDir, 'folds');
  if (!fs.existsSync(foldsRoot)) return null;
  let peak = 0;
  for (const name of fs.readdirSync(foldsRoot)) {
    try {
      const env = readJson<{ maxRssMB?: number }>(path.join(foldsRoot, name, 'environment.json'));
      peak = Math.max(peak, env.maxRssMB ?? 0);
    } catch {
      // a fold not trained (yet)
    }
  }
  if (!peak) return null;
  let all: Record<string, { mb: number; runDir: string; measured: string }> = {};
  try {
    all = readJson(memoryFile());
  } catch {
    // first measurement
  }
  all[stepKindOf(mode)] = { mb: peak, runDir, measured: new Date().toISOString() };
  writeJsonAtomic(memoryFile(), all);
  return peak;
}

/**
 * The environment that gives a process `threads` CPU threads: TensorFlow's intra- and inter-op
 * pools (read once, when tfjs-node loads), and oneDNN's and the WASM backend's pools (OpenMP).
 */
export function threadBudgetEnv(threads: number): Record<string, string> {
  const n = String(threads);
  return { TF_NUM_INTRAOP_THREADS: n, TF_NUM_INTEROP_THREADS: n, OMP_NUM_THREADS: n };
}

export function planLocal(input: LocalPlanInput): LocalPlan {
  const cores = input.cores ?? os.availableParallelism?.() ?? os.cpus().length;
  const gpus = input.gpus ?? detectGpus();
  const freeMB = input.freeMemoryMB ?? Math.round(os.freemem() / 2 ** 20);
  const measured = input.memoryPerProcessMB ?? measuredMemoryMB(input.mode);
  const memMB = measured ?? ASSUMED_MB[stepKindOf(input.mode)];
  const byMemory = Math.max(1, Math.floor((freeMB * 0.8) / memMB));
  const byDevice = gpus.length > 0 ? gpus.length : cores;
  const why: string[] = [];
  let n: number;
  if (input.requested) {
    n = input.requested;
    why.push(`${n} asked for`);
  } else {
    n = Math.min(byDevice, byMemory, input.pendingFolds ?? Infinity);
    why.push(
      gpus.length ? `${gpus.length} GPU(s)` : `${cores} cores`,
      `${(freeMB / 1024).toFixed(1)} GB free / ${memMB} MB per process (${measured ? 'measured' : 'assumed'}) → at most ${byMemory}`,
      ...(input.pendingFolds !== undefined ? [`${input.pendingFolds} folds to train`] : []),
    );
  }
  n = Math.max(1, n);
  const budget = Math.max(1, Math.floor(cores / n));
  // With GPUs the step runs there and the CPU threads only feed it: no measurement applies.
  const choice = chooseThreads(input.mode, budget, gpus.length ? null : input.threadMeasurement);
  const threads = choice.threads;
  why.push(choice.reason);
  const env = Array.from({ length: n }, (_, slot) => ({
    ...threadBudgetEnv(threads),
    SER_THREADS_SOURCE: choice.source,
    ...(gpus.length ? { CUDA_VISIBLE_DEVICES: gpus[slot % gpus.length] } : {}),
  }));
  return {
    processes: n,
    threadsPerProcess: threads,
    threadsSource: choice.source,
    gpus,
    memoryPerProcessMB: memMB,
    memorySource: measured ? 'measured' : 'assumed',
    reason: `${n} process${n === 1 ? '' : 'es'}: ${why.join('; ')}`,
    env,
  };
}
