/**
 * How many TensorFlow threads a training process should use, from measurement. The cores
 * divided among the processes is the budget, not necessarily the best count: on a 2-vCPU AMD
 * EPYC guest a frozen-mode step took 44 ms with 2 intra-op threads against 18 ms with 1 (eager),
 * 19.6 against 15.7 ms compiled; small ops gain less from a second thread than the pool costs.
 *
 * `backends --measure-threads` times each mode's step in a fresh process per thread count
 * (TensorFlow fixes its pools when it loads) and records the timings here, in the data home.
 * A plan then gives a process the fewest threads, within its budget, whose step is within 5 % of
 * the fastest measured within that budget; with no measurement it gives the whole budget.
 */
import os from 'node:os';
import path from 'node:path';
import { readJson, writeJsonAtomic } from '../util/atomic';
import { dataHome } from '../util/paths';

/** The kinds of step whose cost differs in shape (what a mode word maps to). */
export type StepKind = 'frozen' | 'block' | 'full';

export function stepKindOf(mode: string): StepKind {
  if (mode === 'frozen' || mode.startsWith('baseline')) return 'frozen';
  return mode === 'full' ? 'full' : 'block';
}

export interface ThreadTiming {
  threads: number;
  perStepSec: number;
}

export interface ThreadMeasurement {
  host: string;
  backend: string;
  /** ISO time of the measurement. */
  at: string;
  /** Per step kind, one timing per thread count tried. */
  kinds: Partial<Record<StepKind, ThreadTiming[]>>;
}

/** Steps this much slower than the fastest still count as fast: fewer threads leave cores free. */
const TOLERANCE = 1.05;

function measurementFile(): string {
  return path.join(dataHome(), 'exec', 'threads.json');
}

/** This host's measurement for `backend`, or null. */
export function readThreadMeasurement(backend = 'tensorflow'): ThreadMeasurement | null {
  try {
    const all = readJson<Record<string, ThreadMeasurement>>(measurementFile());
    const m = all[`${os.hostname()}/${backend}`];
    return m && typeof m.kinds === 'object' ? m : null;
  } catch {
    return null;
  }
}

export function recordThreadMeasurement(m: Omit<ThreadMeasurement, 'host' | 'at'>): ThreadMeasurement {
  let all: Record<string, ThreadMeasurement> = {};
  try {
    all = readJson(measurementFile());
  } catch {
    // the first measurement
  }
  const key = `${os.hostname()}/${m.backend}`;
  // Kinds not measured this time keep their earlier timings.
  const kinds = { ...all[key]?.kinds, ...m.kinds };
  const entry: ThreadMeasurement = { ...m, kinds, host: os.hostname(), at: new Date().toISOString() };
  all[key] = entry;
  writeJsonAtomic(measurementFile(), all);
  return entry;
}

export interface ThreadChoice {
  threads: number;
  source: 'measured' | 'budget';
  /** Why, in words: the timings the choice rests on, or that none were measured. */
  reason: string;
}

/**
 * Threads for a process of `mode` with `budget` cores: the measured best (see the module note)
 * or, unmeasured, the budget itself.
 */
export function chooseThreads(
  mode: string,
  budget: number,
  measurement: ThreadMeasurement | null = readThreadMeasurement(),
): ThreadChoice {
  const kind = stepKindOf(mode);
  const timings = (measurement?.kinds[kind] ?? [])
    .filter((t) => t.threads <= budget && t.perStepSec > 0)
    .sort((a, b) => a.threads - b.threads);
  if (budget <= 1 || timings.length < 2) {
    return { threads: budget, source: 'budget', reason: `${budget} TensorFlow thread(s) per process` };
  }
  const fastest = Math.min(...timings.map((t) => t.perStepSec));
  const pick = timings.find((t) => t.perStepSec <= fastest * TOLERANCE)!;
  const said = timings.map((t) => `${t.threads}: ${(t.perStepSec * 1000).toFixed(1)} ms`).join(', ');
  return {
    threads: pick.threads,
    source: 'measured',
    reason:
      `${pick.threads} TensorFlow thread(s) per process of ${budget} available ` +
      `(measured ${kind} steps by thread count ${said}; ${measurement!.at.slice(0, 10)})`,
  };
}
