import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parse, printJson } from '../args';
import { threadBudgetEnv } from '../../engine/exec/local';
import {
  chooseThreads,
  recordThreadMeasurement,
  type StepKind,
  type ThreadTiming,
} from '../../engine/exec/thread-choice';
import { loadNativeBackend } from '../../engine/backend/native';
import { UserError } from '../../engine/util/errors';
import { listBackends, type BackendInfo } from '../../engine/backend/describe';
import { FROZEN_BLOCK } from '@shared/first-block';
import type { Device } from '../../engine/backend/device';
import type { Calibration } from '../../engine/train/estimate';
import type { YamnetModel } from '../../engine/yamnet/model';

const usage = `ser-workbench backends [--json] [--measure] [--measure-threads [--modes frozen,block,full]]

  --measure          time one training step per mode (full, from 11, frozen; the paper's batch, 7 patches per utterance) on
                     every available backend and record it, so this list, Settings and environment.json
                     show what fine-tuning costs here (random weights: the cost does not depend on them)
  --measure-threads  time each mode's step on the native backend with 1, 2, 4, ... TensorFlow threads, each
                     in a fresh process, and record it: local runs then give each process the fewest threads
                     that are as fast as its share of the cores (more threads can be slower on small ops)
  --modes            the modes --measure-threads times (default frozen,block,full; block = trainFrom 11)`;

function deviceText(d: Device | null): string {
  if (!d) return '';
  if (d.kind === 'gpu') return `${d.name}${d.memoryMB ? ` ${Math.round(d.memoryMB / 1024)} GB` : ''}`;
  return `${d.name} (${d.cores} cores)`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      json: { type: 'boolean' },
      measure: { type: 'boolean' },
      'measure-threads': { type: 'boolean' },
      'measure-child': { type: 'boolean' },
      modes: { type: 'string', default: 'frozen,block,full' },
    },
    usage,
  );
  const kinds = stepKinds(values.modes!);
  if (values['measure-child']) {
    await measureChild(kinds);
    return 0;
  }
  if (values['measure-threads']) await measureThreads(kinds);
  if (values.measure) await measure(await listBackends());
  const listing = await listBackends();
  if (values.json) {
    printJson(listing);
    return 0;
  }
  const rows = listing.backends.map((b) => [
    b.selected ? '*' : ' ',
    b.name,
    b.available ? 'yes' : 'no',
    b.version ?? '-',
    b.available ? (b.fineTune ? (b.fineTuneSlow ? 'yes (slow)' : 'yes') : 'no') : '-',
    b.available ? deviceText(b.device) : '',
    b.available ? b.measuredCost || 'not yet (--measure)' : '-',
    b.reason,
  ]);
  const head = [' ', 'backend', 'available', 'version', 'fine-tune', 'device', 'measured', 'reason'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  process.stdout.write(
    [line(head), ...rows.map(line), '', `a run with backend 'auto' would use: ${listing.selected}`].join(
      '\n',
    ) + '\n',
  );
  return 0;
}

/**
 * Times a training step of first trained block K at the paper's batch, head and learning rate,
 * 7 patches per utterance (calibrate records it), in rounds of `steps`.
 */
async function paperStepTimer(): Promise<(k: number, yamnet: YamnetModel, steps: number) => Calibration> {
  const { calibrate } = await import('../../engine/train/estimate');
  const { defaultConfig } = await import('../../engine/config/schema');
  const paper = defaultConfig({ model: { kind: 'yamnet-lstm' } });
  if (paper.model.kind !== 'yamnet-lstm') throw new Error('unreachable: default model is yamnet-lstm');
  const { lstmUnits } = paper.model;
  return (k, yamnet, steps) =>
    calibrate(k, {
      patchCounts: [7],
      batchSize: paper.training.batchSize,
      lstmUnits,
      numClasses: paper.data.classes.length,
      learningRate: paper.training.learningRate,
      yamnet,
      steps,
    });
}

/** Modes timed by --measure: full fine-tuning, the paper's trainFrom 11, frozen. */
const MEASURED_BLOCKS = [1, 11, FROZEN_BLOCK];

/**
 * Times one step of each mode on each available backend (calibrate records it). The cpu backend
 * times the frozen head only: its fine-tuning step takes minutes (about 1000x tensorflow).
 */
async function measure(listing: { backends: BackendInfo[] }): Promise<void> {
  const { useBackend } = await import('../../engine/backend/tf');
  const { YamnetModel } = await import('../../engine/yamnet/model');
  const { seededRandomWeights } = await import('../../engine/model/steps');
  const timeStep = await paperStepTimer();
  const seen = new Set<string>();
  for (const b of listing.backends) {
    if (!b.available || seen.has(b.backend)) continue;
    seen.add(b.backend);
    await useBackend(b.backend);
    const yamnet = new YamnetModel(seededRandomWeights(1));
    try {
      for (const k of b.backend === 'cpu' ? [FROZEN_BLOCK] : MEASURED_BLOCKS) {
        process.stderr.write(`measuring ${b.name}, first trained block ${k}…\n`);
        timeStep(k, yamnet, k === FROZEN_BLOCK ? 5 : 2);
      }
    } finally {
      yamnet.dispose();
    }
  }
}

/** Thread counts tried by --measure-threads: 1, 2, 4, … up to the cores, and the cores. */
export function threadCandidates(cores: number): number[] {
  const out: number[] = [];
  for (let n = 1; n < cores; n *= 2) out.push(n);
  out.push(Math.max(1, cores));
  return [...new Set(out)];
}

const KIND_BLOCK: Record<StepKind, number> = { full: 1, block: 11, frozen: FROZEN_BLOCK };

/**
 * Times each mode's step on the native backend in a fresh process per thread count (TensorFlow
 * fixes its thread pools when it loads), records the timings for the local executor's plans
 * (exec/thread-choice.ts) and prints them with the choice each budget gets.
 */
async function measureThreads(kinds: StepKind[]): Promise<void> {
  const native = loadNativeBackend();
  if (!native.ok)
    throw new UserError(`--measure-threads needs the native tensorflow backend: ${native.reason}`);
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const timings: Partial<Record<StepKind, ThreadTiming[]>> = {};
  for (const threads of threadCandidates(cores)) {
    process.stderr.write(`measuring ${kinds.join(', ')} steps with ${threads} TensorFlow thread(s)…\n`);
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1], 'backends', '--measure-child', '--modes', kinds.join(',')],
      {
        env: { ...process.env, ...threadBudgetEnv(threads), SER_BACKEND: 'tensorflow' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (child.status !== 0)
      throw new Error(`timing with ${threads} thread(s) failed (exit ${child.status ?? child.signal})`);
    const costs = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      kind: StepKind;
      perStepSec: number;
    }[];
    for (const c of costs) (timings[c.kind] ??= []).push({ threads, perStepSec: c.perStepSec });
  }
  const recorded = recordThreadMeasurement({ backend: 'tensorflow', kinds: timings });
  const lines = kinds.map((kind) => {
    const said = (timings[kind] ?? [])
      .map((t) => `${t.threads}: ${(t.perStepSec * 1000).toFixed(1)} ms`)
      .join(', ');
    return `  ${kind.padEnd(6)} ${said}  → with ${cores} cores: ${chooseThreads(kind, cores, recorded).threads} thread(s)`;
  });
  process.stdout.write(
    `TensorFlow step time by thread count (recorded for the local executor's plans):\n${lines.join('\n')}\n\n`,
  );
}

/** The child of measureThreads: one calibration per kind on this process's threads, as JSON. */
async function measureChild(kinds: StepKind[]): Promise<void> {
  const { useBackend } = await import('../../engine/backend/tf');
  const { YamnetModel } = await import('../../engine/yamnet/model');
  const { seededRandomWeights } = await import('../../engine/model/steps');
  const timeStep = await paperStepTimer();
  await useBackend('tensorflow');
  const yamnet = new YamnetModel(seededRandomWeights(1));
  const out: { kind: StepKind; perStepSec: number }[] = [];
  try {
    for (const kind of kinds) {
      const k = KIND_BLOCK[kind];
      const cal = timeStep(k, yamnet, k === FROZEN_BLOCK ? 12 : k >= 9 ? 3 : 1);
      out.push({ kind, perStepSec: cal.perStepSec });
    }
  } finally {
    yamnet.dispose();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

const KINDS: StepKind[] = ['frozen', 'block', 'full'];

function stepKinds(list: string): StepKind[] {
  const kinds = list
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !KINDS.includes(k as StepKind));
  if (unknown.length)
    throw new UserError(`--modes: unknown mode ${unknown.join(', ')} (known: ${KINDS.join(', ')})`);
  return kinds as StepKind[];
}
