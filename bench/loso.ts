/**
 * Whole runs on a RAVDESS-size proxy corpus (synthetic: 24 speakers x 28 files, 4 classes), each
 * through the real CLI and its worker processes, timed with GNU time (wall, CPU of the process
 * tree, peak RSS of the largest process):
 * - frozen LOSO, 24 folds x 50 epochs in 2 processes: wall and CPU seconds;
 * - the run's own cost estimate (estimate.json) against the measured mean epoch (history.json);
 * - for trainFrom 13, 11 and full (SER_BENCH_LOSO_MODES to choose; each a 2-epoch run of the
 *   first fold only, as a whole LOSO there takes hours): estimate vs measured per epoch and the
 *   peak RSS of the training process.
 * - per mode, the same run on the 64-file RAVDESS subset (shared/data/ravdess) beside the proxy's:
 *   seconds per 24-utterance step from the epochs' own step time (history.json trainSeconds),
 *   proxy / subset, which says whether a step's cost grows with the corpus; and the share of an
 *   epoch spent outside the steps (validation).
 * SER_BENCH_LOSO_EPOCHS shortens the frozen run (default 50, the paper's) on a busy machine.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { synthesizeCorpus } from '../src/engine/corpora/synth';
import type { FoldsDocument } from '../src/engine/folds/export';
import { foldDirs } from '../src/engine/runs/store';
import type { EpochRecordJson, FoldHistory } from '../src/shared/run-results';
import { repoRoot, sharedDir } from '../src/engine/util/paths';
import { testWeightsPath } from '../src/engine/model/testing/real-batch';
import type { BenchRow } from './types';

const GROUP = 'LOSO proxy (24 spk x 28 files)';

interface Timed {
  wall: number;
  cpu: number;
  maxRssMiB: number;
  runDir: string;
}

/** `ser-workbench run` under GNU time; returns its figures and the run folder. */
function timedRun(args: string[], env: NodeJS.ProcessEnv): Timed {
  const stats = path.join(os.tmpdir(), `ser-bench-time-${process.pid}-${Date.now()}.txt`);
  const out = execFileSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %U %S %M',
      '-o',
      stats,
      process.execPath,
      path.join(repoRoot, 'bin', 'ser-workbench.mjs'),
      'run',
      ...args,
      '--json',
    ],
    { encoding: 'utf8', env, maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const [wall, user, sys, rssKiB] = fs
    .readFileSync(stats, 'utf8')
    .trim()
    .split('\n')
    .at(-1)!
    .split(' ')
    .map(Number);
  fs.rmSync(stats, { force: true });
  return { wall, cpu: user + sys, maxRssMiB: rssKiB / 1024, runDir: JSON.parse(out).runDir as string };
}

/**
 * Each trained fold's epochs in the steady state: the first epoch pays one-off kernel set-up (the
 * estimate is for the steady state), so it is left out wherever there is a second.
 */
function steadyEpochs(runDir: string): { fold: number; epochs: EpochRecordJson[] }[] {
  return foldDirs(runDir).flatMap(({ fold, dir }) => {
    const h = path.join(dir, 'history.json');
    if (!fs.existsSync(h)) return [];
    const epochs = (JSON.parse(fs.readFileSync(h, 'utf8')) as FoldHistory).epochs;
    return [{ fold, epochs: epochs.slice(epochs.length > 1 ? 1 : 0) }];
  });
}

/** Mean measured epoch seconds over the run's folds, and the estimate's per-epoch seconds. */
function epochFigures(runDir: string): { measured: number; estimated: number } {
  const estimate = JSON.parse(fs.readFileSync(path.join(runDir, 'estimate.json'), 'utf8')) as {
    perEpochSec: number;
  };
  const secs = steadyEpochs(runDir).flatMap((f) => f.epochs.map((e) => e.seconds));
  return {
    measured: secs.reduce((a, b) => a + b, 0) / Math.max(1, secs.length),
    estimated: estimate.perEpochSec,
  };
}

/**
 * Seconds per `batchSize`-utterance training step, from the epochs' own step time (history.json
 * trainSeconds, after the first epoch) over the utterances each fold trains on (folds.json: these
 * corpora have the same number of files per speaker, so utterances / speakers per training
 * speaker). Per utterance rather than per batch: an epoch's last batch is partial, and on the
 * subset it is a large part of the epoch. Also the share of the epochs' wall time outside the
 * steps (validation).
 */
function stepFigures(runDir: string, batchSize = 24): { perStep: number; outsideSteps: number } {
  const folds = JSON.parse(fs.readFileSync(path.join(runDir, 'folds.json'), 'utf8')) as FoldsDocument;
  const perSpeaker = folds.utterances / folds.speakers;
  let train = 0;
  let utterances = 0;
  let wall = 0;
  for (const { fold, epochs } of steadyEpochs(runDir)) {
    for (const e of epochs) {
      if (e.trainSeconds === undefined) continue;
      train += e.trainSeconds;
      wall += e.seconds;
      utterances += folds.folds[fold].train.length * perSpeaker;
    }
  }
  return {
    perStep: (train / Math.max(1, utterances)) * batchSize,
    outsideSteps: 1 - train / Math.max(1e-9, wall),
  };
}

/** The per-step rows of one mode: proxy, subset, their ratio, and the epoch's time outside the steps. */
function stepRows(mode: string, proxyRun: string, subsetRun: string): BenchRow[] {
  const proxy = stepFigures(proxyRun);
  const subset = stepFigures(subsetRun);
  return [
    {
      group: GROUP,
      name: `${mode}: s per 24-utterance step, proxy (672 files)`,
      value: proxy.perStep,
      unit: 's/step',
      note: "the epochs' own step time (history.json trainSeconds) per training utterance x 24",
    },
    {
      group: GROUP,
      name: `${mode}: s per 24-utterance step, RAVDESS subset (64 files)`,
      value: subset.perStep,
      unit: 's/step',
      note: 'the same config on shared/data/ravdess; its folds train on 1-2 speakers, so a partial last batch weighs more',
    },
    {
      group: GROUP,
      name: `${mode}: step, proxy / subset`,
      value: proxy.perStep / subset.perStep,
      unit: 'ratio',
      note: '<= 1: the cost of a step does not grow with the corpus',
    },
    {
      group: GROUP,
      name: `${mode}: share of an epoch outside the steps (proxy)`,
      value: proxy.outsideSteps,
      unit: 'ratio',
      note: 'validation scoring (checkpoints and history writes come after the epoch is timed)',
    },
  ];
}

/**
 * Peak RSS of the processes that trained the folds, each as it recorded itself at the end of its
 * fold (environment.json maxRssMB): the worker's own figure, where GNU time's %M is the largest
 * process of the whole tree, the parent included.
 */
function workerPeakRssMiB(runDir: string): number {
  const folds = path.join(runDir, 'folds');
  let peak = 0;
  for (const f of fs.readdirSync(folds)) {
    const file = path.join(folds, f, 'environment.json');
    if (!fs.existsSync(file)) continue;
    const env = JSON.parse(fs.readFileSync(file, 'utf8')) as { maxRssMB?: number };
    peak = Math.max(peak, env.maxRssMB ?? 0);
  }
  return peak;
}

function config(dir: string, trainFrom: string | number, epochs: number, k?: number): string {
  const file = path.join(dir, `config-${trainFrom}-${epochs}-${k ?? 'loso'}.json`);
  const cv = k ? { scheme: 'kfold', k } : { scheme: 'loso' };
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: `bench-proxy-${trainFrom}`,
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom } },
      training: { epochs },
      crossValidation: cv,
    }),
  );
  return file;
}

export async function bench(): Promise<BenchRow[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-loso-'));
  const env = {
    ...process.env,
    SER_WORKBENCH_HOME: path.join(tmp, 'home'),
    YAMNET_WEIGHTS: process.env.YAMNET_WEIGHTS ?? testWeightsPath(),
  };
  const rows: BenchRow[] = [];
  try {
    const corpus = path.join(tmp, 'proxy');
    const synth = await synthesizeCorpus(corpus, { speakers: 24, perClass: 7, seed: 3 });
    const out = path.join(tmp, 'runs');

    const epochs = Number(process.env.SER_BENCH_LOSO_EPOCHS ?? 50);
    const frozen = timedRun(
      [config(tmp, 'frozen', epochs), '--data', corpus, '--out', out, '--parallel', '2'],
      env,
    );
    const frozenEpoch = epochFigures(frozen.runDir);
    const subsetCorpus = path.join(sharedDir(), 'data', 'ravdess');
    const frozenSubset = timedRun(
      [config(tmp, 'frozen', epochs), '--data', subsetCorpus, '--out', out, '--parallel', '2'],
      env,
    );
    rows.push(
      {
        group: GROUP,
        name: `frozen LOSO, 24 folds x ${epochs} epochs, 2 processes: wall`,
        value: frozen.wall,
        unit: 's',
        note: `${synth.files} files; includes the embedding cache build; target <= 300 s`,
      },
      { group: GROUP, name: 'frozen LOSO: CPU (all processes)', value: frozen.cpu, unit: 's' },
      {
        group: GROUP,
        name: 'frozen: peak RSS of a fold worker',
        value: workerPeakRssMiB(frozen.runDir),
        unit: 'MiB',
        note: "max over folds of the worker's own maxRSS; target < 1024",
      },
      {
        group: GROUP,
        name: 'frozen: peak RSS of the largest process (GNU time)',
        value: frozen.maxRssMiB,
        unit: 'MiB',
        note: 'the parent included',
      },
      {
        group: GROUP,
        name: 'frozen: measured s/epoch (per process)',
        value: frozenEpoch.measured,
        unit: 's',
      },
      { group: GROUP, name: 'frozen: estimated s/epoch', value: frozenEpoch.estimated, unit: 's' },
      {
        group: GROUP,
        name: 'frozen: estimate / measured',
        value: frozenEpoch.estimated / frozenEpoch.measured,
        unit: 'ratio',
        note: 'target 0.85-1.15',
      },
      ...stepRows('frozen', frozen.runDir, frozenSubset.runDir),
    );

    const modes = (process.env.SER_BENCH_LOSO_MODES ?? '13,11,full').split(',').filter(Boolean);
    for (const mode of modes) {
      const trainFrom = mode === 'full' ? 'full' : Number(mode);
      // 24-fold k-fold over speakers = LOSO folds; --folds is not a CLI option, so 2 epochs of
      // every fold would take hours: a 2-fold split (12 speakers train) keeps the epoch shape
      // of a RAVDESS fold's order of magnitude while bounding the bench.
      const r = timedRun(
        [config(tmp, trainFrom, 2, 2), '--data', corpus, '--out', out, '--parallel', '1'],
        env,
      );
      const e = epochFigures(r.runDir);
      // The subset's first LOSO fold (2 training speakers, 2 steps an epoch): 6 epochs, so that
      // its steps, like the proxy's many, are timed past the first shapes' kernel set-up.
      const subset = timedRun(
        [config(tmp, trainFrom, 6), '--data', subsetCorpus, '--out', out, '--parallel', '1', '--folds', '1'],
        env,
      );
      rows.push(
        {
          group: GROUP,
          name: `trainFrom ${mode}: measured s/epoch`,
          value: e.measured,
          unit: 's',
          note: '2-fold, 2 epochs',
        },
        { group: GROUP, name: `trainFrom ${mode}: estimated s/epoch`, value: e.estimated, unit: 's' },
        {
          group: GROUP,
          name: `trainFrom ${mode}: estimate / measured`,
          value: e.estimated / e.measured,
          unit: 'ratio',
          note: 'target 0.85-1.15',
        },
        {
          group: GROUP,
          name: `trainFrom ${mode}: peak RSS of the fold worker`,
          value: workerPeakRssMiB(r.runDir),
          unit: 'MiB',
        },
        {
          group: GROUP,
          name: `trainFrom ${mode}: peak RSS of the largest process (GNU time)`,
          value: r.maxRssMiB,
          unit: 'MiB',
        },
        ...stepRows(`trainFrom ${mode}`, r.runDir, subset.runDir),
      );
    }
    return rows;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
