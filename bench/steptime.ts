/**
 * Training step time beside the PyTorch reference, measured in the same run on the same machine
 * (shared/reference/pytorch/step_time.py, Debian's python3-torch): one Adam step of YAMNet-LSTM
 * on 24 utterances x 7 patches for trainFrom full, 11, 13 and frozen, at 1 and 2 threads. Each
 * thread count runs the reference, then the workbench in a fresh process (TensorFlow fixes its
 * thread pools when it loads), so the two see the same machine load as closely as a shared
 * machine allows. Rows: s/step of each and the ratio workbench / PyTorch (< 1: faster).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, sharedDir } from '../src/engine/util/paths';
import { testWeightsPath } from '../src/engine/model/testing/real-batch';
import { loadNativeBackend } from '../src/engine/backend/native';
import {
  chooseThreads,
  stepKindOf,
  type ThreadMeasurement,
  type ThreadTiming,
} from '../src/engine/exec/thread-choice';
import type { BenchRow } from './types';

const GROUP = 'step vs PyTorch';
const MODES = ['full', '11', '13', 'frozen'];
const THREADS = [1, 2];
const PYTHON = '/usr/bin/python3';

interface StepDoc {
  modes: { mode: string; secondsPerStep: number; cpuSecondsPerStep?: number }[];
}

/** Why the reference cannot run here, or null. */
function referenceMissing(script: string): string | null {
  if (!fs.existsSync(script)) return `${script} missing`;
  if (!fs.existsSync(PYTHON)) return `${PYTHON} missing`;
  try {
    execFileSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
  } catch {
    return 'python3-torch is not installed (apt-get install python3-torch python3-numpy)';
  }
  return null;
}

/**
 * Which BLAS the reference's PyTorch really calls. Debian's python3-torch is built with
 * BLAS_INFO=generic: its matmuls (the LSTM, the pointwise convolutions' fallbacks) go through
 * whatever libblas.so.3 the alternatives system points at. With only libblas3 installed that is the
 * unoptimised netlib reference BLAS, which makes PyTorch several times slower than it can be; with
 * libopenblas0 it is OpenBLAS. The row notes say which one ran, read from the loaded libraries.
 */
export function referenceBlas(): string {
  const probe = [
    'import os, re, torch',
    'torch.randn(64, 64) @ torch.randn(64, 64)',
    "info = re.search(r'BLAS_INFO=(\\w+)', torch.__config__.show())",
    "libs = sorted({os.path.basename(os.path.realpath(l.split()[-1])) for l in open('/proc/self/maps') if 'blas' in l.lower() and '/' in l})",
    "print('torch %s, BLAS_INFO=%s, loaded %s' % (torch.__version__, info.group(1) if info else '?', ' '.join(libs) or 'no BLAS library'))",
  ].join('\n');
  try {
    const line = execFileSync(PYTHON, ['-c', probe], { encoding: 'utf8' }).trim();
    const netlib = !/openblas|mkl|blis/i.test(line);
    return netlib ? `${line} (the unoptimised reference BLAS: apt-get install libopenblas0)` : line;
  } catch (err) {
    return `BLAS unknown: ${(err as Error).message.split('\n')[0]}`;
  }
}

function lastJson(out: string): StepDoc {
  const start = out.indexOf('{');
  return JSON.parse(out.slice(start)) as StepDoc;
}

export function runReference(script: string, weights: string, threads: number, modes = MODES): StepDoc {
  const out = execFileSync(
    PYTHON,
    [script, weights, '--modes', modes.join(','), '--threads', String(threads), '--steps', '5'],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) }, maxBuffer: 1 << 24 },
  );
  return lastJson(out);
}

export function runWorkbench(threads: number, modes = MODES): StepDoc {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'bench', 'profile', 'steptime.ts'), '--modes', modes.join(',')],
    {
      encoding: 'utf8',
      cwd: repoRoot,
      env: {
        ...process.env,
        TF_NUM_INTRAOP_THREADS: String(threads),
        TF_NUM_INTEROP_THREADS: String(threads),
      },
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return lastJson(out);
}

/** The row label of a step mode: full and frozen by name, the others as trainFrom K. */
function labelOf(mode: string): string {
  return mode === 'full' || mode === 'frozen' ? mode : `trainFrom ${mode}`;
}

export async function bench(): Promise<BenchRow[]> {
  const script = path.join(sharedDir(), 'reference', 'pytorch', 'step_time.py');
  const weights = testWeightsPath();
  const missing =
    referenceMissing(script) ?? (fs.existsSync(weights) ? null : `no YAMNet weights at ${weights}`);
  if (missing) return [{ group: GROUP, name: 'skipped', value: NaN, unit: '-', note: missing }];
  const native = loadNativeBackend();
  const note = native.ok ? `tensorflow ${native.tfVersion}` : 'no native backend: workbench on its fallback';
  const blas = referenceBlas();
  process.stderr.write(`PyTorch reference: ${blas}\n`);
  const rows: BenchRow[] = [];
  const fastest = new Map<string, { ours: number; ref: number }>();
  const oursByThreads = new Map<string, ThreadTiming[]>();
  const refByThreads = new Map<string, Map<number, number>>();
  for (const threads of THREADS) {
    const ref = runReference(script, weights, threads);
    const ours = runWorkbench(threads);
    for (const mode of MODES) {
      const r = ref.modes.find((m) => m.mode === mode)!;
      const w = ours.modes.find((m) => m.mode === mode)!;
      oursByThreads.set(mode, [
        ...(oursByThreads.get(mode) ?? []),
        { threads, perStepSec: w.secondsPerStep },
      ]);
      refByThreads.set(mode, (refByThreads.get(mode) ?? new Map()).set(threads, r.secondsPerStep));
      const best = fastest.get(mode) ?? { ours: Infinity, ref: Infinity };
      fastest.set(mode, {
        ours: Math.min(best.ours, w.secondsPerStep),
        ref: Math.min(best.ref, r.secondsPerStep),
      });
      const label = labelOf(mode);
      rows.push(
        {
          group: GROUP,
          name: `${label}, ${threads} thread(s): workbench`,
          value: w.secondsPerStep,
          unit: 's/step',
          note: `24 utt. x 7 patches; CPU ${w.cpuSecondsPerStep?.toFixed(3)} s/step; ${note}`,
        },
        {
          group: GROUP,
          name: `${label}, ${threads} thread(s): PyTorch`,
          value: r.secondsPerStep,
          unit: 's/step',
          note: `same run, same batch shape; ${blas}`,
        },
        {
          group: GROUP,
          name: `${label}, ${threads} thread(s): ratio`,
          value: w.secondsPerStep / r.secondsPerStep,
          unit: 'x PyTorch',
          note: '< 1: workbench faster',
        },
      );
    }
  }
  // A thread count can be a bad one for either side (Debian's PyTorch with OpenBLAS's own threads
  // ran the frozen step 4.6x slower at 2 threads than at 1): each at its best, too.
  for (const [mode, best] of fastest) {
    rows.push({
      group: GROUP,
      name: `${labelOf(mode)}, each at its fastest thread count: ratio`,
      value: best.ours / best.ref,
      unit: 'x PyTorch',
      note: `workbench ${best.ours.toFixed(3)} s/step, PyTorch ${best.ref.toFixed(3)} s/step; < 1: workbench faster`,
    });
  }
  // What a local run does with a budget of N cores: the thread count its plan picks from these
  // same timings (exec/thread-choice.ts; recorded by `backends --measure-threads`), against
  // PyTorch on all N.
  for (const budget of THREADS.filter((t) => t > 1)) {
    for (const mode of MODES) {
      const word = mode === 'full' || mode === 'frozen' ? mode : `trainFrom${mode}`;
      const timings = oursByThreads.get(mode) ?? [];
      const measurement: ThreadMeasurement = {
        host: 'bench',
        backend: 'tensorflow',
        at: new Date().toISOString(),
        kinds: { [stepKindOf(word)]: timings },
      };
      const choice = chooseThreads(word, budget, measurement);
      const ours = timings.find((t) => t.threads === choice.threads)!.perStepSec;
      const ref = refByThreads.get(mode)!.get(budget)!;
      rows.push({
        group: GROUP,
        name: `${labelOf(mode)}, ${budget}-thread budget, threads by measurement (${choice.threads}): ratio`,
        value: ours / ref,
        unit: 'x PyTorch',
        note: `workbench ${ours.toFixed(3)} s/step on ${choice.threads} thread(s), PyTorch ${ref.toFixed(3)} s/step on ${budget}; < 1: workbench faster`,
      });
    }
  }
  return rows;
}
